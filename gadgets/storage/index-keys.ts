/**
 * What a document contributes to the IndexedDB indexes of an indexed key, computed at write
 * time. The query planner (planner.ts) only narrows the documents to read; every candidate is
 * then checked with the full jIO matcher, so an index entry may be a superset but must never
 * miss a document that matches. The entries follow jIO's rules (docs/jio-compatibility.md
 * "Matching"):
 * - `=` compares `String(element)` with the query text: strings are stored as they are, numbers
 *   as numbers (found when the query text is the number's canonical string), booleans and other
 *   objects as their string;
 * - ranges compare the raw first element with the query text (JS `<`): numbers as numbers,
 *   strings as strings, booleans as the numbers 1 and 0; every element is stored (a superset);
 * - LIKE is case-insensitive as a regexp's `i` flag: the `fx` entries hold each element's string
 *   with every code unit canonicalized (upper-cased as ECMA-262 Canonicalize does), so a LIKE
 *   pattern starting with literal text becomes a key range over them. Numbers (but NaN) have no
 *   `fx` entry: a LIKE plan reads every number of the key from `ix` instead (planner.ts), which
 *   saves one index entry per number on every write (bench `cities import`: population).
 * `null`/`undefined` elements never match in jIO and are not stored.
 *
 * A third entry per key, `sx` (one per document, not multi-entry), is what `sort_on` compares
 * (query/sort.ts): the value's only element when it is a number or a string (`5`, `"a"`, `[5]`,
 * `{content: 5}`), else {@link SORT_OTHER}; absent when the document has no such key. Over
 * numbers alone or strings alone, IndexedDB's key order is jIO's sort order, so `sort_on` +
 * `limit` can be read from the `sx:<key>` index (query-runner.ts `readSorted` says when it is).
 */
import { canonicalize } from '../query/like.js';
import { hasCmp, isPlainObject } from '../query/values.js';
import { RtcError } from '../errors.js';
import type { Doc } from '../api.js';

/** An indexed key must be usable in an IndexedDB key path. */
export const INDEX_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** @throws RtcError 400 for a key that cannot be indexed. */
export function checkIndexKeys(keys: readonly string[]): void {
  for (const key of keys) {
    if (!INDEX_KEY.test(key)) throw new RtcError(`Cannot index key '${key}': index keys are identifiers ([A-Za-z_$][A-Za-z0-9_$]*)`, 400);
  }
}

/** Printable ASCII only: folding it is upper-casing it (Canonicalize maps a–z to A–Z and keeps the rest of ASCII). */
const NOT_ASCII = /[^\u0020-\u007e]/; // control characters are ASCII too, and fold as themselves: the long path is right for them

/** `text` with every UTF-16 code unit canonicalized as a case-insensitive regexp does. */
export function fold(text: string): string {
  if (!NOT_ASCII.test(text)) return text.toUpperCase();
  const codes = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = canonicalize(text.charCodeAt(i));
  let out = '';
  for (let i = 0; i < codes.length; i += 8192) out += String.fromCharCode(...codes.slice(i, i + 8192));
  return out;
}

function elementsOf(value: unknown): unknown[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((e) => (e !== null && typeof e === 'object' && Object.prototype.hasOwnProperty.call(e, 'content') ? (e as { content: unknown }).content : e));
}

function asString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[object Object]';
  }
}

/** The `ix` (equality and range) and `fx` (folded, for LIKE) entries of one value. */
export function indexEntries(value: unknown): { ix: IDBValidKey[]; fx: string[] } {
  const ix: IDBValidKey[] = [];
  const fx: string[] = [];
  if (value === undefined || value === null) return { ix, fx };
  for (const e of elementsOf(value)) {
    if (e === undefined || e === null) continue;
    if (typeof e === 'number') {
      ix.push(Number.isNaN(e) ? 'NaN' : e);
      if (!Number.isNaN(e)) continue; // no fx entry: see the module docs
    } else if (typeof e === 'boolean') {
      ix.push(String(e), e ? 1 : 0);
    } else {
      ix.push(asString(e));
    }
    fx.push(fold(asString(e)));
  }
  return { ix, fx };
}

/** The `sx` entry of a value that sort_on cannot order with IndexedDB's key order (arrays sort after every number and string). */
export const SORT_OTHER: IDBValidKey = [0];

/** The `sx` entry of a present value (see the module docs); undefined when sort_on reads nothing from it. */
export function sortKey(value: unknown): IDBValidKey | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return undefined; // sorts as a missing key does
  if (list.length > 1) return SORT_OTHER;
  let e: unknown = list[0];
  if (isPlainObject(e) && !hasCmp(e)) e = e.content; // as the sort reads `{content}` objects
  if (typeof e === 'number' && !Number.isNaN(e)) return e;
  if (typeof e === 'string') return e;
  return SORT_OTHER;
}

/**
 * The index fields to store beside `doc` for the indexed `keys`. A key's `ix` or `fx` entries are
 * an array, or the entry alone when there is one (a multiEntry index reads a lone key as an array
 * of one: the same index entries, one object less to build and clone per key and document); an
 * empty list is left out.
 */
export function indexFields(doc: Doc, keys: readonly string[]): { ix: Record<string, IDBValidKey>; fx: Record<string, string | string[]>; sx: Record<string, IDBValidKey> } {
  const ix: Record<string, IDBValidKey> = {};
  const fx: Record<string, string | string[]> = {};
  const sx: Record<string, IDBValidKey> = {};
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(doc, key)) continue;
    const entries = indexEntries(doc[key]);
    if (entries.ix.length > 0) {
      ix[key] = entries.ix.length === 1 ? entries.ix[0]! : entries.ix;
      if (entries.fx.length > 0) fx[key] = entries.fx.length === 1 ? entries.fx[0]! : entries.fx;
    }
    const sort = sortKey(doc[key]);
    if (sort !== undefined) sx[key] = sort;
  }
  return { ix, fx, sx };
}

/** The exclusive upper bound of the strings that start with `prefix` (non-empty). */
export function prefixEnd(prefix: string): string | null {
  let p = prefix;
  while (p.length > 0) {
    const last = p.charCodeAt(p.length - 1);
    if (last < 0xffff) return p.slice(0, -1) + String.fromCharCode(last + 1);
    p = p.slice(0, -1);
  }
  return null; // every string of U+FFFF: no upper bound
}
