/**
 * Reading document values the way jIO's matchers and sorter see them (docs/jio-compatibility.md
 * "Matching" rules 4–7, "Sort, limit, select"): own properties only, arrays element-wise,
 * `{content}` objects replaced by `content`, values with a `cmp` method (JIODate and other cast
 * results) compared with it.
 */

/** Something that compares itself with `cmp` (a `JIODate`, or any cast result with `cmp`). */
export interface Comparable {
  cmp(other: unknown): number;
}

/** Own property lookup: inherited members (`constructor`, `__proto__`, …) never count. */
export function ownValue(object: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key)
    ? (object as Record<string, unknown>)[key]
    : undefined;
}

/** True for non-null objects that are not arrays. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True if `value` has a `cmp` method. */
export function hasCmp(value: unknown): value is Comparable {
  return typeof value === 'object' && value !== null
    && typeof (value as { cmp?: unknown }).cmp === 'function';
}

/** `a.cmp(b)`, or `undefined` when it throws or does not return a number (never a crash). */
export function safeCmp(a: Comparable, b: unknown): number | undefined {
  try {
    const result = a.cmp(b);
    return typeof result === 'number' && !Number.isNaN(result) ? result : undefined;
  } catch {
    return undefined;
  }
}

/** `String(value)`, falling back to `"[object Object]"` for objects without `toString`. */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[object Object]';
  }
}

/** "Matching" rule 5: the value as a list of elements, `{content: x, …}` elements replaced by `x`. */
export function toElements(value: unknown): unknown[] {
  const list = Array.isArray(value) ? value : [value];
  let out: unknown[] | undefined;
  for (let i = 0; i < list.length; i += 1) {
    const element = list[i];
    if (typeof element === 'object' && element !== null
      && Object.prototype.hasOwnProperty.call(element, 'content')) {
      out = out ?? list.slice(0, i);
      out.push((element as { content: unknown }).content);
    } else if (out) {
      out.push(element);
    }
  }
  return out ?? list;
}

/** Plain JavaScript `a < b`, whatever the operand types ("Matching" rule 7). */
export function jsLess(a: unknown, b: unknown): boolean {
  return (a as number) < (b as number);
}

/** Plain JavaScript `a <= b`. */
export function jsLessOrEqual(a: unknown, b: unknown): boolean {
  return (a as number) <= (b as number);
}
