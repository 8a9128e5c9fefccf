import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { Database } from '../../gadgets/storage/database.js';
import { planQuery } from '../../gadgets/storage/planner.js';
import { indexEntries, sortKey } from '../../gadgets/storage/index-keys.js';
import { canonicalize } from '../../gadgets/query/like.js';
import type { Doc } from '../../gadgets/api.js';
import { parseQuery, stringifyQuery, type QueryTree } from '../../gadgets/query.js';
import { dropDatabase, freshDatabase, rejectionOf, uniqueName } from './helpers.js';
import { openRaw } from './raw-idb.js';
import { REINDEX_BATCH } from '../../gadgets/storage/schema.js';

const KEYS = ['a', 'b', 'c'];
// Values chosen to hit every rule that matters for an index: numbers vs numeric strings, case,
// booleans, arrays (first element for ranges), {content} objects, null, missing keys, NaN.
const scalar = fc.oneof(
  fc.constantFrom('x', 'X', 'xy', 'Xy', 'abc', 'ABC', 'ab', '10', '5', '9', '', 'é', 'É', 'z%', 'a_b', 'true', 'NaN'),
  fc.integer({ min: -20, max: 20 }),
  fc.constantFrom(0.5, 1e21, -0, Number.NaN, 10, 5, 100),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: scalar.map((content) => ({ content, lang: 'en' })) },
);
const doc = fc.dictionary(fc.constantFrom(...KEYS, 'other'), value, { maxKeys: 4 });
const text = fc.constantFrom('x', 'X', 'xy', 'ab', 'abc', 'A', '10', '5', '9', '0', '', 'é', 'true', 'NaN', '1e+21', '-1', '0.5');
const pattern = fc.constantFrom('x%', 'X%', 'a%', 'ab%', 'A_%', '%b', 'é%', '1%', 't%', '%', 'a%c', 'z\\%');
const simple: fc.Arbitrary<QueryTree> = fc.oneof(
  fc.record({ type: fc.constant('simple' as const), key: fc.constantFrom(...KEYS), value: text, operator: fc.constantFrom('=', '!=', '<', '<=', '>', '>=') }),
  fc.record({ type: fc.constant('simple' as const), key: fc.constantFrom(...KEYS), value: text }),
  fc.record({ type: fc.constant('simple' as const), key: fc.constantFrom(...KEYS), value: pattern }),
  fc.record({ type: fc.constant('simple' as const), key: fc.constant(''), value: text }),
);
const tree: fc.Arbitrary<QueryTree> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    simple,
    fc.record({ type: fc.constant('complex' as const), operator: fc.constantFrom('AND', 'OR'), query_list: fc.array(tie('node') as fc.Arbitrary<QueryTree>, { minLength: 1, maxLength: 3 }) }),
    fc.record({ type: fc.constant('complex' as const), operator: fc.constant('NOT'), query_list: fc.tuple(tie('node') as fc.Arbitrary<QueryTree>) }),
  ),
})).node as fc.Arbitrary<QueryTree>;

/**
 * The index fields the version before `ox:` stored (an `fx` entry for every string element, the
 * sort key of every present value in `sx`), written here from that version's index-keys.ts: its
 * `ix` entries were the ones of today.
 */
/** The `fx` entry of that version: every UTF-16 code unit through Canonicalize (query/like.ts). */
const fold = (text: string): string => Array.from({ length: text.length }, (_, i) => String.fromCharCode(canonicalize(text.charCodeAt(i)))).join('');

function fieldsBeforeOx(d: Doc, keys: readonly string[]): { ix: Record<string, unknown>; fx: Record<string, string[]>; sx: Record<string, unknown> } {
  const out = { ix: {} as Record<string, unknown>, fx: {} as Record<string, string[]>, sx: {} as Record<string, unknown> };
  for (const key of keys.filter((k) => Object.prototype.hasOwnProperty.call(d, k))) {
    const ix = indexEntries(d[key]);
    if (ix.length > 0) out.ix[key] = ix;
    const fx = ix.filter((e): e is string => typeof e === 'string').map(fold);
    if (fx.length > 0) out.fx[key] = fx;
    const sort = sortKey(d[key]);
    if (sort !== undefined) out.sx[key] = sort;
  }
  return out;
}

