import { expect } from '@open-wc/testing';
import type { ChangesResult } from '../../gadgets/api.js';
import { Database } from '../../gadgets/storage/database.js';
import type { ChangeBlock } from '../../gadgets/storage/change-blocks.js';
import { MARKER_KEEP_MS, type SeqAllocator } from '../../gadgets/storage/seq-allocator.js';
import { dropDatabase, freshDatabase } from './helpers.js';
import { openRaw } from './raw-idb.js';

/** The allocator of a Database (changes-feed.ts `seqs`), to read its counts. */
const seqsOf = (db: Database): SeqAllocator => (db as unknown as { feed: { seqs: SeqAllocator } }).feed.seqs;
const seqList = (r: ChangesResult): number[] => r.results.map((c) => c.seq);
const dense = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** Every record of the raw `changes` store of `db`: its blocks (keys above 0) and its markers (below). */
async function rawFeed(db: Database): Promise<{ blocks: ChangeBlock[]; markers: number[] }> {
  const raw = await openRaw(`rtc:${db.name}`);
  try {
    const all = await new Promise<ChangeBlock[]>((resolve, reject) => {
      const get = raw.transaction('changes').objectStore('changes').getAll();
      get.onsuccess = () => resolve(get.result as ChangeBlock[]);
      get.onerror = () => reject(get.error);
    });
    return { blocks: all.filter((b) => b.last > 0), markers: all.filter((b) => b.last < 0).map((b) => -b.last) };
  } finally {
    raw.close();
  }
}

/** Checks that the stored blocks tile the seqs 1..n (no hole, no overlap) and that every block has its marker. */
function expectTiled(feed: { blocks: ChangeBlock[]; markers: number[] }, n: number): void {
  let next = 1;
  for (const b of feed.blocks) {
    expect(b.last - b.ids.length + 1, `block ${b.last} starts right after the one before`).to.equal(next);
    expect(feed.markers, `the marker of the block starting at ${next}`).to.include(next);
    next = b.last + 1;
  }
  expect(next - 1).to.equal(n);
}

