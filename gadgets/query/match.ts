/**
 * Compiles a validated query tree into a predicate over documents, following jIO's
 * `SimpleQuery.match` and `ComplexQuery.AND/OR/NOT` (docs/jio-compatibility.md "Matching"), with
 * the fixes listed in "What deliberately differs" there. Keys, casts of the query value and LIKE
 * patterns are resolved once, at compile time.
 *
 * Rules (numbers of docs/jio-compatibility.md "Matching"):
 * 1. operator absent or not one of `= != < <= > >=` → LIKE if the value contains `%`, else `=`
 *    (tested with `includes`, so jIO's stateful global-regexp bug cannot happen);
 * 2. a string key is looked up in `key_schema.key_set` (own entries);
 * 3. key `''`: LIKE `%value%` against every own enumerable property except `__id`, skipping falsy
 *    values; true if any matches (the operator is ignored, as in jIO);
 * 4. a missing value is false for every operator, `!=` included; `null` counts as missing (jIO
 *    threw a TypeError), and so does a cast that throws or returns `undefined`/`null`;
 * 5. arrays element-wise, `{content}` objects replaced by `content`; `null`/`undefined` elements
 *    never equal anything;
 * 6. `=`: some element with `String(e) === String(value)` (case-sensitive); `!=`: no such element;
 *    LIKE: some element matching the pattern (see like.ts, linear time);
 * 7. `< <= > >=`: first element only, plain JavaScript comparison with the query value;
 * 8. `cast_to` applies to the whole document value and to the query value; results with `cmp`
 *    are compared with it for every operator (`=`/LIKE: `cmp === 0`); `equal_match` replaces `=`
 *    and LIKE only;
 * 9. AND/OR short-circuit, NOT negates its first child; other complex operators act as AND
 *    (operator names are case-insensitive, as jIO's `/^(?:AND|OR|NOT)$/i`).
 *
 * Beyond jIO: only own properties of documents are read (jIO also saw inherited ones such as
 * `constructor`); with `=`/`!=`/LIKE every element is tried even when some have `cmp` (jIO stopped
 * at the first such element); an empty array is false for range operators (jIO threw).
 */
import { badQuery } from './fail.js';
import { fastFullText, fastLeaf } from './fast.js';
import { compileLike } from './like.js';
import { resolveKey } from './schema.js';
import type { KeySchema, QueryTree, SimpleQuery } from './types.js';
import {
  hasCmp, jsLess, jsLessOrEqual, ownValue, safeCmp, safeString, toElements,
} from './values.js';

/** A compiled query: true if the document matches. */
export type DocumentMatcher = (doc: object) => boolean;

const COMPARISON = /^(?:!?=|<=?|>=?)$/;
const LOGICAL = /^(?:AND|OR|NOT)$/i;

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like';

const matchNothing: DocumentMatcher = () => false;

function isMissing(value: unknown): boolean {
  return value === undefined || value === null;
}

/** `=` on one element (rules 6, 8). */
function elementEquals(element: unknown, value: unknown, valueString: string): boolean {
  if (isMissing(element)) return false;
  if (hasCmp(element)) return safeCmp(element, value) === 0;
  return safeString(element) === valueString;
}

function compileOperator(operator: Operator, value: unknown): (docValue: unknown) => boolean {
  const valueString = safeString(value);
  switch (operator) {
    case '=':
      return (docValue) => toElements(docValue).some((e) => elementEquals(e, value, valueString));
    case '!=':
      return (docValue) => !toElements(docValue).some((e) => elementEquals(e, value, valueString));
    case 'like': {
      const like = compileLike(valueString);
      return (docValue) => toElements(docValue).some((e) => {
        if (isMissing(e)) return false;
        if (hasCmp(e)) return safeCmp(e, value) === 0;
        return like(safeString(e));
      });
    }
    default: {
      const test = (e: unknown): boolean => {
        if (hasCmp(e)) {
          const c = safeCmp(e, value);
          if (c === undefined) return false;
          return operator === '<' ? c < 0 : operator === '<=' ? c <= 0 : operator === '>' ? c > 0 : c >= 0;
        }
        switch (operator) {
          case '<': return jsLess(e, value);
          case '<=': return jsLessOrEqual(e, value);
          case '>': return jsLess(value, e);
          default: return jsLessOrEqual(value, e);
        }
      };
      return (docValue) => {
        const first = toElements(docValue)[0];
        return !isMissing(first) && test(first);
      };
    }
  }
}

