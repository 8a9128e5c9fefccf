/**
 * `rtc-gadgets/query.js`: the jIO query language (reference: docs/jio-compatibility.md
 * "The query language"), DOM-free and without dependencies, usable in browsers and in Node.
 *
 * ```js
 * import { execQuery } from 'rtc-gadgets/query.js';
 * execQuery('type:person', docs, { sort_on: [['name', 'descending']], limit: [0, 20], select_list: ['name'] });
 * ```
 *
 * Every error is an `RtcError` with `status_code` 400 (bad request); the ones jIO raises as
 * `TypeError` (key_schema, sort direction, option types) keep the name `TypeError`.
 *
 * Deliberate differences from jIO (docs/jio-compatibility.md "What deliberately differs",
 * and choices documented on each function):
 * - LIKE runs without a backtracking regexp: linear time for `%` patterns, at most
 *   text × ⌈segment/32⌉ steps for segments with `_` (query/like.ts), so hostile patterns such
 *   as `%a%a%a%a%a%a%a%b` cannot stall a master (short `abc%`, `%abc%`… patterns use literal
 *   RegExps of at most 32 characters, no more than text × 32 steps);
 * - no stateful global-regexp bug: `name:"%"` is LIKE for every document;
 * - a `null` document value does not match (jIO threw a TypeError), for every operator;
 * - only own properties of documents are read;
 * - `select_list` keeps only the listed keys a document has, `{}` if none (jIO returned the whole
 *   document when it had none of them) and never touches the caller's array;
 * - `execQuery` returns a new array and never mutates `docs` (jIO filtered and sorted in place);
 * - unknown `cast_to`/`equal_match` names, malformed trees, options and key_schemas are reported
 *   (400) instead of matching nothing or crashing later;
 * - key_schema and key objects are checked when the query is compiled, not per document;
 * - text no lexer rule knows (a lone `!`) gets the `Parse error on line N:` prefix too (jIO:
 *   `Lexical error on line N. Unrecognized text.`);
 * - `JIODate` parses only the documented formats, as a whole string (see its docstring);
 * - bounded work: query strings up to 65 536 characters, trees up to 64 nested complex queries
 *   and 65 536 nodes.
 * Surprising but faithful: `limit: [n, 0]` does not truncate; range operators compare raw
 * JavaScript values with the query string unless a cast is declared (`"5" < "10"` is false);
 * `and`/`or`/`not` in lower case are plain words; `NOT NOT a` is a syntax error.
 */
import { badQuery } from './query/fail.js';
import {
  buildMatcher, checkSelectList, limitArray, pickKeys, runQuery,
} from './query/exec.js';
import { JIODate } from './query/jiodate.js';
import { parseQueryString } from './query/parser.js';
import { checkKeySchema } from './query/schema.js';
import { buildComparator } from './query/sort.js';
import { stringifyTree } from './query/stringify.js';
import type {
  ComplexQuery, ExecOptions, KeySchema, Limit, QueryTree, SortOn,
} from './query/types.js';
import { validateTree } from './query/validate.js';

export { JIODate };
export type { Precision } from './query/jiodate.js';
export type {
  CastFunction, ComparisonOperator, ComplexQuery, EqualMatchFunction, ExecOptions, KeyObject,
  KeySchema, Limit, LogicalOperator, QueryTree, SimpleQuery, SortDirection, SortOn,
} from './query/types.js';

/**
 * Parses a query string into jIO's JSON tree (docs/jio-compatibility.md "Grammar", "JSON form").
 *
 * - `'title:"Doc 1"'` → `{type: 'simple', key: 'title', value: 'Doc 1'}` (`operator` only when
 *   written: `'year:<2000'` → `{…, operator: '<'}`);
 * - `'a b OR c'` → `AND(a, OR(b, c))`; `'a AND b OR c'` → `OR(AND(a, b), c)`; same-operator
 *   children are flattened; `'NOT a b'` → `AND(NOT(a), b)`; `'NOT (NOT a)'` → `a`;
 *   `'k:(x OR y)'` gives both leaves key `k`; `'a:b:c'` has key `b`; keyless terms have key `''`;
 * - `''` → `{type: 'complex', operator: 'AND', query_list: []}`, the match-all query (jIO's
 *   `QueryFactory.create("")`); a blank but non-empty string is a syntax error, as in jIO.
 *
 * Throws a 400 `RtcError`: `Parse error on line N:` + position + expected tokens for syntax errors
 * (text no lexer rule knows, such as a lone `!`, gets the same prefix where jIO said
 * `Lexical error on line N. Unrecognized text.`); a non-string argument; more than 65 536
 * characters; more than 64 nested levels.
 */
export function parseQuery(text: string): QueryTree {
  if (typeof text !== 'string') throw badQuery('parseQuery(): the query must be a string');
  if (text === '') return { type: 'complex', operator: 'AND', query_list: [] } as ComplexQuery;
  return validateTree(parseQueryString(text));
}

/**
 * Writes a query tree as a query string, in jIO's `objectToSearchText` layout
 * (docs/jio-compatibility.md "JSON form"): `NOT(a:=b OR c:% AND d:<2)` parses to a tree written
 * `NOT ( ( a: = "b" OR ( c:  "%" AND d: < "2" ) ) )`. `parseQuery(stringifyQuery(t))` deep-equals
 * `t` for every tree `parseQuery` returns (the match-all tree is written `''`). For other trees the
 * string is equivalent, not identical (single-child lists lose their parentheses; unknown operators
 * are written as their effective ones; number values become strings).
 *
 * Differences from jIO: `"` in values is escaped (`\"`); a value ending in `\` is written as a
 * bare word (a quoted value cannot end with a backslash). Throws a 400 `RtcError` for malformed
 * trees and for what the language cannot express: key objects, keys that are not single words
 * (spaces, quotes, `:`, parentheses, `AND`…), values ending in `\` that are not single words,
 * empty OR/NOT queries and empty AND queries below the top.
 */
