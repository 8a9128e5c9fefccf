// allDocs(options, { signal }) on a slave's client (channel/rpc-client.ts, methods.ts): an aborted
// signal rejects at once with its reason and sends `cancel`, which stops the master's scan. Client
// and server over a MessageChannel, real IndexedDB.
import { expect } from '@open-wc/testing';
import { RpcClient } from '../../gadgets/channel/rpc-client.js';
import { serveRpc } from '../../gadgets/channel/rpc-server.js';
import { RemoteDatabase } from '../../gadgets/channel/remote-database.js';
import { ALL_METHODS } from '../../gadgets/methods.js';
import type { Database } from '../../gadgets/storage/database.js';
import { channelPair, dropDatabase, freshDatabase, rejectionOf } from './helpers.js';

describe('allDocs with an AbortSignal (slave client)', () => {
  let opened: Database | null = null;
  afterEach(async () => {
    if (opened) await dropDatabase(opened);
    opened = null;
  });

  /** A new database served to a client; `seen` lists the types of the envelopes the master receives. */
  async function connect() {
    const db = opened = await freshDatabase();
    const pair = channelPair();
    serveRpc(pair.b, { database: db, allow: new Set(ALL_METHODS) });
    const seen: string[] = [];
    const serve = pair.b.onMessage!;
    pair.b.onMessage = (message) => {
      seen.push((message as { type: string }).type);
      serve(message);
    };
    const rpc = new RpcClient({ timeout: 30000 });
    rpc.attach(pair.a);
    return { db, rpc, remote: new RemoteDatabase(rpc), seen };
  }

  it('an already aborted signal rejects with its reason and sends nothing', async () => {
    const { rpc, remote, seen } = await connect();
    const controller = new AbortController();
    controller.abort(new Error('not wanted'));
    expect((await rejectionOf(remote.allDocs({}, { signal: controller.signal }))).message).to.equal('not wanted');
    expect(rpc.inFlight).to.equal(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).to.deep.equal([]);
  });

  it('aborting during a scan rejects at once, sends cancel, and the master stops; a signal left alone changes nothing', async () => {
    const { db, rpc, remote, seen } = await connect();
    await db.bulkPut(Array.from({ length: 20000 }, (_, i) => ({ id: `d${i}`, doc: { text: `lorem ipsum ${i}`, n: i } })));
    const masterScan = db.allDocs.bind(db);
    let stopped: unknown = null;
    db.allDocs = (options, run) => masterScan(options, run).catch((e: unknown) => {
      stopped = e;
      throw e;
    });
    const controller = new AbortController();
    const call = remote.allDocs({ query: 'nowhere' }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 30));
    controller.abort();
    const error = await rejectionOf(call);
    expect(error.name).to.equal('AbortError');
    expect(rpc.inFlight).to.equal(0);
    for (let i = 0; i < 100 && !stopped; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen).to.deep.equal(['request', 'cancel']);
    expect((stopped as { status_code?: number } | null)?.status_code, 'the master scan was stopped').to.equal(504);
    // The same call with a signal nobody aborts answers as usual.
    const rows = await remote.allDocs({ query: 'n:=7' }, { signal: new AbortController().signal });
    expect(rows.data.rows.map((r) => r.id)).to.deep.equal(['d7']);
  });
});
