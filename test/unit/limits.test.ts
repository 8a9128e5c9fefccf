import { expect } from '@open-wc/testing';
import { serveRpc } from '../../gadgets/channel/rpc-server.js';
import { ALL_METHODS } from '../../gadgets/methods.js';
import { compileQuery } from '../../gadgets/query.js';
import { encodeDataFrame, encodeFrame, KIND_FRAGMENT } from '../../gadgets/channel/frames.js';
import { FRAGMENT_OVERHEAD } from '../../gadgets/channel/reassembly.js';
import { ProofLimiter } from '../../gadgets/channel/proof-limiter.js';
import type { SlaveLimits } from '../../gadgets/channel/limits.js';
import type { FramedChannelOptions } from '../../gadgets/channel/framed-channel.js';
import type { Database } from '../../gadgets/storage/database.js';
import { seededRandom } from '../shared/seeded-random.js';
import { channelPair, dropDatabase, freshDatabase, rejectionOf } from './helpers.js';

type Reply = { type: string; id: number | null; result?: unknown; error?: { status_code: number; message: string } };

const settle = (ms = 20) => new Promise((r) => setTimeout(r, ms));
/** Waits until `pred()` holds, for at most `ms` (the machine may be loaded). */
async function until(pred: () => boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!pred() && performance.now() < end) await settle(10);
}

