/**
 * Shape checks for query trees that arrive as JSON from untrusted peers (docs/jio-compatibility.md
 * "JSON form"), with bounds on the work they can cause: at most `MAX_QUERY_DEPTH` nested complex
 * queries and `MAX_QUERY_NODES` nodes. Lenient where jIO is lenient (unknown or missing complex
 * operators act as AND, unknown simple operators fall back to LIKE/`=`, extra members are ignored),
 * strict where jIO would crash or silently misbehave.
 */
import { badQuery } from './fail.js';
import { MAX_QUERY_DEPTH } from './parser.js';
import type { QueryTree } from './types.js';
import { isPlainObject } from './values.js';

/** Most nodes (simple + complex) a query tree may have. */
export const MAX_QUERY_NODES = 65536;

function where(path: string): string {
  return path ? ` at ${path}` : '';
}

/**
 * Checks that `tree` is a query tree of docs/jio-compatibility.md "JSON form" and returns it (same
 * object, now typed).
 * - simple: `key` a string or a key object (checked later against the key_schema), `value` a
 *   string or a finite number, `operator` absent or a string;
 * - complex: `operator` absent or a string, `query_list` absent or an array of trees;
 * - anything else, nesting deeper than `MAX_QUERY_DEPTH` or more than `MAX_QUERY_NODES` nodes:
 *   a 400 `RtcError` saying what is wrong and where (e.g. `at query_list[2].value`).
 */
export function validateTree(tree: unknown): QueryTree {
  let nodes = 0;
  /** `level`: number of complex queries enclosing `node`. */
  const visit = (node: unknown, path: string, level: number): void => {
    nodes += 1;
    if (nodes > MAX_QUERY_NODES) throw badQuery(`Query has more than ${MAX_QUERY_NODES} nodes`);
    if (!isPlainObject(node) || (node.type !== 'simple' && node.type !== 'complex')) {
      throw badQuery(`Invalid query${where(path)}: expected {type: "simple", key, value, operator?} `
        + 'or {type: "complex", operator, query_list}');
    }
    if (node.operator !== undefined && typeof node.operator !== 'string') {
      throw badQuery(`Invalid query${where(path)}: operator must be a string`);
    }
    if (node.type === 'simple') {
      const key = node.key;
      if (typeof key !== 'string' && !isPlainObject(key)) {
        throw badQuery(`Invalid query${where(path)}: key must be a string or a key object {read_from, cast_to?, equal_match?}`);
      }
      const value = node.value;
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
        throw badQuery(`Invalid query${where(path)}: value must be a string or a finite number`);
      }
      return;
    }
    if (level + 1 > MAX_QUERY_DEPTH) throw badQuery(`Query is nested deeper than ${MAX_QUERY_DEPTH} levels`);
    const list = node.query_list;
    if (list === undefined) return;
    if (!Array.isArray(list)) throw badQuery(`Invalid query${where(path)}: query_list must be an array`);
    for (let i = 0; i < list.length; i += 1) {
      visit(list[i], `${path ? `${path}.` : ''}query_list[${i}]`, level + 1);
    }
  };
  visit(tree, '', 0);
  return tree as QueryTree;
}
