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
 * - LIKE is case-insensitive as a regexp's `i` flag (each code unit compared after ECMA-262
 *   Canonicalize, query/like.ts): a pattern starting with literal text matches only strings
 *   starting with one of its case variants ({@link caseVariants}: the code units that
 *   canonicalize alike, e.g. `pa` → `PA`, `Pa`, `pA`, `pa`), so a LIKE plan reads those prefix
 *   ranges of the same `ix` entries (planner.ts), and every number of the key (the matcher
 *   checks them). No folded copy is stored: an index entry per string less on every write
 *   (bench `cities import`).
 * `null`/`undefined` elements never match in jIO and are not stored.
 *
 * What `sort_on` compares (query/sort.ts) is {@link sortKey}: the value's only element when it is
 * a number or a string (`5`, `"a"`, `[5]`, `{content: 5}`), else {@link SORT_OTHER}; nothing when
 * the document has no such key. That is then the document's lone `ix` entry, so it is not stored
 * again: a second entry per key, `ox` (one per document, not multi-entry), holds the sort key only
 * where it is not the lone `ix` entry (arrays, booleans, null, objects, NaN). Over numbers alone
 * or strings alone, IndexedDB's key order is jIO's sort order, so `sort_on` + `limit` can be read
 * from the `ix:<key>` index when `ox:<key>` is empty (query-runner.ts `readSorted` says when).
 * Databases written before (an `sx:<key>` index holding every sort key, an `fx:<key>` index of
 * folded strings) get the entries of this module in an upgrade (schema.ts).
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

/** For a canonical code unit ≥ 128: every code unit that canonicalizes to it, when that is more than itself. Built on first use. */
let sameFold: Map<number, number[]> | null = null;

function sameFoldTable(): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let code = 128; code < 0x10000; code++) {
    const target = canonicalize(code);
    if (target === code && !groups.has(target)) continue;
    let group = groups.get(target);
    if (!group) {
      group = canonicalize(target) === target ? [target] : [];
      groups.set(target, group);
    }
    if (code !== target) group.push(code);
  }
  return groups;
}

/** Every UTF-16 code unit whose Canonicalize equals that of `code` (non-ASCII units never canonicalize into ASCII). */
export function foldsTo(code: number): number[] {
  const target = canonicalize(code);
  if (target < 128) return target >= 0x41 && target <= 0x5a ? [target, target + 32] : [target];
  sameFold ??= sameFoldTable();
  return sameFold.get(target) ?? [target];
}

/** Most prefixes {@link caseVariants} gives: a LIKE plan reads one index range per prefix. */
export const CASE_VARIANTS_MAX = 32;

/**
 * The strings a case-insensitive match of `literal` can start with: each of its code units
 * replaced by every unit that canonicalizes alike ({@link foldsTo}), for as many leading units as
 * keep the count within {@link CASE_VARIANTS_MAX} (a shorter prefix reads a superset). A string
 * matches `literal` case-insensitively at its start only if it starts with one of them.
 * @returns the prefixes, each non-empty; [] when even the first unit has too many variants.
 */
export function caseVariants(literal: string): string[] {
  let prefixes = [''];
  for (let i = 0; i < literal.length; i++) {
    const units = foldsTo(literal.charCodeAt(i));
    if (prefixes.length * units.length > CASE_VARIANTS_MAX) break;
    prefixes = prefixes.flatMap((p) => units.map((u) => p + String.fromCharCode(u)));
  }
  return prefixes[0] === '' ? [] : prefixes;
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

/** The `ix` entries (equality, range and LIKE) of one value (see the module docs). */
export function indexEntries(value: unknown): IDBValidKey[] {
  const ix: IDBValidKey[] = [];
  if (value === undefined || value === null) return ix;
  for (const e of elementsOf(value)) {
    if (e === undefined || e === null) continue;
    if (typeof e === 'number') ix.push(Number.isNaN(e) ? 'NaN' : e);
    else if (typeof e === 'boolean') ix.push(String(e), e ? 1 : 0);
    else ix.push(typeof e === 'string' ? e : asString(e));
  }
  return ix;
}

/** The sort key of a value that sort_on cannot order with IndexedDB's key order (arrays sort after every number and string). */
export const SORT_OTHER: IDBValidKey = [0];

/** What sort_on compares of a present value (see the module docs); undefined when it reads nothing from it. */
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

/** The index entries stored beside a document (schema.ts `DocumentRecord`); an empty field is left out. */
export interface IndexFields {
  ix?: Record<string, IDBValidKey>;
  ox?: Record<string, IDBValidKey>;
}

/**
 * The index fields to store beside `doc` for the indexed `keys` (see the module docs). A key's
 * `ix` entries are an array, or the entry alone when there is one (a multiEntry index reads a
 * lone key as an array of one: the same index entries, one object less to build and clone per
 * key and document); an empty list, and a field with no key, is left out (less to clone).
 * The fields are set on `into` (a bulkPut makes thousands of records: no spread copy), which is returned.
 */
export function indexFields<T extends object = object>(doc: Doc, keys: readonly string[], into: T = {} as T): T & IndexFields {
  let ix: Record<string, IDBValidKey> | undefined;
  let ox: Record<string, IDBValidKey> | undefined;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(doc, key)) continue;
    const value = doc[key];
    const entries = indexEntries(value);
    if (entries.length > 0) (ix ??= {})[key] = entries.length === 1 ? entries[0]! : entries;
    const sort = sortKey(value);
    if (sort !== undefined && !(entries.length === 1 && entries[0] === sort)) (ox ??= {})[key] = sort;
  }
  const out = into as T & IndexFields;
  if (ix) out.ix = ix;
  if (ox) out.ox = ox;
  return out;
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
