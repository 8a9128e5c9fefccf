import { expect } from '@open-wc/testing';
import type { ChangesResult } from '../../gadgets/api.js';
import { Database } from '../../gadgets/storage/database.js';
import { deleteDatabase } from '../shared/databases.js';
import { dropDatabase, freshDatabase, rejectionOf, uniqueName } from './helpers.js';
import { openRaw } from './raw-idb.js';

/** Resolves once `pred()` holds (polled every 5 ms), or fails after 5 s. */
async function until(pred: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 5000;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const seqsOf = (r: ChangesResult): number[] => r.results.map((c) => c.seq);
const strictlyIncreasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

/** A raw `rtc:<name>` of an earlier layout: the four stores before the feed, plus what `more` adds; `fill` writes into it. */
async function earlierDatabase(name: string, version: number, more: (idb: IDBDatabase) => void, stores: string[], fill: (tx: IDBTransaction) => void): Promise<void> {
  const raw = await openRaw(`rtc:${name}`, version, (idb) => {
    idb.createObjectStore('documents', { keyPath: 'id' });
    idb.createObjectStore('requests', { keyPath: 'key' }).createIndex('at', 'at');
    idb.createObjectStore('attachments', { keyPath: ['id', 'name'] });
    idb.createObjectStore('chunks', { keyPath: ['id', 'name', 'index'] });
    more(idb);
  });
  await new Promise<void>((resolve, reject) => {
    const tx = raw.transaction(stores, 'readwrite');
    fill(tx);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  raw.close();
}

describe('changes feed (storage, real IndexedDB)', () => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await dropDatabase(db);
  });

  it('keeps one entry per document: N writes of one id leave one, with the latest seq', async () => {
    for (let i = 0; i < 20; i++) await db.put('a', { i });
    await db.put('b', { i: 0 });
    const feed = await db.changes();
    expect(feed.results).to.deep.equal([{ seq: 20, id: 'a' }, { seq: 21, id: 'b' }]);
    expect(feed.last_seq).to.equal(21);
  });

  it('records a clear (a restore\'s replace) as one deletion per document, seen by a watcher', async () => {
    await db.bulkPut([{ id: 'x', doc: { n: 1 } }, { id: 'y', doc: { n: 2 } }]);
    const seen: ChangesResult[] = [];
    const stop = db.watch({ since: 'now' }, (batch) => seen.push(batch));
    await db.clear();
    await until(() => seen.length > 0, 'the deletions');
    stop();
    expect(seen.flatMap((b) => b.results)).to.deep.equal([{ seq: 3, id: 'x', deleted: true }, { seq: 4, id: 'y', deleted: true }]);
    expect((await db.changes({ since: 2 })).results.map((c) => [c.id, c.deleted])).to.deep.equal([['x', true], ['y', true]]);
    expect((await db.allDocs()).data.total_rows).to.equal(0);
  });

  it('records every write kind: post, put, remove, bulkPut, putAttachment, removeAttachment', async () => {
    const posted = await db.post({ k: 'post' });
    await db.put('p', { k: 'put' });
    await db.put('gone', { k: 'x' });
    await db.remove('gone');
    const bulk = await db.bulkPut([{ id: 'b1', doc: { k: 1 } }, { doc: { k: 2 } }]);
    let feed = await db.changes();
    expect(feed.results.map((c) => c.id)).to.deep.equal([posted, 'p', 'gone', 'b1', bulk[1]]);
    expect(feed.results[2]).to.deep.equal({ seq: 4, id: 'gone', deleted: true });
    expect(seqsOf(feed)).to.deep.equal([1, 2, 4, 5, 6]);
    await db.putAttachment('p', 'note.txt', 'hello');
    feed = await db.changes({ since: 6 });
    expect(feed.results).to.deep.equal([{ seq: 7, id: 'p' }]);
    await db.removeAttachment('p', 'note.txt');
    feed = await db.changes({ since: 7 });
    expect(feed.results).to.deep.equal([{ seq: 8, id: 'p' }]);
  });

  it('records nothing for a failed write, nor for a re-sent one answered from the write log', async () => {
    await db.put('a', { v: 1 }, { requestKey: 'k1' });
    const e = await rejectionOf(db.put('b', { f: () => 1 } as never));
    expect(e.status_code).to.equal(400);
    expect(await db.put('a', { v: 2 }, { requestKey: 'k1' })).to.equal('a'); // the same request again
    expect(await rejectionOf(db.putAttachment('missing', 'n', 'x')).then((x) => x.status_code)).to.equal(404);
    expect(await db.changes()).to.deep.equal({ results: [{ seq: 1, id: 'a' }], last_seq: 1 });
    expect(await db.get('a')).to.deep.equal({ v: 1 });
  });

  it('reads with since, limit, include_docs and query; a deletion passes any query', async () => {
    await db.bulkPut([{ id: 'a', doc: { t: 'x' } }, { id: 'b', doc: { t: 'y' } }, { id: 'c', doc: { t: 'x' } }]);
    await db.remove('b');
    expect(await db.changes({ since: 1, limit: 1 })).to.deep.equal({ results: [{ seq: 3, id: 'c' }], last_seq: 3 });
    expect(await db.changes({ query: 't:"x"', include_docs: true })).to.deep.equal({
      results: [{ seq: 1, id: 'a', doc: { t: 'x' } }, { seq: 3, id: 'c', doc: { t: 'x' } }, { seq: 4, id: 'b', deleted: true }],
      last_seq: 4,
    });
    // A filtered read still advances: last_seq is the highest seq examined.
    expect(await db.changes({ since: 3, query: 't:"nothing"' })).to.deep.equal({ results: [{ seq: 4, id: 'b', deleted: true }], last_seq: 4 });
    expect(await db.changes({ since: 4 })).to.deep.equal({ results: [], last_seq: 4 });
    for (const bad of [{ since: -1 }, { limit: 0 }, { include_docs: 1 }, { query: 'a:(' }, { sort_on: [] }]) {
      expect((await rejectionOf(db.changes(bad as never))).status_code, JSON.stringify(bad)).to.equal(400);
    }
  });

  it('watch delivers every change after since exactly once, in seq order, and stops', async () => {
    await db.put('old', {});
    const batches: ChangesResult[] = [];
    const stop = db.watch({ since: 'now', include_docs: true }, (b) => batches.push(b));
    await new Promise((r) => setTimeout(r, 20));
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) writes.push(db.put(`d${i % 7}`, { i }));
    writes.push(db.bulkPut(Array.from({ length: 1200 }, (_, i) => ({ id: `bulk${i}`, doc: { i } }))));
    await Promise.all(writes);
    await until(() => batches.at(-1)?.last_seq === 1231, 'the last change');
    // Seqs strictly increase (no change twice, none out of order); a write overwritten before the
    // watch read it is seen as its latest change only (compaction): the last seq seen of each id
    // is the feed's.
    const seqs = batches.flatMap(seqsOf);
    expect(strictlyIncreasing(seqs)).to.equal(true);
    const lastOf = new Map(batches.flatMap((b) => b.results).map((c) => [c.id, c.seq]));
    const feed = await db.changes({ since: 1 });
    expect([...lastOf].sort((x, y) => x[1] - y[1])).to.deep.equal(feed.results.map((c) => [c.id, c.seq]));
    expect(lastOf.size).to.equal(1207);
    expect(batches.every((b) => b.results.length <= 500)).to.equal(true);
    const last = batches.flatMap((b) => b.results).filter((c) => c.id === 'd1').at(-1);
    expect(last?.doc).to.deep.equal({ i: 29 });
    stop();
    await db.put('after', {});
    await new Promise((r) => setTimeout(r, 50));
    expect(batches.flatMap(seqsOf).at(-1)).to.equal(1231);
  });

  it('a caught-up watch gets a write from memory as it was written, filtered by its query', async () => {
    const batches: ChangesResult[] = [];
    const stop = db.watch({ since: 0, include_docs: true, query: 'kind:"stock"' }, (b) => batches.push(b));
    await new Promise((r) => setTimeout(r, 20));
    const doc = { kind: 'stock', qty: 1 };
    const written = db.put('s', doc);
    doc.qty = 99; // changed by the caller after the call: neither stored nor delivered
    await written;
    await db.bulkPut([{ id: 'n', doc: { kind: 'note' } }, { id: 's', doc: { kind: 'stock', qty: 2 } }, { id: 's', doc: { kind: 'stock', qty: 3 } }]);
    await until(() => batches.flatMap(seqsOf).includes(4), 'the bulk write');
    expect(batches.flatMap((b) => b.results)).to.deep.equal([
      { seq: 1, id: 's', doc: { kind: 'stock', qty: 1 } },
      { seq: 4, id: 's', doc: { kind: 'stock', qty: 3 } },
    ]);
    expect((await db.changes({ include_docs: true, query: 'kind:"stock"' })).results).to.deep.equal([{ seq: 4, id: 's', doc: { kind: 'stock', qty: 3 } }]);
    stop();
  });

  it('with 20 watches, delivers the commits of a burst together, every change once and in order to each', async () => {
    const seen: ChangesResult[][] = Array.from({ length: 20 }, () => []);
    const stops = seen.map((batches) => db.watch({ since: 0 }, (b) => batches.push(b)));
    await new Promise((r) => setTimeout(r, 50)); // the watches start before the burst
    await Promise.all(Array.from({ length: 200 }, (_, i) => db.put(`b${i}`, { i })));
    await until(() => seen.every((batches) => batches.at(-1)?.last_seq === 200), 'every watch at seq 200');
    for (const batches of seen) {
      expect(batches.flatMap(seqsOf)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(batches.flatMap((b) => b.results.map((c) => c.id))).to.deep.equal(Array.from({ length: 200 }, (_, i) => `b${i}`));
    }
    // Spaced deliveries: 200 commits in a burst reach each watch in fewer batches.
    expect(Math.max(...seen.map((batches) => batches.length))).to.be.below(200);
    stops.forEach((stop) => stop());
  });

  it('keeps seqs strictly increasing across two connections, and wakes the other one\'s watches', async () => {
    const other = await Database.open(db.name);
    try {
      const seen: number[] = [];
      const stop = db.watch({ since: 0 }, (b) => seen.push(...seqsOf(b)));
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) writes.push((i % 2 ? db : other).put(`id${i}`, { i }));
      await Promise.all(writes);
      const feed = await db.changes();
      expect(feed.results.length).to.equal(40);
      expect(seqsOf(feed)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
      await until(() => seen.length === 40, 'the watch to see both connections\' writes');
      expect(seen).to.deep.equal(seqsOf(feed));
      stop();
      expect(strictlyIncreasing(seqsOf(await other.changes()))).to.equal(true);
    } finally {
      other.close();
    }
  });
});

