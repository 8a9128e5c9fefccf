/**
 * The master's document database in IndexedDB (through idb). One database per name,
 * `rtc:<name>`, with two object stores:
 * - `documents`, keyPath `id`, records `{ id, doc, ix, fx }` (as jIO's IndexedDB storage keeps
 *   `{_id, doc}`), plus, for each indexed key, the index entries of index-keys.ts and two
 *   multiEntry IndexedDB indexes on them (`ix:<key>`, `fx:<key>`) that the planner reads;
 * - `requests`, keyPath `key`, records `{ key, result, at }`: the answers of writes already applied,
 *   written in the same transaction as the write, so a write re-sent by a slave after a lost
 *   answer (master reload, dropped channel) is answered again and never applied twice.
 * Every request runs in one transaction, except `allDocs` scans, which read batches of documents
 * with `getAll` in successive transactions and yield between them so that a long query never
 * stalls other requests (it is not a snapshot across batches). Reference: jio.md §1.2–1.4 (API,
 * errors), §2 (queries), product.md.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { AllDocsOptions, AllDocsResult, BulkEntry, DatabaseApi, Doc, Row } from '../api.js';
import { RtcError } from '../errors.js';
import { compileQuery, compareSortOn, applyLimit, selectKeys, parseQuery, type QueryTree } from '../query.js';
import { validateAllDocsOptions, validateBulk, validateDoc, validateId } from './validate.js';
import { uuid } from './ids.js';
import { checkIndexKeys, indexFields } from './index-keys.js';
import { fxName, ixName, planQuery, type Plan } from './planner.js';

interface DocumentRecord {
  id: string;
  doc: Doc;
  ix?: Record<string, IDBValidKey[]>;
  fx?: Record<string, string[]>;
}

interface RequestRecord {
  key: string;
  result: unknown;
  at: number;
}

interface RtcSchema extends DBSchema {
  documents: { key: string; value: DocumentRecord; indexes: Record<string, IDBValidKey> };
  requests: { key: string; value: RequestRecord; indexes: { at: number } };
}

type WriteTx = IDBPTransaction<RtcSchema, ('documents' | 'requests')[], 'readwrite'>;

/** How long the answer of an applied write is kept for deduplication, ms. */
export const REQUEST_MEMORY_MS = 24 * 60 * 60 * 1000;
/** Documents read per `getAll` batch of a scan at first; adapted to keep each batch short. */
export const SCAN_BATCH = 1000;
/** Target main-thread time per scan batch, ms: other requests wait at most about this long. */
export const SCAN_SLICE_MS = 8;
/** Most documents one `bulkPut` request may carry. */
export const MAX_BULK = 50000;

/** Options of a write: `requestKey` makes it idempotent (see the module docs). */
export interface WriteOptions {
  requestKey?: string;
}

/** Options of `Database.open`. */
export interface OpenOptions {
  /** Keys to index (identifiers). Adding or removing one upgrades the database once. */
  indexes?: readonly string[];
}

/** Extra options of a query run: `signal` stops a scan between batches (rejects 504). */
export interface RunOptions {
  signal?: AbortSignal;
}

/**
 * Lets other tasks (other slaves' requests, rendering) run: a message-channel task, which,
 * unlike a nested setTimeout(0), is not clamped to 4 ms.
 */
const yieldChannel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
const yieldQueue: (() => void)[] = [];
if (yieldChannel) yieldChannel.port1.onmessage = () => yieldQueue.shift()?.();
const yieldToOthers = (): Promise<void> =>
  new Promise((resolve) => {
    if (!yieldChannel) {
      setTimeout(resolve, 0);
      return;
    }
    yieldQueue.push(resolve);
    yieldChannel.port2.postMessage(0);
  });

/**
 * A jIO-compatible document database in IndexedDB.
 * Errors: `RtcError` 400 (bad id, document or options), 404 (missing document), 500 (IndexedDB
 * failures, with the browser's message).
 */
export class Database implements DatabaseApi {
  private readonly indexed: ReadonlySet<string>;
  private readonly indexList: readonly string[];

