/**
 * Runs `allDocs` queries on the documents store (schema.ts). Three ways to find the documents,
 * tried in this order:
 * - the planned read: a query the planner (planner.ts) serves from the `ix:` indexes, read
 *   as sets of ids (intersected for AND, united for OR), then only those documents;
 * - the sorted walk: `sort_on` + `limit` read in order from the first sort key's `ix:` index,
 *   stopping after the page;
 * - the scan: every document, read with `getAll` in batches in successive transactions, yielding
 *   between them so that a long query never stalls other requests (it is not a snapshot across
 *   batches).
 * Documents come from the scan cache (scan-cache.ts) when it is ready: the indexes are then read
 * for ids only, and a scan reads memory. A full scan from IndexedDB fills the cache; any other
 * query that could not use it starts a fill in the background.
 * Matching is sliced by time, not by document count (slicer.ts): once a slice has run
 * `SCAN_SLICE_MS` (`MEMORY_SLICE_MS` over the cache), the query yields to other tasks (a heavy
 * matcher, a 65,000-term OR, costs milliseconds per document). Its main-thread time is summed,
 * and past `RunOptions.maxMs` it fails with 413 (a slave's limit, channel/limits.ts).
 * Then sort, limit and projection as jIO does them (docs/jio-compatibility.md "Sort, limit, select").
 */
import type { AllDocsOptions, AllDocsResult, Row } from '../api.js';
import { compileQuery, applyLimit, selectKeys, parseQuery, type QueryTree } from '../query.js';
import { sortKeys } from '../query/sort.js';
import { sortDocuments } from '../query/select.js';
import { checkKeySchema } from '../query/schema.js';
import type { Doc } from '../api.js';
import type { ScanCache, CacheView } from './scan-cache.js';
import { validateAllDocsOptions } from './validate.js';
import type { Connection } from './connection.js';
import { ixName, oxName, planQuery, type IndexRead, type Plan } from './planner.js';
import { sortKey } from './index-keys.js';
import { MEMORY_SLICE_MS, SCAN_SLICE_MS, Slicer, yieldToOthers, type RunOptions } from './slicer.js';

export { SCAN_SLICE_MS, MEMORY_SLICE_MS, type RunOptions };
import type { DocumentRecord } from './schema.js';

/** Documents read per `getAll` batch of a scan at first; adapted to keep each batch short. */
export const SCAN_BATCH = 500;
/** Most documents per scan batch: a batch's values are deserialized on the main thread in one go,
 * so a larger one would hold up other slaves' requests (and pile up garbage) however fast it reads. */
export const SCAN_BATCH_MAX = 2000;
/** A query string longer than this many characters yields between its parsing and compiling. */
const LONG_QUERY = 2000;
/** How many documents past the page a `sort_on` + `limit` walk may skip (a selective query) before it gives up for a scan. */
export const SORT_WALK_MAX = 2000;


/** How an `allDocs` found its documents. */
export type ReadKind = 'sort index' | 'indexes' | 'scan';

/** The query side of one database: `allDocs` over a connection, with the `indexed` keys. */
export class QueryRunner {
  /**
   * How the last `allDocs` found its documents (diagnostics, for tests and the curious):
   * `'sort index'` (`sort_on` + `limit` read in order from an `ix:` index), `'indexes'` (the
   * query planner), or `'scan'`.
   */
  lastRead: ReadKind | null = null;

  /**
   * Where the last `allDocs` read its documents: `'memory'` (the scan cache, scan-cache.ts) or
   * `'indexeddb'` (diagnostics, as `lastRead`).
   */
  lastSource: 'memory' | 'indexeddb' | null = null;

  /** @param cache the documents in memory (scan-cache.ts), or null to read IndexedDB every time. */
  constructor(private readonly connection: Connection, private readonly indexed: ReadonlySet<string>, private readonly cache: ScanCache | null = null) {}

