/**
 * The changes feed's promise, as a property (issue 11, item 7): writes interleaved at random from
 * a master and three slaves (over MessageChannel-backed framed channels, as rpc.test.ts), with
 * random slave disconnects and master reloads (the master's Database and servers closed, then
 * reopened on the same IndexedDB); every watcher (the master's and each slave's) gets every
 * change exactly once, in seq order, and ends with the state `allDocs` gives.
 */
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import type { ChangesResult, Doc } from '../../gadgets/api.js';
import { RemoteDatabase } from '../../gadgets/channel/remote-database.js';
import { RpcClient } from '../../gadgets/channel/rpc-client.js';
import { serveRpc } from '../../gadgets/channel/rpc-server.js';
import { ALL_METHODS } from '../../gadgets/methods.js';
import { Database } from '../../gadgets/storage/database.js';
import { deleteDatabase } from '../shared/databases.js';
import { channelPair, uniqueName } from './helpers.js';

const IDS = ['a', 'b', 'c', 'd', 'e', 'f'];
const SLAVES = 3;

type Action =
  | { kind: 'put'; who: number; id: string; n: number }
  | { kind: 'remove'; who: number; id: string }
  | { kind: 'bulk'; who: number; ids: string[]; n: number }
  | { kind: 'drop'; slave: number }
  | { kind: 'join'; slave: number }
  | { kind: 'reload' }
  | { kind: 'pause' };

const who = fc.integer({ min: 0, max: SLAVES }); // 0: the master, 1..3: a slave
const id = fc.constantFrom(...IDS);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), who, id, n: fc.nat(99) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), who, id }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bulk' as const), who, ids: fc.array(id, { minLength: 1, maxLength: 4 }), n: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), slave: fc.integer({ min: 1, max: SLAVES }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('join' as const), slave: fc.integer({ min: 1, max: SLAVES }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reload' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'pause' as const }) },
);

/** What one watcher saw: every seq in order, and the documents as its changes say. */
class Seen {
  seqs: number[] = [];
  state = new Map<string, Doc>();
  last = 0;
  take = (batch: ChangesResult): void => {
    for (const c of batch.results) {
      this.seqs.push(c.seq);
      this.last = c.seq;
      if (c.deleted) this.state.delete(c.id);
      else this.state.set(c.id, c.doc!);
    }
  };
}

async function until(pred: () => boolean | Promise<boolean>, what: string, ms = 10000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await pred())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One run: a fresh database, the actions, then the checks. */
async function runScenario(actions: Action[]): Promise<void> {
  const name = uniqueName('prop');
  let db = await Database.open(name);
  const rpcs = Array.from({ length: SLAVES }, () => new RpcClient({ timeout: 60000 }));
  const links: ({ stop: () => void; close: () => void } | null)[] = rpcs.map(() => null);
  const join = (k: number): void => {
    if (links[k]) return;
    const pair = channelPair({ maxMessageSize: 16 * 1024 });
    const stop = serveRpc(pair.b, { database: db, allow: new Set(ALL_METHODS) });
    rpcs[k]!.attach(pair.a);
    links[k] = { stop, close: () => pair.endpointA.close() };
  };
  const drop = (k: number): void => {
    const link = links[k];
    if (!link) return;
    links[k] = null;
    link.stop();
    link.close();
    rpcs[k]!.detach();
  };
  rpcs.forEach((_, k) => join(k));
  const remotes = rpcs.map((rpc) => new RemoteDatabase(rpc));
  const slaveSeen = remotes.map((remote) => {
    const seen = new Seen();
    remote.watch({ since: 0, include_docs: true }, seen.take);
    return seen;
  });
  // The master's watcher: its page survives the reload here, so it watches again from its last seq.
  const masterSeen = new Seen();
  let stopMaster = db.watch({ since: 0, include_docs: true }, masterSeen.take);
  const masterWrites: Promise<unknown>[] = [];
  const slaveWrites: Promise<unknown>[] = [];
  try {
    for (const a of actions) {
      if (a.kind === 'put' || a.kind === 'remove' || a.kind === 'bulk') {
        const target = a.who === 0 ? db : remotes[a.who - 1]!;
        const write = a.kind === 'put' ? target.put(a.id, { n: a.n, by: a.who })
          : a.kind === 'remove' ? target.remove(a.id)
            : target.bulkPut(a.ids.map((i, k) => ({ id: i, doc: { n: a.n + k, by: a.who } })));
        (a.who === 0 ? masterWrites : slaveWrites).push(write);
      } else if (a.kind === 'drop') drop(a.slave - 1);
      else if (a.kind === 'join') join(a.slave - 1);
      else if (a.kind === 'pause') await new Promise((r) => setTimeout(r, 3));
      else {
        // Reload: the master's own writes finish first (its page would lose the others), then
        // everything closes and opens again; slaves reconnect and re-send what was unanswered.
        await Promise.all(masterWrites);
        const connected = links.map((l) => l !== null);
        rpcs.forEach((_, k) => drop(k));
        stopMaster();
        db.close();
        db = await Database.open(name);
        stopMaster = db.watch({ since: masterSeen.last, include_docs: true }, masterSeen.take);
        connected.forEach((c, k) => c && join(k));
      }
    }
    rpcs.forEach((_, k) => join(k));
    await Promise.all([...masterWrites, ...slaveWrites]);
    const feed = await db.changes();
    const all = await db.allDocs({ include_docs: true });
    const truth = new Map(all.data.rows.map((r) => [r.id, r.doc!]));
    for (const [k, seen] of [...slaveSeen, masterSeen].entries()) {
      await until(() => seen.last === feed.last_seq || feed.last_seq === 0, `watcher ${k} to reach seq ${feed.last_seq}`);
      // Exactly once, in order: strictly increasing seqs.
      expect(seen.seqs.every((s, i) => i === 0 || s > seen.seqs[i - 1]!), `watcher ${k} in seq order, once each`).to.equal(true);
      // Every change still in the feed was delivered.
      const delivered = new Set(seen.seqs);
      expect(feed.results.filter((c) => !delivered.has(c.seq)), `watcher ${k} missed`).to.deep.equal([]);
      expect([...seen.state].sort(), `watcher ${k}'s state`).to.deep.equal([...truth].sort());
    }
  } finally {
    stopMaster();
    rpcs.forEach((rpc, k) => {
      drop(k);
      rpc.rejectAll(new Error('done'));
    });
    db.close();
    await deleteDatabase(name);
  }
}

describe('changes feed property: master and three slaves, disconnects and reloads', () => {
  it('every watcher gets every change once, in seq order, and ends with allDocs\'s state', async function () {
    this.timeout(90000);
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 40 }), runScenario), { numRuns: 300 });
  });
});
