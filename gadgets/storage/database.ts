/**
 * The master's document database in IndexedDB (through idb). One database per name,
 * `rtc:<name>`, with two object stores:
 * - `documents`, keyPath `id`, records `{ id, doc, ix, fx }` (as jIO's IndexedDB storage keeps
 *   `{_id, doc}`), plus, for each indexed key, the index entries of index-keys.ts and two
 *   multiEntry IndexedDB indexes on them (`ix:<key>`, `fx:<key>`) that the planner reads;
 * - `requests`, keyPath `key`, records `{ key, result, at }`: the answers of writes already applied,
 *   written in the same transaction as the write, so a write re-sent by a slave after a lost
 *   answer (master reload, dropped channel) is answered again and never applied twice.
 * - `attachments`, keyPath `[id, name]`, records `{ id, name, content_type, length, digest,
 *   chunk_size, stored, complete }`: an attachment's description; `stored` counts the bytes
 *   written so far (an upload being received or interrupted has `complete: false` and is
 *   invisible to `getAttachment`/`allAttachments` until its digest is verified);
 * - `chunks`, keyPath `[id, name, index]`, records `{ id, name, index, data }`: its bytes,
 *   `chunk_size` per ArrayBuffer (the last one shorter). Removing a document removes its
 *   attachments and chunks in the same transaction.
 * Every request runs in one transaction, except `allDocs` scans, which read batches of documents
 * with `getAll` in successive transactions and yield between them so that a long query never
 * stalls other requests (it is not a snapshot across batches). Reference: docs/jio-compatibility.md
 * (API, errors, queries).
 */
import { openDB, unwrap, type DBSchema, type IDBPDatabase } from 'idb';
import type { AllDocsOptions, AllDocsResult, AttachmentInfo, BulkEntry, DatabaseApi, Doc, GetAttachmentOptions, Row, TransferOptions } from '../api.js';
import { RtcError } from '../errors.js';
import { compileQuery, compareSortOn, applyLimit, selectKeys, parseQuery, type QueryTree } from '../query.js';
import { attachmentRange, isSha256Digest, validateAllDocsOptions, validateAttachmentMeta, validateAttachmentName, validateBulk, validateDoc, validateFormat, validateId } from './validate.js';
import { attachmentNotFound, CHUNK_SIZE, CHUNKS_PER_BATCH, convertBlob, Digest, digestBlob, toBlob } from './attachment-utils.js';
import { uuid } from './ids.js';
import { checkIndexKeys, indexFields } from './index-keys.js';
import { fxName, ixName, planQuery, sxName, type Plan } from './planner.js';

interface DocumentRecord {
  id: string;
  doc: Doc;
  ix?: Record<string, IDBValidKey[]>;
  fx?: Record<string, string[]>;
  sx?: Record<string, IDBValidKey>;
}

interface RequestRecord {
  key: string;
  result: unknown;
  at: number;
}

/** An attachment's description (store `attachments`). */
export interface AttachmentRecord extends AttachmentInfo {
  id: string;
  name: string;
  chunk_size: number;
  /** Bytes stored so far, a multiple of `chunk_size` until the last chunk. */
  stored: number;
  /** True once every byte is stored and the digest verified. */
  complete: boolean;
  /** The SHA-256 state after `stored` bytes (`Digest.state()`), so a resume need not re-read them. */
  hash_state?: number[] | null;
}

interface ChunkRecord {
  id: string;
  name: string;
  index: number;
  data: ArrayBuffer;
}

interface RtcSchema extends DBSchema {
  documents: { key: string; value: DocumentRecord; indexes: Record<string, IDBValidKey> };
  requests: { key: string; value: RequestRecord; indexes: { at: number } };
  attachments: { key: [string, string]; value: AttachmentRecord };
  chunks: { key: [string, string, number]; value: ChunkRecord };
}

type StoreName = 'documents' | 'requests' | 'attachments' | 'chunks';

/** Every key of document `id` in `attachments` or `chunks` (arrays sort after strings). */
const ofDocument = (id: string): IDBKeyRange => IDBKeyRange.bound([id], [id, []]);
/** Every chunk key of attachment (`id`, `name`). */
const ofAttachment = (id: string, name: string): IDBKeyRange => IDBKeyRange.bound([id, name], [id, name, []]);

