/**
 * `sort_on` as jIO's `sortOn`/`sortFunction` (docs/jio-compatibility.md "Sort, limit, select"):
 * values compared as element arrays with raw `<`/`>`; a document missing the key sorts first
 * ascending and last descending; `null` counts as present; ties fall through to the next key, then
 * keep the input order (stable sort). Keys may be key_set aliases, and a `cast_to` is applied
 * before comparing (results with `cmp` compared with it) ("key_schema").
 */
import { queryTypeError } from './fail.js';
import { resolveKey } from './schema.js';
import type { KeySchema } from './types.js';
import { hasCmp, isPlainObject, safeCmp } from './values.js';

/** A comparator over documents, for `Array.prototype.sort`. */
export type DocumentComparator = (a: object, b: object) => number;

/**
 * The value a document sorts by, for one key: its element list (jIO's `metadataValueToStringArray`),
 * kept as the bare element when that list is one string or number (the common case, compared
 * without an array), {@link MISSING} when the document lacks the key.
 */
export type SortValue = string | number | readonly unknown[];

/** The sort value of a document without the key: no elements. */
export const MISSING: readonly unknown[] = Object.freeze([]);

/** One `sort_on` entry, ready: `read` a document's sort value; `direction` -1 ascending, 1 descending. */
export interface SortKey {
  read: (doc: object) => SortValue;
  direction: number;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** The sort value of a document for one key (`undefined` values and failed casts are missing). */
function makeReader(key: string, schema: KeySchema | undefined): (doc: object) => SortValue {
  const resolved = resolveKey(key, schema);
  const readFrom = resolved.kind === 'fulltext' ? '' : resolved.read_from;
  const cast = resolved.kind === 'property' ? resolved.cast : undefined;
  return (doc) => {
    if (typeof doc !== 'object' || doc === null) return MISSING;
    let value = (doc as Record<string, unknown>)[readFrom];
    if (value === undefined || !hasOwn.call(doc, readFrom)) return MISSING;
    if (cast) {
      try {
        value = cast(value);
      } catch {
        return MISSING;
      }
      if (value === undefined) return MISSING;
    }
    if (typeof value === 'string' || typeof value === 'number') return value;
    const list = Array.isArray(value) ? value : [value];
    const elements = list.map((element) => {
      if (isPlainObject(element) && !hasCmp(element)) return element.content;
      return element;
    });
    const only = elements[0];
    return elements.length === 1 && (typeof only === 'string' || typeof only === 'number') ? only : elements;
  };
}

/** Compares two element arrays; `direction` is -1 ascending, 1 descending (jIO's `result`). */
function compareElements(a: readonly unknown[], b: readonly unknown[], direction: number): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === undefined && y === undefined) continue;
    if (x === undefined) return direction;
    if (y === undefined) return -direction;
    if (hasCmp(x)) {
      const c = safeCmp(x, y);
      if (c !== undefined && c > 0) return -direction;
      if (c !== undefined && c < 0) return direction;
      continue;
    }
    if ((x as number) > (y as number)) return -direction;
    if ((x as number) < (y as number)) return direction;
  }
  return 0;
}

/** Compares two sort values of one key: exactly `compareElements` of their element lists. */
export function compareSortValues(x: SortValue, y: SortValue, direction: number): number {
  if (typeof x === 'object' || typeof y === 'object') {
    return compareElements(typeof x === 'object' ? x : [x], typeof y === 'object' ? y : [y], direction);
  }
  return x > y ? -direction : x < y ? direction : 0;
}

/**
 * Checks `sort_on` = `[[key, "ascending" | "descending"], …]` and resolves its keys
 * ("Sort, limit, select"). Throws as {@link buildComparator}.
 */
export function sortKeys(sortOn: unknown, schema: KeySchema | undefined): SortKey[] {
  if (!Array.isArray(sortOn)) throw queryTypeError("jioquery.sortOn(): Argument 1 is not of type 'array'");
  return sortOn.map((entry: unknown) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      throw queryTypeError('Query.sortFunction(): Argument 1 must be a string');
    }
    const direction = entry[1];
    if (direction !== 'ascending' && direction !== 'descending') {
      throw queryTypeError("Query.sortFunction(): Argument 2 must be 'ascending' or 'descending'");
    }
    return { read: makeReader(entry[0], schema), direction: direction === 'ascending' ? -1 : 1 };
  });
}

/**
 * Builds the comparator for `sort_on` = `[[key, "ascending" | "descending"], …]`
 * ("Sort, limit, select"). Throws a 400 `RtcError` named `TypeError`:
 * `jioquery.sortOn(): Argument 1 is not of type 'array'` when `sort_on` is not an array,
 * `Query.sortFunction(): Argument 2 must be 'ascending' or 'descending'` for a bad direction (jIO's
 * messages), `Query.sortFunction(): Argument 1 must be a string` for a bad entry or key; plus the
 * key errors of `resolveKey`. Values of keys with a `cast_to` are cached per document (WeakMap), so
 * casts run once; other keys are read directly (a lone string or number without allocating).
 */
export function buildComparator(sortOn: unknown, schema: KeySchema | undefined): DocumentComparator {
  const keys = sortKeys(sortOn, schema).map((key, i) => {
    const entry = (sortOn as unknown[][])[i][0] as string;
    const resolved = resolveKey(entry, schema);
    if (resolved.kind !== 'property' || !resolved.cast) return key;
    const cache = new WeakMap<object, SortValue>();
    const read = (doc: object): SortValue => {
      if (typeof doc !== 'object' || doc === null) return MISSING;
      let value = cache.get(doc);
      if (value === undefined) {
        value = key.read(doc);
        cache.set(doc, value);
      }
      return value;
    };
    return { read, direction: key.direction };
  });
  if (keys.length === 1) {
    const [{ read, direction }] = keys;
    return (a, b) => compareSortValues(read(a), read(b), direction);
  }
  return (a, b) => {
    for (const key of keys) {
      const result = compareSortValues(key.read(a), key.read(b), key.direction);
      if (result !== 0) return result;
    }
    return 0;
  };
}