/** Queries compared between an indexed database and a plain one, `runs` random trees sorted on `a`. @returns how many were planned. */
async function samePages(indexed: Database, plain: Database, runs: number, seed: number): Promise<number> {
  let planned = 0;
  await fc.assert(
    fc.asyncProperty(tree, fc.constantFrom<'ascending' | 'descending'>('ascending', 'descending'), async (query, direction) => {
      if (planQuery(query, new Set(KEYS))) planned++;
      const options = { query, sort_on: [['a', direction]] as [string, 'ascending' | 'descending'][], select_list: ['a', 'b'] };
      const [want, got] = await Promise.all([plain.allDocs(options), indexed.allDocs(options)]);
      expect(got, stringifyQuery(query)).to.deep.equal(want);
    }),
    { numRuns: runs, seed },
  );
  return planned;
}

describe('query planner (indexes) against a full scan', () => {
  let indexed: Database;
  let plain: Database;
  let entries: { id: string; doc: Doc }[];
  before(async () => {
    plain = await freshDatabase();
    indexed = await Database.open(`${plain.name}-ix`, { indexes: KEYS });
    const docs = fc.sample(doc, { numRuns: 400, seed: 42 });
    entries = docs.map((d, i) => ({ id: `d${String(i).padStart(4, '0')}`, doc: d as Doc }));
    await plain.bulkPut(entries);
    await indexed.bulkPut(entries);
  });
  after(async () => {
    await dropDatabase(plain);
    await dropDatabase(indexed);
  });

  it('uses the indexes for =, ranges, prefix LIKE, AND and OR, and scans otherwise', () => {
    const keys = new Set(KEYS);
    expect(planQuery(parseQuery('a:x'), keys)).to.not.equal(null);
    expect(planQuery(parseQuery('a:>5 AND b:"ab%"'), keys)).to.not.equal(null);
    expect(planQuery(parseQuery('a:x OR b:y'), keys)).to.not.equal(null);
    expect(planQuery(parseQuery('a:x AND NOT b:y'), keys)).to.not.equal(null);
    expect(planQuery(parseQuery('a:x OR other:y'), keys)).to.equal(null);
    expect(planQuery(parseQuery('a:!=x'), keys)).to.equal(null);
    expect(planQuery(parseQuery('a:"%x"'), keys)).to.equal(null);
    expect(planQuery(parseQuery('words'), keys)).to.equal(null);
  });

  it('gives exactly the same rows as a scan for 2,000 random queries', async function () {
    this.timeout(240000);
    const planned = await samePages(indexed, plain, 2000, 7);
    // The property must exercise the planner, not only scans.
    expect(planned).to.be.greaterThan(500);
  });

  it('upgrades a database written with the entries of before (fx: and sx: indexes), keeping the answers', async function () {
    this.timeout(240000);
    const name = `${plain.name}-v-sx`;
    // The layout the version before left: every store as today, the sx: indexes, its entries.
    const made = await openRaw(`rtc:${name}`, 3, (idb) => {
      const store = idb.createObjectStore('documents', { keyPath: 'id' });
      for (const k of KEYS) {
        store.createIndex(`ix:${k}`, `ix.${k}`, { multiEntry: true });
        store.createIndex(`fx:${k}`, `fx.${k}`, { multiEntry: true });
        store.createIndex(`sx:${k}`, `sx.${k}`, { multiEntry: false });
      }
      idb.createObjectStore('requests', { keyPath: 'key' }).createIndex('at', 'at');
      idb.createObjectStore('attachments', { keyPath: ['id', 'name'] });
      idb.createObjectStore('chunks', { keyPath: ['id', 'name', 'index'] });
      idb.createObjectStore('changes', { keyPath: 'last' });
      for (const e of entries) store.put({ id: e.id, doc: e.doc, ...fieldsBeforeOx(e.doc, KEYS) });
    });
    made.close();
    const db = await Database.open(name, { indexes: KEYS });
    try {
      const raw = await openRaw(`rtc:${name}`);
      const tx = raw.transaction('documents');
      const indexes = [...tx.objectStore('documents').indexNames];
      const records = await new Promise<Record<string, unknown>[]>((resolve) => {
        const all = tx.objectStore('documents').getAll();
        all.onsuccess = () => resolve(all.result as Record<string, unknown>[]);
      });
      raw.close();
      expect(indexes.filter((i) => /^[fs]x:/.test(i)), 'the fx: and sx: indexes are gone').to.deep.equal([]);
      expect(indexes.filter((i) => i.startsWith('ox:')).sort()).to.deep.equal(KEYS.map((k) => `ox:${k}`));
      expect(records.filter((r) => 'sx' in r || 'fx' in r), 'no record keeps sx or fx').to.deep.equal([]);
      const first = records.find((r) => r.id === 'd0000')!;
      expect(Object.keys(first).filter((k) => k !== 'id' && k !== 'doc').every((k) => ['ix', 'ox'].includes(k))).to.equal(true);
      const planned = await samePages(db, plain, 300, 8);
      expect(planned).to.be.greaterThan(80);
      await db.allDocs({ sort_on: [['a', 'descending']], limit: [0, 3] });
      expect(db.lastRead, 'a is of mixed types: no sorted walk').to.equal('scan');
    } finally {
      await dropDatabase(db);
    }
  });

  it('answers LIKE from the indexes as a scan does: case, accents, numbers, mixed and multi-valued keys', async () => {
    const values: unknown[] = ['FR', 'fr', 'Fr', 'fR', 'ÉCOLE', 'école', 'Ecole', 'ECOLE', 123, '123', 1.5, ['AB', 'cd'], ['x', 'ab'], ['CD'], true, 'TRUE', 'true', { content: 'AB' }, { content: 12 }, Number.NaN, 'NAN', 'nan', '', 'ß', 'SS', 'ǅ', 'ǆ', 'Ǆ', null, [null, 'FRA'], 'σα', 'ςα', 'ΣΑ', 'ı', 'İ', 'I', 'i', '\u212a', 'k', 'Saint-Étienne', 'SAINT-ÉTIENNE', 'saint-étiennE', 'Saint-Denis'];
    const docs = values.map((p, i) => ({ id: `l${String(i).padStart(2, '0')}`, doc: { p, q: i % 2 ? 'X' : i } as Doc }));
    const like = await Database.open(`${plain.name}-like2`, { indexes: ['p', 'q'] });
    const scan = await Database.open(`${plain.name}-like2-plain`);
    try {
      await like.bulkPut(docs);
      await scan.bulkPut(docs);
      for (const pattern of ['FR%', 'fr%', 'f%', 'F_', 'É%', 'é%', 'E%', 'ec%', '1%', '12%', 'AB%', 'ab%', 'c%', 'C%', 'T%', 'true', 'N%', 'nan', 'S%', 'ß%', 'ǅ%', 'ǆ%', 'x%', 'X%', 'σ%', 'Σα%', 'ς%', 'i%', 'I%', 'ı%', 'k%', '\u212a%', 'saint-é%', 'SAINT-ÉTIENNE%', 'Saint-Étienne']) {
        for (const key of ['p', 'q']) {
          const query = `${key}:"${pattern}"`;
          const [want, got] = await Promise.all([scan.allDocs({ query }), like.allDocs({ query })]);
          if (pattern.includes('%')) expect(like.lastRead, query).to.equal('indexes');
          expect(got, query).to.deep.equal(want);
        }
      }
      expect((await like.allDocs({ query: 'p:"FR%"' })).data.rows.map((r) => r.id), 'upper- and lower-case, one element of many').to.deep.equal(['l00', 'l01', 'l02', 'l03', 'l29']);
    } finally {
      await dropDatabase(like);
      await dropDatabase(scan);
    }
  });

  it('indexes documents written before the index existed', async () => {
    const name = `${plain.name}-late`;
    let db = await Database.open(name);
    await db.bulkPut([{ id: '1', doc: { a: 'x' } }, { id: '2', doc: { a: 'y' } }, { id: '3', doc: { a: ['q', 'x'] } }]);
    db.close();
    db = await Database.open(name, { indexes: ['a'] });
    expect(db.indexes).to.deep.equal(['a']);
    expect((await db.allDocs({ query: 'a:x' })).data.rows.map((r) => r.id)).to.deep.equal(['1', '3']);
    db.close();
    db = await Database.open(name); // dropping the index keeps the data
    expect((await db.allDocs({ query: 'a:x' })).data.rows.map((r) => r.id)).to.deep.equal(['1', '3']);
    await dropDatabase(db);
  });

  it('finds numbers with a LIKE plan although they have no string entry', async () => {
    const db = await Database.open(`${plain.name}-like`, { indexes: ['p'] });
    try {
      await db.bulkPut([{ id: 'n', doc: { p: 123 } }, { id: 's', doc: { p: '1ab' } }, { id: 'x', doc: { p: 'x1' } }, { id: 'c', doc: { p: { content: 19 } } }, { id: 'm', doc: { p: 51 } }]);
      expect((await db.allDocs({ query: 'p:"1%"' })).data.rows.map((r) => r.id)).to.deep.equal(['c', 'n', 's']);
      expect(db.lastRead).to.equal('indexes');
    } finally {
      await dropDatabase(db);
    }
  });

  it('refuses keys that cannot be indexed', async () => {
    const err = await rejectionOf(Database.open(`${plain.name}-bad`, { indexes: ['a.b'] }));
    expect(err.status_code).to.equal(400);
  });
});

