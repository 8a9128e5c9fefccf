import { expect } from '@open-wc/testing';
import { channelPair, nextMessage } from './helpers.js';
import { PortEndpoint } from '../../gadgets/channel/endpoint.js';
import { FramedChannel } from '../../gadgets/channel/framed-channel.js';
import { encodeFrame, decodeFrame, KIND_LAST } from '../../gadgets/channel/frames.js';
import type { RtcError } from '../../gadgets/errors.js';

describe('FramedChannel (over a MessageChannel)', () => {
  it('sends a small message as one text frame', async () => {
    const { a, b, endpointA } = channelPair();
    const got = nextMessage(b);
    await a.send({ hello: 'world', n: 1 });
    expect(await got).to.deep.equal({ hello: 'world', n: 1 });
    expect(endpointA.sentFrames).to.equal(1);
  });

  it('bundles the small messages of one task once the peer reads bundles, in order, within maxMessageSize', async () => {
    const { a, b, endpointA } = channelPair({ maxMessageSize: 4 * 1024 });
    const received: unknown[] = [];
    b.onMessage = (m) => received.push(m);
    // Off by default: one data-channel message each.
    await Promise.all([a.send({ n: -2 }), a.send({ n: -1 })]);
    expect(endpointA.sentFrames).to.equal(2);
    expect(b.sendBundles, 'no bundle seen yet').to.equal(false);

    a.sendBundles = true;
    const before = endpointA.sentFrames;
    // Sends a few promise hops apart still join the bundle of their task.
    const sends = Array.from({ length: 100 }, (_, n) => Promise.resolve().then(() => undefined).then(() => a.send({ n, pad: 'p'.repeat(20) })));
    await Promise.all(sends);
    await new Promise((r) => setTimeout(r, 30));
    const frames = endpointA.sentFrames - before;
    expect(received.map((m) => (m as { n: number }).n)).to.deep.equal([-2, -1, ...Array.from({ length: 100 }, (_, n) => n)]);
    // 100 × ~40 bytes = ~4 KB of JSON, bundled under a 4 KiB limit counted at 3 bytes per character.
    expect(frames).to.be.within(2, 20);
    expect(b.sendBundles, 'a bundle received: the other side may bundle too').to.equal(true);
  });

  it('keeps order between bundled messages, a large message and attachment data', async () => {
    const { a, b } = channelPair({ maxMessageSize: 8 * 1024 });
    a.sendBundles = true;
    const order: string[] = [];
    b.onMessage = (m) => order.push((m as { name: string }).name);
    b.onData = () => order.push('data');
    const sent = [
      a.send({ name: 'one' }),
      a.send({ name: 'two' }),
      a.sendData(1, 0, new Uint8Array(10)),
      a.send({ name: 'three' }),
      a.send({ name: 'large', blob: 'x'.repeat(20_000) }),
      a.send({ name: 'four' }),
    ];
    await Promise.all(sent);
    await new Promise((r) => setTimeout(r, 50));
    expect(order.slice(0, 3)).to.deep.equal(['one', 'two', 'data']);
    expect(order).to.have.members(['one', 'two', 'data', 'three', 'large', 'four']);
    expect(order.indexOf('three')).to.be.lessThan(order.indexOf('four'));
  });

  it('rejects the bundled messages still waiting when the channel closes', async () => {
    const { a, endpointA } = channelPair();
    a.sendBundles = true;
    const pending = [a.send({ n: 1 }), a.send({ n: 2 })];
    endpointA.close();
    const results = await Promise.allSettled(pending);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
  });

  it('splits a message larger than maxMessageSize and reassembles it', async () => {
    const { a, b, endpointA } = channelPair({ maxMessageSize: 16 * 1024 });
    const big = { text: 'é🙂x'.repeat(100_000), list: Array.from({ length: 1000 }, (_, i) => i) };
    const got = nextMessage(b);
    await a.send(big);
    expect(await got).to.deep.equal(big);
    expect(endpointA.sentFrames).to.be.greaterThan(30);
  });

  it('interleaves frames so a small message is not stuck behind a large one', async () => {
    const { a, b, endpointA } = channelPair({ maxMessageSize: 8 * 1024, highWaterMark: 16 * 1024 }, true);
    const order: string[] = [];
    b.onMessage = (m) => order.push((m as { name: string }).name);
    const large = a.send({ name: 'large', blob: 'x'.repeat(200_000) });
    const small = a.send({ name: 'small' });
    await Promise.all([large, small]);
    await new Promise((r) => setTimeout(r, 50));
    expect(order).to.deep.equal(['small', 'large']);
    // Never more than the high-water mark plus one frame was queued at once.
    expect(endpointA.sentFrames).to.be.greaterThan(20);
  });

  it('waits for bufferedamountlow instead of overfilling the send queue', async () => {
    const { a, b, endpointA } = channelPair({ maxMessageSize: 8 * 1024, highWaterMark: 32 * 1024 }, true);
    let peak = 0;
    const send = endpointA.send.bind(endpointA);
    endpointA.send = (data) => {
      send(data);
      peak = Math.max(peak, endpointA.bufferedAmount);
    };
    const got = nextMessage(b);
    await a.send({ blob: 'q'.repeat(500_000) });
    expect(((await got) as { blob: string }).blob.length).to.equal(500_000);
    expect(peak).to.be.at.most(32 * 1024 + 8 * 1024);
  });

  it('refuses to send a message over the incoming bound with 413', async () => {
    const { a } = channelPair({ maxMessageSize: 16 * 1024, maxIncomingBytes: 100_000 });
    let error: RtcError | null = null;
    await a.send({ blob: 'y'.repeat(200_000) }).catch((e: RtcError) => (error = e));
    expect(error).to.not.equal(null);
    expect(error!.status_code).to.equal(413);
  });

  it('drops an oversized incoming message, reports 413 and keeps working', async () => {
    // The sender believes the bound is larger than the receiver's.
    const { port1, port2 } = new MessageChannel();
    const sender = new FramedChannel(new PortEndpoint(port1), { maxMessageSize: 16 * 1024 });
    const receiver = new FramedChannel(new PortEndpoint(port2), { maxMessageSize: 16 * 1024, maxIncomingBytes: 50_000 });
    const errors: RtcError[] = [];
    const messages: unknown[] = [];
    receiver.onError = (e) => errors.push(e);
    receiver.onMessage = (m) => messages.push(m);
    await sender.send({ blob: 'z'.repeat(120_000) });
    await sender.send({ after: true });
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.map((e) => e.status_code)).to.deep.equal([413]);
    expect(messages).to.deep.equal([{ after: true }]);
  });

  it('reports malformed frames and invalid JSON as 400 without closing', async () => {
    const { b, endpointA } = channelPair();
    const errors: RtcError[] = [];
    b.onError = (e) => errors.push(e);
    endpointA.send('{not json');
    endpointA.send(new Uint8Array([9, 9, 9]).buffer);
    endpointA.send(encodeFrame(KIND_LAST, 7, new TextEncoder().encode('[1,')));
    const got = nextMessage(b);
    endpointA.send('{"ok":true}');
    expect(await got).to.deep.equal({ ok: true });
    expect(errors.map((e) => e.status_code)).to.deep.equal([400, 400, 400]);
    expect(b.isClosed).to.equal(false);
  });

  it('rejects queued and later sends once the endpoint closes', async () => {
    const { a, b, endpointB } = channelPair();
    let closed = false;
    a.onClose = () => (closed = true);
    endpointB.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).to.equal(true);
    expect(b.isClosed).to.equal(true);
    let error: RtcError | null = null;
    await a.send({ x: 1 }).catch((e: RtcError) => (error = e));
    expect(error!.status_code).to.equal(500);
  });

  it('encodes and decodes frame headers', () => {
    const frame = decodeFrame(encodeFrame(KIND_LAST, 0xfffffffe, new Uint8Array([1, 2, 3])));
    expect(frame).to.not.equal(null);
    expect(frame!.kind).to.equal(KIND_LAST);
    expect(frame!.messageNumber).to.equal(0xfffffffe);
    expect([...frame!.payload]).to.deep.equal([1, 2, 3]);
    expect(decodeFrame(new ArrayBuffer(4))).to.equal(null);
  });
});
