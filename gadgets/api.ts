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
  /** Lists, queries, sorts, limits and projects documents. */
  allDocs(options?: AllDocsOptions): Promise<AllDocsResult>;
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
  /** The whole database as a ZIP `File` named `rtc-<database>-<YYYY-MM-DD>.zip` (storage/backup-export.ts). */
  exportDatabase(options?: ExportOptions): Promise<File>;
  /** Restores a backup made by `exportDatabase`; a bad file is refused with 400 naming the entry, with nothing written (storage/backup-import.ts). */
  importDatabase(file: Blob, options?: ImportOptions): Promise<ImportResult>;
}

/** The name of a database method (the method table, methods.ts, has one entry for each). */
export type MethodName = keyof DatabaseApi;