  /**
   * `allDocs(options)` → `{ data: { rows, total_rows } }`: filter by `query`, then `sort_on`, then
   * `limit`, then `select_list` ("Sort, limit, select"); rows carry `doc` when `include_docs` is true.
   * Uses the indexes when the query allows it (planner.ts), else scans in batches.
   * @throws RtcError 400 for bad options or a query syntax error; 504 when `signal` aborts.
   */
  async allDocs(options: AllDocsOptions = {}, run: RunOptions = {}): Promise<AllDocsResult> {
    // Parsing and compiling a long query are a block each (gadgets/query/, not sliced): other
    // tasks run between them.
    const long = typeof options.query === 'string' ? options.query.length > LONG_QUERY : !!options.query;
    const breathe = (): Promise<void> | undefined => (long ? yieldToOthers() : undefined);
    await breathe();
    validateAllDocsOptions(options);
    const query = options.query === '' ? undefined : options.query;
    await breathe();
    // Parsed once: the matcher is compiled from the tree.
    const tree: QueryTree | null = query === undefined ? null : typeof query === 'string' ? parseQuery(query) : query;
    await breathe();
    const match = tree === null ? null : compileQuery(tree, options.key_schema);
    await breathe();
    let plan = tree && !options.key_schema ? planQuery(tree, this.indexed) : null;
    // The cache, brought up to date with every write acknowledged so far (null: read IndexedDB).
    const view = (await this.cache?.view()) ?? null;
    this.lastSource = view ? 'memory' : 'indexeddb';
    // Reading an id from an index costs about what matching MEMORY_OVER_INDEX cached documents does:
    // over a large cache, a plan that names many documents is slower than scanning memory.
    if (plan && view && view.ids.length >= LARGE_CACHE && (await this.planCount(plan)) * MEMORY_OVER_INDEX > view.ids.length) plan = null;
    let fill: object | null = null;
    // A plan reads only what the indexes select; without one, the first page of a sort may be
    // read in order from the sort key's index instead of scanning everything.
    let hits = plan ? null : await this.readSorted(options, match, view);
    if (hits) this.lastRead = 'sort index';
    else if (plan) {
      this.lastRead = 'indexes';
      hits = await this.readPlan(plan, match!, new Slicer(run), view);
    } else {
      this.lastRead = 'scan';
      // Unsorted, a scan's hits are already in the final (id) order: a limited page stops early.
      const unsorted = !options.sort_on || options.sort_on.length === 0;
      const enough = (unsorted && pageEnd(options.limit)) || Infinity;
      // A scan that reads the whole store fills the cache on the way.
      fill = view || enough !== Infinity ? null : this.cache?.startFill() ?? null;
      hits = view ? await scanMemory(view, match, new Slicer(run, MEMORY_SLICE_MS), enough) : await this.scan(match, new Slicer(run), enough, fill);
    }
    if (options.sort_on && options.sort_on.length > 0) {
      // Stable (ties keep the id order), top-k when a limit truncates (query/select.ts).
      const idOf = new Map<object, string>();
      for (const r of hits) idOf.set(r.doc, r.id);
      const docs = sortDocuments(hits.map((r) => r.doc), sortKeys(options.sort_on, checkKeySchema(options.key_schema)), pageEnd(options.limit));
      hits = docs.map((doc) => ({ id: idOf.get(doc)!, doc: doc as Doc }));
    }
    if (options.limit) hits = applyLimit(hits, options.limit);
    const select = options.select_list;
    const rows: Row[] = hits.map((r) => {
      const row: Row = { id: r.id, value: select && select.length > 0 ? selectKeys(r.doc, select) : {} };
      if (options.include_docs) row.doc = r.doc;
      return row;
    });
    if (!view && !fill) this.warm();
    // Documents from the cache are shared: the caller gets copies (a slave gets them serialized anyway).
    const shared = (view !== null || fill !== null) && !run.serialized;
    const out = shared && (options.include_docs || (select && select.length > 0)) ? structuredClone(rows) : rows;
    return { data: { rows: out, total_rows: out.length } };
  }

