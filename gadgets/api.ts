/**
 * The database API shared by `<rtc-master>` (runs locally) and `<rtc-slave>` (runs on the master
 * over the data channel). jIO-compatible: docs/jio-compatibility.md "The database API".
 */
import type { QueryTree, SortOn, KeySchema } from './query.js';

/** A document: a JSON object (jIO "metadata"). Its id is not stored inside it. */
export type Doc = Record<string, unknown>;

/** Options of `allDocs` (docs/jio-compatibility.md "allDocs"). `limit` is `[skip]` or `[skip, count]`. */
export interface AllDocsOptions {
  query?: string | QueryTree;
  sort_on?: SortOn;
  limit?: [number] | [number, number];
  select_list?: string[];
  include_docs?: boolean;
  key_schema?: KeySchema;
}

/** One row of an `allDocs` answer. `value` holds the `select_list` keys (or `{}`). */
export interface Row {
  id: string;
  value: Doc;
  doc?: Doc;
}

/** The jIO `allDocs` answer; `total_rows` is the number of rows returned (after `limit`). */
export interface AllDocsResult {
  data: { rows: Row[]; total_rows: number };
}

/** One document of a `bulkPut`: `id` omitted → a new id, as `post`. */
export interface BulkEntry {
  id?: string;
  doc: Doc;
}

/** What `allAttachments` tells about one attachment. `digest` is `sha256-<hex>` of its bytes. */
export interface AttachmentInfo {
  content_type: string;
  length: number;
  digest: string;
}

/** Formats `getAttachment` converts to (jIO's); the one list (storage/validate.ts checks against it). */
export const ATTACHMENT_FORMATS = ['blob', 'text', 'json', 'data_url', 'array_buffer'] as const;
export type AttachmentFormat = (typeof ATTACHMENT_FORMATS)[number];

/** Options of `getAttachment`: `format` (default `blob`) and a byte range `[start, end)`. */
export interface GetAttachmentOptions {
  format?: AttachmentFormat;
  start?: number;
  end?: number;
}

/** Options of a transfer: `onProgress(loaded, total)` with bytes stored by the receiver. */
export interface TransferOptions {
  onProgress?: (loaded: number, total: number) => void;
}

/** Options of `changes` (CouchDB's `_changes`): entries after `since`, at most `limit` results, filtered by `query`. */
export interface ChangesOptions {
  /** Only changes with a greater seq (default 0: all). */
  since?: number;
  /** Most results to return (a positive integer; default all). */
  limit?: number;
  /** Adds `doc` (the document as it is now) to each result that is not a deletion. */
  include_docs?: boolean;
  /** A jIO query matched against each changed document; a deletion always passes. */
  query?: string | QueryTree;
}

/** One change: the latest write of document `id` (only the latest per id is kept). */
export interface ChangeRow {
  seq: number;
  id: string;
  deleted?: true;
  doc?: Doc;
}

/** The answer of `changes` and each batch of `watch`: `last_seq` is the highest seq examined (or `since`). */
export interface ChangesResult {
  results: ChangeRow[];
  last_seq: number;
}

/** Options of `watch`: `since` a seq, or `'now'` (from the current last seq; the default). */
export interface WatchOptions {
  since?: number | 'now';
  query?: string | QueryTree;
  include_docs?: boolean;
}

/** Live changes: `watch(options, onChange)` → a function that stops the watch (both elements, `Database`, `RemoteDatabase`). */
export interface Watchable {
  /**
   * Calls `onChange` with every change after `since`, in batches, in seq order, exactly once
   * (also across a slave's reconnects and a master's reload). @returns stop.
   */
  watch(options: WatchOptions, onChange: (batch: ChangesResult) => void): () => void;
}

/** A step of a backup or restore, as `onProgress` names it: `export` (the ZIP being built on the master), `download`/`upload` (its bytes over the data channel), `check` and `write` (a restore's two passes). */
export type BackupPhase = 'export' | 'download' | 'upload' | 'check' | 'write';