/** How long the answer of an applied write is kept for deduplication, ms. */
export const REQUEST_MEMORY_MS = 24 * 60 * 60 * 1000;
/** Documents read per `getAll` batch of a scan at first; adapted to keep each batch short. */
export const SCAN_BATCH = 500;
/** Most documents per scan batch: a batch's values are deserialized on the main thread in one go,
 * so a larger one would hold up other slaves' requests (and pile up garbage) however fast it reads. */
export const SCAN_BATCH_MAX = 2000;
/** Target main-thread time per scan batch, ms: other requests wait at most about this long. */
export const SCAN_SLICE_MS = 4;
/** How many documents past the page a `sort_on` + `limit` walk may skip (a selective query) before it gives up for a scan. */
export const SORT_WALK_MAX = 2000;
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
  /** The same connection without idb's promise wrapper, for the hot paths (get, writes). */
  private readonly raw: IDBDatabase;
  /** `get`s asked for in the current task, read together by `readPending`. */
  private pendingGets: PendingGet[] = [];
  /**
   * How the last `allDocs` found its documents (diagnostics, for tests and the curious):
   * `'sort index'` (`sort_on` + `limit` read in order from an `sx:` index), `'indexes'` (the
   * query planner), or `'scan'`.
   */
  lastRead: 'sort index' | 'indexes' | 'scan' | null = null;

  private constructor(readonly name: string, private readonly db: IDBPDatabase<RtcSchema>, indexes: readonly string[]) {
    this.indexList = indexes;
    this.indexed = new Set(indexes);
    this.raw = unwrap(db) as IDBDatabase;
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
      const storesMissing = !db.objectStoreNames.contains('attachments') || !db.objectStoreNames.contains('chunks');
      if (!indexesAsWanted(db, wanted) || storesMissing) {
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
        // Attachments came later: databases made before them get the stores in an upgrade.
        if (!upgradeDb.objectStoreNames.contains('attachments')) upgradeDb.createObjectStore('attachments', { keyPath: ['id', 'name'] });
        if (!upgradeDb.objectStoreNames.contains('chunks')) upgradeDb.createObjectStore('chunks', { keyPath: ['id', 'name', 'index'] });
        if (version === undefined) return; // first open of a new database: version 1, no indexes yet
        const store = tx.objectStore('documents');
        const names = [...store.indexNames];
        const want = wanted.flatMap(keyIndexes);
        let changed = false;
        for (const name of names) {
          if (isKeyIndex(name) && !want.some((w) => w.name === name)) {
            store.deleteIndex(name);
            changed = true;
          }
        }
        // Only what is missing is made: `sx` came after `ix`/`fx`, a database indexed before gets it here.
        for (const { name, keyPath, multiEntry } of want) {
          if (names.includes(name)) continue;
          store.createIndex(name, keyPath, { multiEntry });
          changed = true;
        }
        if (changed) {
          // Recompute the index entries of every stored document, within the upgrade.
          void (async () => {
            let cursor = await store.openCursor();
            while (cursor) {
              const record = cursor.value;
              await cursor.update({ id: record.id, doc: record.doc, ...indexFields(record.doc, wanted) });
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
    return this.write(options.requestKey, ['documents'], (tx) => {
      tx.objectStore('documents').put(record);
      return record.id;
    });
  }

  /** `put(id, doc)` → `id`; creates or overwrites. */
  async put(id: string, doc: Doc, options: WriteOptions = {}): Promise<string> {
    validateId(id, 'put');
    validateDoc(doc, 'put');
    const record = this.record(id, doc);
    return this.write(options.requestKey, ['documents'], (tx) => {
      tx.objectStore('documents').put(record);
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
    return this.write(options.requestKey, ['documents'], (tx) => {
      const store = tx.objectStore('documents');
      const ids = new Array<string>(entries.length);
      for (let i = 0; i < entries.length; i++) {
        const record = this.record(entries[i]!.id ?? uuid(), entries[i]!.doc);
        store.put(record);
        ids[i] = record.id;
      }
      return ids;
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
    let tx: IDBTransaction;
    try {
      tx = this.raw.transaction('documents', 'readonly');
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
    return this.write(options.requestKey, ['documents', 'attachments', 'chunks'], (tx) => {
      tx.objectStore('documents').delete(id);
      tx.objectStore('attachments').delete(ofDocument(id));
      tx.objectStore('chunks').delete(ofDocument(id));
      return id;
    });
  }

  /** `allAttachments(id)` → `{ name: { content_type, length, digest } }` of its complete attachments. @throws 404 when the document is missing. */
  async allAttachments(id: string): Promise<Record<string, AttachmentInfo>> {
    validateId(id, 'allAttachments');
    return this.run(async () => {
      const tx = this.db.transaction(['documents', 'attachments']);
      if ((await tx.objectStore('documents').getKey(id)) === undefined) throw new RtcError(`Cannot find document: ${id}`, 404);
      const records = await tx.objectStore('attachments').getAll(ofDocument(id));
      const out: Record<string, AttachmentInfo> = {};
      for (const r of records) if (r.complete) out[r.name] = { content_type: r.content_type, length: r.length, digest: r.digest };
      return out;
    });
  }

  /** The description of a complete attachment. @throws RtcError 404 `Cannot find attachment: <id> , <name>`. */
  async attachmentInfo(id: string, name: string): Promise<AttachmentRecord> {
    validateId(id, 'getAttachment');
    validateAttachmentName(name, 'getAttachment');
    const record = await this.run(() => this.db.get('attachments', [id, name]));
    if (!record || !record.complete) throw attachmentNotFound(id, name);
    return record;
  }

  /** `removeAttachment(id, name)`: removes its description and chunks in one transaction. */
  async removeAttachment(id: string, name: string, options: WriteOptions = {}): Promise<void> {
    validateId(id, 'removeAttachment');
    validateAttachmentName(name, 'removeAttachment');
    await this.write(options.requestKey, ['attachments', 'chunks'], (tx) => {
      tx.objectStore('attachments').delete([id, name]);
      tx.objectStore('chunks').delete(ofAttachment(id, name));
      return null;
    });
  }

  /**
   * The resume handshake of an upload: how many bytes of this attachment (same length, digest
   * and type) are already stored. A different attachment under that name is replaced (its
   * chunks are deleted) and the upload starts at 0. Idempotent.
   * @throws RtcError 404 when the document is missing, 400 for bad metadata.
   */
  async openUpload(id: string, name: string, meta: AttachmentInfo): Promise<{ stored: number; chunk_size: number; complete: boolean; hash_state?: number[] | null }> {
    validateId(id, 'putAttachment');
    validateAttachmentName(name, 'putAttachment');
    validateAttachmentMeta(meta);
    return this.run(async () => {
      const tx = this.db.transaction(['documents', 'attachments', 'chunks'], 'readwrite');
      if ((await tx.objectStore('documents').getKey(id)) === undefined) {
        tx.abort();
        await tx.done.catch(() => {});
        throw new RtcError(`Cannot find document: ${id}`, 404);
      }
      const have = await tx.objectStore('attachments').get([id, name]);
      if (have && have.length === meta.length && have.digest === meta.digest && have.content_type === meta.content_type) {
        await tx.done;
        return { stored: have.stored, chunk_size: have.chunk_size, complete: have.complete, hash_state: have.hash_state };
      }
      if (have) void tx.objectStore('chunks').delete(ofAttachment(id, name));
      const record: AttachmentRecord = {
        id, name, content_type: meta.content_type, length: meta.length, digest: meta.digest,
        chunk_size: CHUNK_SIZE, stored: 0, complete: false,
      };
      void tx.objectStore('attachments').put(record);
      await tx.done;
      return { stored: 0, chunk_size: CHUNK_SIZE, complete: false };
    });
  }

  /**
   * Stores consecutive chunks of an upload, starting at chunk `first`, in one transaction, and
   * moves `stored` on. @throws RtcError 409 when the upload was replaced or removed meanwhile.
   */
  async writeChunks(id: string, name: string, digest: string, first: number, chunks: ArrayBuffer[], hashState?: number[] | null): Promise<number> {
    return this.run(async () => {
      const tx = this.db.transaction(['attachments', 'chunks'], 'readwrite');
      const record = await tx.objectStore('attachments').get([id, name]);
      if (!record || record.digest !== digest || record.complete || record.stored !== first * record.chunk_size) {
        tx.abort();
        await tx.done.catch(() => {});
        throw new RtcError(`Upload of ${id} , ${name} was replaced or removed`, 409);
      }
      const store = tx.objectStore('chunks');
      let stored = record.stored;
      chunks.forEach((data, i) => {
        void store.put({ id, name, index: first + i, data });
        stored += data.byteLength;
      });
      record.stored = stored;
      record.hash_state = hashState && hashState[8] === stored ? hashState : null;
      void tx.objectStore('attachments').put(record);
      await tx.done;
      return stored;
    });
  }

  /**
   * Ends an upload: every byte stored and its digest right (`digest` is the one computed while
   * receiving; null re-reads the chunks). The digest to match is the one the upload was opened
   * with, or, for one opened under a sample key (`sample-<hex>`), `claimed`: the uploader's full
   * `sha256-<hex>`, which the record then keeps. Idempotent once complete.
   * @throws RtcError 400 when incomplete, when a sample-keyed upload comes without a valid
   *   `claimed`, or on a mismatch (the upload is then deleted); 404 when there is no such upload.
   */
  async commitUpload(id: string, name: string, digest: string | null, claimed: string | null = null): Promise<void> {
    const record = await this.run(() => this.db.get('attachments', [id, name]));
    if (!record) throw attachmentNotFound(id, name);
    if (record.complete) return;
    if (record.stored !== record.length) throw new RtcError(`Upload of ${id} , ${name} is incomplete: ${record.stored} of ${record.length} bytes`, 400);
    // Opened under a sample key: the uploader's full digest comes now, and must be what was stored.
    const expected = record.digest.startsWith('sample-') ? claimed : record.digest;
    if (!isSha256Digest(expected)) {
      throw new RtcError(`Upload of ${id} , ${name}: the commit must carry the attachment's sha256 digest`, 400);
    }
    if (digest === null) {
      const d = new Digest();
      const count = Math.ceil(record.length / record.chunk_size);
      for (let i = 0; i < count; i++) d.update(new Uint8Array(await this.readChunk(id, name, i)));
      digest = d.digest();
    }
    if (digest !== expected) {
      await this.run(async () => {
        const tx = this.db.transaction(['attachments', 'chunks'], 'readwrite');
        void tx.objectStore('attachments').delete([id, name]);
        void tx.objectStore('chunks').delete(ofAttachment(id, name));
        await tx.done;
      });
      throw new RtcError(`Attachment ${id} , ${name}: digest mismatch (expected ${expected}, got ${digest}); nothing kept`, 400);
    }
    await this.run(async () => {
      const tx = this.db.transaction('attachments', 'readwrite');
      const now = await tx.store.get([id, name]);
      if (now && now.digest === record.digest) void tx.store.put({ ...now, digest: expected, complete: true });
      await tx.done;
    });
  }

  /** One stored chunk of an attachment. @throws RtcError 500 when it is missing (broken attachment). */
  async readChunk(id: string, name: string, index: number): Promise<ArrayBuffer> {
    const chunk = await this.run(() => this.db.get('chunks', [id, name, index]));
    if (!chunk) throw new RtcError(`Broken attachment ${id} , ${name}: chunk ${index} is missing`, 500);
    return chunk.data;
  }

  /**
   * Reads bytes `[start, end)` of an attachment, one chunk at a time, calling `onPart` with each
   * piece (a view into the chunk) and waiting for it before reading the next chunk.
   */
  async readRange(record: AttachmentRecord, start: number, end: number, onPart: (bytes: Uint8Array<ArrayBuffer>, offset: number) => Promise<void> | void): Promise<void> {
    const size = record.chunk_size;
    // Reads the next chunk while the current one is being handed on (at most two in memory).
    const read = (index: number): Promise<ArrayBuffer> | null => {
      if (index * size >= end) return null;
      const p = this.readChunk(record.id, record.name, index);
      p.catch(() => {}); // awaited below; if the caller stops first, nothing is unhandled
      return p;
    };
    let next = read(Math.floor(start / size));
    for (let index = Math.floor(start / size); index * size < end; index++) {
      const data = await next!;
      next = read(index + 1);
      const from = Math.max(start, index * size) - index * size;
      const to = Math.min(end, index * size + data.byteLength) - index * size;
      if (to > from) await onPart(new Uint8Array(data, from, to - from), index * size + from);
    }
  }

  /**
   * `putAttachment(id, name, blob|string)`: reads the Blob piece by piece (never whole), writes
   * `CHUNKS_PER_BATCH` chunks per transaction, resumes after the bytes already stored.
   * @throws RtcError 404 when the document is missing, 400 for a bad name or content.
   */
  async putAttachment(id: string, name: string, content: Blob | string, options: TransferOptions = {}): Promise<void> {
    validateId(id, 'putAttachment');
    validateAttachmentName(name, 'putAttachment');
    const blob = toBlob(content);
    const meta = { content_type: blob.type || 'application/octet-stream', length: blob.size, digest: await digestBlob(blob) };
    const open = await this.openUpload(id, name, meta);
    let stored = open.stored;
    options.onProgress?.(stored, meta.length);
    const batchBytes = open.chunk_size * CHUNKS_PER_BATCH;
    while (!open.complete && stored < meta.length) {
      const piece = await blob.slice(stored, Math.min(meta.length, stored + batchBytes)).arrayBuffer();
      const chunks: ArrayBuffer[] = [];
      for (let at = 0; at < piece.byteLength; at += open.chunk_size) chunks.push(piece.slice(at, at + open.chunk_size));
      stored = await this.writeChunks(id, name, meta.digest, stored / open.chunk_size, chunks);
      options.onProgress?.(stored, meta.length);
    }
    await this.commitUpload(id, name, meta.digest);
    if (meta.length === 0 || open.complete) options.onProgress?.(meta.length, meta.length);
  }

  /**
   * `getAttachment(id, name, { format, start, end })`: a Blob made of the needed chunks only
   * (or converted to `format`). @throws RtcError 404 `Cannot find attachment: <id> , <name>`,
   * 400 for an unknown format.
   */
  async getAttachment(id: string, name: string, options: GetAttachmentOptions & TransferOptions = {}): Promise<unknown> {
    validateFormat(options.format);
    const record = await this.attachmentInfo(id, name);
    const [start, end] = attachmentRange(record.length, options.start, options.end);
    const parts: BlobPart[] = [];
    await this.readRange(record, start, end, (bytes, offset) => {
      parts.push(bytes);
      options.onProgress?.(offset + bytes.byteLength - start, end - start);
    });
    if (end === start) options.onProgress?.(0, 0);
    return convertBlob(new Blob(parts, { type: record.content_type }), options.format);
  }

  /**
   * `allDocs(options)` → `{ data: { rows, total_rows } }`: filter by `query`, then `sort_on`, then
   * `limit`, then `select_list` (docs/jio-compatibility.md "Sort, limit, select"); rows carry `doc`
   * when `include_docs` is true. Uses the indexes when the query allows it (planner.ts), else scans
   * in batches.
   * @throws RtcError 400 for bad options or a query syntax error; 504 when `signal` aborts.
   */
  async allDocs(options: AllDocsOptions = {}, run: RunOptions = {}): Promise<AllDocsResult> {
    validateAllDocsOptions(options);
    const query = options.query === '' ? undefined : options.query;
    const match = query === undefined ? null : compileQuery(query, options.key_schema);
    const tree: QueryTree | null = query === undefined ? null : typeof query === 'string' ? parseQuery(query) : query;
    const plan = tree && !options.key_schema ? planQuery(tree, this.indexed) : null;
    // A plan reads only what the indexes select; without one, the first page of a sort may be
    // read in order from the sort key's index instead of scanning everything.
    let hits = plan ? null : await this.readSorted(options, match);
    if (hits) this.lastRead = 'sort index';
    else if (plan) {
      this.lastRead = 'indexes';
      hits = await this.readPlan(plan, match!);
    } else {
      this.lastRead = 'scan';
      // Unsorted, a scan's hits are already in the final (id) order: a limited page stops early.
      const unsorted = !options.sort_on || options.sort_on.length === 0;
      hits = await this.scan(match, run.signal, (unsorted && pageEnd(options.limit)) || Infinity);
    }
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

  /**
   * `sort_on` + `limit` served from the `sx:<key>` index of the first sort key: walks it in the
   * sort's direction and keeps the matching documents until it has `skip + count` of them and has
   * passed every document tied with the last one; the caller sorts these with the full comparator
   * (later sort keys, then id), so the page is exactly the one a full sort would give. Only when
   * that is provably so: for every sort key, indexed, every present value is a lone number, or
   * every one a lone string (index-keys.ts `sortKey`): over those, IndexedDB's key order is
   * jIO's, and jIO's comparison is a consistent order (over mixed types it is not, and a sort of
   * part of the documents could then order them differently than a sort of all); ascending, no
   * document may lack the first key (those sort first and are in no index); a query must not make
   * the walk read more than {@link SORT_WALK_MAX} documents past the page.
   * @returns the documents, in id order, or null when the caller must plan or scan.
   */
  private async readSorted(options: AllDocsOptions, match: ((doc: object) => boolean) | null): Promise<DocumentRecord[] | null> {
    const sortOn = options.sort_on;
    const need = pageEnd(options.limit);
    if (!sortOn || sortOn.length === 0 || need === null || options.key_schema) return null;
    if (sortOn.some(([k]) => !this.indexed.has(k))) return null;
    const [key, direction] = sortOn[0]!;
    return this.run(async () => {
      const tx = this.db.transaction('documents');
      /** How many documents have key `k`, when its values are all lone numbers or all lone strings; else null. */
      const orderly = async (k: string): Promise<number | null> => {
        const sx = tx.store.index(sxName(k));
        const [present, others, numbers] = await Promise.all([
          sx.count(),
          sx.count(IDBKeyRange.lowerBound([])),
          sx.count(IDBKeyRange.bound(-Infinity, Infinity)),
        ]);
        return others > 0 || (numbers > 0 && numbers < present) ? null : present;
      };
      // The first sort key comes first in the set: presents[0] is its count.
      const [total, ...presents] = await Promise.all([tx.store.count(), ...[...new Set(sortOn.map(([k]) => k))].map(orderly)]);
      if (presents.some((p) => p === null)) return null;
      const missing = total - presents[0]!;
      if (direction === 'ascending' && missing > 0) return null;
      const hits: DocumentRecord[] = [];
      let last: IDBValidKey | undefined;
      let walked = 0;
      let cursor = await tx.store.index(sxName(key)).openCursor(null, direction === 'ascending' ? 'next' : 'prev');
      while (cursor) {
        if (last !== undefined && indexedDB.cmp(cursor.key, last) !== 0) break;
        if (++walked > need + SORT_WALK_MAX) return null;
        const record = cursor.value;
        if (!match || match(record.doc)) {
          hits.push({ id: record.id, doc: record.doc });
          if (hits.length === need) last = cursor.key;
        }
        cursor = await cursor.continue();
      }
      // Short of a page: the documents without the key (last, descending) would belong to it.
      if (hits.length < need && missing > 0) return null;
      return hits.sort(byId);
    });
  }

  /** The documents matching `match` (all when null), in id order, read in batches; stops once it has `enough`. */
  private async scan(match: ((doc: object) => boolean) | null, signal?: AbortSignal, enough = Infinity): Promise<DocumentRecord[]> {
    const hits: DocumentRecord[] = [];
    let after: string | null = null;
    let size = SCAN_BATCH;
    for (;;) {
      if (signal?.aborted) throw new RtcError('Query cancelled: the request timed out', 504);
      const range: IDBKeyRange | undefined = after === null ? undefined : IDBKeyRange.lowerBound(after, true);
      const started = performance.now();
      const batch: DocumentRecord[] = await this.run(() => this.db.getAll('documents', range, size));
      // Only `id` and `doc` are kept: the index entries of the records read are garbage at once.
      for (const record of batch) {
        if (match && !match(record.doc)) continue;
        hits.push({ id: record.id, doc: record.doc });
        if (hits.length >= enough) return hits;
      }
      if (batch.length < size) return hits;
      after = batch[batch.length - 1].id;
      // Keep each batch near SCAN_SLICE_MS so no other request waits long behind a scan.
      const spent = performance.now() - started;
      if (spent > SCAN_SLICE_MS * 1.5 && size > 100) size = Math.max(100, Math.floor(size / 2));
      else if (spent < SCAN_SLICE_MS / 2 && size < SCAN_BATCH_MAX) size = Math.min(SCAN_BATCH_MAX, size * 2);
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
    return [...candidates.values()].filter((r) => match(r.doc)).sort(byId);
  }

  /**
   * The record to store: the document plus its index entries. No copy is made: `put` clones it
   * synchronously, in the same task, so a caller changing its object afterwards changes nothing
   * stored (and an uncloneable document fails there, as a 400).
   */
  private record(id: string, doc: Doc): DocumentRecord {
    if (this.indexList.length === 0) return { id, doc };
    return { id, doc, ...indexFields(doc, this.indexList) };
  }

  /**
   * Runs one write in one readwrite transaction on `stores`, and resolves once it has committed
   * (an acknowledged write is durable). With a `requestKey` the answer is recorded in `requests`
   * in the same transaction, with `add`: a key already there means the write was applied before
   * (a slave re-sent it after a lost answer); the ConstraintError aborts this transaction, undoing
   * it, and the recorded answer is returned instead. No read before the write, so one idempotent
   * write costs what a plain one does.
   */
  private write<T>(requestKey: string | undefined, stores: readonly StoreName[], apply: (tx: IDBTransaction) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        tx = this.raw.transaction(requestKey === undefined ? [...stores] : [...stores, 'requests'], 'readwrite');
      } catch (e) {
        reject(idbError(e));
        return;
      }
      let result!: T;
      let repeated = false;
      try {
        result = apply(tx);
        if (requestKey !== undefined) {
          const add = tx.objectStore('requests').add({ key: requestKey, result, at: Date.now() });
          add.onerror = () => {
            repeated = add.error?.name === 'ConstraintError';
          };
        }
        tx.commit?.(); // nothing more will be asked: let it commit without waiting for this task to end
      } catch (e) {
        try {
          tx.abort();
        } catch {
          // already finished
        }
        reject(storeError(e));
        return;
      }
      tx.oncomplete = () => resolve(result);
      tx.onabort = () => {
        if (repeated) this.recordedAnswer<T>(requestKey!).then(resolve, reject);
        else reject(idbError(tx.error ?? new Error('transaction aborted')));
      };
    });
  }

  /** The answer recorded for an applied write. */
  private recordedAnswer<T>(requestKey: string): Promise<T> {
    return this.run(async () => {
      const seen = await this.db.get('requests', requestKey);
      if (!seen) throw new RtcError(`IndexedDB: the answer of request ${requestKey} is gone`, 500);
      return seen.result as T;
    });
  }

  /** Maps IndexedDB failures to RtcError 500, keeping RtcErrors as they are. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw idbError(e);
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

/** Whether the documents store has exactly the indexes of the `wanted` keys (`ix:`, `fx:`, `sx:` each). */
function indexesAsWanted(db: IDBPDatabase<RtcSchema>, wanted: readonly string[]): boolean {
  if (!db.objectStoreNames.contains('documents')) return wanted.length === 0;
  const tx = db.transaction('documents');
  const have = [...tx.store.indexNames].filter(isKeyIndex).sort();
  const want = wanted.flatMap(keyIndexes).map((i) => i.name).sort();
  return have.join('\n') === want.join('\n');
}

/** The IndexedDB indexes of one indexed key (index-keys.ts says what each holds). */
function keyIndexes(key: string): { name: string; keyPath: string; multiEntry: boolean }[] {
  return [
    { name: ixName(key), keyPath: `ix.${key}`, multiEntry: true },
    { name: fxName(key), keyPath: `fx.${key}`, multiEntry: true },
    { name: sxName(key), keyPath: `sx.${key}`, multiEntry: false },
  ];
}

/** Whether `name` is one of the indexes `keyIndexes` makes. */
const isKeyIndex = (name: string): boolean => /^(ix|fx|sx):/.test(name);

/** The order of a scan: by id (code units, as IndexedDB orders string keys). */
const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** `skip + count` of a `limit` that truncates (`[skip, count]`, count > 0), else null (docs/jio-compatibility.md "Sort, limit, select": `[skip]` and `[skip, 0]` keep the rest). */
function pageEnd(limit: AllDocsOptions['limit']): number | null {
  return limit && limit.length === 2 && limit[1] ? limit[0]! + limit[1]! : null;
}

interface PendingGet {
  id: string;
  resolve: (doc: Doc) => void;
  reject: (error: Error) => void;
}

/** An IndexedDB failure as RtcError 500 (an RtcError stays as it is). */
function idbError(e: unknown): RtcError {
  if (e instanceof RtcError) return e;
  return new RtcError(`IndexedDB: ${(e as Error)?.message ?? String(e)}`, 500);
}

/** A failure while queueing a write: a document that cannot be cloned is the caller's (400). */
function storeError(e: unknown): RtcError {
  if ((e as Error)?.name === 'DataCloneError') return new RtcError(`Document cannot be stored: ${(e as Error).message}`, 400);
  return idbError(e);
}