describe('sort_on + limit served from the sort index, against a full sort', () => {
  // n: always a number (few distinct values: many ties); s: always a string; m: a number or
  // missing (ascending must scan: missing keys sort first); x: mixed types (never from the index).
  const sortDoc = fc.record({
    n: fc.integer({ min: -5, max: 5 }),
    s: fc.constantFrom('a', 'b', 'B', 'é', '', 'aa', '10', '9'),
    m: fc.option(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom(0.5, -0, 1e21)), { nil: undefined }),
    x: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('a', 'b'), fc.constant(null), fc.constant([1, 2])),
    other: fc.constantFrom('x', 'y', 'xy'),
  }, { requiredKeys: ['n', 's', 'other'] });
  const SORT_KEYS = ['n', 's', 'm', 'x'];
  let indexed: Database;
  let plain: Database;
  before(async () => {
    plain = await freshDatabase();
    indexed = await Database.open(`${plain.name}-sx`, { indexes: SORT_KEYS });
    const entries = fc.sample(sortDoc, { numRuns: 300, seed: 11 }).map((d, i) => ({
      id: `s${String((i * 7919) % 300).padStart(3, '0')}`, // ids not in insertion order
      doc: Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)),
    }));
    await plain.bulkPut(entries);
    await indexed.bulkPut(entries);
  });
  after(async () => {
    await dropDatabase(plain);
    await dropDatabase(indexed);
  });

  it('reads the first pages in order from the index when that is exact, and falls back otherwise', async () => {
    await indexed.allDocs({ sort_on: [['n', 'descending']], limit: [0, 5] });
    expect(indexed.lastRead).to.equal('sort index');
    await indexed.allDocs({ sort_on: [['s', 'ascending'], ['n', 'descending']], limit: [10, 5] });
    expect(indexed.lastRead).to.equal('sort index');
    await indexed.allDocs({ sort_on: [['m', 'descending']], limit: [0, 5] });
    expect(indexed.lastRead, 'descending: missing keys come last').to.equal('sort index');
    await indexed.allDocs({ sort_on: [['m', 'ascending']], limit: [0, 5] });
    expect(indexed.lastRead, 'ascending: missing keys come first, and no index has them').to.equal('scan');
    await indexed.allDocs({ sort_on: [['x', 'descending']], limit: [0, 5] });
    expect(indexed.lastRead, 'mixed types').to.equal('scan');
    await indexed.allDocs({ sort_on: [['n', 'descending']] });
    expect(indexed.lastRead, 'no limit').to.equal('scan');
    await indexed.allDocs({ sort_on: [['n', 'descending']], limit: [3] });
    expect(indexed.lastRead, '[skip] keeps everything after skip').to.equal('scan');
    await indexed.allDocs({ query: 'n:>2', sort_on: [['n', 'descending']], limit: [0, 5] });
    expect(indexed.lastRead, 'a query the planner serves').to.equal('indexes');
    await indexed.allDocs({ query: 'other:"x%"', sort_on: [['n', 'descending']], limit: [0, 5] });
    expect(indexed.lastRead, 'a query that would scan').to.equal('sort index');
  });

  it('gives exactly the same page as a full sort for 1,000 random sorts and limits', async function () {
    this.timeout(120000);
    let fromIndex = 0;
    const sortEntry = fc.tuple(fc.constantFrom(...SORT_KEYS, 'other'), fc.constantFrom<'ascending' | 'descending'>('ascending', 'descending'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(sortEntry, { minLength: 1, maxLength: 3 }),
        fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 30 })),
        fc.constantFrom(undefined, 'other:x', 'other:"%y"', 'other:!=x', 'NOT other:xy'),
        async (sort_on, limit, query) => {
          const options = { query, sort_on, limit, select_list: ['n', 's', 'm', 'x'] };
          const [want, got] = await Promise.all([plain.allDocs(options), indexed.allDocs(options)]);
          if (indexed.lastRead === 'sort index') fromIndex++;
          expect(got, JSON.stringify(options)).to.deep.equal(want);
        },
      ),
      { numRuns: 1000, seed: 3 },
    );
    expect(fromIndex, 'the property must exercise the sort index').to.be.greaterThan(200);
  });

  it('adds the sort indexes to a database indexed before them, keeping its documents', async () => {
    const name = `${plain.name}-old`;
    // A database as an earlier version left it: ix/fx indexes only.
    const made = await openRaw(`rtc:${name}`, 2, (idb) => {
      const store = idb.createObjectStore('documents', { keyPath: 'id' });
      store.createIndex('ix:n', 'ix.n', { multiEntry: true });
      store.createIndex('fx:n', 'fx.n', { multiEntry: true });
      idb.createObjectStore('requests', { keyPath: 'key' }).createIndex('at', 'at');
      store.put({ id: 'a', doc: { n: 1 }, ix: { n: [1] }, fx: { n: ['1'] } });
      store.put({ id: 'b', doc: { n: 3 }, ix: { n: [3] }, fx: { n: ['3'] } });
      store.put({ id: 'c', doc: { n: 2 }, ix: { n: [2] }, fx: { n: ['2'] } });
    });
    made.close();
    const db = await Database.open(name, { indexes: ['n'] });
    const top = await db.allDocs({ sort_on: [['n', 'descending']], limit: [0, 2] });
    expect(db.lastRead).to.equal('sort index');
    expect(top.data.rows.map((r) => r.id)).to.deep.equal(['b', 'c']);
    expect((await db.allDocs({ query: 'n:2' })).data.rows.map((r) => r.id)).to.deep.equal(['c']);
    await dropDatabase(db);
  });
});

