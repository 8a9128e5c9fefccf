/**
 * SQL-like LIKE matching with jIO's semantics (docs/jio-compatibility.md "Matching" rule 6) but
 * without its backtracking regular expression ("What deliberately differs" there): the whole text
 * must match; `%` matches any run of characters (newlines included); `_` matches one UTF-16 code
 * unit except a line terminator (`\n`, `\r`, U+2028, U+2029), like the regexp `.` jIO compiles it
 * to; every other character is literal (`\` escapes nothing); comparison is case-insensitive
 * exactly as a regexp with the `i` flag and without `u` (ECMA-262 Canonicalize: upper-case one code
 * unit, keep it if that is not one code unit or would map a non-ASCII character into ASCII).
 *
 * The pattern is split on `%` into segments. The first must match at the start, the last at the
 * end, and the ones between are found left to right at their earliest position (greedy, which is
 * exact for `%`-separated segments). A segment without `_` is found with Knuth–Morris–Pratt; one
 * with `_` with the bit-parallel Shift-And algorithm (only the words of its state that can be
 * non-zero are touched). Work is O(text + pattern) for patterns without `_` and at most
 * O(text × ⌈segment/32⌉) otherwise, memory O(pattern): no pattern can make it blow up, e.g.
 * `%a%a%a%a%a%a%a%b` over 100 KB is a single pass. The common shapes (`abc`, `abc%`, `%abc`,
 * `abc%def`, `%abc%`, no `_`, segments of at most 32 code units) run as anchored or literal
 * case-insensitive RegExps instead: the same matching, V8's literal search, at most
 * text × 32 steps.
 */

const WILDCARD = -1;
const canonical = new Int32Array(65536).fill(-1);

/** ECMA-262 Canonicalize(ch) for a non-unicode, ignoreCase regexp. */
export function canonicalize(code: number): number {
  if (code < 128) return code >= 0x61 && code <= 0x7a ? code - 32 : code;
  let result = canonical[code];
  if (result === -1) {
    const upper = String.fromCharCode(code).toUpperCase();
    result = upper.length !== 1 || upper.charCodeAt(0) < 128 ? code : upper.charCodeAt(0);
    canonical[code] = result;
  }
  return result;
}

function isLineTerminator(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;
}

interface Segment {
  /** Canonical code units; `WILDCARD` for `_`. */
  codes: Int32Array;
  /** Finds the segment in `text[from, to)`: start index or -1. */
  find: (text: string, from: number, to: number) => number;
}

function matchesAt(codes: Int32Array, text: string, at: number): boolean {
  for (let i = 0; i < codes.length; i += 1) {
    const c = codes[i];
    const t = text.charCodeAt(at + i);
    if (c === WILDCARD) {
      if (isLineTerminator(t)) return false;
    } else if (canonicalize(t) !== c) {
      return false;
    }
  }
  return true;
}

/** Knuth–Morris–Pratt search for a segment without wildcards. */
function kmpFinder(codes: Int32Array): Segment['find'] {
  const m = codes.length;
  const failure = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i += 1) {
    while (k > 0 && codes[i] !== codes[k]) k = failure[k - 1];
    if (codes[i] === codes[k]) k += 1;
    failure[i] = k;
  }
  return (text, from, to) => {
    if (m === 0) return from;
    for (let j = from, k = 0; j < to; j += 1) {
      const t = canonicalize(text.charCodeAt(j));
      while (k > 0 && t !== codes[k]) k = failure[k - 1];
      if (t === codes[k]) k += 1;
      if (k === m) return j - m + 1;
    }
    return -1;
  };
}

/**
 * Shift-And search for a segment with `_` wildcards (bit i of the state set: the first i+1 codes
 * match the text ending here). A character that occurs more than `words` times in the segment
 * gets a dense mask; the others keep a list of their (at most `words`) positions. So each text
 * character costs O(words) and the masks take O(segment) memory whatever the pattern.
 */
function shiftAndFinder(codes: Int32Array): Segment['find'] {
  const m = codes.length;
  const words = Math.ceil(m / 32);
  const wildcardMask = new Uint32Array(words);
  const positions = new Map<number, number[]>();
  for (let i = 0; i < m; i += 1) {
    const c = codes[i];
    if (c === WILDCARD) {
      wildcardMask[i >>> 5] |= 1 << (i & 31);
    } else {
      const list = positions.get(c);
      if (list) list.push(i);
      else positions.set(c, [i]);
    }
  }
  const dense = new Map<number, Uint32Array>();
  const sparse = new Map<number, number[]>();
  for (const [c, list] of positions) {
    if (list.length > words) {
      const mask = isLineTerminator(c) ? new Uint32Array(words) : wildcardMask.slice();
      for (const i of list) mask[i >>> 5] |= 1 << (i & 31);
      dense.set(c, mask);
    } else {
      sparse.set(c, list);
    }
  }
  const lastWord = (m - 1) >>> 5;
  const lastBit = 1 << ((m - 1) & 31);
  return (text, from, to) => {
    const state = new Uint32Array(words);
    const shifted = new Uint32Array(words);
    let active = 0; // state words at or above `active` are all zero
    for (let j = from; j < to; j += 1) {
      const limit = active < words ? active + 1 : words;
      for (let w = limit - 1; w >= 0; w -= 1) {
        shifted[w] = (state[w] << 1) | (w === 0 ? 1 : state[w - 1] >>> 31);
      }
      const t = canonicalize(text.charCodeAt(j));
      const mask = dense.get(t);
      if (mask) {
        for (let w = 0; w < limit; w += 1) state[w] = shifted[w] & mask[w];
      } else {
        if (isLineTerminator(t)) state.fill(0, 0, limit);
        else for (let w = 0; w < limit; w += 1) state[w] = shifted[w] & wildcardMask[w];
        const list = sparse.get(t);
        if (list) {
          for (const i of list) {
            const word = i >>> 5;
            if (word >= limit) break;
            const bit = 1 << (i & 31);
            if (shifted[word] & bit) state[word] |= bit;
          }
        }
      }
      active = limit;
      while (active > 0 && state[active - 1] === 0) active -= 1;
      if (state[lastWord] & lastBit) return j - m + 1;
    }
    return -1;
  };
}