/** `onProgress(loaded, total, phase)` of a backup or restore: bytes of the current phase (`total` may be an estimate while `export` runs). */
export type BackupProgress = (loaded: number, total: number, phase: BackupPhase) => void;

/** Options of `exportDatabase`. */
export interface ExportOptions {
  onProgress?: BackupProgress;
}

/** Options of `importDatabase`: `merge` (default) overwrites documents and attachments of the same id and name and keeps the others; `replace` leaves exactly the backup's. */
export interface ImportOptions {
  mode?: 'merge' | 'replace';
  onProgress?: BackupProgress;
}

/** `manifest.json` of a backup (README "Backup and restore"). */
export interface BackupManifest {
  format: 'rtc-gadgets-backup';
  version: number;
  database: string;
  indexes: string[];
  /** The changes feed's last sequence number, when the database keeps one. */
  last_seq?: number;
  /** ISO 8601 time the export started. */
  created: string;
  counts: { documents: number; attachments: number };
  /** Uncompressed bytes of documents.ndjson and of all attachments. */
  bytes: { documents: number; attachments: number };
}

/** What `importDatabase` restored. */
export interface ImportResult {
  mode: 'merge' | 'replace';
  documents: number;
  attachments: number;
  manifest: BackupManifest;
}

/** Every method callable on a database, locally or remotely. */
export interface DatabaseApi {
  /** Creates a document with a new id; resolves to the id. */
  post(doc: Doc): Promise<string>;
  /** Creates or overwrites document `id`; resolves to `id`. */
  put(id: string, doc: Doc): Promise<string>;
  /** Resolves to the document; rejects 404 when there is none. */
  get(id: string): Promise<Doc>;
  /** Removes document `id` (no 404 when missing, as jIO's IndexedDB storage); resolves to `id`. */
  remove(id: string): Promise<string>;
  /**
   * Lists, queries, sorts, limits and projects documents. `run.signal` gives up: a slave's call
   * rejects with the signal's reason at once and cancels the request on the master; a master's
   * scan stops between batches (504).
   */
  allDocs(options?: AllDocsOptions, run?: { signal?: AbortSignal }): Promise<AllDocsResult>;
  /** Writes many documents at once (one transaction per request); resolves to their ids. */
  bulkPut(entries: BulkEntry[]): Promise<string[]>;
  /** Stores `blob` (a string becomes text/plain;charset=utf-8) as attachment `name` of document `id`; 404 when the document is missing. */
  putAttachment(id: string, name: string, blob: Blob | string, options?: TransferOptions): Promise<void>;
  /** The attachment converted to `format` (default a Blob), or its bytes `[start, end)`; 404 when missing. */
  getAttachment(id: string, name: string, options?: GetAttachmentOptions & TransferOptions): Promise<unknown>;
  /** Removes attachment `name` of document `id`. */
  removeAttachment(id: string, name: string): Promise<void>;
  /** `{ name: { content_type, length, digest } }` of document `id`; 404 when the document is missing. */
  allAttachments(id: string): Promise<Record<string, AttachmentInfo>>;
  /** The changes feed after `since` (CouchDB `_changes`): `{ results: [{ seq, id, deleted?, doc? }], last_seq }`. */
  changes(options?: ChangesOptions): Promise<ChangesResult>;
  /** The whole database as a ZIP `File` named `rtc-<database>-<YYYY-MM-DD>.zip` (storage/backup-export.ts). */
  exportDatabase(options?: ExportOptions): Promise<File>;
  /** Restores a backup made by `exportDatabase`; a bad file is refused with 400 naming the entry, with nothing written (storage/backup-import.ts). */
  importDatabase(file: Blob, options?: ImportOptions): Promise<ImportResult>;
}

/** The name of a database method (the method table, methods.ts, has one entry for each). */
export type MethodName = keyof DatabaseApi;