describe('changes feed across connections (tabs)', () => {
  it('wakes a watch of one connection for writes made only by another, before and after it joined', async () => {
    const db = await freshDatabase();
    const writer = await Database.open(db.name);
    try {
      await writer.put('early', {}); // the writer joins the tabs before any watch exists
      const seen: string[] = [];
      const stop = db.watch({ since: 0 }, (b) => seen.push(...b.results.map((c) => c.id)));
      await until(() => seen.length === 1, 'the write before the watch');
      await writer.put('first', {});
      await until(() => seen.length === 2, 'the first write after the watch');
      await new Promise((r) => setTimeout(r, 100));
      await writer.put('lone', {});
      await until(() => seen.length === 3, 'a lone write after a pause');
      expect(seen).to.deep.equal(['early', 'first', 'lone']);
      stop();
    } finally {
      writer.close();
      await dropDatabase(db);
    }
  });
});

describe('changes feed upgrade of a database made before it', () => {
  it('creates the store and gives every stored document a seq, in id order', async () => {
    const name = uniqueName('old');
    await earlierDatabase(name, 1, () => {}, ['documents'], (tx) => {
      for (const id of ['m', 'c', 'x', 'a']) tx.objectStore('documents').put({ id, doc: { id } });
    });
    const db = await Database.open(name);
    try {
      expect(await db.changes()).to.deep.equal({
        results: [{ seq: 1, id: 'a' }, { seq: 2, id: 'c' }, { seq: 3, id: 'm' }, { seq: 4, id: 'x' }],
        last_seq: 4,
      });
      await db.put('c', { again: true });
      expect((await db.changes({ since: 4 })).results).to.deep.equal([{ seq: 5, id: 'c' }]);
      expect(await db.get('m')).to.deep.equal({ id: 'm' });
    } finally {
      db.close();
      await deleteDatabase(`${name}`);
    }
  });
});

