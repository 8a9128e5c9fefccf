/**
 * The query planner: turns a jIO query tree into the IndexedDB index reads that find every
 * document it can match, when the keys it tests are indexed. The storage layer then checks each
 * candidate with the full matcher, so a plan only has to be a superset (index-keys.ts says why
 * each index entry is one). What uses an index:
 * - `key:=value` (and `key:value` without `%`): the entries equal to the text, plus the number
 *   whose canonical string it is;
 * - `key:<v`, `<=`, `>`, `>=`: a string range, plus a number range when `Number(v)` is a number
 *   (JS compares a number with a string numerically, docs/jio-compatibility.md "Matching" rule 7);
 * - `key:"abc%…"` (LIKE starting with literal text): the prefix ranges of its case variants
 *   (index-keys.ts `caseVariants`: `ABC`, `ABc`, … `abc`), and every number of the key (the
 *   matcher checks them), an empty read where the key holds no number;
 * - AND: only the child with the fewest index entries is read (counted first; the others are
 *   checked on its documents by the matcher); OR: the union,
 *   only when every child is usable.
 * Everything else (full text, `!=`, NOT, keys under a key_schema, LIKE starting with `%` or `_`)
 * returns null: the caller scans.
 */
import type { QueryTree, SimpleQuery } from '../query.js';
import { caseVariants, prefixEnd } from './index-keys.js';

/** One index read: index name and key range. */
export interface IndexRead {
  index: string;
  range: IDBKeyRange;
}

/** A plan: the union (`or`) or intersection (`and`) of reads; leaves are single reads. */
export type Plan = { kind: 'read'; reads: IndexRead[] } | { kind: 'and' | 'or'; plans: Plan[] };

/**
 * Every number key (IndexedDB orders numbers, ±Infinity included, before every other key type).
 * Made on use: this module is also imported where there is no IndexedDB (Node, the manifest test).
 */
const everyNumber = (): IDBKeyRange => IDBKeyRange.bound(-Infinity, Infinity);

const COMPARISON = /^(?:!?=|<=?|>=?)$/;

function operatorOf(q: SimpleQuery): string {
  const raw = q.operator as unknown;
  if (typeof raw === 'string' && COMPARISON.test(raw)) return raw;
  return String(q.value).includes('%') ? 'like' : '=';
}

/** Index name for the entries of `key` (equality, range, LIKE). */
export const ixName = (key: string): string => `ix:${key}`;
/** Index name for the sort keys of `key` that are not its lone `ix` entry (index-keys.ts `sortKey`). */
export const oxName = (key: string): string => `ox:${key}`;

function planSimple(q: SimpleQuery, indexed: ReadonlySet<string>): Plan | null {
  if (typeof q.key !== 'string' || !indexed.has(q.key)) return null;
  const value = String(q.value);
  const key = q.key;
  const op = operatorOf(q);
  const reads: IndexRead[] = [];
  const asNumber = Number(value);
  switch (op) {
    case '=': {
      reads.push({ index: ixName(key), range: IDBKeyRange.only(value) });
      if (String(asNumber) === value && !Number.isNaN(asNumber)) reads.push({ index: ixName(key), range: IDBKeyRange.only(asNumber) });
      return { kind: 'read', reads };
    }
    case '<': case '<=': case '>': case '>=': {
      const open = op === '<' || op === '>';
      const below = op === '<' || op === '<=';
      // Strings: JS compares them by code units, as IndexedDB does. Nothing is below "".
      if (!below) reads.push({ index: ixName(key), range: IDBKeyRange.lowerBound(value, open) });
      else if (value !== '') reads.push({ index: ixName(key), range: IDBKeyRange.bound('', value, false, open) });
      else if (!open) reads.push({ index: ixName(key), range: IDBKeyRange.only('') });
      if (!Number.isNaN(asNumber)) {
        reads.push({
          index: ixName(key),
          range: below ? IDBKeyRange.upperBound(asNumber, open) : IDBKeyRange.lowerBound(asNumber, open),
        });
      }
      return { kind: 'read', reads };
    }
    case 'like': {
      const literal = /^[^%_]+/.exec(value)?.[0];
      if (!literal) return null;
      const prefixes = caseVariants(literal);
      if (prefixes.length === 0) return null;
      for (const start of prefixes) {
        const end = prefixEnd(start);
        reads.push({ index: ixName(key), range: end === null ? IDBKeyRange.lowerBound(start) : IDBKeyRange.bound(start, end, false, true) });
      }
      reads.push({ index: ixName(key), range: everyNumber() });
      return { kind: 'read', reads };
    }
    default:
      return null; // != cannot be answered from an index
  }
}

/**
 * Plans `tree` (already validated) over the `indexed` keys.
 * @returns a plan whose results include every match, or null when a scan is needed.
 */
export function planQuery(tree: QueryTree, indexed: ReadonlySet<string>): Plan | null {
  if (indexed.size === 0) return null;
  if (tree.type === 'simple') return planSimple(tree, indexed);
  const op = String(tree.operator ?? 'AND').toUpperCase();
  const children = (tree.query_list ?? []).map((c) => planQuery(c, indexed));
  if (op === 'OR') {
    if (children.length === 0 || children.some((c) => c === null)) return null;
    return { kind: 'or', plans: children as Plan[] };
  }
  if (op === 'NOT') return null;
  const usable = children.filter((c): c is Plan => c !== null);
  if (usable.length === 0) return null;
  return usable.length === 1 ? usable[0] : { kind: 'and', plans: usable };
}