  /** How many ids a plan's index reads give (every part of an AND is read too): index counts, one round trip. */
  private planCount(plan: Plan): Promise<number> {
    const reads = (p: Plan): IndexRead[] => (p.kind === 'read' ? p.reads : p.plans.flatMap(reads));
    return this.connection.run(async (db) => {
      const store = db.transaction('documents').store;
      const counts = await Promise.all(reads(plan).map((r) => store.index(r.index).count(r.range)));
      return counts.reduce((a, b) => a + b, 0);
    });
  }

  /**
   * Fills the cache in the background (a full scan, sliced as any other, nothing kept but the
   * cache's copy) when it is empty: after a query that could not use it, so the next ones can.
   */
  private warm(): void {
    const fill = this.cache?.startFill();
    if (fill) this.scan(() => false, new Slicer({}), Infinity, fill).catch(() => {}); // a failed fill is dropped; queries read IndexedDB
  }

  /**
   * `sort_on` + `limit` served from the `ix:<key>` index of the first sort key: walks it in the
   * sort's direction and keeps the matching documents until it has `skip + count` of them and has
   * passed every document tied with the last one; the caller sorts these with the full comparator
   * (later sort keys, then id), so the page is exactly the one a full sort would give. Only when
   * that is provably so: for every sort key, indexed, every present value is a lone number, or
   * every one a lone string (index-keys.ts `sortKey`; then its `ox:` index is empty and its
   * `ix:` index holds exactly one entry per document, its sort key): over those, IndexedDB's key order is
   * jIO's, and jIO's comparison is a consistent order (over mixed types it is not, and a sort of
   * part of the documents could then order them differently than a sort of all); ascending, no
   * document may lack the first key (those sort first and are in no index); a query must not make
   * the walk read more than {@link SORT_WALK_MAX} documents past the page.
   * @returns the documents, in id order, or null when the caller must plan or scan.
   */
  private async readSorted(options: AllDocsOptions, match: ((doc: object) => boolean) | null, view: CacheView | null): Promise<DocumentRecord[] | null> {
    const sortOn = options.sort_on;
    const need = pageEnd(options.limit);
    if (!sortOn || sortOn.length === 0 || need === null || options.key_schema) return null;
    if (sortOn.some(([k]) => !this.indexed.has(k))) return null;
    const [key, direction] = sortOn[0]!;
    return this.connection.run(async (db) => {
      const tx = db.transaction('documents');
      /** How many documents have key `k`, when its values are all lone numbers or all lone strings; else null. */
      const orderly = async (k: string): Promise<number | null> => {
        const ix = tx.store.index(ixName(k));
        const [present, others, numbers] = await Promise.all([
          ix.count(),
          tx.store.index(oxName(k)).count(),
          ix.count(IDBKeyRange.bound(-Infinity, Infinity)),
        ]);
        return others > 0 || (numbers > 0 && numbers < present) ? null : present;
      };
      // The first sort key comes first in the set: presents[0] is its count. From the cache when
      // it is ready: IndexedDB's count walks every entry it counts (seconds on a loaded disk).
      const sortKeysOf = [...new Set(sortOn.map(([k]) => k))];
      const [total, ...presents] = view ? [view.ids.length, ...sortKeysOf.map((k) => orderlyIn(view, k))] : await Promise.all([tx.store.count(), ...sortKeysOf.map(orderly)]);
      if (presents.some((p) => p === null)) return null;
      const missing = total - presents[0]!;
      if (direction === 'ascending' && missing > 0) return null;
      const hits: DocumentRecord[] = [];
      let last: IDBValidKey | undefined;
      let walked = 0;
      const walk = tx.store.index(ixName(key));
      const order = direction === 'ascending' ? 'next' : 'prev';
      const max = need + SORT_WALK_MAX;
      // With the cache: the walk's ids in one request, their sort keys from the cached documents
      // (a cursor costs a round trip to the browser's IndexedDB per document: seconds on a loaded machine).
      const ids = view ? await idsInOrder(walk, order, max + 1) : null;
      for (const id of ids ?? []) {
        const doc = view!.byId.get(id);
        const k = doc === undefined ? undefined : sortKey(doc[key]);
        if (k === undefined) continue; // written after the cache was brought up to date: not acknowledged yet
        if (last !== undefined && indexedDB.cmp(k, last) !== 0) break;
        if (++walked > max) return null;
        if (!match || match(doc!)) {
          hits.push({ id, doc: doc! });
          if (hits.length === need) last = k;
        }
      }
      let cursor = ids ? null : view ? await walk.openKeyCursor(null, order) : await walk.openCursor(null, order);
      while (cursor) {
        if (last !== undefined && indexedDB.cmp(cursor.key, last) !== 0) break;
        if (++walked > max) return null;
        const id = cursor.primaryKey as string;
        const doc = view ? view.byId.get(id) : (cursor as unknown as { value: DocumentRecord }).value.doc;
        if (doc !== undefined && (!match || match(doc))) {
          hits.push({ id, doc });
          if (hits.length === need) last = cursor.key;
        }
        cursor = await cursor.continue();
      }
      // Short of a page: the documents without the key (last, descending) would belong to it.
      if (hits.length < need && missing > 0) return null;
      return hits.sort(byId);
    });
  }

