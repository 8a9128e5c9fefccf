/**
 * The `Range` request header (RFC 9110 §14.2), single byte ranges only: what a media element and
 * `fetch` send. Several ranges, or another unit, are answered whole (as the RFC allows).
 */

/** A parsed `bytes=` range: `first-last` (`last` inclusive, may be absent) or a suffix of `suffix` bytes. */
export type ByteRange = { start: number; last?: number } | { suffix: number };

/** Parse `bytes=a-b`, `bytes=a-` or `bytes=-n`; `null` for no header, another unit or several ranges. */
export function parseRange(header: string | null): ByteRange | null {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') return { suffix: Number(m[2]) };
  const start = Number(m[1]);
  if (m[2] === '') return { start };
  const last = Number(m[2]);
  return last < start ? null : { start, last };
}

/**
 * The bytes `[start, end)` to answer for `range` in a file of `size` bytes: an explicit end is kept,
 * an open end is capped at `start + maxOpen`; a suffix needs the size. `null` when unsatisfiable (416).
 */
export function rangeBounds(range: ByteRange, size: number, maxOpen: number): [number, number] | null {
  if ('suffix' in range) {
    if (range.suffix === 0 || size === 0) return null;
    return [Math.max(0, size - range.suffix), size];
  }
  if (range.start >= size) return null;
  const end = range.last === undefined ? range.start + maxOpen : range.last + 1;
  return [range.start, Math.min(end, size)];
}
