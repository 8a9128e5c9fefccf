/**
 * The scan cache (gadgets/storage/scan-cache.ts): queries served from memory give exactly what a
 * database without the cache gives, after every kind of write (put, post, bulkPut, remove, clear,
 * a restore from a backup), across another tab's upgrade, with writes during its fill, and with a
 * memory bound too small for the documents. Real IndexedDB on both sides.
 */
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { Database } from '../../gadgets/storage/database.js';
import type { AllDocsOptions, Doc } from '../../gadgets/api.js';
import { dropDatabase, uniqueName } from './helpers.js';
import { openRaw } from './raw-idb.js';

const KEYS = ['a', 'b'];
const scalar = fc.oneof(fc.constantFrom('x', 'X', 'xy', 'ab', '10', '5', '', 'é', 'ville', 'Abbeville'), fc.integer({ min: -5, max: 20 }), fc.constant(null));
const doc = fc.dictionary(fc.constantFrom('a', 'b', 'c'), scalar, { maxKeys: 3 });
const id = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `d${String(i).padStart(2, '0')}`));
type Op = { t: 'put'; id: string; doc: Doc } | { t: 'remove'; id: string } | { t: 'bulk'; entries: { id: string; doc: Doc }[] } | { t: 'query'; options: AllDocsOptions };
const QUERIES: AllDocsOptions[] = [
  {},
  { query: 'a:x' },
  { query: 'a:"x%"', sort_on: [['b', 'descending']], limit: [0, 3] },
  { query: 'a:x AND b:>4', include_docs: true },
  { query: 'a:x OR b:5', select_list: ['a'] },
  { query: 'ville' },
  { query: 'c:"%b%"', sort_on: [['a', 'ascending']] },
  { sort_on: [['b', 'descending']], limit: [0, 5] },
  { query: 'NOT a:x', limit: [0, 4] },
];
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('put' as const), id, doc }),
  fc.record({ t: fc.constant('remove' as const), id }),
  fc.record({ t: fc.constant('bulk' as const), entries: fc.array(fc.record({ id, doc }), { maxLength: 6 }) }),
  fc.record({ t: fc.constant('query' as const), options: fc.constantFrom(...QUERIES) }),
);

async function apply(db: Database, o: Op): Promise<unknown> {
  if (o.t === 'put') return db.put(o.id, o.doc);
  if (o.t === 'remove') return db.remove(o.id);
  if (o.t === 'bulk') return db.bulkPut(o.entries);
  return db.allDocs(o.options);
}

const ids = async (db: Database, options: AllDocsOptions = {}): Promise<string[]> => (await db.allDocs(options)).data.rows.map((r) => r.id);