describe('Per-slave limits (a hostile slave speaking raw envelopes over a MessageChannel, real IndexedDB)', () => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await dropDatabase(db);
  });

  /** A master serving `limits`, and a raw slave: its FramedChannel, every reply, whether it was closed and why. */
  function hostile(limits: Partial<SlaveLimits> = {}, options: FramedChannelOptions = {}) {
    const pair = channelPair({ maxMessageSize: 16 * 1024, ...options });
    const replies: Reply[] = [];
    const state = { closed: false, reason: '' };
    pair.a.onMessage = (m) => replies.push(m as Reply);
    pair.a.onClose = () => (state.closed = true);
    serveRpc(pair.b, { database: db, allow: new Set(ALL_METHODS), limits, onDisconnect: (r) => (state.reason = r) });
    const request = (id: number, method: string, args: unknown[]) => ({ v: 1, type: 'request', id, method, args });
    return { pair, replies, state, request, send: (m: unknown) => pair.endpointA.send(typeof m === 'string' ? m : JSON.stringify(m)) };
  }

  it('answers 429 past maxInFlight, runs at most maxRunning at once, and serves the rest normally', async () => {
    await db.put('a', { n: 1 });
    const { replies, send, request } = hostile({ maxInFlight: 5, maxRunning: 2 });
    // One bundle: all twenty arrive in the same task.
    send(JSON.stringify(Array.from({ length: 20 }, (_, k) => request(k + 1, 'get', ['a']))));
    await settle(100);
    const ok = replies.filter((r) => r.type === 'response');
    const refused = replies.filter((r) => r.error?.status_code === 429);
    expect(ok.map((r) => r.id)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(refused.length).to.equal(15);
    expect(refused[0]!.error!.message).to.equal('Too many requests: 5 already in flight from this slave');
    send(request(21, 'get', ['a']));
    await settle();
    expect(replies.at(-1)).to.deep.include({ type: 'response', id: 21, result: { n: 1 } });
  });

  it('answers 429 while the bytes held for the slave are over maxQueuedBytes', async () => {
    const { replies, send, request } = hostile({ maxQueuedBytes: 4000, maxRunning: 1 });
    // Three puts of ~1.5 KB arrive in one task: the third would hold over 4000 bytes.
    for (let id = 1; id <= 3; id++) send(request(id, 'put', [`d${id}`, { pad: 'x'.repeat(1500) }]));
    await settle(100);
    expect(replies.filter((r) => r.type === 'response').map((r) => r.id)).to.deep.equal([1, 2]);
    const refused = replies.find((r) => r.id === 3)!;
    expect(refused.error!.status_code).to.equal(429);
    expect(refused.error!.message).to.equal('Too many requests: over 4000 bytes queued for this slave');
    expect(await rejectionOf(db.get('d3'))).to.have.property('status_code', 404);
  });

  it('answers 413 to a query request over maxQueryBytes', async () => {
    const { replies, send, request } = hostile({ maxQueryBytes: 1000 });
    send(request(1, 'allDocs', [{ query: `a:"${'x'.repeat(2000)}"` }]));
    send(request(2, 'allDocs', [{ query: 'a:"x"' }]));
    await settle(100);
    expect(replies.find((r) => r.id === 1)!.error).to.deep.include({ status_code: 413 });
    expect(replies.find((r) => r.id === 1)!.error!.message).to.match(/^Query too large: \d+ bytes, over 1000$/);
    expect(replies.find((r) => r.id === 2)).to.deep.include({ type: 'response' });
  });

  it('answers 429 to an upload past maxOpenUploads', async () => {
    const { replies, send, request } = hostile({ maxOpenUploads: 2 });
    for (let t = 1; t <= 3; t++) await db.put(`doc${t}`, {});
    const meta = { content_type: 'text/plain', length: 1000, digest: `sample-${'ab'.repeat(32)}` };
    for (let t = 1; t <= 3; t++) {
      send(request(t, 'attachmentOpen', [`doc${t}`, 'f', meta, t]));
      await settle();
    }
    expect(replies.filter((r) => r.type === 'response').map((r) => r.id), JSON.stringify(replies)).to.deep.equal([1, 2]);
    expect(replies.find((r) => r.id === 3)!.error).to.deep.include({ status_code: 429, message: 'Too many requests: 2 uploads already open from this slave' });
  });

  it('survives garbage of every kind, changes nothing, pollutes no prototype, then disconnects a slave that persists, with the reason', async () => {
    await db.put('keep', { v: 1 });
    const { replies, send, request, state, pair } = hostile({ maxStrikes: 300, maxErrorReplies: 50 });
    const random = seededRandom(14);
    const deep = '['.repeat(100000) + ']'.repeat(100000);
    const garbage: (string | ArrayBuffer)[] = [
      'not json', '{"v":1', '42', 'null', '"text"', '[1,2,[3]]', deep, `{"v":1,"type":"request","id":1,"method":"get","args":${deep}}`,
      JSON.stringify(request(2, 'constructor', [])), JSON.stringify(request(3, '__proto__', [])),
      JSON.stringify(request(4, 'put', ['other', JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}')])),
      JSON.stringify({ v: 1, type: 'request', id: 2 ** 60, method: 'get', args: ['keep'] }),
      JSON.stringify({ v: 1, type: 'cancel', id: 987654 }),
      JSON.stringify(request(5, 'get', ['x'.repeat(250 * 1024)])),
      JSON.stringify(request(6, 'allDocs', [{ query: '('.repeat(10000) + 'a:1' + ')'.repeat(10000) }])),
      JSON.stringify(request(7, 'allDocs', [{ query: `a:"${'%_'.repeat(2000)}x"` }])),
      encodeDataFrame(4242, 0, new Uint8Array(100)),
      new Uint8Array([1, 9, 9, 9]).buffer,
    ];
    for (const g of garbage) pair.endpointA.send(g);
    for (let i = 0; i < 50; i++) pair.endpointA.send(new Uint8Array(Array.from({ length: 1 + (random.next() % 64) }, () => random.next() & 255)).buffer);
    await settle(300);
    expect(state.closed, 'not yet: under maxStrikes').to.equal(false);
    expect((Object.prototype as Record<string, unknown>).polluted).to.equal(undefined);
    expect(await db.get('keep')).to.deep.equal({ v: 1 });
    const byId = (id: number) => replies.find((r) => r.id === id)?.error?.status_code;
    expect(byId(2)).to.equal(501);
    expect(byId(3)).to.equal(501);
    // Persisting: 300 more bad messages → told why (id null, 429), then the channel closes.
    for (let i = 0; i < 300; i++) send('garbage');
    await until(() => state.closed);
    expect(state.closed).to.equal(true);
    expect(state.reason).to.equal('over 300 refused or malformed messages in 10 s');
    const last = replies.at(-1)!;
    expect(last.id).to.equal(null);
    expect(last.error).to.deep.include({ status_code: 429, message: 'Disconnected: over 300 refused or malformed messages in 10 s' });
    // Only the first maxErrorReplies bad messages of the window were answered (+ the goodbye and the put's answer).
    expect(replies.filter((r) => r.type === 'error').length).to.be.at.most(52);
    expect(await db.get('keep')).to.have.property('v');
  });

  it('disconnects a slave that floods small messages, with the reason, before handling them', async () => {
    const { pair, state, replies } = hostile({}, { maxMessagesPerSecond: 500 });
    for (let i = 0; i < 5000; i++) pair.endpointA.send(new Uint8Array([i & 255]).buffer);
    await until(() => state.closed);
    expect(state.reason).to.equal('message flood: over 500 small messages in one second');
    expect(state.closed).to.equal(true);
    // At most the first 500 were read (each a malformed frame: answered up to maxErrorReplies).
    expect(replies.filter((r) => r.error?.status_code === 400).length).to.be.at.most(200);
  });

  it('counts each fragment\'s memory in the reassembly bound, and disconnects a slave that leaves too many messages unfinished', async () => {
    const bound = 64 * 1024;
    const { replies, state, pair } = hostile({}, { maxIncomingBytes: bound, maxIncomingMessages: 1000 });
    // One-byte fragments of distinct messages: the payload alone (1 byte each) would never reach the bound.
    const fits = Math.floor(bound / (2 * FRAGMENT_OVERHEAD + 1));
    for (let n = 1; n <= fits + 5; n++) pair.endpointA.send(encodeFrame(KIND_FRAGMENT, n, new Uint8Array([32])));
    await settle(100);
    expect(replies.filter((r) => r.error?.status_code === 413).length).to.be.within(4, 6);
    expect(state.closed).to.equal(false);
    for (let n = fits + 6; n <= 1100; n++) pair.endpointA.send(encodeFrame(KIND_FRAGMENT, n, new Uint8Array([32])));
    await until(() => state.closed);
    expect(state.reason).to.equal('over 1000 messages left unfinished');
    expect(state.closed).to.equal(true);
  });

  it('slices a heavy query by time: other tasks run every few ms, and maxQueryMs stops it with 413', async () => {
    await db.bulkPut(Array.from({ length: 3000 }, (_, i) => ({ id: `d${i}`, doc: { n: i, name: `name ${i}` } })));
    // A 3,000-term OR: each document costs thousands of comparisons.
    const query = Array.from({ length: 3000 }, (_, i) => `name:"zz${i}%"`).join(' OR ');
    await new Promise((r) => setTimeout(r, 50));
    let gaps = 0;
    let ticks = 0;
    let last = performance.now();
    let ticking = true;
    const tick = () => {
      const now = performance.now();
      gaps = Math.max(gaps, now - last);
      last = now;
      ticks++;
      if (ticking) setTimeout(tick, 0);
    };
    const compileStarted = performance.now();
    compileQuery(query);
    const compileMs = performance.now() - compileStarted;
    setTimeout(tick, 0);
    const started = performance.now();
    const result = await db.allDocs({ query });
    const took = performance.now() - started;
    ticking = false;
    expect(result.data.total_rows).to.equal(0);
    expect(took, 'the query must be heavy for this test to mean anything').to.be.above(100);
    // Unsliced, the longest stall would be the whole query. Compiling the query is one block
    // (gadgets/query/, not sliced); the machine may be loaded: relative bounds only.
    const what = `a ${took.toFixed(0)} ms query (compiling: ${compileMs.toFixed(0)} ms): ${ticks} timer tasks ran, the longest wait ${gaps.toFixed(0)} ms`;
    expect(ticks, what).to.be.at.least(10);
    expect(gaps, what).to.be.below(Math.max(took / 4, compileMs + 20));
    const e = await rejectionOf(db.allDocs({ query }, { maxMs: 20 }));
    expect(e.status_code).to.equal(413);
    expect(e.message).to.equal("Query too expensive: over 20 ms of the master's time");
  });
});

describe('Proof limiter (refused admissions per address)', () => {
  it('runs one address\'s handshakes in turn, waits longer after each refusal, forgets on admission', async () => {
    const limiter = new ProofLimiter({ baseMs: 40, maxMs: 1000, maxWaiting: 2 });
    let done = await limiter.turn('10.0.0.9');
    done('refused');
    expect(limiter.penaltyMs('10.0.0.9')).to.be.within(1, 40);
    const t = performance.now();
    done = await limiter.turn('10.0.0.9');
    expect(performance.now() - t).to.be.at.least(30);
    done('refused');
    expect(limiter.penaltyMs('10.0.0.9')).to.be.within(41, 80);
    expect(limiter.penaltyMs('10.0.0.10'), 'another address').to.equal(0);
    // Two wait; a third is refused at once.
    const a = limiter.turn('10.0.0.9');
    const b = limiter.turn('10.0.0.9');
    const c = await rejectionOf(limiter.turn('10.0.0.9'));
    expect(c.status_code).to.equal(403);
    (await a)('admitted'); // after its penalty
    (await b)('other');
    expect(limiter.penaltyMs('10.0.0.9'), 'an admission forgets the refusals').to.equal(0);
    // A disconnection for abuse makes the next one wait too, and an admission does not clear it.
    limiter.abused('10.0.0.9');
    expect(limiter.penaltyMs('10.0.0.9')).to.be.within(1, 40);
    (await limiter.turn('10.0.0.9'))('admitted');
    limiter.abused('10.0.0.9');
    expect(limiter.penaltyMs('10.0.0.9')).to.be.within(41, 80);
  });
});