describe('the upgrade of a database indexed by an earlier version', () => {
  it('rewrites the entries of more documents than one batch, and sorts from the index afterwards', async function () {
    this.timeout(60000);
    const name = uniqueName('reindex');
    const n = REINDEX_BATCH * 2 + 345;
    const made = await openRaw(`rtc:${name}`, 4, (idb) => {
      const store = idb.createObjectStore('documents', { keyPath: 'id' });
      for (const [prefix, multiEntry] of [['ix', true], ['fx', true], ['sx', false]] as const) store.createIndex(`${prefix}:n`, `${prefix}.n`, { multiEntry });
      idb.createObjectStore('requests', { keyPath: 'key' }).createIndex('at', 'at');
      idb.createObjectStore('attachments', { keyPath: ['id', 'name'] });
      idb.createObjectStore('chunks', { keyPath: ['id', 'name', 'index'] });
      idb.createObjectStore('changes', { keyPath: 'last' });
      for (let i = 0; i < n; i++) {
        const d = { n: (i * 7919) % n, s: `S${i}` };
        store.put({ id: `r${String(i).padStart(5, '0')}`, doc: d, ...fieldsBeforeOx(d, ['n']) });
      }
    });
    made.close();
    const db = await Database.open(name, { indexes: ['n'] });
    try {
      const top = await db.allDocs({ sort_on: [['n', 'descending']], limit: [0, 3], select_list: ['n'] });
      expect(db.lastRead).to.equal('sort index');
      expect(top.data.rows.map((r) => r.value)).to.deep.equal([{ n: n - 1 }, { n: n - 2 }, { n: n - 3 }]);
      const raw = await openRaw(`rtc:${name}`);
      const records = await new Promise<Record<string, unknown>[]>((resolve) => {
        const all = raw.transaction('documents').objectStore('documents').getAll();
        all.onsuccess = () => resolve(all.result as Record<string, unknown>[]);
      });
      raw.close();
      expect(records.length).to.equal(n);
      expect(records.filter((r) => 'sx' in r || 'fx' in r || typeof (r.ix as { n?: unknown } | undefined)?.n !== 'number').length, 'every record rewritten').to.equal(0);
      expect((await db.allDocs({ query: 'n:>=2000' })).data.rows.length).to.equal(n - 2000);
    } finally {
      await dropDatabase(db);
    }
  });
});