describe('scan cache', () => {
  const opened: Database[] = [];
  const open = async (name: string, cache: false | { maxBytes?: number } = {}, indexes = KEYS): Promise<Database> => {
    const db = await Database.open(name, { indexes, scanCache: cache });
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    for (const db of opened.splice(0)) await dropDatabase(db);
  });

  it('answers every query as a database without it, across random writes and queries', async function () {
    this.timeout(120000);
    let fromMemory = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const name = uniqueName(`cache-${run++}`);
        const cached = await open(name);
        const plain = await open(`${name}-plain`, false);
        await cached.allDocs(); // fills the cache
        expect(cached.scanCache.info.state).to.equal('ready');
        for (const o of ops) {
          const [x, y] = await Promise.all([apply(cached, o), apply(plain, o)]);
          if (o.t === 'query') {
            fromMemory += cached.lastSource === 'memory' ? 1 : 0;
            expect(x, JSON.stringify(o.options)).to.deep.equal(y);
          }
        }
        for (const q of QUERIES) expect(await cached.allDocs(q), JSON.stringify(q)).to.deep.equal(await plain.allDocs(q));
        expect(cached.lastSource).to.equal('memory');
        for (const db of opened.splice(0)) await dropDatabase(db);
      }),
      { numRuns: 120, seed: 15 },
    );
    expect(fromMemory).to.be.greaterThan(100);
  });

  it('sees the writes made while a scan fills it, and hands out copies', async () => {
    const db = await open(uniqueName('cache-fill'));
    await db.bulkPut(Array.from({ length: 20000 }, (_, i) => ({ id: `c${String(i).padStart(5, '0')}`, doc: { a: 'x', n: i } })));
    let done = false;
    const scan = db.allDocs({ query: 'n:>=0' }).finally(() => (done = true));
    // Writes that commit while the scan reads its batches: behind it (its first ids) and ahead of it.
    let k = 0;
    while (!done) {
      await db.put('c00000', { a: 'y', n: -++k });
      await db.put(`c${String(20000 - k).padStart(5, '0')}`, { a: 'z', n: k });
      await db.remove(`c${String(100 + k).padStart(5, '0')}`);
    }
    await scan;
    expect(k).to.be.greaterThan(1);
    expect(db.scanCache.info.state).to.equal('ready');
    expect((await db.allDocs({ query: 'a:y', include_docs: true })).data.rows.map((r) => r.doc)).to.deep.equal([{ a: 'y', n: -k }]);
    expect(db.lastSource).to.equal('memory');
    expect((await ids(db, { query: 'a:z' })).length).to.equal(k);
    expect(await ids(db, { query: 'n:101' })).to.deep.equal([]);
    expect((await ids(db)).length).to.equal(20000 - k);
    const row = (await db.allDocs({ query: 'a:y', include_docs: true })).data.rows[0]!;
    (row.doc as Doc).a = 'changed by the caller';
    expect(await ids(db, { query: 'a:y' })).to.deep.equal(['c00000']);
  });

  it('is kept exact by clear and a restore from a backup', async () => {
    const db = await open(uniqueName('cache-restore'));
    await db.bulkPut([{ id: 'a', doc: { a: 'x' } }, { id: 'b', doc: { a: 'y' } }]);
    const backup = await db.exportDatabase();
    await db.allDocs();
    await db.clear();
    expect(await ids(db)).to.deep.equal([]);
    expect(db.lastSource).to.equal('memory');
    await db.put('c', { a: 'x' });
    await db.importDatabase(backup, { mode: 'merge' });
    expect(await ids(db, { query: 'a:x' })).to.deep.equal(['a', 'c']);
    expect(db.lastSource).to.equal('memory');
  });

  it('is emptied when another tab upgrades the database, and filled again', async () => {
    const name = uniqueName('cache-upgrade');
    const db = await open(name);
    await db.bulkPut([{ id: 'a', doc: { a: 'x' } }, { id: 'b', doc: { a: 'y' } }]);
    await db.allDocs();
    expect(db.scanCache.info.state).to.equal('ready');
    // Another tab: an upgrade that also rewrites a document behind this connection's back.
    const raw = await openRaw(`rtc:${name}`, 1000, (up, tx) => {
      tx.objectStore('documents').put({ id: 'b', doc: { a: 'x' } });
      void up;
    });
    raw.close();
    expect(await ids(db, { query: 'NOT a:y' })).to.deep.equal(['a', 'b']);
    expect(db.lastSource).to.equal('indexeddb');
    await db.allDocs();
    expect(db.scanCache.info.state).to.equal('ready');
  });

  it('is not filled past its memory bound, and the answers stay right', async () => {
    const db = await open(uniqueName('cache-small'), { maxBytes: 20000 });
    await db.bulkPut(Array.from({ length: 2000 }, (_, i) => ({ id: `s${i}`, doc: { a: 'ville', i } })));
    expect((await ids(db, { query: 'ville' })).length).to.equal(2000);
    expect(db.scanCache.info).to.include({ state: 'too big', documents: 0 });
    expect((await ids(db, { query: 'i:7' }))).to.deep.equal(['s7']);
    expect(db.lastSource).to.equal('indexeddb');
  });

  it('fills itself in the background after a query that could not use it', async () => {
    const db = await open(uniqueName('cache-warm'));
    await db.bulkPut(Array.from({ length: 5000 }, (_, i) => ({ id: `w${i}`, doc: { a: i % 2 ? 'x' : 'y', b: i } })));
    expect((await ids(db, { query: 'a:x', limit: [0, 3] })).length).to.equal(3);
    expect(db.lastSource).to.equal('indexeddb');
    expect(db.scanCache.info.state).to.equal('filling');
    await db.put('w1', { a: 'y' }); // during the fill
    for (let i = 0; i < 200 && db.scanCache.info.state !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(db.scanCache.info).to.include({ state: 'ready', documents: 5000 });
    expect((await ids(db, { query: 'a:x' })).length).to.equal(2499);
    expect(db.lastSource).to.equal('memory');
  });

  it('over a large cache, scans memory instead of reading many ids from an index', async function () {
    this.timeout(120000);
    const db = await open(uniqueName('cache-large'), {}, ['a', 'n']);
    const pad = (i: number): string => `L${String(i).padStart(5, '0')}`;
    await db.bulkPut(Array.from({ length: 50000 }, (_, i) => ({ id: pad(i), doc: { a: i % 2 ? 'x' : 'y', n: i } })));
    await db.allDocs({ query: 'nothing' });
    for (let i = 0; i < 500 && db.scanCache.info.state !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await ids(db, { query: 'a:x AND n:<10' })).to.deep.equal([1, 3, 5, 7, 9].map(pad));
    expect(db.lastRead).to.equal('scan');
    expect(db.lastSource).to.equal('memory');
    expect(await ids(db, { query: 'n:<3' }), 'a selective plan still reads the index').to.deep.equal([0, 1, 2].map(pad));
    expect(db.lastRead).to.equal('indexes');
    expect(await ids(db, { query: 'a:y', sort_on: [['n', 'descending']], limit: [0, 3] })).to.deep.equal([49998, 49996, 49994].map(pad));
    expect(db.lastRead).to.equal('sort index');
  });

  it('estimates its memory and can be turned off', async () => {
    const db = await open(uniqueName('cache-info'));
    await db.bulkPut(Array.from({ length: 1000 }, (_, i) => ({ id: `e${i}`, doc: { a: 'Abbeville', b: i, c: [1, 2] } })));
    await db.allDocs();
    const info = db.scanCache.info;
    expect(info.documents).to.equal(1000);
    expect(info.estimatedBytes).to.be.within(100 * 1000, 1000 * 1000);
    const off = await open(uniqueName('cache-off'), false);
    await off.put('x', { a: 1 });
    await off.allDocs();
    expect(off.scanCache.info.state).to.equal('off');
    expect(off.lastSource).to.equal('indexeddb');
  });
});