describe('seq allocator (seq-allocator.ts, real IndexedDB)', () => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await dropDatabase(db);
  });

  it('predicts the seqs of sequential writes (no read of the feed), dense and in order', async () => {
    for (let i = 0; i < 30; i++) await db.put(`s${i}`, { i });
    const counts = seqsOf(db).counts;
    expect(counts.read, 'only the first write reads the highest key').to.equal(1);
    expect(counts.predicted).to.equal(29);
    expect(seqList(await db.changes())).to.deep.equal(dense(30));
    expectTiled(await rawFeed(db), 30);
    expect(await db.lastSeq(), 'markers are not seqs').to.equal(30);
    await db.compactChanges(); // merges the 30 blocks; markers this fresh stay
    const compacted = await rawFeed(db);
    expect(compacted.blocks.length).to.equal(1);
    expect(compacted.markers.length).to.equal(30);
    await db.put('s30', {});
    expect(seqList(await db.changes({ since: 29 }))).to.deep.equal([30, 31]);
  });

  it('with a second connection writing at the same time: seqs strictly increasing, nothing overwritten, nothing lost', async () => {
    const other = await Database.open(db.name);
    try {
      await db.put('first', {});
      await other.put('other-first', {});
      // Two writers in turn and at once, each predicting from its own last commit.
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        writes.push(db.put(`a${i}`, { i }));
        writes.push(other.put(`b${i}`, { i }));
        if (i % 4 === 0) await Promise.all(writes.splice(0));
      }
      await Promise.all(writes);
      for (let i = 0; i < 20; i++) await (i % 3 ? db : other).put(`c${i}`, { i }); // sequential, alternating
      const n = 2 + 80 + 20;
      const feed = await db.changes();
      expect(seqList(feed)).to.deep.equal(dense(n));
      expect(new Set(feed.results.map((c) => c.id)).size).to.equal(n);
      expect(await other.changes()).to.deep.equal(feed);
      expectTiled(await rawFeed(db), n);
      const stale = seqsOf(db).counts.stale + seqsOf(other).counts.stale;
      expect(stale, 'predictions the other connection made wrong were caught and written again').to.be.above(0);
      expect((await db.allDocs()).data.total_rows).to.equal(n);
    } finally {
      other.close();
    }
  });

  it('numbers attachment commits (read in their own transaction) among predicted writes', async () => {
    await db.put('doc', {});
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      writes.push(db.put(`w${i}`, { i }));
      if (i % 3 === 0) writes.push(db.putAttachment('doc', `att${i}.txt`, `content ${i}`));
    }
    await Promise.all(writes);
    for (let i = 0; i < 5; i++) await db.put(`after${i}`, {}); // predicted again after the attachments
    const { blocks, markers } = await rawFeed(db);
    const n = blocks.reduce((k, b) => k + b.ids.length, 0);
    expect(n, 'one entry per write: 13 puts, 4 attachments, 5 puts').to.equal(1 + 12 + 4 + 5);
    expectTiled({ blocks, markers }, n);
    expect(blocks.filter((b) => b.ids[0] === 'doc').length).to.equal(1 + 4);
    const feed = await db.changes();
    expect(feed.results.map((c) => c.id).slice(-5)).to.deep.equal(['after0', 'after1', 'after2', 'after3', 'after4']);
    expect(feed.last_seq).to.equal(n);
  });

  it('a compaction drops the markers up to what an earlier one saw a minute before, and no others', async () => {
    for (let i = 0; i < 10; i++) await db.put(`m${i}`, {});
    await db.compactChanges(); // sees the highest key 10, now
    expect((await rawFeed(db)).markers.length, 'seen just now: every marker stays').to.equal(10);
    const realNow = Date.now;
    const later = realNow() + MARKER_KEEP_MS + 1000;
    Date.now = () => later; // the wall clock a minute on (IndexedDB stays real)
    try {
      const read = seqsOf(db).counts.read;
      for (let i = 10; i < 15; i++) await db.put(`m${i}`, {});
      expect(seqsOf(db).counts.read, 'the seq learnt before the clock moved on is not predicted from').to.equal(read + 1);
      await db.compactChanges(); // 10 was seen a minute ago: its markers go; 15 is seen now
      expect((await rawFeed(db)).markers.sort((a, b) => a - b)).to.deep.equal([11, 12, 13, 14, 15]);
      await db.compactChanges();
      expect((await rawFeed(db)).markers.length, '15 was seen just now: its markers stay').to.equal(5);
    } finally {
      Date.now = realNow;
    }
    await db.put('m15', {});
    expect(seqList(await db.changes())).to.deep.equal(dense(16));
    expect((await rawFeed(db)).markers.sort((a, b) => a - b)).to.deep.equal([11, 12, 13, 14, 15, 16]);
  });

  it('an aborted write leaves no hole and takes no seq: the next write gets the next one', async () => {
    await db.put('x', {}, { requestKey: 'k' });
    await db.put('y', {});
    // The same request again: its requests `add` fails, which aborts the transaction after its
    // predicted marker and block were queued; it is answered from its record, and stores nothing.
    expect(await db.put('x', { again: true }, { requestKey: 'k' })).to.equal('x');
    await db.put('z', {});
    const feed = await db.changes();
    expect(feed.results.map((c) => [c.seq, c.id])).to.deep.equal([[1, 'x'], [2, 'y'], [3, 'z']]);
    expect(seqsOf(db).counts.predicted).to.be.above(1);
    expectTiled(await rawFeed(db), 3);
  });

  it('a block written without a marker (a build from before them) is still caught when it takes the predicted key', async () => {
    await db.put('mine', {});
    const raw = await openRaw(`rtc:${db.name}`);
    try {
      await new Promise<void>((resolve, reject) => {
        const tx = raw.transaction('changes', 'readwrite');
        tx.objectStore('changes').put({ last: 2, ids: ['old-build'] });
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(tx.error);
      });
    } finally {
      raw.close();
    }
    expect(await db.put('next', {})).to.equal('next');
    expect(seqsOf(db).counts.stale).to.equal(1);
    expect((await db.changes()).results.map((c) => [c.seq, c.id])).to.deep.equal([[1, 'mine'], [2, 'old-build'], [3, 'next']]);
  });

  it('a write whose prediction another tab made wrong runs again and is answered once', async () => {
    await db.put('mine', {});
    const other = await Database.open(db.name);
    try {
      await other.bulkPut([{ id: 'o1', doc: {} }, { id: 'o2', doc: {} }]); // db's next prediction (after 1) is now wrong
      const stale = seqsOf(db).counts.stale;
      expect(await db.put('late', { v: 1 })).to.equal('late');
      expect(seqsOf(db).counts.stale).to.equal(stale + 1);
      const feed = await db.changes();
      expect(feed.results.map((c) => [c.seq, c.id])).to.deep.equal([[1, 'mine'], [2, 'o1'], [3, 'o2'], [4, 'late']]);
      expect(await db.get('late')).to.deep.equal({ v: 1 });
      expectTiled(await rawFeed(db), 4);
    } finally {
      other.close();
    }
  });
});