describe('changes feed upgrade from one record per document to blocks', () => {
  it('keeps every entry and its seq, then numbers new writes after them', async () => {
    const name = uniqueName('perdoc');
    // The layout before blocks: keyPath id, index seq, one entry per document (a removal kept as one).
    await earlierDatabase(name, 3, (idb) => idb.createObjectStore('changes', { keyPath: 'id' }).createIndex('seq', 'seq'), ['documents', 'changes'], (tx) => {
      for (const id of ['b', 'd']) tx.objectStore('documents').put({ id, doc: { id } });
      tx.objectStore('changes').put({ id: 'b', seq: 7 });
      tx.objectStore('changes').put({ id: 'gone', seq: 3, deleted: true });
      tx.objectStore('changes').put({ id: 'd', seq: 5 });
    });
    const db = await Database.open(name);
    try {
      expect(await db.changes()).to.deep.equal({
        results: [{ seq: 3, id: 'gone', deleted: true }, { seq: 5, id: 'd' }, { seq: 7, id: 'b' }],
        last_seq: 7,
      });
      expect(await db.changes({ since: 4 })).to.deep.equal({ results: [{ seq: 5, id: 'd' }, { seq: 7, id: 'b' }], last_seq: 7 });
      expect(await db.lastSeq()).to.equal(7);
      await db.put('d', { again: true });
      expect(await db.changes({ since: 3 })).to.deep.equal({ results: [{ seq: 7, id: 'b' }, { seq: 8, id: 'd' }], last_seq: 8 });
      expect(await db.get('b')).to.deep.equal({ id: 'b' });
    } finally {
      db.close();
      await deleteDatabase(`${name}`);
    }
  });
});