function compileSegment(text: string): Segment {
  const codes = new Int32Array(text.length);
  let wildcards = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x5f) {
      codes[i] = WILDCARD;
      wildcards = true;
    } else {
      codes[i] = canonicalize(code);
    }
  }
  return { codes, find: wildcards ? shiftAndFinder(codes) : kmpFinder(codes) };
}

/**
 * Compiles a LIKE pattern (docs/jio-compatibility.md "Matching" rule 6) into a matcher
 * `(text) => boolean` that runs in linear time (see the module comment). Compile once, match many
 * texts.
 */
export function compileLike(pattern: string): (text: string) => boolean {
  const fast = regexpLike(pattern);
  if (fast) return fast;
  const segments = pattern.split('%').map(compileSegment);
  const first = segments[0];
  if (segments.length === 1) {
    return (text) => text.length === first.codes.length && matchesAt(first.codes, text, 0);
  }
  const last = segments[segments.length - 1];
  const middle = segments.slice(1, -1).filter((segment) => segment.codes.length > 0);
  const fixed = first.codes.length + last.codes.length;
  return (text) => {
    const n = text.length;
    if (n < fixed) return false;
    if (!matchesAt(first.codes, text, 0)) return false;
    const end = n - last.codes.length;
    if (!matchesAt(last.codes, text, end)) return false;
    let position = first.codes.length;
    for (const segment of middle) {
      if (end - position < segment.codes.length) return false;
      const found = segment.find(text, position, end);
      if (found < 0) return false;
      position = found + segment.codes.length;
    }
    return true;
  };
}

/** Longest literal segment given to a RegExp (its unanchored search is at most text × this). */
const REGEXP_SEGMENT_MAX = 32;
const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/**
 * The common shapes — `abc`, `abc%`, `%abc`, `abc%def`, `%abc%` — without `_`, segments of at most
 * {@link REGEXP_SEGMENT_MAX} code units, as anchored or literal case-insensitive RegExps (the same
 * Canonicalize as jIO's regexp, and V8's literal search is faster than the loops below); null for
 * other patterns. None of these RegExps can backtrack more than one segment's length.
 */
function regexpLike(pattern: string): ((text: string) => boolean) | null {
  if (pattern.includes('_')) return null;
  const parts = pattern.split('%');
  if (parts.some((part) => part.length > REGEXP_SEGMENT_MAX)) return null;
  const make = (source: string): RegExp => new RegExp(source, 'i');
  if (parts.length === 1) {
    const re = make(`^${escapeRegExp(pattern)}$`);
    return (text) => text.length === pattern.length && re.test(text);
  }
  if (parts.length === 2) {
    const [head, tail] = parts;
    const fixed = head.length + tail.length;
    const starts = head ? make(`^${escapeRegExp(head)}`) : null;
    const ends = tail ? make(`${escapeRegExp(tail)}$`) : null;
    return (text) => text.length >= fixed && (!starts || starts.test(text)) && (!ends || ends.test(text));
  }
  if (parts.length === 3 && parts[0] === '' && parts[2] === '') {
    const re = make(escapeRegExp(parts[1]));
    return (text) => re.test(text);
  }
  return null;
}

/** Code units (canonical) that `String(n)` can hold for a number `n`: digits, `.-+`, `e`, `Infinity`, `NaN`. */
const NUMBER_CODES = new Set([...'0123456789.-+EINFTYA'].map((c) => c.charCodeAt(0)));

/**
 * False when no number's `String(n)` can match `pattern`: some literal (non-wildcard) character
 * of it matches none of the characters numbers are written with. Lets a full-text search skip
 * number values without converting them.
 */
export function likeCanMatchNumbers(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i += 1) {
    const code = pattern.charCodeAt(i);
    if (code === 0x25 || code === 0x5f) continue;
    if (!NUMBER_CODES.has(canonicalize(code))) return false;
  }
  return true;
}

/** One-off LIKE test of `text` against `pattern` (prefer `compileLike` for repeated use). */
export function likeMatch(pattern: string, text: string): boolean {
  return compileLike(pattern)(text);
}
