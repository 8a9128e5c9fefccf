/**
 * Recursive-descent parser equivalent to jIO's jison grammar (docs/jio-compatibility.md "Grammar"):
 *
 * ```
 * begin              : search_text EOF
 * search_text        : and_expression
 *                    | and_expression search_text        → AND(a, rest)   (implicit AND)
 *                    | and_expression OR search_text     → OR(a, rest)
 * and_expression     : boolean_expression
 *                    | boolean_expression AND and_expression → AND(a, b)
 * boolean_expression : NOT expression → NOT(e)  |  expression
 * expression         : "(" search_text ")" | WORD ":" expression | value
 * value              : OPERATOR string | string
 * string             : WORD | QUOTE QUOTED_STRING QUOTE
 * ```
 *
 * Tree building follows jIO's actions: keyless leaves get `key: ""`; `operator` only when written;
 * `WORD ":" e` sets the key on every still-keyless leaf of `e` (so `a:b:c` has key `b` and
 * `k:(x OR y)` distributes `k`); a complex child with the same operator as its parent is
 * flattened into it; `NOT` of a `NOT` yields the inner child; only `\"` is unescaped in quoted
 * strings. The right-recursive lists are parsed with loops and folded from the right, so long
 * queries neither overflow the stack nor cost quadratic time.
 */
import { badQuery } from './fail.js';
import { Lexer, countLineBreaks, showPosition, type Token, type TokenType } from './tokens.js';
import type { ComparisonOperator, ComplexQuery, QueryTree, SimpleQuery } from './types.js';

/** Longest query string accepted, in UTF-16 code units (64 KiB). */
export const MAX_QUERY_LENGTH = 65536;
/** Deepest nesting accepted (parentheses while parsing, complex levels in a tree). */
export const MAX_QUERY_DEPTH = 64;

const EXPRESSION_START: ReadonlySet<TokenType> = new Set<TokenType>(['LEFT_PARENTHESE', 'WORD', 'OPERATOR', 'QUOTE']);
const BOOLEAN_START: ReadonlySet<TokenType> = new Set<TokenType>(['NOT', ...EXPRESSION_START]);

function mkSimple(value: string): SimpleQuery {
  return { type: 'simple', key: '', value };
}

/** Appends `node` to `reversed`, spliced in (reversed) when it is a complex query with `operator`. */
function pushFlattenedReversed(reversed: QueryTree[], node: QueryTree, operator: 'AND' | 'OR'): void {
  if (node.type === 'complex' && node.operator === operator) {
    for (let i = node.query_list.length - 1; i >= 0; i -= 1) reversed.push(node.query_list[i]);
  } else {
    reversed.push(node);
  }
}

/** Right fold of `items[0] sep[0] items[1] sep[1] …` with jIO's `mkComplexQuery` flattening. */
function foldRight(items: QueryTree[], separators: Array<'AND' | 'OR'>): QueryTree {
  let acc = items[items.length - 1];
  let i = items.length - 2;
  while (i >= 0) {
    const operator = separators[i];
    const reversed: QueryTree[] = [];
    pushFlattenedReversed(reversed, acc, operator);
    while (i >= 0 && separators[i] === operator) {
      pushFlattenedReversed(reversed, items[i], operator);
      i -= 1;
    }
    reversed.reverse();
    acc = { type: 'complex', operator, query_list: reversed } as ComplexQuery;
  }
  return acc;
}

/** jIO's `simpleQuerySetKey`: sets `key` on every keyless leaf (iteratively). */
function setKey(root: QueryTree, key: string): void {
  const stack: QueryTree[] = [root];
  while (stack.length) {
    const node = stack.pop() as QueryTree;
    if (node.type === 'complex') {
      for (const child of node.query_list) stack.push(child);
    } else if (!node.key) {
      node.key = key;
    }
  }
}

class Parser {
  private readonly input: string;
  private readonly lexer: Lexer;
  private lookahead: Token[] = [];
  private depth = 0;
  /** End of the last consumed token (jison reports the line of the last shifted token). */
  private lastEnd = 0;

  constructor(input: string) {
    this.input = input;
    this.lexer = new Lexer(input);
  }

  parse(): QueryTree {
    const tree = this.searchText();
    this.expect('EOF', ['EOF', 'OR', 'AND', ...BOOLEAN_START]);
    return tree;
  }

  private peek(offset = 0): Token {
    while (this.lookahead.length <= offset) this.lookahead.push(this.lexer.next());
    return this.lookahead[offset];
  }

