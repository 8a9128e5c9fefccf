/**
 * The database API shared by `<rtc-master>` (runs locally) and `<rtc-slave>` (runs on the master
 * over the data channel). jIO-compatible: reference/jio.md §1.2–1.3, product.md "The database API".
 */
import type { QueryTree, SortOn, KeySchema } from './query.js';

/** A document: a JSON object (jIO "metadata"). Its id is not stored inside it. */
export type Doc = Record<string, unknown>;

/** Options of `allDocs` (jio.md §1.3). `limit` is `[skip]` or `[skip, count]`. */
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
}

/** Names of the read methods. */
export const READ_METHODS = ['get', 'allDocs'] as const;
/** Names of the write methods. */
export const WRITE_METHODS = ['post', 'put', 'remove', 'bulkPut'] as const;
/** Every method a slave may call, by default all of them (`allow` narrows it). */
export const ALL_METHODS: readonly MethodName[] = [...READ_METHODS, ...WRITE_METHODS];
export type MethodName = (typeof READ_METHODS)[number] | (typeof WRITE_METHODS)[number];
