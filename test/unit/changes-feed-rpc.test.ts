import { expect } from '@open-wc/testing';
import type { ChangesResult } from '../../gadgets/api.js';
import { PortEndpoint } from '../../gadgets/channel/endpoint.js';
import { FramedChannel } from '../../gadgets/channel/framed-channel.js';
import { MAX_UNSENT_BATCHES } from '../../gadgets/channel/feed-server.js';
import { RemoteDatabase } from '../../gadgets/channel/remote-database.js';
import { RpcClient } from '../../gadgets/channel/rpc-client.js';
import { serveRpc } from '../../gadgets/channel/rpc-server.js';
import { ALL_METHODS } from '../../gadgets/methods.js';
import type { Database } from '../../gadgets/storage/database.js';
import { channelPair, dropDatabase, freshDatabase, rejectionOf } from './helpers.js';

/** A port endpoint that can stall like a data channel whose peer stopped reading: nothing is handed on until `release`. */
class StallingEndpoint extends PortEndpoint {
  stall(): void {
    this.bufferedAmount = Number.MAX_SAFE_INTEGER;
  }
  release(): void {
    this.bufferedAmount = 0;
    this.dispatchEvent(new Event('bufferedamountlow'));
  }
}

async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const seqs = (batches: ChangesResult[]): number[] => batches.flatMap((b) => b.results.map((c) => c.seq));

describe('changes feed over the RPC protocol (MessageChannel, real IndexedDB)', () => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await dropDatabase(db);
  });

  /** Serves `db` on a new channel pair and attaches `rpc` to its slave end. */
  function link(rpc: RpcClient, allow: Iterable<string> = ALL_METHODS) {
    const pair = channelPair({ maxMessageSize: 16 * 1024 });
    const stop = serveRpc(pair.b, { database: db, allow: new Set(allow) });
    rpc.attach(pair.a);
    return { pair, stop };
  }

  it('a slave reads changes and its watch gets the master\'s and its own writes, once each, in order', async () => {
    const rpc = new RpcClient({ timeout: 5000 });
    link(rpc);
    const remote = new RemoteDatabase(rpc);
    await db.put('a', { n: 1 });
    expect(await remote.changes({ include_docs: true })).to.deep.equal({ results: [{ seq: 1, id: 'a', doc: { n: 1 } }], last_seq: 1 });
    const batches: ChangesResult[] = [];
    remote.watch({ since: 'now', query: 'n:>1', include_docs: true }, (b) => batches.push(b));
    await new Promise((r) => setTimeout(r, 50));
    await db.put('b', { n: 2 });
    await remote.put('c', { n: 0 }); // filtered out by the query
    await remote.remove('a'); // a deletion always passes
    await until(() => seqs(batches).includes(4), 'the deletion');
    expect(batches.flatMap((b) => b.results)).to.deep.equal([{ seq: 2, id: 'b', doc: { n: 2 } }, { seq: 4, id: 'a', deleted: true }]);
  });

  it('`allow` without changes refuses reading and subscribing (403)', async () => {
    const rpc = new RpcClient({ timeout: 5000 });
    link(rpc, ['get']);
    expect((await rejectionOf(new RemoteDatabase(rpc).changes())).status_code).to.equal(403);
    expect((await rejectionOf(rpc.call('changesSubscribe', [1, 0, {}]))).status_code).to.equal(403);
  });

  it('resumes on a new channel after the old one dropped, from the last seq delivered', async () => {
    const rpc = new RpcClient({ timeout: 5000 });
    const first = link(rpc);
    const batches: ChangesResult[] = [];
    new RemoteDatabase(rpc).watch({ since: 0 }, (b) => batches.push(b));
    await db.put('a', {});
    await until(() => seqs(batches).length === 1, 'the first change');
    first.stop();
    first.pair.endpointA.close();
    rpc.detach();
    await db.put('b', {});
    await db.put('c', {});
    const second = link(rpc);
    await db.put('d', {});
    await until(() => seqs(batches).at(-1) === 4, 'every change');
    expect(seqs(batches)).to.deep.equal([1, 2, 3, 4]);
    second.stop();
  });

  it('a slave that cannot keep up gets resync, reads changes from its last seq and subscribes again', async () => {
    const { port1, port2 } = new MessageChannel();
    const slaveEnd = new PortEndpoint(port1);
    const masterEnd = new StallingEndpoint(port2);
    const masterChannel = new FramedChannel(masterEnd, { maxMessageSize: 16 * 1024 });
    const stopServing = serveRpc(masterChannel, { database: db, allow: new Set(ALL_METHODS) });
    const rpc = new RpcClient({ timeout: 5000 });
    const slaveChannel = new FramedChannel(slaveEnd, { maxMessageSize: 16 * 1024 });
    rpc.attach(slaveChannel);
    const pushed: string[] = [];
    const receive = slaveChannel.onMessage;
    slaveChannel.onMessage = (m) => {
      const type = (m as { type: string }).type;
      if (type === 'changes' || type === 'resync') pushed.push(type);
      receive(m);
    };
    const batches: ChangesResult[] = [];
    new RemoteDatabase(rpc).watch({ since: 0, include_docs: true }, (b) => batches.push(b));
    await db.put('first', { i: -1 });
    await until(() => batches.length === 1, 'the first batch');
    masterEnd.stall();
    const writes = MAX_UNSENT_BATCHES * 3;
    for (let i = 0; i < writes; i++) {
      await db.put(`d${i}`, { i });
      await new Promise((r) => setTimeout(r, 2)); // each write its own batch
    }
    masterEnd.release();
    await until(() => seqs(batches).at(-1) === writes + 1, 'every change');
    expect(pushed).to.include('resync');
    expect(pushed.filter((t) => t === 'changes').length).to.be.at.most(MAX_UNSENT_BATCHES + 2);
    expect(seqs(batches)).to.deep.equal(Array.from({ length: writes + 1 }, (_, i) => i + 1));
    // Subscribed again: a later write is pushed.
    await db.put('later', {});
    await until(() => seqs(batches).at(-1) === writes + 2, 'the write after the resync');
    stopServing();
  });
});
