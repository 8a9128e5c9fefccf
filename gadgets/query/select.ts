/**
 * Sorting the matches of a query for `sort_on` (+ `limit`), with the results of a stable
 * `Array.prototype.sort` by sort.ts's comparator (docs/jio-compatibility.md "Sort, limit, select"):
 * - every sort value is read once per document (not once per comparison);
 * - with a `limit` that truncates, top-k selection: a bounded heap of the first `skip + count`,
 *   O(n log k) instead of sorting every match. Only when jIO's comparison is a consistent order over
 *   the matches (for each key, every present value a lone number other than NaN, or every one a
 *   lone string; missing values allowed): then a stable sort's first k are unique and the heap,
 *   ordered by (sort values, input position), finds exactly them. Over mixed types raw `<`/`>` is
 *   not an order, a sort's result depends on its algorithm, and the full sort runs instead.
 */
import { compareSortValues, type SortKey, type SortValue } from './sort.js';

const NUMBER = 1;
const STRING = 2;
const OTHER = 4;

/** The kind bit of a sort value: missing (0), lone number, lone string, or anything else. */
function kind(value: SortValue): number {
  if (typeof value === 'number') return value === value ? NUMBER : OTHER; // NaN ties with everything
  if (typeof value === 'string') return STRING;
  return value.length === 0 ? 0 : OTHER;
}

/** True if a key's kinds make raw `<`/`>` a consistent order (one type, no NaN, no arrays). */
const orderly = (kinds: number): boolean => kinds === 0 || kinds === NUMBER || kinds === STRING;

interface Entry {
  doc: object;
  values: SortValue[];
  index: number;
}

function compareValues(a: readonly SortValue[], b: readonly SortValue[], keys: readonly SortKey[]): number {
  for (let i = 0; i < keys.length; i += 1) {
    const c = compareSortValues(a[i], b[i], keys[i].direction);
    if (c !== 0) return c;
  }
  return 0;
}

/** True if `a` comes after `b` in the final order (sort values, then input position). */
function after(a: Entry, b: Entry, keys: readonly SortKey[]): boolean {
  const c = compareValues(a.values, b.values, keys);
  return c > 0 || (c === 0 && a.index > b.index);
}

/** Restores the max-heap (root: the last kept entry) below `i`. */
function siftDown(heap: Entry[], i: number, keys: readonly SortKey[]): void {
  const n = heap.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) return;
    const r = l + 1;
    const big = r < n && after(heap[r], heap[l], keys) ? r : l;
    if (!after(heap[big], heap[i], keys)) return;
    [heap[i], heap[big]] = [heap[big], heap[i]];
    i = big;
  }
}

function siftUp(heap: Entry[], i: number, keys: readonly SortKey[]): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!after(heap[i], heap[parent], keys)) return;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

/** The first `k` of `docs` in sort order, or null when some key's values are not orderly. */
function topK(docs: readonly object[], keys: readonly SortKey[], k: number): object[] | null {
  const heap: Entry[] = [];
  const kinds = new Array<number>(keys.length).fill(0);
  const first = keys[0];
  for (let index = 0; index < docs.length; index += 1) {
    const doc = docs[index];
    const head = first.read(doc);
    kinds[0] |= kind(head);
    let values: SortValue[] | null = null;
    if (keys.length > 1) {
      values = [head];
      for (let i = 1; i < keys.length; i += 1) {
        const v = keys[i].read(doc);
        kinds[i] |= kind(v);
        values.push(v);
      }
    }
    if (heap.length < k) {
      heap.push({ doc, values: values ?? [head], index });
      siftUp(heap, heap.length - 1, keys);
      continue;
    }
    // Cheap rejection on the first key, without allocating: most documents lose to the k-th kept
    // (on a tie of the only key, the later document loses).
    const c = compareSortValues(head, heap[0].values[0], first.direction);
    if (c > 0 || (c === 0 && !values)) continue;
    const entry = { doc, values: values ?? [head], index };
    if (!after(heap[0], entry, keys)) continue;
    heap[0] = entry;
    siftDown(heap, 0, keys);
  }
  if (!kinds.every(orderly)) return null;
  heap.sort((a, b) => compareValues(a.values, b.values, keys) || a.index - b.index);
  return heap.map((entry) => entry.doc);
}

/**
 * `docs` sorted by `keys` as a stable `Array.prototype.sort` with sort.ts's comparator would; with
 * `end` (= skip + count of a truncating `limit`), possibly only the first `end` of them (the caller
 * applies the limit to either). Returns a new array; `docs` is not modified.
 */
export function sortDocuments(docs: readonly object[], keys: readonly SortKey[], end: number | null): object[] {
  if (keys.length === 0) return docs.slice();
  if (end !== null && end < docs.length) {
    const top = topK(docs, keys, end);
    if (top) return top;
  }
  // Same comparator results for every pair as the per-document comparator, so the same order even
  // where it is no consistent order; values read once per document.
  if (keys.length === 1) {
    const [{ read, direction }] = keys;
    const entries = docs.map((doc) => ({ doc, value: read(doc) }));
    entries.sort((a, b) => compareSortValues(a.value, b.value, direction));
    return entries.map((entry) => entry.doc);
  }
  const entries = docs.map((doc) => ({ doc, values: keys.map((key) => key.read(doc)) }));
  entries.sort((a, b) => compareValues(a.values, b.values, keys));
  return entries.map((entry) => entry.doc);
}
