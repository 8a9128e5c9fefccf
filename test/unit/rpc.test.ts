import { expect } from '@open-wc/testing';
import { RpcClient } from '../../gadgets/channel/rpc-client.js';
import { serveRpc } from '../../gadgets/channel/rpc-server.js';
import { RemoteDatabase } from '../../gadgets/channel/remote-database.js';
import { ALL_METHODS, READ_METHODS, WRITE_METHODS, parseAllow } from '../../gadgets/methods.js';
import type { Database } from '../../gadgets/storage/database.js';
import { channelPair, dropDatabase, freshDatabase, nextMessage, rejectionOf } from './helpers.js';

describe('RPC protocol (client and server over a MessageChannel, real IndexedDB)', () => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await dropDatabase(db);
  });

  function connect(allow: Iterable<string> = ALL_METHODS, timeout = 5000) {
    const pair = channelPair({ maxMessageSize: 16 * 1024 });
    serveRpc(pair.b, { database: db, allow: new Set(allow) });
    const rpc = new RpcClient({ timeout });
    rpc.attach(pair.a);
    return { rpc, remote: new RemoteDatabase(rpc), pair };
  }

  it('runs the database API remotely', async () => {
    const { remote } = connect();
    const id = await remote.post({ first: 'Grace', last: 'Hopper' });
    expect(await remote.get(id)).to.deep.equal({ first: 'Grace', last: 'Hopper' });
    expect(await db.get(id)).to.deep.equal({ first: 'Grace', last: 'Hopper' });
    await remote.put('x', { first: 'Alan' });
    const res = await remote.allDocs({ query: 'first:"%a%"', sort_on: [['first', 'ascending']], select_list: ['first'] });
    expect(res.data.rows).to.deep.equal([
      { id: 'x', value: { first: 'Alan' } },
      { id, value: { first: 'Grace' } },
    ]);
    expect(await remote.remove('x')).to.equal('x');
    expect((await rejectionOf(remote.get('x'))).status_code).to.equal(404);
  });

  it('carries large requests and answers across many frames', async () => {
    const { remote, pair } = connect();
    const text = 'lorem ipsum '.repeat(50_000);
    await remote.put('big', { text });
    expect((await remote.get('big')).text).to.equal(text);
    expect(pair.endpointA.sentFrames).to.be.greaterThan(20);
  });

  it('answers 403 for a method outside allow, and 501 for an unknown method', async () => {
    const { rpc, remote } = connect(['get', 'allDocs']);
    const denied = await rejectionOf(remote.post({ a: 1 }));
    expect(denied.status_code).to.equal(403);
    expect(denied.message).to.equal("Method 'post' is not allowed");
    const unknown = await rejectionOf(rpc.call('repair', []));
    expect(unknown.status_code).to.equal(501);
    expect(await db.allDocs()).to.deep.equal({ data: { rows: [], total_rows: 0 } });
  });

  it('looks method names up as own names: constructor, toString, __proto__… are 501, never 403', async () => {
    const { rpc } = connect(['get']);
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf', 'call']) {
      const e = await rejectionOf(rpc.call(name, []));
      expect(e.status_code, name).to.equal(501);
      expect(e.message).to.equal(`Capacity '${name}' is not implemented on 'rtc'`);
    }
    expect(() => parseAllow('get, constructor')).to.throw("allow: unknown method 'constructor'");
    expect([...parseAllow('')]).to.deep.equal([...ALL_METHODS]);
  });

  it('derives the read/write split, the arity and the transfer routes from the method table', async () => {
    expect(READ_METHODS).to.deep.equal(['get', 'allDocs', 'getAttachment', 'allAttachments', 'changes', 'exportDatabase']);
    expect(WRITE_METHODS).to.deep.equal(['post', 'put', 'remove', 'bulkPut', 'putAttachment', 'removeAttachment', 'importDatabase']);
    const { rpc } = connect(['get', 'putAttachment']);
    const arity = await rejectionOf(rpc.call('get', ['a', 'b']));
    expect(arity.status_code).to.equal(400);
    expect(arity.message).to.equal("Bad request: 'get' takes 1 argument(s), got 2");
    const direct = await rejectionOf(rpc.call('putAttachment', ['a', 'b', 'c']));
    expect(direct.status_code).to.equal(400);
    expect(direct.message).to.equal("Bad request: 'putAttachment' goes over the data channel as attachmentOpen/attachmentCommit (transfers.ts)");
    // A transfer request answers to its method's `allow` name.
    const read = await rejectionOf(rpc.call('attachmentInfo', ['a', 'b']));
    expect(read.status_code).to.equal(403);
    expect(read.message).to.equal("Method 'getAttachment' is not allowed");
    const open = await rejectionOf(rpc.call('attachmentOpen', ['a', 'b', {}, 0]));
    expect(open.status_code).to.equal(400);
    expect(open.message).to.equal('Bad request: transfer must be a positive integer');
  });

  it('answers malformed requests with 400 and keeps the channel open', async () => {
    const pair = channelPair();
    serveRpc(pair.b, { database: db, allow: new Set(ALL_METHODS) });
    const cases: [unknown, number | null][] = [
      [[1, 2], null],
      [{ v: 2, type: 'request', id: 1, method: 'get', args: ['a'] }, 1],
      [{ v: 1, type: 'request', id: 2, method: 'get' }, 2],
      [{ v: 1, type: 'request', id: 3, method: 'get', args: [] }, 3],
      [{ v: 1, type: 'request', id: 4, method: 'put', args: ['', {}] }, 4],
      [{ v: 1, type: 'request', id: 5, method: 'allDocs', args: [{ limit: 'x' }] }, 5],
      [{ v: 1, type: 'nonsense', id: 6 }, 6],
      [{ v: 1, type: 'request', id: -1, method: 'get', args: ['a'] }, null],
    ];
    for (const [message, id] of cases) {
      const reply = nextMessage(pair.a);
      await pair.a.send(message);
      const r = (await reply) as { type: string; id: number | null; error: { status_code: number } };
      expect(r.type, JSON.stringify(message)).to.equal('error');
      expect(r.id).to.equal(id);
      expect(r.error.status_code).to.equal(400);
    }
    const reply = nextMessage(pair.a);
    await pair.a.send({ v: 1, type: 'request', id: 9, method: 'allDocs', args: [] });
    expect(await reply).to.deep.equal({ v: 1, type: 'response', id: 9, result: { data: { rows: [], total_rows: 0 } } });
  });

  it('rejects with 504 when the master does not answer in time', async () => {
    const pair = channelPair();
    pair.b.onMessage = () => {}; // a master that never answers
    const rpc = new RpcClient({ timeout: 100 });
    rpc.attach(pair.a);
    const started = performance.now();
    const err = await rejectionOf(rpc.call('get', ['a']));
    expect(err.status_code).to.equal(504);
    expect(err.message).to.equal("Request 'get' timed out after 100 ms");
    expect(performance.now() - started).to.be.within(90, 1000);
    expect(rpc.inFlight).to.equal(0);
  });

  it('re-sends unanswered requests on a new channel without applying a write twice', async () => {
    // First channel: the master applies the write, but its answer is lost (the channel dies).
    const lost = channelPair();
    serveRpc(lost.b, { database: db, allow: new Set(ALL_METHODS) });
    lost.b.send = () => Promise.resolve();
    const rpc = new RpcClient({ timeout: 5000 });
    const remote = new RemoteDatabase(rpc);
    rpc.attach(lost.a);
    const posted = remote.post({ unique: 'yes' });
    const put = remote.put('counter', { value: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect((await db.allDocs()).data.total_rows).to.equal(2); // applied, not answered
    expect(rpc.inFlight).to.equal(2);
    rpc.detach();
    lost.endpointA.close();
    // Meanwhile another slave changes the document.
    await db.put('counter', { value: 2 });
    // Second channel: a reconnected master answers the re-sent requests from memory.
    const fresh = channelPair();
    serveRpc(fresh.b, { database: db, allow: new Set(ALL_METHODS) });
    rpc.attach(fresh.a);
    const id = await posted;
    expect(await put).to.equal('counter');
    const all = await db.allDocs({ include_docs: true });
    expect(all.data.total_rows).to.equal(2);
    expect(await db.get(id)).to.deep.equal({ unique: 'yes' });
    expect(await db.get('counter')).to.deep.equal({ value: 2 });
  });

  it('holds requests made while no channel is attached', async () => {
    const rpc = new RpcClient({ timeout: 5000 });
    const remote = new RemoteDatabase(rpc);
    const pending = remote.put('later', { ok: true });
    await new Promise((r) => setTimeout(r, 30));
    const pair = channelPair();
    serveRpc(pair.b, { database: db, allow: new Set(ALL_METHODS) });
    rpc.attach(pair.a);
    expect(await pending).to.equal('later');
  });

  it('checks arguments locally before sending', async () => {
    const { remote, pair } = connect();
    const before = pair.endpointA.sentFrames;
    expect((await rejectionOf(remote.put('', {}))).status_code).to.equal(400);
    expect((await rejectionOf(remote.allDocs({ limit: [1, 2, 3] as unknown as [number] }))).status_code).to.equal(400);
    expect(pair.endpointA.sentFrames).to.equal(before);
  });
});

