/**
 * Query tree → query string, in the layout of jIO's `Query.objectToSearchText`
 * (docs/jio-compatibility.md "JSON form"): simple `key: op "value"` (`key: ` omitted for full text,
 * `op` omitted when absent), complex `( a OP b OP c )`, `NOT ( a )`; e.g.
 * `NOT(a:=b OR c:% AND d:<2)` → `NOT ( ( a: = "b" OR ( c:  "%" AND d: < "2" ) ) )`.
 *
 * Unlike jIO it escapes `"` inside values (`\"`, the only escape the lexer knows), writes a value
 * that ends with a backslash as a bare word (a quoted one cannot end with `\`), writes the empty
 * AND (match-all) as the empty string, and refuses (400) what the language cannot express
 * instead of printing something that parses differently.
 */
import { badQuery } from './fail.js';
import { isWord } from './tokens.js';
import type { QueryTree, SimpleQuery } from './types.js';
import { validateTree } from './validate.js';

const COMPARISON = /^(?:!?=|<=?|>=?)$/;
const LOGICAL = /^(?:AND|OR|NOT)$/i;

function stringifyValue(value: string): string {
  if (!value.endsWith('\\')) return `"${value.replace(/"/g, '\\"')}"`;
  if (isWord(value)) return value;
  throw badQuery(`Query value cannot be written in the query language: ${JSON.stringify(value)} `
    + '(a quoted value cannot end with a backslash)');
}

function stringifySimple(query: SimpleQuery): string {
  if (typeof query.key !== 'string') {
    throw badQuery('A query whose key is a key object cannot be written in the query language; '
      + 'use a key_set alias instead');
  }
  if (query.key !== '' && !isWord(query.key)) {
    throw badQuery(`Query key cannot be written in the query language: ${JSON.stringify(query.key)}`);
  }
  const operator = typeof query.operator === 'string' && COMPARISON.test(query.operator) ? query.operator : '';
  return `${query.key ? `${query.key}: ` : ''}${operator} ${stringifyValue(String(query.value))}`;
}

function stringifyNode(node: QueryTree, top: boolean): string {
  if (node.type === 'simple') return stringifySimple(node);
  const raw = node.operator as unknown;
  const operator = typeof raw === 'string' && LOGICAL.test(raw) ? raw.toUpperCase() : 'AND';
  const list = node.query_list ?? [];
  if (operator === 'NOT') {
    if (!list.length) throw badQuery('A NOT query needs one query in its query_list');
    return `NOT ( ${stringifyNode(list[0], false)} )`;
  }
  if (!list.length) {
    if (top && operator === 'AND') return '';
    throw badQuery(`An empty ${operator} query cannot be written in the query language`);
  }
  return `( ${list.map((child) => stringifyNode(child, false)).join(` ${operator} `)} )`;
}

/**
 * Writes a (validated) query tree as a string that `parseQueryString` turns back into the same
 * tree, for every tree the parser produces. Other trees get an equivalent string (single-child
 * lists lose their parentheses, unknown operators are written as their effective ones).
 * Throws a 400 `RtcError` for malformed trees and for what has no string form: key objects, keys
 * that are not single words, values ending in a backslash that are not single words, empty OR or
 * NOT queries and empty AND queries below the top.
 */
export function stringifyTree(tree: unknown): string {
  return stringifyNode(validateTree(tree), true);
}
