/**
 * What a document contributes to the IndexedDB indexes of an indexed key, computed at write
 * time. The query planner (planner.ts) only narrows the documents to read; every candidate is
 * then checked with the full jIO matcher, so an index entry may be a superset but must never
 * miss a document that matches. The entries follow jIO's rules (jio.md §2.3):
 * - `=` compares `String(element)` with the query text: strings are stored as they are, numbers
 *   as numbers (found when the query text is the number's canonical string), booleans and other
 *   objects as their string;
 * - ranges compare the raw first element with the query text (JS `<`): numbers as numbers,
 *   strings as strings, booleans as the numbers 1 and 0; every element is stored (a superset);
 * - LIKE is case-insensitive as a regexp's `i` flag: the `fx` entries hold each element's string
 *   with every code unit canonicalized (upper-cased as ECMA-262 Canonicalize does), so a LIKE
 *   pattern starting with literal text becomes a key range over them.
 * `null`/`undefined` elements never match in jIO and are not stored.
 */
import { canonicalize } from '../query/like.js';
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

/** `text` with every UTF-16 code unit canonicalized as a case-insensitive regexp does. */
export function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += String.fromCharCode(canonicalize(text.charCodeAt(i)));
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
    } else if (typeof e === 'boolean') {
      ix.push(String(e), e ? 1 : 0);
    } else {
      ix.push(asString(e));
    }
    fx.push(fold(asString(e)));
  }
  return { ix, fx };
}

/** The index fields to store beside `doc` for the indexed `keys`. */
export function indexFields(doc: Doc, keys: readonly string[]): { ix: Record<string, IDBValidKey[]>; fx: Record<string, string[]> } {
  const ix: Record<string, IDBValidKey[]> = {};
  const fx: Record<string, string[]> = {};
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(doc, key)) continue;
    const entries = indexEntries(doc[key]);
    if (entries.ix.length > 0) {
      ix[key] = entries.ix;
      fx[key] = entries.fx;
    }
  }
  return { ix, fx };
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
