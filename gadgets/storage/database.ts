/**
 * The master's document database in IndexedDB (through idb): one database per name,
 * `rtc:<name>`, laid out as schema.ts says. `Database` is the facade that implements
 * `DatabaseApi`; its parts:
 * - connection.ts: the live connection, reopened after another tab's upgrade or deletion;
 * - write-log.ts: idempotent writes (an answer recorded with the write, never applied twice);
 * - query-runner.ts: `allDocs` (planned read, sorted index walk, scan);
 * - attachment-store.ts: attachments, their uploads, chunks and ranges;
 * - changes-feed.ts: the changes feed every write records in, `changes` and `watch`.
 * Documents are read and written here. Every request runs in one transaction, except `allDocs`
 * scans (query-runner.ts). Removing a document removes its attachments and chunks in the same
 * transaction. Reference: docs/jio-compatibility.md ("The database API", "The query language").
 */
import type {
  AllDocsOptions, AllDocsResult, AttachmentInfo, BulkEntry, ChangesOptions, ChangesResult, DatabaseApi, Doc, GetAttachmentOptions, ImportResult, TransferOptions, Watchable, WatchOptions,
} from '../api.js';
import { ChangesFeed } from './changes-feed.js';
import { RtcError } from '../errors.js';
import { validateBulk, validateDoc, validateId } from './validate.js';
import { uuid } from './ids.js';
import { checkIndexKeys, indexFields } from './index-keys.js';
import { AttachmentStore, type UploadState } from './attachment-store.js';
import { Connection, idbError, storeError } from './connection.js';
import { QueryRunner, type ReadKind, type RunOptions } from './query-runner.js';
import { ScanCache, type ScanCacheOptions } from './scan-cache.js';
import { ofDocument, type AttachmentRecord, type DocumentRecord } from './schema.js';
import { WriteLog, type WriteOptions } from './write-log.js';
import type { JournalSink } from './journal.js';
import { exportDatabase, type ExportDatabaseOptions } from './backup-export.js';
import { importDatabase, type ImportDatabaseOptions } from './backup-import.js';

/** Most documents one `bulkPut` request may carry. */
export const MAX_BULK = 50000;

/** Options of `Database.open`. */
export interface OpenOptions {
  /** Keys to index (identifiers). Adding or removing one upgrades the database once. */
  indexes?: readonly string[];
  /** The scan cache (scan-cache.ts): `{ maxBytes }` (default 256 MiB) or `false` (off: for a database another tab writes to). */
  scanCache?: ScanCacheOptions | false;
}

/**
 * A jIO-compatible document database in IndexedDB.
 * Errors: `RtcError` 400 (bad id, document or options), 404 (missing document), 500 (IndexedDB
 * failures, with the browser's message).
 */
export class Database implements DatabaseApi, Watchable {
  /** The attachments, their uploads and reads (what `TransferServer` serves slaves from). */
  readonly attachments: AttachmentStore;
  private readonly indexList: readonly string[];
  private readonly log: WriteLog;
  private readonly feed: ChangesFeed;
  private readonly queries: QueryRunner;
  private readonly cache: ScanCache;
  /** `get`s asked for in the current task, read together by `readPending`. */
  private pendingGets: PendingGet[] = [];

  private constructor(readonly name: string, private readonly connection: Connection, indexes: readonly string[], cache: ScanCacheOptions | false = {}) {
    this.indexList = indexes;
    this.feed = new ChangesFeed(connection, name);
    this.log = new WriteLog(connection, this.feed);
    this.cache = new ScanCache(connection, cache);
    this.log.onCommitted = (changes) => this.cache.noteCommitted(changes.map((c) => c.id));
    this.queries = new QueryRunner(connection, new Set(indexes), this.cache);
    this.attachments = new AttachmentStore(connection, this.log);
  }

  /**
   * Opens (creating if needed) `rtc:<name>`, with IndexedDB indexes on `options.indexes`
   * (created, and filled from the existing documents, in one upgrade when the set changes).
   * The connection then survives other tabs' upgrades and deletions (connection.ts).
   * @throws RtcError 400 for an empty name or a key that cannot be indexed, 500 when IndexedDB
   * refuses (message says why).
   */
  static async open(name: string, options: OpenOptions = {}): Promise<Database> {
    if (typeof name !== 'string' || name === '') throw new RtcError('Database name must be a non empty string', 400);
    const wanted = [...new Set(options.indexes ?? [])].sort();
    checkIndexKeys(wanted);
    const database = new Database(name, await Connection.open(`rtc:${name}`, wanted), wanted, options.scanCache);
    void database.log.forgetOldRequests();
    return database;
  }

  /** The copy of acknowledged writes outside IndexedDB (journal.ts, journal-restore.ts), or null. */
  get journal(): JournalSink | null {
    return this.log.journal;
  }

