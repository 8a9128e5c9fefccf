/**
 * jIO's `Query.exec` pipeline (docs/jio-compatibility.md "Sort, limit, select"): filter → `sort_on`
 * → `limit` → `select_list`, on a new array (jIO worked in place on the caller's array).
 */
import { badQuery, queryTypeError } from './fail.js';
import { compileTree, type DocumentMatcher } from './match.js';
import { MAX_QUERY_LENGTH, parseQueryString } from './parser.js';
import { checkKeySchema } from './schema.js';
import { sortKeys } from './sort.js';
import { sortDocuments } from './select.js';
import type { KeySchema } from './types.js';
import { validateTree } from './validate.js';
import { isPlainObject } from './values.js';

const matchAll: DocumentMatcher = (doc) => typeof doc === 'object' && doc !== null;

/**
 * Query (string, tree, `''`/`null`/`undefined` for match-all) + key_schema → matcher.
 * Strings are parsed, trees validated, the key_schema checked, all before any document is seen.
 */
export function buildMatcher(query: unknown, keySchema: unknown): DocumentMatcher {
  const schema: KeySchema | undefined = checkKeySchema(keySchema);
  if (query === undefined || query === null || query === '') return matchAll;
  if (typeof query === 'string') {
    if (query.length > MAX_QUERY_LENGTH) throw badQuery(`Query is longer than ${MAX_QUERY_LENGTH} characters`);
    return compileTree(validateTree(parseQueryString(query)), schema);
  }
  return compileTree(validateTree(query), schema);
}

/**
 * `limit: [skip, count?]` as jIO ("Sort, limit, select"): drops `skip` items, then keeps `count`
 * items if `count` is truthy — so `[n, 0]` keeps everything after the first `n` (faithful). Returns
 * a new array. `[]` is a no-op. Throws a 400 `RtcError` named `TypeError` if `limit` is not an
 * array (`jioquery.limit(): Argument 1 is not of type 'array'`), and a 400 if an element is not a
 * non-negative integer or there are more than two (jIO let `splice` coerce them: a negative
 * count removed items from the end).
 */
export function limitArray<T>(array: readonly T[], limit: unknown): T[] {
  if (!Array.isArray(array)) throw queryTypeError("jioquery.limit(): Argument 2 is not of type 'array'");
  if (!Array.isArray(limit)) throw queryTypeError("jioquery.limit(): Argument 1 is not of type 'array'");
  if (limit.length > 2) throw badQuery('limit must be [skip] or [skip, count]');
  for (const n of limit) {
    if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0)) {
      throw badQuery('limit must be [skip] or [skip, count] with non-negative integers');
    }
  }
  const skip = (limit[0] as number | undefined) ?? 0;
  const count = limit[1] as number | undefined;
  return count ? array.slice(skip, skip + count) : array.slice(skip);
}

/** Checks a `select_list`: an array of strings, else a 400 `RtcError` named `TypeError`. */
export function checkSelectList(selectList: unknown): readonly string[] {
  if (!Array.isArray(selectList)) throw queryTypeError('jioquery.select(): Argument 1 is not of type Array');
  for (const key of selectList) {
    if (typeof key !== 'string') throw queryTypeError('jioquery.select(): select_list must only hold strings');
  }
  return selectList as readonly string[];
}

/**
 * A new object with the listed keys that `doc` owns ("Sort, limit, select"), in list order;
 * `{}` if it has none of them. Deliberately NOT jIO's quirk of returning the whole document
 * when none of the keys is present. `doc` and `selectList` are never modified.
 */
export function pickKeys(doc: object, selectList: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of selectList) {
    if (!Object.prototype.hasOwnProperty.call(doc, key)) continue;
    const value = (doc as Record<string, unknown>)[key];
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The whole pipeline; see `execQuery` in gadgets/query.ts for the contract. */
export function runQuery(query: unknown, docs: unknown, options: unknown): object[] {
  if (!Array.isArray(docs)) throw queryTypeError("Query().exec(): Argument 1 is not of type 'array'");
  if (options !== undefined && options !== null && !isPlainObject(options)) {
    throw queryTypeError("Query().exec(): Optional argument 2 is not of type 'object'");
  }
  const opts = (options ?? {}) as Record<string, unknown>;
  for (const doc of docs) {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw badQuery('Query().exec(): every document must be an object');
    }
  }
  const keySchema = opts.key_schema;
  const match = buildMatcher(query, keySchema);
  const schema = checkKeySchema(keySchema);
  const keys = opts.sort_on === undefined || opts.sort_on === null ? null : sortKeys(opts.sort_on, schema);
  const selectList = opts.select_list === undefined || opts.select_list === null
    ? undefined : checkSelectList(opts.select_list);
  const hasLimit = opts.limit !== undefined && opts.limit !== null;
  if (hasLimit) limitArray([], opts.limit); // validate before the work
  // skip + count of a limit that truncates: an unsorted filter may stop there, a sort keep only that many.
  const limit = opts.limit as number[] | undefined;
  const end = hasLimit && limit![1] ? (limit![0] ?? 0) + limit![1] : null;

  const list = docs as object[];
  let out: object[] = [];
  const stop = keys && keys.length > 0 ? Infinity : end ?? Infinity;
  if (match === matchAll) out = list.slice(0, stop);
  else {
    for (let i = 0; i < list.length && out.length < stop; i += 1) if (match(list[i])) out.push(list[i]);
  }
  if (keys) out = sortDocuments(out, keys, end);
  if (hasLimit) out = limitArray(out, opts.limit);
  if (selectList) return out.map((doc) => pickKeys(doc, selectList));
  return out;
}