describe('RPC: bulk writes and cancellation', () => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await dropDatabase(db);
  });

  it('bulk-writes over the channel in one request, idempotently', async () => {
    const pair = channelPair({ maxMessageSize: 16 * 1024 });
    serveRpc(pair.b, { database: db, allow: new Set(ALL_METHODS) });
    const rpc = new RpcClient({ timeout: 10000 });
    rpc.attach(pair.a);
    const remote = new RemoteDatabase(rpc);
    const entries = Array.from({ length: 3000 }, (_, i) => ({ doc: { i, text: 'x'.repeat(100) } }));
    const ids = await remote.bulkPut(entries);
    expect(ids).to.have.length(3000);
    expect(await db.get(ids[1234])).to.deep.equal(entries[1234].doc);
    expect((await rejectionOf(remote.bulkPut([{ doc: 'nope' as unknown as Record<string, unknown> }]))).status_code).to.equal(400);
  });

  it('cancels a master-side scan when the slave times out', async () => {
    await db.bulkPut(Array.from({ length: 20000 }, (_, i) => ({ doc: { i, text: `document number ${i}` } })));
    const pair = channelPair();
    const errors: number[] = [];
    serveRpc(pair.b, { database: db, allow: new Set(ALL_METHODS), onRequestError: (e) => errors.push(e.status_code) });
    const rpc = new RpcClient({ timeout: 30 });
    rpc.attach(pair.a);
    const err = await rejectionOf(rpc.call('allDocs', [{ query: '"%number 19999%"' }]));
    expect(err.status_code).to.equal(504);
    // The master stopped too: its own answer was a 504 from the aborted scan.
    await waitFor(() => errors.includes(504));
  });
});

async function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!predicate()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