  private constructor(readonly name: string, private readonly db: IDBPDatabase<RtcSchema>, indexes: readonly string[]) {
    this.indexList = indexes;
    this.indexed = new Set(indexes);
  }

  /**
   * Opens (creating if needed) `rtc:<name>`, with IndexedDB indexes on `options.indexes`
   * (created, and filled from the existing documents, in one upgrade when the set changes).
   * @throws RtcError 400 for an empty name or a key that cannot be indexed, 500 when IndexedDB
   * refuses (message says why).
   */
  static async open(name: string, options: OpenOptions = {}): Promise<Database> {
    if (typeof name !== 'string' || name === '') throw new RtcError('Database name must be a non empty string', 400);
    const wanted = [...new Set(options.indexes ?? [])].sort();
    checkIndexKeys(wanted);
    const dbName = `rtc:${name}`;
    try {
      let db = await Database.connect(dbName, undefined, wanted);
      const have = existingIndexes(db);
      if (have.join(',') !== wanted.join(',')) {
        const version = db.version + 1;
        db.close();
        db = await Database.connect(dbName, version, wanted);
      }
      const database = new Database(name, db, wanted);
      void database.forgetOldRequests();
      return database;
    } catch (e) {
      if (e instanceof RtcError) throw e;
      throw new RtcError(`Connection to: ${dbName} failed: ${(e as Error)?.message ?? e}`, 500);
    }
  }

  private static connect(dbName: string, version: number | undefined, wanted: readonly string[]): Promise<IDBPDatabase<RtcSchema>> {
    let db: IDBPDatabase<RtcSchema> | undefined;
    const opening = openDB<RtcSchema>(dbName, version, {
      upgrade(upgradeDb, oldVersion, _newVersion, tx) {
        if (oldVersion === 0 || !upgradeDb.objectStoreNames.contains('documents')) {
          upgradeDb.createObjectStore('documents', { keyPath: 'id' });
          const requests = upgradeDb.createObjectStore('requests', { keyPath: 'key' });
          requests.createIndex('at', 'at');
        }
        if (version === undefined) return; // first open of a new database: version 1, no indexes yet
        const store = tx.objectStore('documents');
        const have = new Set([...store.indexNames].filter((n) => n.startsWith('ix:')).map((n) => n.slice(3)));
        for (const key of have) {
          if (!wanted.includes(key)) {
            store.deleteIndex(ixName(key));
            store.deleteIndex(fxName(key));
          }
        }
        const added = wanted.filter((k) => !have.has(k));
        for (const key of added) {
          store.createIndex(ixName(key), `ix.${key}`, { multiEntry: true });
          store.createIndex(fxName(key), `fx.${key}`, { multiEntry: true });
        }
        if (added.length > 0 || have.size !== wanted.length) {
          // Recompute the index entries of every stored document, within the upgrade.
          void (async () => {
            let cursor = await store.openCursor();
            while (cursor) {
              const record = cursor.value;
              const { ix, fx } = indexFields(record.doc, wanted);
              await cursor.update({ id: record.id, doc: record.doc, ix, fx });
              cursor = await cursor.continue();
            }
          })();
        }
      },
      blocking() {
        // Another connection wants a newer version (new indexes): let it, rather than block it.
        db?.close();
      },
    });
    return opening.then((d) => (db = d));
  }

  /** The indexed keys. */
  get indexes(): readonly string[] {
    return this.indexList;
  }

  /** Closes the IndexedDB connection; later calls reject with 500. */
  close(): void {
    this.db.close();
  }

  /** `post(doc)` → the new id (a v4 UUID). */
  async post(doc: Doc, options: WriteOptions = {}): Promise<string> {
    validateDoc(doc, 'post');
    const record = this.record(uuid(), doc);
    return this.write(options.requestKey, (tx) => {
      void tx.objectStore('documents').put(record);
      return record.id;
    });
  }

  /** `put(id, doc)` → `id`; creates or overwrites. */
  async put(id: string, doc: Doc, options: WriteOptions = {}): Promise<string> {
    validateId(id, 'put');
    validateDoc(doc, 'put');
    const record = this.record(id, doc);
    return this.write(options.requestKey, (tx) => {
      void tx.objectStore('documents').put(record);
      return id;
    });
  }

