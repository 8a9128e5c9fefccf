import { expect } from '@open-wc/testing';
import type { Database } from '../../gadgets/storage/database.js';
import { dropDatabase, freshDatabase, rejectionOf } from './helpers.js';

/** Counts the readwrite transactions the page opens while `fn` runs (real IndexedDB, observed, not replaced). */
async function countingWriteTransactions<T>(fn: () => Promise<T>): Promise<{ result: T; transactions: number }> {
  const original = IDBDatabase.prototype.transaction;
  let transactions = 0;
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<typeof original>) {
    if (args[1] === 'readwrite') transactions++;
    return original.apply(this, args);
  } as typeof original;
  try {
    return { result: await fn(), transactions };
  } finally {
    IDBDatabase.prototype.transaction = original;
  }
}

describe('group commit (write-log.ts, real IndexedDB)', () => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await dropDatabase(db);
  });

  it('commits concurrent writes in fewer transactions, each answered, stored and in the feed', async () => {
    const { result, transactions } = await countingWriteTransactions(() =>
      Promise.all(Array.from({ length: 60 }, (_, i) => db.put(`g${i}`, { i }, { requestKey: `req-${i}` }))));
    expect(result).to.deep.equal(Array.from({ length: 60 }, (_, i) => `g${i}`));
    expect(transactions).to.be.below(60);
    expect(transactions).to.be.above(0);
    const all = await db.allDocs({ include_docs: true });
    expect(all.data.total_rows).to.equal(60);
    const feed = await db.changes();
    expect(feed.results.map((c) => c.id).sort()).to.deep.equal(Array.from({ length: 60 }, (_, i) => `g${i}`).sort());
    expect(feed.results.map((c) => c.seq)).to.deep.equal(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('answers a repeated write of a group from its record, without applying it again', async () => {
    const first = await db.post({ a: 1 }, { requestKey: 'k1' });
    // The first put goes alone; the two after it wait for its commit and go together.
    const [x, again, y] = await Promise.all([
      db.put('x', {}, { requestKey: 'k2' }),
      db.post({ a: 1 }, { requestKey: 'k1' }),
      db.put('y', {}, { requestKey: 'k3' }),
    ]);
    expect([x, again, y]).to.deep.equal(['x', first, 'y']);
    expect((await db.allDocs()).data.total_rows).to.equal(3);
  });

  it('undoes a group that fails and runs its writes alone: the same key twice in one group is applied once', async () => {
    const [blocker, one, two, other] = await Promise.all([
      db.put('b', {}),
      db.put('x1', { v: 1 }, { requestKey: 'dup' }),
      db.put('x2', { v: 2 }, { requestKey: 'dup' }),
      db.put('z', { v: 3 }, { requestKey: 'other' }),
    ]);
    expect([blocker, one, two, other]).to.deep.equal(['b', 'x1', 'x1', 'z']);
    expect((await db.allDocs()).data.rows.map((r) => r.id)).to.deep.equal(['b', 'x1', 'z']);
    expect((await rejectionOf(db.get('x2'))).status_code).to.equal(404);
    const feed = await db.changes();
    expect(feed.results.map((c) => c.id)).to.deep.equal(['b', 'x1', 'z']);
  });
});
