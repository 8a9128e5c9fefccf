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
import { hasCmp, isPlainObject, ownValue, safeCmp } from './values.js';

/** A comparator over documents, for `Array.prototype.sort`. */
export type DocumentComparator = (a: object, b: object) => number;

type Reader = (doc: object) => unknown[];

/** The elements a document sorts by, for one key (jIO's `metadataValueToStringArray`). */
function makeReader(key: string, schema: KeySchema | undefined): Reader {
  const resolved = resolveKey(key, schema);
  const readFrom = resolved.kind === 'fulltext' ? '' : resolved.read_from;
  const cast = resolved.kind === 'property' ? resolved.cast : undefined;
  return (doc) => {
    let value = ownValue(doc, readFrom);
    if (value === undefined) return [];
    if (cast) {
      try {
        value = cast(value);
      } catch {
        return [];
      }
      if (value === undefined) return [];
    }
    const list = Array.isArray(value) ? value : [value];
    return list.map((element) => {
      if (isPlainObject(element) && !hasCmp(element)) return element.content;
      return element;
    });
  };
}

/** Compares two element arrays; `direction` is -1 ascending, 1 descending (jIO's `result`). */
function compareElements(a: unknown[], b: unknown[], direction: number): number {
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

/**
 * Builds the comparator for `sort_on` = `[[key, "ascending" | "descending"], …]`
 * ("Sort, limit, select"). Throws a 400 `RtcError` named `TypeError`:
 * `jioquery.sortOn(): Argument 1 is not of type 'array'` when `sort_on` is not an array,
 * `Query.sortFunction(): Argument 2 must be 'ascending' or 'descending'` for a bad direction (jIO's
 * messages), `Query.sortFunction(): Argument 1 must be a string` for a bad entry or key; plus the
 * key errors of `resolveKey`. Values read from each document are cached per document (WeakMap), so
 * casts run once.
 */
export function buildComparator(sortOn: unknown, schema: KeySchema | undefined): DocumentComparator {
  if (!Array.isArray(sortOn)) throw queryTypeError("jioquery.sortOn(): Argument 1 is not of type 'array'");
  const keys = sortOn.map((entry: unknown) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      throw queryTypeError('Query.sortFunction(): Argument 1 must be a string');
    }
    const direction = entry[1];
    if (direction !== 'ascending' && direction !== 'descending') {
      throw queryTypeError("Query.sortFunction(): Argument 2 must be 'ascending' or 'descending'");
    }
    const read = makeReader(entry[0], schema);
    const cache = new WeakMap<object, unknown[]>();
    const cachedRead = (doc: object): unknown[] => {
      if (typeof doc !== 'object' || doc === null) return [];
      let values = cache.get(doc);
      if (!values) {
        values = read(doc);
        cache.set(doc, values);
      }
      return values;
    };
    return { read: cachedRead, direction: direction === 'ascending' ? -1 : 1 };
  });
  return (a, b) => {
    for (const key of keys) {
      const result = compareElements(key.read(a), key.read(b), key.direction);
      if (result !== 0) return result;
    }
    return 0;
  };
}