  /**
   * `bulkPut(entries)` → the ids, in order: writes many documents in one transaction (all or
   * none). Each entry is `{ id?, doc }`; an entry without id gets a new one (as `post`).
   * @throws RtcError 400 for a malformed entry (its index in the message), 413 over `MAX_BULK`.
   */
  async bulkPut(entries: BulkEntry[], options: WriteOptions = {}): Promise<string[]> {
    validateBulk(entries, MAX_BULK);
    const records = entries.map((e) => this.record(e.id ?? uuid(), e.doc));
    return this.write(options.requestKey, (tx) => {
      const store = tx.objectStore('documents');
      for (const record of records) void store.put(record);
      return records.map((r) => r.id);
    });
  }

  /** `get(id)` → the document. @throws RtcError 404 `Cannot find document: <id>`. */
  async get(id: string): Promise<Doc> {
    validateId(id, 'get');
    const record = await this.run(() => this.db.get('documents', id));
    if (!record) throw new RtcError(`Cannot find document: ${id}`, 404);
    return record.doc;
  }

  /** `remove(id)` → `id`; removing a missing document is not an error (as jIO's IndexedDB). */
  async remove(id: string, options: WriteOptions = {}): Promise<string> {
    validateId(id, 'remove');
    return this.write(options.requestKey, (tx) => {
      void tx.objectStore('documents').delete(id);
      return id;
    });
  }

  /**
   * `allDocs(options)` → `{ data: { rows, total_rows } }`: filter by `query`, then `sort_on`, then
   * `limit`, then `select_list` (jio.md §2.4); rows carry `doc` when `include_docs` is true.
   * Uses the indexes when the query allows it (planner.ts), else scans in batches.
   * @throws RtcError 400 for bad options or a query syntax error; 504 when `signal` aborts.
   */
  async allDocs(options: AllDocsOptions = {}, run: RunOptions = {}): Promise<AllDocsResult> {
    validateAllDocsOptions(options);
    const query = options.query === '' ? undefined : options.query;
    const match = query === undefined ? null : compileQuery(query, options.key_schema);
    const tree: QueryTree | null = query === undefined ? null : typeof query === 'string' ? parseQuery(query) : query;
    const plan = tree && !options.key_schema ? planQuery(tree, this.indexed) : null;
    let hits = plan ? await this.readPlan(plan, match!) : await this.scan(match, run.signal);
    if (options.sort_on && options.sort_on.length > 0) {
      const cmp = compareSortOn(options.sort_on, options.key_schema);
      hits = hits.map((r, i) => ({ r, i })).sort((a, b) => cmp(a.r.doc, b.r.doc) || a.i - b.i).map((x) => x.r);
    }
    if (options.limit) hits = applyLimit(hits, options.limit);
    const select = options.select_list;
    const rows: Row[] = hits.map((r) => {
      const row: Row = { id: r.id, value: select && select.length > 0 ? selectKeys(r.doc, select) : {} };
      if (options.include_docs) row.doc = r.doc;
      return row;
    });
    return { data: { rows, total_rows: rows.length } };
  }

  /** Every document matching `match` (all when null), in id order, read in batches. */
  private async scan(match: ((doc: object) => boolean) | null, signal?: AbortSignal): Promise<DocumentRecord[]> {
    const hits: DocumentRecord[] = [];
    let after: string | null = null;
    let size = SCAN_BATCH;
    for (;;) {
      if (signal?.aborted) throw new RtcError('Query cancelled: the request timed out', 504);
      const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
      const started = performance.now();
      const batch: DocumentRecord[] = await this.run(() => this.db.getAll('documents', range, size));
      for (const record of batch) if (!match || match(record.doc)) hits.push(record);
      if (batch.length < size) return hits;
      after = batch[batch.length - 1].id;
      // Keep each batch near SCAN_SLICE_MS so no other request waits long behind a scan.
      const spent = performance.now() - started;
      if (spent > SCAN_SLICE_MS * 1.5 && size > 100) size = Math.max(100, Math.floor(size / 2));
      else if (spent < SCAN_SLICE_MS / 2 && size < 20000) size *= 2;
      await yieldToOthers();
    }
  }