  private shift(): Token {
    const token = this.peek();
    this.lookahead.shift();
    this.lastEnd = token.end;
    return token;
  }

  private expect(type: TokenType, expected: Iterable<TokenType>): Token {
    if (this.peek().type !== type) throw this.error(expected);
    return this.shift();
  }

  private error(expected: Iterable<TokenType>): Error {
    const token = this.peek();
    const line = 1 + countLineBreaks(this.input, 0, this.lastEnd);
    const list = [...new Set(expected)].map((t) => `'${t}'`).join(', ');
    return badQuery(`Parse error on line ${line}:\n${showPosition(this.input, token.start, token.end)}\n`
      + `Expecting ${list}, got '${token.type}'`);
  }

  private searchText(): QueryTree {
    const items: QueryTree[] = [this.andExpression()];
    const separators: Array<'AND' | 'OR'> = [];
    for (;;) {
      const type = this.peek().type;
      if (type === 'OR') {
        this.shift();
        separators.push('OR');
      } else if (BOOLEAN_START.has(type)) {
        separators.push('AND');
      } else {
        break;
      }
      items.push(this.andExpression());
    }
    return foldRight(items, separators);
  }

  private andExpression(): QueryTree {
    const items: QueryTree[] = [this.booleanExpression()];
    const separators: Array<'AND' | 'OR'> = [];
    while (this.peek().type === 'AND') {
      this.shift();
      separators.push('AND');
      items.push(this.booleanExpression());
    }
    return foldRight(items, separators);
  }

  private booleanExpression(): QueryTree {
    if (this.peek().type === 'NOT') {
      this.shift();
      const query = this.expression(EXPRESSION_START);
      // jIO's mkNotQuery
      if (query.type === 'complex' && query.operator === 'NOT') return query.query_list[0];
      return { type: 'complex', operator: 'NOT', query_list: [query] };
    }
    return this.expression(BOOLEAN_START);
  }

  private expression(expected: Iterable<TokenType>): QueryTree {
    const keys: string[] = [];
    while (this.peek().type === 'WORD' && this.peek(1).type === 'DEFINITION') {
      keys.push(this.shift().text);
      this.shift();
      expected = EXPRESSION_START;
    }
    let query: QueryTree;
    if (this.peek().type === 'LEFT_PARENTHESE') {
      if (this.depth >= MAX_QUERY_DEPTH) {
        throw badQuery(`Query is nested deeper than ${MAX_QUERY_DEPTH} levels`);
      }
      this.shift();
      this.depth += 1;
      query = this.searchText();
      this.expect('RIGHT_PARENTHESE', ['RIGHT_PARENTHESE', 'OR', 'AND', ...BOOLEAN_START]);
      this.depth -= 1;
    } else {
      query = this.value(expected);
    }
    // The innermost key is applied first: `a:b:c` keeps `b`.
    for (let i = keys.length - 1; i >= 0; i -= 1) setKey(query, keys[i]);
    return query;
  }

  private value(expected: Iterable<TokenType>): QueryTree {
    if (this.peek().type === 'OPERATOR') {
      const operator = this.shift().text as ComparisonOperator;
      const query = this.string(['WORD', 'QUOTE']);
      query.operator = operator;
      return query;
    }
    return this.string(expected);
  }

  private string(expected: Iterable<TokenType>): SimpleQuery {
    const token = this.peek();
    if (token.type === 'WORD') {
      this.shift();
      return mkSimple(token.text);
    }
    if (token.type === 'QUOTE') {
      this.shift();
      const text = this.expect('QUOTED_STRING', ['QUOTED_STRING']).text;
      this.expect('QUOTE', ['QUOTE']);
      return mkSimple(text.replace(/\\"/g, '"'));
    }
    throw this.error(expected);
  }
}

/**
 * Parses a non-empty query string into jIO's JSON tree
 * (docs/jio-compatibility.md "Grammar", "JSON form"). Throws a 400 `RtcError` whose message starts
 * with `Parse error on line N:` on a syntax error, and a 400 when the text is longer than
 * `MAX_QUERY_LENGTH` or nests parentheses deeper than `MAX_QUERY_DEPTH`. The empty string is
 * handled by the caller (match-all).
 */
export function parseQueryString(text: string): QueryTree {
  if (text.length > MAX_QUERY_LENGTH) {
    throw badQuery(`Query is longer than ${MAX_QUERY_LENGTH} characters`);
  }
  return new Parser(text).parse();
}
