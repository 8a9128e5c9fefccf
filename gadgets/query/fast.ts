/**
 * Leaf matchers specialised per operator and document value type (docs/jio-compatibility.md
 * "Matching" rules 4–7), for keys without `cast_to`/`equal_match`. Each closure handles the common
 * case — the document's value a lone string or number — with one `typeof` and one comparison
 * against values prepared at compile time, and hands every other value (arrays, `{content}`
 * objects, values with `cmp`, booleans…) to the generic matcher of match.ts, so results are those
 * of the generic path for every document.
 *
 * Own properties only: the value is read with `doc[key]` and ownership checked only when the
 * answer would be true (a missing value is false for every operator, rule 4), which saves a
 * `hasOwnProperty` call per non-matching document.
 */
import { likeCanMatchNumbers } from './like.js';
import type { DocumentMatcher } from './match.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** The generic test of one (own, present, uncast) document value. */
export type ValueTest = (docValue: unknown) => boolean;

/** Operators a leaf may carry once rule 1 is applied. */
export type LeafOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like';

/**
 * `String(n) === text` for numbers `n`, as a comparison with a number when `text` is the canonical
 * spelling of one (`"12"`, not `"012"`, `"1e3"` or `"NaN"`).
 */
function numberEquals(text: string): (n: number) => boolean {
  const number = Number(text);
  if (text !== '' && !Number.isNaN(number) && String(number) === text) return (n) => n === number;
  return (n) => String(n) === text;
}

/**
 * The leaf `key <operator> value` as a matcher. `valueString` is `String(value)`; `like` the
 * compiled LIKE pattern for `'like'`; `generic` the element-wise test of match.ts for values of
 * other types.
 */
export function fastLeaf(
  key: string, operator: LeafOperator, value: unknown, valueString: string,
  like: ((text: string) => boolean) | null, generic: ValueTest,
): DocumentMatcher {
  // A pattern with a letter numbers are never written with cannot match a number: no String(n).
  const numbers = operator === 'like' && likeCanMatchNumbers(valueString);
  const own = (doc: object): boolean => hasOwn.call(doc, key);
  const slow = (doc: object, v: unknown): boolean => v !== undefined && v !== null && generic(v) && own(doc);
  switch (operator) {
    case '=': {
      const numeric = numberEquals(valueString);
      return (doc) => {
        const v = (doc as Record<string, unknown>)[key];
        if (typeof v === 'string') return v === valueString && own(doc);
        if (typeof v === 'number') return numeric(v) && own(doc);
        return slow(doc, v);
      };
    }
    case '!=': {
      const numeric = numberEquals(valueString);
      return (doc) => {
        const v = (doc as Record<string, unknown>)[key];
        if (typeof v === 'string') return v !== valueString && own(doc);
        if (typeof v === 'number') return !numeric(v) && own(doc);
        return slow(doc, v);
      };
    }
    case 'like': {
      const test = like!;
      return (doc) => {
        const v = (doc as Record<string, unknown>)[key];
        if (typeof v === 'string') return test(v) && own(doc);
        if (typeof v === 'number') return numbers && test(String(v)) && own(doc);
        return slow(doc, v);
      };
    }
    default:
      return rangeLeaf(key, operator, value, own, slow);
  }
}

/**
 * `< <= > >=` (rule 7): a number in the document is compared with the query value converted once
 * (`n < "10"` is `n < Number("10")` in JavaScript); a string with a string query value directly.
 */
function rangeLeaf(
  key: string, operator: '<' | '<=' | '>' | '>=', value: unknown,
  own: (doc: object) => boolean, slow: (doc: object, v: unknown) => boolean,
): DocumentMatcher {
  const n = typeof value === 'number' ? value : Number(value);
  const s = typeof value === 'string' ? value : null;
  const pick = <T>(lt: T, le: T, gt: T, ge: T): T => (operator === '<' ? lt : operator === '<=' ? le : operator === '>' ? gt : ge);
  const onNumber: (x: number) => boolean = pick((x) => x < n, (x) => x <= n, (x) => x > n, (x) => x >= n);
  const onString: ((x: string) => boolean) | null = s === null ? null
    : pick((x) => x < s, (x) => x <= s, (x) => x > s, (x) => x >= s);
  return (doc) => {
    const v = (doc as Record<string, unknown>)[key];
    if (typeof v === 'number') return onNumber(v) && own(doc);
    if (onString !== null && typeof v === 'string') return onString(v) && own(doc);
    return slow(doc, v);
  };
}

/**
 * Full text (rule 3): LIKE `%value%` over every own enumerable property but `__id`, skipping falsy
 * values; strings and numbers tested directly (numbers not at all when `pattern` cannot match
 * one), other values by `generic`.
 */
export function fastFullText(pattern: string, like: (text: string) => boolean, generic: ValueTest): DocumentMatcher {
  const numbers = likeCanMatchNumbers(pattern);
  return (doc) => {
    // Inherited and `__id` properties are ruled out only on a hit: most values do not match.
    for (const property in doc) {
      const v = (doc as Record<string, unknown>)[property];
      if (!v) continue;
      let hit: boolean;
      if (typeof v === 'string') hit = like(v);
      else if (typeof v === 'number') hit = numbers && like(String(v));
      else hit = generic(v);
      if (hit && property !== '__id' && hasOwn.call(doc, property)) return true;
    }
    return false;
  };
}