  /**
   * The documents matching `match` (all when null), in id order, read in batches; stops once it
   * has `enough`. With a `fill` token (scan-cache.ts) every batch read also goes to the cache.
   */
  private async scan(match: ((doc: object) => boolean) | null, slicer: Slicer, enough = Infinity, fill: object | null = null): Promise<DocumentRecord[]> {
    const hits: DocumentRecord[] = [];
    let after: string | null = null;
    let size = SCAN_BATCH;
    let filling = fill !== null;
    try {
      for (;;) {
        const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
        slicer.idle();
        const started = performance.now();
        const batch: DocumentRecord[] = await this.connection.run((db) => db.getAll('documents', range, size));
        // The batch's values were deserialized in that task: its size keeps that near SCAN_SLICE_MS.
        const spent = performance.now() - started;
        slicer.resume();
        if (filling) filling = this.cache!.addBatch(fill!, batch);
        // Only `id` and `doc` are kept: the index entries of the records read are garbage at once.
        for (const record of batch) {
          if (match && !match(record.doc)) {
            if (slicer.due()) await slicer.pause();
            continue;
          }
          hits.push({ id: record.id, doc: record.doc });
          if (hits.length >= enough) return hits;
          if (slicer.due()) await slicer.pause();
        }
        if (batch.length < size) {
          if (filling) this.cache!.endFill(fill!);
          return hits;
        }
        after = batch[batch.length - 1].id;
        if (spent > SCAN_SLICE_MS * 1.5 && size > 100) size = Math.max(100, Math.floor(size / 2));
        else if (spent < SCAN_SLICE_MS / 2 && size < SCAN_BATCH_MAX) size = Math.min(SCAN_BATCH_MAX, size * 2);
        await slicer.pause();
      }
    } finally {
      if (fill) this.cache!.abandonFill(fill); // nothing once ended
    }
  }

