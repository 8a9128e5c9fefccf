/**
 * The master's document database in IndexedDB (through idb). One database per name,
 * `rtc:<name>`, with two object stores:
 * - `documents`, keyPath `id`, records `{ id, doc }` (as jIO's IndexedDB storage keeps `{_id, doc}`);
 * - `requests`, keyPath `key`, records `{ key, result, at }`: the answers of writes already applied,
 *   written in the same transaction as the write, so a write re-sent by a slave after a lost
 *   answer (master reload, dropped channel) is answered again and never applied twice.
 * Every request runs in one transaction. Reference: jio.md §1.2–1.4 (API, errors), product.md.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { AllDocsOptions, AllDocsResult, DatabaseApi, Doc, Row } from '../api.js';
import { RtcError } from '../errors.js';
import { compileQuery, compareSortOn, applyLimit, selectKeys } from '../query.js';
import { validateAllDocsOptions, validateDoc, validateId } from './validate.js';
import { uuid } from './ids.js';

interface DocumentRecord {
  id: string;
  doc: Doc;
}

interface RequestRecord {
  key: string;
  result: unknown;
  at: number;
}

interface RtcSchema extends DBSchema {
  documents: { key: string; value: DocumentRecord };
  requests: { key: string; value: RequestRecord; indexes: { at: number } };
}

type WriteTx = IDBPTransaction<RtcSchema, ('documents' | 'requests')[], 'readwrite'>;

/** How long the answer of an applied write is kept for deduplication, ms. */
export const REQUEST_MEMORY_MS = 24 * 60 * 60 * 1000;

/** Options of a write: `requestKey` makes it idempotent (see the module docs). */
export interface WriteOptions {
  requestKey?: string;
}

/**
 * A jIO-compatible document database in IndexedDB.
 * Errors: `RtcError` 400 (bad id, document or options), 404 (missing document), 500 (IndexedDB
 * failures, with the browser's message).
 */
export class Database implements DatabaseApi {
  private constructor(readonly name: string, private readonly db: IDBPDatabase<RtcSchema>) {}

  /**
   * Opens (creating if needed) `rtc:<name>`.
   * @throws RtcError 400 for an empty name, 500 when IndexedDB refuses (message says why).
   */
  static async open(name: string): Promise<Database> {
    if (typeof name !== 'string' || name === '') throw new RtcError('Database name must be a non empty string', 400);
    let db: IDBPDatabase<RtcSchema>;
    try {
      db = await openDB<RtcSchema>(`rtc:${name}`, 1, {
        upgrade(upgradeDb) {
          upgradeDb.createObjectStore('documents', { keyPath: 'id' });
          const requests = upgradeDb.createObjectStore('requests', { keyPath: 'key' });
          requests.createIndex('at', 'at');
        },
        blocking() {
          // Another tab wants a newer version: let it, rather than blocking it forever.
          db.close();
        },
      });
    } catch (e) {
      throw new RtcError(`Connection to: rtc:${name} failed: ${(e as Error)?.message ?? e}`, 500);
    }
    const database = new Database(name, db);
    void database.forgetOldRequests();
    return database;
  }

  /** Closes the IndexedDB connection; later calls reject with 500. */
  close(): void {
    this.db.close();
  }

  /** `post(doc)` → the new id (a v4 UUID). */
  async post(doc: Doc, options: WriteOptions = {}): Promise<string> {
    validateDoc(doc, 'post');
    const id = uuid();
    const stored = cloneDoc(doc);
    return this.write(options.requestKey, (tx) => {
      void tx.objectStore('documents').put({ id, doc: stored });
      return id;
    });
  }

  /** `put(id, doc)` → `id`; creates or overwrites. */
  async put(id: string, doc: Doc, options: WriteOptions = {}): Promise<string> {
    validateId(id, 'put');
    validateDoc(doc, 'put');
    const stored = cloneDoc(doc);
    return this.write(options.requestKey, (tx) => {
      void tx.objectStore('documents').put({ id, doc: stored });
      return id;
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
   * @throws RtcError 400 for bad options or a query syntax error.
   */
  async allDocs(options: AllDocsOptions = {}): Promise<AllDocsResult> {
    validateAllDocsOptions(options);
    const match = options.query === undefined || options.query === '' ? null : compileQuery(options.query, options.key_schema);
    const records = await this.run(() => this.db.getAll('documents'));
    let hits = match ? records.filter((r) => match(r.doc)) : records;
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

/** A private copy, so a caller mutating its object later changes nothing stored; a structured
 * clone failure (functions, DOM nodes) is a 400. */
function cloneDoc(doc: Doc): Doc {
  try {
    return structuredClone(doc);
  } catch (e) {
    throw new RtcError(`Document cannot be stored: ${(e as Error).message}`, 400);
  }
}