function compileSimple(query: SimpleQuery, schema: KeySchema | undefined): DocumentMatcher {
  const rawOperator = query.operator as unknown;
  const value: unknown = query.value;
  let operator: Operator;
  if (typeof rawOperator === 'string' && COMPARISON.test(rawOperator)) operator = rawOperator as Operator;
  else operator = safeString(value).includes('%') ? 'like' : '=';

  const key = resolveKey(query.key, schema);
  if (key.kind === 'fulltext') {
    const pattern = `%${safeString(value)}%`;
    const like = compileLike(pattern);
    return fastFullText(pattern, like, (docValue) => toElements(docValue).some((element) => !isMissing(element)
      && (hasCmp(element) ? safeCmp(element, pattern) === 0 : like(safeString(element)))));
  }

  const { read_from: readFrom, cast, equal_match: equalMatch } = key;
  let queryValue = value;
  if (cast) {
    try {
      queryValue = cast(value);
    } catch {
      return matchNothing;
    }
    if (isMissing(queryValue)) return matchNothing;
  }
  const test = equalMatch && (operator === '=' || operator === 'like')
    ? (docValue: unknown) => Boolean(equalMatch(docValue, queryValue))
    : compileOperator(operator, queryValue);
  if (!cast && !(equalMatch && (operator === '=' || operator === 'like'))) {
    const valueString = safeString(value);
    return fastLeaf(readFrom, operator, value, valueString, operator === 'like' ? compileLike(valueString) : null, test);
  }
  return (doc) => {
    let docValue = ownValue(doc, readFrom);
    if (isMissing(docValue)) return false;
    if (cast) {
      try {
        docValue = cast(docValue);
      } catch {
        return false;
      }
      if (isMissing(docValue)) return false;
    }
    return test(docValue);
  };
}

function compileNode(node: QueryTree, schema: KeySchema | undefined): DocumentMatcher {
  if (node.type === 'simple') return compileSimple(node, schema);
  const raw = node.operator as unknown;
  const operator = typeof raw === 'string' && LOGICAL.test(raw) ? raw.toUpperCase() : 'AND';
  const children = (node.query_list ?? []).map((child) => compileNode(child, schema));
  if (operator === 'NOT') {
    if (!children.length) throw badQuery('Invalid query: a NOT query needs one query in its query_list');
    const child = children[0];
    return (doc) => !child(doc);
  }
  if (operator === 'OR') {
    if (children.length === 2) {
      const [a, b] = children;
      return (doc) => a(doc) || b(doc);
    }
    return (doc) => {
      for (const child of children) if (child(doc)) return true;
      return false;
    };
  }
  if (children.length === 2) {
    const [a, b] = children;
    return (doc) => a(doc) && b(doc);
  }
  return (doc) => {
    for (const child of children) if (!child(doc)) return false;
    return true;
  };
}

/**
 * Compiles a tree already checked by `validateTree` and a key_schema already checked by
 * `checkKeySchema` into a `DocumentMatcher` (docs/jio-compatibility.md "Matching"). Non-object
 * documents never match. Throws the key errors of `resolveKey` and a 400 for a NOT query with an
 * empty query_list.
 */
export function compileTree(tree: QueryTree, schema: KeySchema | undefined): DocumentMatcher {
  const matcher = compileNode(tree, schema);
  return (doc) => typeof doc === 'object' && doc !== null && matcher(doc);
}