  /**
   * A plan's documents: the ids of each read from its index (`getAllKeys`: no document is
   * deserialized), intersected for AND and united for OR, in one transaction; then those
   * documents only, from the cache's `view` or read by id in the same transaction; then the
   * matcher keeps the matches (a plan is a superset).
   */
  private async readPlan(plan: Plan, match: (doc: object) => boolean, slicer: Slicer, view: CacheView | null): Promise<DocumentRecord[]> {
    slicer.idle();
    const candidates = await this.connection.run(async (db) => {
      const store = db.transaction('documents').store;
      const keys = async (p: Plan): Promise<Set<string>> => {
        if (p.kind === 'read') {
          const parts = await Promise.all(p.reads.map((r) => store.index(r.index).getAllKeys(r.range)));
          return parts.length === 1 ? new Set(parts[0] as string[]) : new Set(parts.flat() as string[]);
        }
        const sets = await Promise.all(p.plans.map(keys));
        if (p.kind === 'or') return sets.reduce((a, b) => (b.forEach((id) => a.add(id)), a));
        sets.sort((a, b) => a.size - b.size);
        const [smallest, ...others] = sets;
        return new Set([...smallest!].filter((id) => others.every((o) => o.has(id))));
      };
      if (view) return [...(await keys(plan))].sort().map((id) => ({ id, doc: view.byId.get(id) }));
      // Without the cache: a leaf's documents in one getAll per range; an AND's intersection by id.
      const records = async (p: Plan): Promise<Map<string, Doc | undefined>> => {
        const out = new Map<string, Doc | undefined>();
        if (p.kind === 'read') {
          for (const batch of await Promise.all(p.reads.map((r) => store.index(r.index).getAll(r.range)))) for (const rec of batch) out.set(rec.id, rec.doc);
        } else if (p.kind === 'or') {
          for (const part of await Promise.all(p.plans.map(records))) for (const [id, doc] of part) out.set(id, doc);
        } else {
          const ids = [...(await keys(p))];
          const docs = await Promise.all(ids.map((id) => store.get(id)));
          ids.forEach((id, i) => out.set(id, docs[i]?.doc));
        }
        return out;
      };
      return [...(await records(plan))].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, doc]) => ({ id, doc }));
    });
    slicer.resume();
    const hits: DocumentRecord[] = [];
    for (const r of candidates) {
      // In id order, as a scan (results do not depend on the plan); gone since the index read: skipped.
      if (r.doc !== undefined && match(r.doc)) hits.push(r as DocumentRecord);
      if (slicer.due()) await slicer.pause();
    }
    return hits;
  }
}

/** The order of a scan: by id (code units, as IndexedDB orders string keys). */
const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** As `readSorted`'s `orderly`, over the cached documents: how many have key `k` when all its sort values are numbers or all strings, else null. */
function orderlyIn(view: CacheView, k: string): number | null {
  let present = 0;
  let numbers = 0;
  for (const doc of view.docs) {
    if (!Object.prototype.hasOwnProperty.call(doc, k)) continue;
    const v = sortKey(doc[k]);
    if (v === undefined) continue;
    if (typeof v === 'number') numbers++;
    else if (typeof v !== 'string') return null;
    present++;
  }
  return numbers > 0 && numbers < present ? null : present;
}

/**
 * The primary keys of `index` in `direction`, at most `count`, in one request (IDBGetAllOptions of
 * the IndexedDB getAllRecords() proposal, Chromium 141+), or null where `getAllKeys` takes no options.
 */
async function idsInOrder(index: object, direction: IDBCursorDirection, count: number): Promise<string[] | null> {
  try {
    return await (index as { getAllKeys(options: object): Promise<string[]> }).getAllKeys({ query: null, count, direction });
  } catch {
    return null; // DataError: the options were taken for a key
  }
}

/** Cached documents from which a plan may give way to a scan of memory (smaller: the plan is cheap either way). */
export const LARGE_CACHE = 50000;
/** About how many cached documents are matched in the time one id is read from an index (bench `slave scan`, README "The scan cache"). */
export const MEMORY_OVER_INDEX = 50;

/** Documents matched between two looks at the clock in a scan of the cache. */
const MEMORY_STRIDE = 256;

/** {@link QueryRunner}'s scan over the cache's `view` (same contract as its IndexedDB scan). */
async function scanMemory(view: CacheView, match: ((doc: object) => boolean) | null, slicer: Slicer, enough: number): Promise<DocumentRecord[]> {
  const { ids, docs } = view;
  const hits: DocumentRecord[] = [];
  for (let i = 0; i < ids.length; i++) {
    const doc = docs[i]!;
    if (!match || match(doc)) {
      hits.push({ id: ids[i]!, doc });
      if (hits.length >= enough) return hits;
    }
    if (i % MEMORY_STRIDE === MEMORY_STRIDE - 1 && slicer.due()) await slicer.pause();
  }
  return hits;
}

/** `skip + count` of a `limit` that truncates (`[skip, count]`, count > 0), else null ("Sort, limit, select": `[skip]` and `[skip, 0]` keep the rest). */
function pageEnd(limit: AllDocsOptions['limit']): number | null {
  return limit && limit.length === 2 && limit[1] ? limit[0]! + limit[1]! : null;
}