describe('changes feed compaction', () => {
  it('drops hidden entries from the store without changing what a read or a resumed watch sees', async () => {
    const db = await freshDatabase();
    try {
      for (let i = 0; i < 30; i++) await db.put(`k${i % 5}`, { i });
      await db.bulkPut([{ id: 'k1', doc: { bulk: true } }, { id: 'n', doc: {} }, { id: 'k1', doc: { bulk: 2 } }]);
      await db.remove('k2');
      const before = await db.changes();
      const middle = await db.changes({ since: 26 });
      expect(before.results.map((c) => c.id)).to.deep.equal(['k0', 'k3', 'k4', 'n', 'k1', 'k2']);
      expect(strictlyIncreasing(seqsOf(before))).to.equal(true);
      expect(await db.compactChanges()).to.equal(30 + 3 + 1 - 6);
      expect(await db.changes()).to.deep.equal(before);
      expect(await db.changes({ since: 26 })).to.deep.equal(middle);
      expect(await db.compactChanges()).to.equal(0);
      await db.put('k0', { last: true });
      const after = await db.changes({ since: before.last_seq });
      expect(after).to.deep.equal({ results: [{ seq: before.last_seq + 1, id: 'k0' }], last_seq: before.last_seq + 1 });
    } finally {
      await dropDatabase(db);
    }
  });
  it('an automatic compaction reads only the blocks written since the last one; a whole one drops what they hide in older blocks', async () => {
    const db = await freshDatabase();
    const feed = (db as unknown as { feed: { compactNow(whole?: boolean): Promise<number> } }).feed;
    try {
      for (let i = 0; i < 10; i++) await db.put(`a${i}`, { i });
      expect(await feed.compactNow(false), 'the first reads everything: nothing hidden').to.equal(0);
      for (let i = 0; i < 4; i++) await db.put(`a${i % 2}`, { again: i }); // hides a0, a1 in the old block, and each other
      const before = await db.changes();
      expect(await feed.compactNow(false), 'the two hidden among the new blocks only').to.equal(2);
      expect(await db.changes()).to.deep.equal(before);
      expect(await db.compactChanges(), 'a whole compaction: the two in the older block').to.equal(2);
      expect(await db.changes()).to.deep.equal(before);
      expect(before.results.map((c) => c.id)).to.deep.equal(['a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a0', 'a1']);
    } finally {
      await dropDatabase(db);
    }
  });
});