  set journal(journal: JournalSink | null) {
    this.log.journal = journal;
  }

  /** The indexed keys. */
  get indexes(): readonly string[] {
    return this.indexList;
  }

  /**
   * How the last `allDocs` found its documents (diagnostics, for tests and the curious):
   * `'sort index'`, `'indexes'` (the query planner) or `'scan'` (query-runner.ts).
   */
  get lastRead(): ReadKind | null {
    return this.queries.lastRead;
  }

  /** The scan cache (scan-cache.ts): `info` (state, documents, estimated bytes), `empty()`. */
  get scanCache(): ScanCache {
    return this.cache;
  }

  /** Where the last `allDocs` read its documents: `'memory'` (the scan cache) or `'indexeddb'`. */
  get lastSource(): 'memory' | 'indexeddb' | null {
    return this.queries.lastSource;
  }

  /** Told each write refused for lack of space (RtcError 507, connection.ts), e.g. to fire the master's `rtc-error`. */
  set onStorageFull(listener: ((error: RtcError) => void) | null) {
    this.connection.onStorageFull = listener;
  }

  /** Closes the IndexedDB connection; later calls reject with 500. */
  close(): void {
    this.feed.close();
    this.cache.empty();
    this.connection.close();
  }

  /** `post(doc)` → the new id (a v4 UUID). */
  async post(doc: Doc, options: WriteOptions = {}): Promise<string> {
    validateDoc(doc, 'post');
    const record = this.record(uuid(), this.asOfNow(doc));
    const snapshot = this.forWatches(doc);
    return this.log.write(options.requestKey, ['documents'], (tx) => {
      tx.objectStore('documents').put(record);
      return record.id;
    }, {
      changes: (id) => [{ id, doc: snapshot }],
      journal: (id) => ({ t: 'put', id, doc: record.doc }),
    });
  }

  /** `put(id, doc)` → `id`; creates or overwrites. */
  async put(id: string, doc: Doc, options: WriteOptions = {}): Promise<string> {
    validateId(id, 'put');
    validateDoc(doc, 'put');
    const record = this.record(id, this.asOfNow(doc));
    const snapshot = this.forWatches(doc);
    return this.log.write(options.requestKey, ['documents'], (tx) => {
      tx.objectStore('documents').put(record);
      return id;
    }, {
      changes: () => [{ id, doc: snapshot }],
      journal: () => ({ t: 'put', id, doc: record.doc }),
    });
  }

  /**
   * `bulkPut(entries)` → the ids, in order: writes many documents in one transaction (all or
   * none). Each entry is `{ id?, doc }`; an entry without id gets a new one (as `post`).
   * @throws RtcError 400 for a malformed entry (its index in the message), 413 over `MAX_BULK`.
   */
  async bulkPut(entries: BulkEntry[], options: WriteOptions = {}): Promise<string[]> {
    validateBulk(entries, MAX_BULK);
    const kept = this.asOfNow(entries);
    const snapshot = this.forWatches(kept);
    return this.log.write(options.requestKey, ['documents'], (tx) => {
      const store = tx.objectStore('documents');
      const ids = new Array<string>(kept.length);
      for (let i = 0; i < kept.length; i++) {
        const record = this.record(kept[i]!.id ?? uuid(), kept[i]!.doc);
        store.put(record);
        ids[i] = record.id;
      }
      return ids;
    }, {
      changes: (ids) => ids.map((id, i) => ({ id, doc: snapshot?.[i]!.doc })),
      journal: (ids) => ({ t: 'bulk', e: ids.map((id, i) => [id, kept[i]!.doc]) }),
    });
  }