export function stringifyQuery(tree: QueryTree): string {
  return stringifyTree(tree);
}

/**
 * Compiles a query once to match many documents (docs/jio-compatibility.md "Matching"): for the
 * storage layer, which runs it over `{id, doc}` records itself. `query`: a string (parsed), a tree
 * (validated: it may come from an untrusted peer), or `''`/`null`/`undefined` for match-all.
 * `key_schema`: jIO's ("key_schema" there). The returned function never throws (casts that throw
 * just do not match) unless a key_schema `equal_match` function does; non-objects never match.
 *
 * Throws a 400 `RtcError`: syntax errors as `parseQuery`, malformed trees (`Invalid query at
 * query_list[1]: value must be a string or a finite number`…), too long/deep/large queries, and
 * (named `TypeError`) jIO's key_schema errors — `Query().create(): key_schema is not of type
 * 'object'`, `… has no 'key_set' property`, `… has unknown property 'x'`, `Custom key is missing
 * the read_from property`, `Custom key has unknown property 'x'` — plus unknown `cast_to` /
 * `equal_match` names. All checks happen here, before any document is seen (jIO checked key
 * objects only while matching).
 */
export function compileQuery(query: string | QueryTree | null | undefined, key_schema?: KeySchema | null): (doc: object) => boolean {
  return buildMatcher(query, key_schema);
}

/**
 * Builds the comparator of `sort_on` = `[[key, 'ascending' | 'descending'], …]`
 * (docs/jio-compatibility.md "Sort, limit, select"), for
 * `array.sort(compareSortOn(sort_on, key_schema))` (stable: ties keep the input order). Values are
 * compared element-wise with raw `<`/`>` (numbers numerically, strings lexicographically,
 * `{content}` objects by `content`); a document missing the key sorts first ascending and last
 * descending; `null` counts as present; ties fall through to the next key. Keys may be key_set
 * aliases; a `cast_to` is applied before comparing, and cast results with `cmp` (JIODate) are
 * compared with it ("key_schema" there).
 *
 * Throws a 400 `RtcError` named `TypeError`: `Query.sortFunction(): Argument 2 must be
 * 'ascending' or 'descending'` (jIO's message), `jioquery.sortOn(): Argument 1 is not of type
 * 'array'`, a bad entry, or a bad key_schema (as `compileQuery`).
 */
export function compareSortOn(sort_on: SortOn, key_schema?: KeySchema | null): (a: object, b: object) => number {
  return buildComparator(sort_on, checkKeySchema(key_schema));
}

/**
 * Applies `limit` = `[skip]` or `[skip, count]` (docs/jio-compatibility.md "Sort, limit, select")
 * and returns a new array: drops `skip` items, then keeps the first `count` if `count` is truthy.
 * Faithful to jIO, `[n, 0]` does not truncate (it keeps everything after the first `n`). The input
 * array is not modified. Throws a 400 `RtcError` (named `TypeError` when `limit` is not an array)
 * unless the elements are non-negative integers, at most two.
 */
export function applyLimit<T>(array: readonly T[], limit: Limit): T[] {
  return limitArray(array, limit);
}

/**
 * One document through `select_list` (docs/jio-compatibility.md "Sort, limit, select"): a new
 * object holding the listed keys the document owns, in list order, and `{}` if it owns none of
 * them. Deliberate difference: jIO returned the whole document when it had none of the keys.
 * Neither argument is modified. Throws a 400 `RtcError` named `TypeError` if `select_list` is not
 * an array of strings.
 */
export function selectKeys(doc: object, select_list: readonly string[]): Record<string, unknown> {
  return pickKeys(doc, checkSelectList(select_list));
}

/**
 * Runs a query over documents as jIO's `Query.exec` (docs/jio-compatibility.md
 * "Sort, limit, select"): filter, then `sort_on`, then `limit`, then `select_list`, and returns a
 * NEW array. `query`: string, tree or `''`/`null`/`undefined` (match-all). `docs` is never mutated,
 * nor are its documents or the options; without `select_list` the result holds the input document
 * objects themselves, with it new objects made by `selectKeys` (`select_list: []` gives `{}` for
 * each match). `null`/`undefined` options are ignored; `sort_on: []` and `limit: []` are no-ops.
 *
 * Throws a 400 `RtcError` for any bad input before doing any work: everything `compileQuery`,
 * `compareSortOn`, `applyLimit` and `selectKeys` throw, and (named `TypeError`)
 * `Query().exec(): Argument 1 is not of type 'array'` / `Optional argument 2 is not of type
 * 'object'`; a document that is not an object is a 400 too.
 */
export function execQuery<T extends object>(
  query: string | QueryTree | null | undefined, docs: readonly T[],
  options?: ExecOptions & { select_list?: null }): T[];
export function execQuery(
  query: string | QueryTree | null | undefined, docs: readonly object[],
  options?: ExecOptions): Array<Record<string, unknown>>;
export function execQuery(
  query: string | QueryTree | null | undefined, docs: readonly object[],
  options?: ExecOptions): object[] {
  return runQuery(query, docs, options);
}