describe('bulkPut and scans', () => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await dropDatabase(db);
  });

  it('writes many documents in one transaction, all or none', async () => {
    const ids = await db.bulkPut([{ id: 'a', doc: { n: 1 } }, { doc: { n: 2 } }]);
    expect(ids[0]).to.equal('a');
    expect(ids[1]).to.match(/^[0-9a-f-]{36}$/);
    const bad = await rejectionOf(db.bulkPut([{ id: 'b', doc: { n: 3 } }, { id: '', doc: {} }]));
    expect(bad.status_code).to.equal(400);
    expect(bad.message).to.contain('bulkPut[1]');
    expect((await db.allDocs()).data.total_rows).to.equal(2);
  });

  it('scans more documents than one batch, in id order', async () => {
    const entries = Array.from({ length: 4500 }, (_, i) => ({ id: `k${String(i).padStart(5, '0')}`, doc: { i, even: i % 2 === 0 } }));
    await db.bulkPut(entries);
    const res = await db.allDocs({ query: 'even:true' });
    expect(res.data.total_rows).to.equal(2250);
    expect(res.data.rows[0].id).to.equal('k00000');
    expect(res.data.rows[2249].id).to.equal('k04498');
  });

  it('an unsorted limited page stops the scan early and is the same page as a full scan', async () => {
    await db.bulkPut(Array.from({ length: 4500 }, (_, i) => ({ id: `k${String((i * 7919) % 4500).padStart(5, '0')}`, doc: { i, third: i % 3 === 0 } })));
    for (const query of [undefined, 'third:true', 'i:>4400', 'i:<0']) {
      const all = (await db.allDocs({ query })).data.rows;
      for (const limit of [[0, 10], [5, 20], [1490, 30], [4490, 50], [0, 1]] as [number, number][]) {
        const page = await db.allDocs({ query, limit });
        expect(page.data.rows, `${query} ${limit}`).to.deep.equal(all.slice(limit[0], limit[0] + limit[1]));
      }
      const skipOnly = await db.allDocs({ query, limit: [7] });
      expect(skipOnly.data.rows).to.deep.equal(all.slice(7));
    }
  });

  it('stops a scan when its signal aborts, with 504', async () => {
    await db.bulkPut(Array.from({ length: 5000 }, (_, i) => ({ doc: { i } })));
    const controller = new AbortController();
    const pending = db.allDocs({ query: 'i:>1' }, { signal: controller.signal });
    controller.abort();
    expect((await rejectionOf(pending)).status_code).to.equal(504);
  });
});