  /**
   * `get(id)` → the document (a fresh copy). The `get`s asked for in one task (a slave's
   * pipelined requests arrive several to a message) are read in one readonly transaction.
   * @throws RtcError 404 `Cannot find document: <id>`, 500 when IndexedDB fails.
   */
  get(id: string): Promise<Doc> {
    try {
      validateId(id, 'get');
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<Doc>((resolve, reject) => {
      if (this.pendingGets.length === 0) queueMicrotask(() => this.readPending());
      this.pendingGets.push({ id, resolve, reject });
    });
  }

  /** Reads the pending `get`s in one transaction; answers them all together once the last is read. */
  private readPending(): void {
    const batch = this.pendingGets;
    this.pendingGets = [];
    const fail = (e: unknown): void => {
      const error = idbError(e);
      for (const g of batch) g.reject(error);
    };
    this.connection.withRaw((raw) => this.readBatch(raw, batch, fail), fail);
  }

  private readBatch(raw: IDBDatabase, batch: PendingGet[], fail: (e: unknown) => void): void {
    let tx: IDBTransaction;
    try {
      tx = raw.transaction('documents', 'readonly');
    } catch (e) {
      fail(e);
      return;
    }
    const store = tx.objectStore('documents');
    const records = new Array<DocumentRecord | undefined>(batch.length);
    let left = batch.length;
    batch.forEach((g, i) => {
      const request = store.get(g.id);
      request.onsuccess = () => {
        records[i] = request.result as DocumentRecord | undefined;
        if (--left > 0) return;
        batch.forEach((h, k) => {
          const record = records[k];
          if (record) h.resolve(record.doc);
          else h.reject(new RtcError(`Cannot find document: ${h.id}`, 404));
        });
      };
    });
    tx.onabort = () => {
      if (left > 0) fail(tx.error ?? new Error('transaction aborted'));
    };
  }

  /** `remove(id)` → `id`; removing a missing document is not an error (as jIO's IndexedDB). */
  async remove(id: string, options: WriteOptions = {}): Promise<string> {
    validateId(id, 'remove');
    return this.log.write(options.requestKey, ['documents', 'attachments', 'chunks'], (tx) => {
      tx.objectStore('documents').delete(id);
      tx.objectStore('attachments').delete(ofDocument(id));
      tx.objectStore('chunks').delete(ofDocument(id));
      return id;
    }, {
      changes: () => [{ id, deleted: true }],
      journal: () => ({ t: 'del', id }),
    });
  }

  /**
   * `allDocs(options)` → `{ data: { rows, total_rows } }` (query-runner.ts).
   * @throws RtcError 400 for bad options or a query syntax error; 504 when `signal` aborts.
   */
  allDocs(options: AllDocsOptions = {}, run: RunOptions = {}): Promise<AllDocsResult> {
    return this.queries.allDocs(options, run);
  }

  /**
   * `changes({ since = 0, limit, include_docs, query })` → `{ results: [{ seq, id, deleted?, doc? }], last_seq }`
   * (changes-feed.ts; CouchDB's `_changes`). @throws RtcError 400 for bad options, 500.
   */
  changes(options: ChangesOptions = {}): Promise<ChangesResult> {
    return this.feed.changes(options);
  }

  /** The highest seq of the changes feed (0 when empty). @throws RtcError 500. */
  lastSeq(): Promise<number> {
    return this.feed.lastSeq();
  }

  /** Compacts the changes feed now (also automatic: changes-feed.ts). @returns entries dropped (0 if IndexedDB failed). */
  compactChanges(): Promise<number> {
    return this.feed.compactNow();
  }

  /**
   * `watch({ since = 'now', query, include_docs }, onChange)` → stop: every change after `since`,
   * once, in seq order, in batches, after each commit (changes-feed.ts). @throws RtcError 400.
   */
  watch(options: WatchOptions, onChange: (batch: ChangesResult) => void): () => void {
    return this.feed.watch(options, onChange);
  }

  /** `putAttachment(id, name, blob|string)` (attachment-store.ts). @throws RtcError 404 when the document is missing, 400 for a bad name or content. */
  putAttachment(id: string, name: string, content: Blob | string, options: TransferOptions = {}): Promise<void> {
    return this.attachments.putAttachment(id, name, content, options);
  }

  /** `getAttachment(id, name, { format, start, end })` (attachment-store.ts). @throws RtcError 404, 400 for an unknown format. */
  getAttachment(id: string, name: string, options: GetAttachmentOptions & TransferOptions = {}): Promise<unknown> {
    return this.attachments.getAttachment(id, name, options);
  }

  /** `removeAttachment(id, name)`: its description and chunks, in one transaction. */
  removeAttachment(id: string, name: string, options: WriteOptions = {}): Promise<void> {
    return this.attachments.removeAttachment(id, name, options);
  }

  /** `{ name: { content_type, length, digest } }` of document `id`. @throws RtcError 404 when the document is missing. */
  allAttachments(id: string): Promise<Record<string, AttachmentInfo>> {
    return this.attachments.allAttachments(id);
  }

  /** The whole database as a ZIP file (backup-export.ts). @throws RtcError 413 over 4 GiB, 500 when IndexedDB fails. */
  exportDatabase(options: ExportDatabaseOptions = {}): Promise<File> {
    return exportDatabase(this, options);
  }

  /** Restores a backup (backup-import.ts). @throws RtcError 400 `Bad backup: <entry>: <what>` with nothing written. */
  importDatabase(file: Blob, options: ImportDatabaseOptions = {}): Promise<ImportResult> {
    return importDatabase(this, file, options);
  }

  /** The description of a complete attachment. @throws RtcError 404. */
  attachmentInfo(id: string, name: string): Promise<AttachmentRecord> {
    return this.attachments.attachmentInfo(id, name);
  }

  /** The resume handshake of an upload (attachment-store.ts `openUpload`). */
  openUpload(id: string, name: string, meta: AttachmentInfo): Promise<UploadState> {
    return this.attachments.openUpload(id, name, meta);
  }

  /** Stores consecutive chunks of an upload from chunk `first`; resolves to the bytes stored. @throws RtcError 409. */
  writeChunks(id: string, name: string, digest: string, first: number, chunks: ArrayBuffer[], hashState?: number[] | null): Promise<number> {
    return this.attachments.writeChunks(id, name, digest, first, chunks, hashState);
  }

  /** Ends an upload once its digest is checked (attachment-store.ts `commitUpload`). */
  commitUpload(id: string, name: string, digest: string | null, claimed: string | null = null): Promise<void> {
    return this.attachments.commitUpload(id, name, digest, claimed);
  }

  /** One stored chunk of an attachment. @throws RtcError 500 when it is missing. */
  readChunk(id: string, name: string, index: number): Promise<ArrayBuffer> {
    return this.attachments.readChunk(id, name, index);
  }

  /** Reads bytes `[start, end)` of an attachment, one chunk at a time (attachment-store.ts `readRange`). */
  readRange(record: AttachmentRecord, start: number, end: number, onPart: (bytes: Uint8Array<ArrayBuffer>, offset: number) => Promise<void> | void): Promise<void> {
    return this.attachments.readRange(record, start, end, onPart);
  }

  /** Up to `count` documents with ids after `after` (null: from the first), in id order, in one transaction (backup-export.ts). */
  async documentsAfter(after: string | null, count: number): Promise<{ id: string; doc: Doc }[]> {
    const range = after === null ? null : IDBKeyRange.lowerBound(after, true);
    const records = await this.connection.run((db) => db.getAll('documents', range, count));
    return records.map((r) => ({ id: r.id, doc: r.doc }));
  }

  /** The number of documents, and the description of every complete attachment in key order (backup-export.ts). */
  async inventory(): Promise<{ documents: number; attachments: AttachmentRecord[] }> {
    return this.connection.run(async (db) => {
      const tx = db.transaction(['documents', 'attachments']);
      const documents = await tx.objectStore('documents').count();
      const attachments = (await tx.objectStore('attachments').getAll()).filter((r) => r.complete);
      return { documents, attachments };
    });
  }

  /**
   * Removes every document with its attachments (a restore's `replace`, backup-import.ts), in one
   * transaction. Each removal is recorded like `remove`'s, in the changes feed (watchers see the
   * deletions) and the journal (a restore after a wipe does not bring them back). A document written
   * between the read of the ids and the removal stays: a concurrent write is not lost silently.
   */
  async clear(): Promise<void> {
    const ids = (await this.connection.run((db) => db.getAllKeys('documents'))) as string[];
    if (ids.length > 0) await this.removeMany(ids);
  }

  /** Removes documents `ids` and their attachments in one transaction (see `clear`). */
  async removeMany(ids: readonly string[]): Promise<void> {
    await this.log.write(undefined, ['documents', 'attachments', 'chunks'], (tx) => {
      for (const id of ids) {
        tx.objectStore('documents').delete(id);
        tx.objectStore('attachments').delete(ofDocument(id));
        tx.objectStore('chunks').delete(ofDocument(id));
      }
      return null;
    }, {
      changes: () => ids.map((id) => ({ id, deleted: true as const })),
      journal: () => ({ t: 'dels', ids: [...ids] }),
    });
  }

  /**
   * The record to store: the document plus its index entries. No copy is made: `put` clones it
   * synchronously, in the same task, so a caller changing its object afterwards changes nothing
   * stored (and an uncloneable document fails there, as a 400).
   */
  private record(id: string, doc: Doc): DocumentRecord {
    if (this.indexList.length === 0) return { id, doc };
    return indexFields(doc, this.indexList, { id, doc });
  }

  /**
   * A copy of what a write stores, for the watches that deliver documents from memory
   * (changes-feed.ts `committed`), or undefined when none wants documents (no copy made). An
   * uncloneable value gives undefined: the write itself fails with 400.
   */
  private forWatches<T>(value: T): T | undefined {
    if (!this.feed.wantsDocs) return undefined;
    try {
      return structuredClone(value);
    } catch {
      return undefined;
    }
  }

  /**
   * `value` as a write will store it. While the connection reopens (connection.ts) the write is
   * queued later, not in this task: it gets a copy made now, so later changes to the caller's
   * object are not stored (as when `put` clones it at once).
   * @throws RtcError 400 when `value` cannot be cloned.
   */
  private asOfNow<T>(value: T): T {
    if (this.connection.isOpen) return value;
    try {
      return structuredClone(value);
    } catch (e) {
      throw storeError(e);
    }
  }
}

interface PendingGet {
  id: string;
  resolve: (doc: Doc) => void;
  reject: (error: Error) => void;
}
