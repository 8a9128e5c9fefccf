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
}

/** The name of a database method (the method table, methods.ts, has one entry for each). */
export type MethodName = keyof DatabaseApi;
