/**
 * The lexer of jIO's query language, reproducing its jison lexer rule for rule
 * (docs/jio-compatibility.md "Grammar"):
 *
 * ```
 * INITIAL:   "\""                 QUOTE, then state letsquote
 *            \s+                  skipped
 *            "(" ")"              LEFT_PARENTHESE RIGHT_PARENTHESE
 *            AND\b OR\b NOT\b     AND OR NOT   (upper case; jison appends \b to word literals)
 *            ":"                  DEFINITION
 *            !?= | <=? | >=?      OPERATOR
 *            [^\s\n"():><!=]+     WORD
 *            end of input         EOF
 * letsquote: (\\"|[^"])*          QUOTED_STRING, then state endquote
 * endquote:  "\""                 QUOTE, back to INITIAL
 * ```
 *
 * Rules are tried in that order and the first that matches wins (jison without `flex`), so
 * `AND` wins over WORD only when followed by a non-word character (`ANDROID` is a WORD,
 * `AND-x` is `AND` then `-x`). Scanning is done by hand, in linear time, and lazily (token by
 * token, as jison does), so a syntax error before a lexical error is reported first.
 */
import { badQuery } from './fail.js';

/** Token names, as jison's `terminals_` spell them. */
export type TokenType =
  | 'EOF' | 'OR' | 'AND' | 'NOT' | 'LEFT_PARENTHESE' | 'RIGHT_PARENTHESE'
  | 'WORD' | 'DEFINITION' | 'OPERATOR' | 'QUOTE' | 'QUOTED_STRING';

/** One token: its type, its text and where it sits in the input. */
export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

type LexState = 'INITIAL' | 'letsquote' | 'endquote';

/** JavaScript's `\s` (WhiteSpace and LineTerminator code points of ECMA-262). */
export function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a)
    || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f
    || code === 0x3000 || code === 0xfeff;
}

/** Regexp `\w`: `[A-Za-z0-9_]`. */
function isWordCharacter(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a)
    || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

/** Characters a WORD may contain: anything but `\s`, `"`, `(`, `)`, `:`, `>`, `<`, `!`, `=`. */
export function isWordBodyCharacter(code: number): boolean {
  return !isSpace(code) && code !== 0x22 && code !== 0x28 && code !== 0x29 && code !== 0x3a
    && code !== 0x3e && code !== 0x3c && code !== 0x21 && code !== 0x3d;
}

/** Counts line breaks as jison does (`\r\n`, `\r` and `\n` each count once). */
export function countLineBreaks(text: string, from: number, to: number): number {
  let lines = 0;
  for (let i = from; i < to; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) lines += 1;
    else if (code === 0x0d) {
      lines += 1;
      if (text.charCodeAt(i + 1) === 0x0a && i + 1 < to) i += 1;
    }
  }
  return lines;
}

/** jison's `showPosition()`: up to 20 characters before the token, the token and what follows
 * (newlines removed), then a line of dashes ending in `^` under the token. */
export function showPosition(input: string, start: number, end: number): string {
  const past = input.slice(0, start);
  const pre = ((past.length > 20 ? '...' : '') + past.slice(-20)).replace(/\n/g, '');
  let next = input.slice(start, end);
  if (next.length < 20) next += input.slice(end, end + 20 - next.length);
  const upcoming = (next.slice(0, 20) + (next.length > 20 ? '...' : '')).replace(/\n/g, '');
  return `${pre}${upcoming}\n${'-'.repeat(pre.length)}^`;
}

/** A lazy lexer over one query string. */
export class Lexer {
  private readonly input: string;
  private pos = 0;
  private state: LexState = 'INITIAL';
  private done = false;

  constructor(input: string) {
    this.input = input;
  }

  /** The next token; throws a 400 `RtcError` on text no rule recognises (a lone `!`). */
  next(): Token {
    const input = this.input;
    const length = input.length;
    if (this.done) return { type: 'EOF', text: '', start: length, end: length };
    if (this.state === 'letsquote') {
      // (\\"|[^"])*  — greedy, may be empty.
      const start = this.pos;
      let i = start;
      while (i < length) {
        const code = input.charCodeAt(i);
        if (code === 0x5c && input.charCodeAt(i + 1) === 0x22) i += 2;
        else if (code === 0x22) break;
        else i += 1;
      }
      this.pos = i;
      this.state = 'endquote';
      if (i >= length) this.done = true;
      return { type: 'QUOTED_STRING', text: input.slice(start, i), start, end: i };
    }
    if (this.state === 'endquote') {
      if (this.pos < length && input.charCodeAt(this.pos) === 0x22) {
        this.state = 'INITIAL';
        this.pos += 1;
        return { type: 'QUOTE', text: '"', start: this.pos - 1, end: this.pos };
      }
      if (this.pos >= length) {
        this.done = true;
        return { type: 'EOF', text: '', start: length, end: length };
      }
      throw this.lexicalError();
    }
    // INITIAL
    while (this.pos < length && isSpace(input.charCodeAt(this.pos))) this.pos += 1;
    const start = this.pos;
    if (start >= length) {
      this.done = true;
      return { type: 'EOF', text: '', start: length, end: length };
    }
    const code = input.charCodeAt(start);
    const token = (type: TokenType, end: number): Token => {
      this.pos = end;
      return { type, text: input.slice(start, end), start, end };
    };
    switch (code) {
      case 0x22: // "
        this.state = 'letsquote';
        return token('QUOTE', start + 1);
      case 0x28: return token('LEFT_PARENTHESE', start + 1);
      case 0x29: return token('RIGHT_PARENTHESE', start + 1);
      default: break;
    }
    for (const keyword of ['AND', 'OR', 'NOT'] as const) {
      if (input.startsWith(keyword, start)) {
        const after = start + keyword.length;
        if (after >= length || !isWordCharacter(input.charCodeAt(after))) return token(keyword, after);
      }
    }
    switch (code) {
      case 0x3a: return token('DEFINITION', start + 1); // :
      case 0x3d: return token('OPERATOR', start + 1); // =
      case 0x21: // !
        if (input.charCodeAt(start + 1) === 0x3d) return token('OPERATOR', start + 2);
        throw this.lexicalError();
      case 0x3c: // <
      case 0x3e: // >
        return token('OPERATOR', input.charCodeAt(start + 1) === 0x3d ? start + 2 : start + 1);
      default: break;
    }
    let end = start;
    while (end < length && isWordBodyCharacter(input.charCodeAt(end))) end += 1;
    return token('WORD', end);
  }

  private lexicalError(): Error {
    const line = 1 + countLineBreaks(this.input, 0, this.pos);
    return badQuery(`Parse error on line ${line}:\n${showPosition(this.input, this.pos, this.pos)}\n`
      + `Unrecognized text (lexical error)`);
  }
}

/** True if `text` lexes as exactly one WORD token (so it can be written unquoted, e.g. as a key). */
export function isWord(text: string): boolean {
  if (text === '') return false;
  try {
    const lexer = new Lexer(text);
    const first = lexer.next();
    return first.type === 'WORD' && first.start === 0 && first.end === text.length;
  } catch {
    return false;
  }
}
