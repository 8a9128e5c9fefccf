/**
 * The heartbeat (gadgets/channel/heartbeat.ts) on two real RTCPeerConnections in this page: a
 * peer that answers pings stays, a peer whose page ignores them but whose network stack is alive
 * stays too (its SCTP acknowledgements show in the transport's bytes), a peer whose transport is
 * silent as well is declared gone, and a bye ends it at once.
 */
import { expect } from '@open-wc/testing';
import { channelOpen, createPeerConnection, createProtocolChannel } from '../../gadgets/channel/peer-connection.js';
import { BYE, handleHeartbeat, isHeartbeatMessage, PING, PONG, transportBytesReceived, watchLiveness, type Liveness } from '../../gadgets/channel/heartbeat.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Two connected peers in this page, each with the protocol's channel, open. */
async function connectedPair(): Promise<{ a: RTCPeerConnection; b: RTCPeerConnection; ca: RTCDataChannel; cb: RTCDataChannel }> {
  const a = createPeerConnection();
  const b = createPeerConnection();
  const ca = createProtocolChannel(a);
  const cb = createProtocolChannel(b);
  a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
  b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  await Promise.all([channelOpen(ca, 10000), channelOpen(cb, 10000)]);
  return { a, b, ca, cb };
}

describe('heartbeat (channel/heartbeat.ts)', () => {
  const pcs: RTCPeerConnection[] = [];
  const watches: Liveness[] = [];
  afterEach(() => {
    for (const w of watches.splice(0)) w.stop();
    for (const pc of pcs.splice(0)) pc.close();
  });

  it('recognises its three messages and nothing else', () => {
    for (const m of [PING, PONG, BYE]) expect(isHeartbeatMessage(m)).to.equal(true);
    for (const m of [null, 'ping', { type: 'ping' }, { v: 2, type: 'ping' }, { v: 1, type: 'request' }, [PING]]) {
      expect(isHeartbeatMessage(m), JSON.stringify(m)).to.equal(false);
    }
    const sent: unknown[] = [];
    let byes = 0;
    expect(handleHeartbeat(PING, (m) => sent.push(m), () => byes++)).to.equal(true);
    expect(handleHeartbeat(PONG, (m) => sent.push(m), () => byes++)).to.equal(true);
    expect(handleHeartbeat(BYE, (m) => sent.push(m), () => byes++)).to.equal(true);
    expect(handleHeartbeat({ v: 1, type: 'request' }, (m) => sent.push(m), () => byes++)).to.equal(false);
    expect(sent).to.deep.equal([PONG]);
    expect(byes).to.equal(1);
  });

  it('keeps a peer that answers, and one whose page is silent while its network stack acknowledges', async () => {
    const { a, b, ca, cb } = await connectedPair();
    pcs.push(a, b);
    expect(await transportBytesReceived(a)).to.be.a('number');
    // b answers pings for 1 s, then its page stops answering (a long task would do the same);
    // its SCTP stack still acknowledges what a sends. The probe's window (one interval) must be
    // longer than SCTP's delayed acknowledgement (200 ms), as HEARTBEAT_INTERVAL_MS is.
    let answering = true;
    cb.onmessage = (e) => {
      if (answering && JSON.parse(String(e.data)).type === 'ping') cb.send(JSON.stringify(PONG));
    };
    let gone = false;
    watches.push(watchLiveness({
      pc: a, channel: ca, silenceMs: 900, intervalMs: 300,
      tick: () => ca.send(JSON.stringify(PING)), probe: () => ca.send(JSON.stringify(PING)), onGone: () => (gone = true),
    }));
    await sleep(1000);
    expect(gone, 'answered pings keep it').to.equal(false);
    answering = false;
    await sleep(3000);
    expect(gone, 'a live transport keeps it while its page is busy').to.equal(false);
  });

  it('declares a peer gone once it and its transport are silent', async () => {
    const { a, b, ca } = await connectedPair();
    pcs.push(a, b);
    // Watching a's channel but reading the transport of a connection that receives nothing more:
    // b's side, whose peer (a) sends nothing (no tick, and the probe goes nowhere).
    let goneAt = 0;
    const started = performance.now();
    watches.push(watchLiveness({ pc: b, channel: ca, silenceMs: 400, intervalMs: 100, probe: () => {}, onGone: () => (goneAt = performance.now()) }));
    await sleep(1500);
    expect(goneAt, 'declared gone').to.be.greaterThan(0);
    expect(goneAt - started).to.be.within(400, 1000);
  });

  it('a message resets the silence', async () => {
    const { a, b, ca, cb } = await connectedPair();
    pcs.push(a, b);
    let gone = false;
    const timer = setInterval(() => cb.send('{"v":1,"type":"pong"}'), 100);
    watches.push(watchLiveness({ pc: b, channel: ca, silenceMs: 400, intervalMs: 100, probe: () => {}, onGone: () => (gone = true) }));
    await sleep(1200);
    clearInterval(timer);
    expect(gone).to.equal(false);
  });
});