  /** Reads a plan's candidates from the indexes in one transaction and keeps the matches. */
  private async readPlan(plan: Plan, match: (doc: object) => boolean): Promise<DocumentRecord[]> {
    const candidates = await this.run(async () => {
      const store = this.db.transaction('documents').store;
      // An upper bound of the documents a plan reads (index counts are cheap).
      const count = async (p: Plan): Promise<number> => {
        if (p.kind === 'read') return (await Promise.all(p.reads.map((r) => store.index(r.index).count(r.range)))).reduce((a, b) => a + b, 0);
        const counts = await Promise.all(p.plans.map(count));
        return p.kind === 'or' ? counts.reduce((a, b) => a + b, 0) : Math.min(...counts);
      };
      const read = async (p: Plan): Promise<Map<string, DocumentRecord>> => {
        if (p.kind === 'read') {
          const out = new Map<string, DocumentRecord>();
          const batches = await Promise.all(p.reads.map((r) => store.index(r.index).getAll(r.range)));
          for (const batch of batches) for (const rec of batch) out.set(rec.id, rec);
          return out;
        }
        if (p.kind === 'and') {
          // Read only the most selective part; the matcher checks the others on its documents.
          const counts = await Promise.all(p.plans.map(count));
          return read(p.plans[counts.indexOf(Math.min(...counts))]);
        }
        const out = new Map<string, DocumentRecord>();
        for (const part of await Promise.all(p.plans.map(read))) for (const [id, rec] of part) out.set(id, rec);
        return out;
      };
      return read(plan);
    });
    // Same order as a scan (by id), so results do not depend on the plan.
    return [...candidates.values()].filter((r) => match(r.doc)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The record to store: a private copy of the document plus its index entries. */
  private record(id: string, doc: Doc): DocumentRecord {
    const stored = cloneDoc(doc);
    if (this.indexList.length === 0) return { id, doc: stored };
    const { ix, fx } = indexFields(stored, this.indexList);
    return { id, doc: stored, ix, fx };
  }

  /** Runs one write in one transaction, answering a repeated `requestKey` from memory. */
  private async write<T>(requestKey: string | undefined, apply: (tx: WriteTx) => T): Promise<T> {
    return this.run(async () => {
      const tx = this.db.transaction(['documents', 'requests'], 'readwrite');
      let result: T;
      if (requestKey !== undefined) {
        const seen = await tx.objectStore('requests').get(requestKey);
        if (seen) {
          await tx.done;
          return seen.result as T;
        }
        result = apply(tx);
        void tx.objectStore('requests').put({ key: requestKey, result, at: Date.now() });
      } else {
        result = apply(tx);
      }
      // Answer only once the transaction has committed: an acknowledged write is durable.
      await tx.done;
      return result;
    });
  }

  /** Maps IndexedDB failures to RtcError 500, keeping RtcErrors as they are. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RtcError) throw e;
      throw new RtcError(`IndexedDB: ${(e as Error)?.message ?? String(e)}`, 500);
    }
  }

  private async forgetOldRequests(): Promise<void> {
    try {
      const tx = this.db.transaction('requests', 'readwrite');
      const range = IDBKeyRange.upperBound(Date.now() - REQUEST_MEMORY_MS);
      let cursor = await tx.store.index('at').openCursor(range);
      while (cursor) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
      await tx.done;
    } catch {
      // Pruning is housekeeping: a failure (closed database) must not surface.
    }
  }
}

function existingIndexes(db: IDBPDatabase<RtcSchema>): string[] {
  if (!db.objectStoreNames.contains('documents')) return [];
  const tx = db.transaction('documents');
  const names = [...tx.store.indexNames].filter((n) => n.startsWith('ix:')).map((n) => n.slice(3)).sort();
  return names;
}

/** A private copy, so a caller mutating its object later changes nothing stored; a structured
 * clone failure (functions, DOM nodes) is a 400. */
function cloneDoc(doc: Doc): Doc {
  try {
    return structuredClone(doc);
  } catch (e) {
    throw new RtcError(`Document cannot be stored: ${(e as Error).message}`, 400);
  }
}
