/**
 * Property tests of the compiled query paths (query/fast.ts leaves, query/select.ts top-k and
 * decorated sort) against the plain pipeline on random data: a generic matcher (the same keys
 * through a key_schema whose identity `cast_to` takes match.ts's element-wise path), a full-text
 * reference written here from docs/jio-compatibility.md "Matching" rule 3, then `Array.prototype
 * .sort` with `compareSortOn`, then `applyLimit`. Values mix numbers, strings, null, booleans, NaN,
 * arrays and `{content}` objects, so ties (stable order) and mixed types are common.
 */
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import {
  applyLimit, compareSortOn, compileQuery, execQuery, type KeySchema, type QueryTree, type SortOn,
} from '../../gadgets/query.js';
import { compileLike } from '../../gadgets/query/like.js';
import { hasCmp, safeCmp, safeString, toElements } from '../../gadgets/query/values.js';

const KEYS = ['a', 'b', 'c'];
const identity = (x: unknown): unknown => x;
/** Every key through an identity cast: the generic (uncompiled) leaf of match.ts. */
const GENERIC: KeySchema = {
  key_set: Object.fromEntries(KEYS.map((k) => [k, { read_from: k, cast_to: 'id' }])),
  cast_lookup: { id: identity },
};

const scalar = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.constantFrom('a', 'A', 'b', 'ab', 'ba', '10', '9', '', 'é', 'Ville', '1e3'),
  fc.constantFrom(null, true, false, Number.NaN, 0.5, -0),
);
const value = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: scalar.map((content) => ({ content })) },
);
const doc = fc.dictionary(fc.constantFrom(...KEYS, 'd', '__id'), value, { maxKeys: 5 });
const leafValue = fc.constantFrom('a', 'A', 'b', '10', '9', '5', '0', '%a', 'a%', '%', '_', 'a_', '%b%', 'ville', 'null', 'true', '1e3', '');
const leaf: fc.Arbitrary<QueryTree> = fc.record({
  type: fc.constant('simple' as const),
  key: fc.constantFrom(...KEYS, ''),
  value: fc.oneof(leafValue, fc.integer({ min: -2, max: 11 })),
  operator: fc.constantFrom(undefined, '=', '!=', '<', '<=', '>', '>='),
}, { requiredKeys: ['type', 'key', 'value'] }) as fc.Arbitrary<QueryTree>;
const tree: fc.Arbitrary<QueryTree> = fc.letrec<{ node: QueryTree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      type: fc.constant('complex' as const),
      operator: fc.constantFrom('AND', 'OR', 'NOT'),
      query_list: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
    }) as fc.Arbitrary<QueryTree>,
  ),
})).node;
const sortOn: fc.Arbitrary<SortOn> = fc.array(
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('ascending' as const, 'descending' as const)),
  { minLength: 1, maxLength: 2 },
);
const limit = fc.oneof(
  fc.constant(undefined),
  fc.tuple(fc.nat(4), fc.integer({ min: 1, max: 6 })),
  fc.tuple(fc.nat(4)),
  fc.tuple(fc.nat(4), fc.constant(0)),
);

/** Rule 3, written out: LIKE `%value%` over own enumerable properties but `__id`, skipping falsy values. */
function fullText(value: unknown, d: Record<string, unknown>): boolean {
  const pattern = `%${safeString(value)}%`;
  const like = compileLike(pattern);
  return Object.keys(d).some((k) => k !== '__id' && Boolean(d[k]) && toElements(d[k]).some((e) => e !== undefined && e !== null
    && (hasCmp(e) ? safeCmp(e, pattern) === 0 : like(safeString(e)))));
}

/** The plain matcher: the generic leaf for keyed queries, `fullText` for key `''`. */
function plainMatch(node: QueryTree, d: Record<string, unknown>): boolean {
  if (node.type === 'simple') {
    if (node.key === '') return fullText(node.value, d);
    return compileQuery(node, GENERIC)(d);
  }
  const children = node.query_list;
  if (node.operator === 'NOT') return !plainMatch(children[0], d);
  if (node.operator === 'OR') return children.some((c) => plainMatch(c, d));
  return children.every((c) => plainMatch(c, d));
}

/** Filter, a stable sort with the per-document comparator, then the limit. */
function plain(q: QueryTree, docs: Array<Record<string, unknown>>, sort: SortOn | undefined, lim: number[] | undefined, schema?: KeySchema): object[] {
  let out: object[] = docs.filter((d) => plainMatch(q, d));
  if (sort) out = out.slice().sort(compareSortOn(sort, schema));
  return lim ? applyLimit(out, lim as [number, number]) : out;
}

const positions = (docs: object[], result: object[]): number[] => result.map((d) => docs.indexOf(d));

describe('compiled query paths agree with the plain filter + sort', () => {
  it('matching: the compiled leaves select the same documents as the generic ones', () => {
    fc.assert(fc.property(fc.array(doc, { maxLength: 30 }), tree, (docs, q) => {
      expect(positions(docs, execQuery(q, docs))).to.deep.equal(positions(docs, plain(q, docs, undefined, undefined)));
    }), { numRuns: 600 });
  });

  it('sort_on + limit (top-k, stable on ties, mixed types), with and without skip', () => {
    fc.assert(fc.property(fc.array(doc, { maxLength: 40 }), fc.option(tree), sortOn, limit, (docs, q, sort, lim) => {
      const query = q ?? { type: 'complex', operator: 'AND', query_list: [] } as QueryTree;
      const ours = execQuery(q, docs, { sort_on: sort, limit: lim as [number, number] | undefined });
      expect(positions(docs, ours)).to.deep.equal(positions(docs, plain(query, docs, sort, lim)));
    }), { numRuns: 800 });
  });

  it('sort_on + limit over orderly values (all numbers or all strings per key) takes the heap and agrees', () => {
    const numberDoc = fc.record({ a: fc.integer({ min: 0, max: 5 }), b: fc.constantFrom('x', 'y', 'z') }, { requiredKeys: [] });
    fc.assert(fc.property(fc.array(numberDoc, { maxLength: 60 }), sortOn, fc.tuple(fc.nat(5), fc.integer({ min: 1, max: 8 })), (docs, sort, lim) => {
      const ours = execQuery(null, docs, { sort_on: sort, limit: lim });
      const all = { type: 'complex', operator: 'AND', query_list: [] } as QueryTree;
      expect(positions(docs, ours)).to.deep.equal(positions(docs, plain(all, docs, sort, lim)));
    }), { numRuns: 500 });
  });

  it('with a key_schema (cast keys, aliases in sort_on)', () => {
    fc.assert(fc.property(fc.array(doc, { maxLength: 30 }), leaf, sortOn, limit, (docs, q, sort, lim) => {
      const ours = execQuery(q, docs, { sort_on: sort, limit: lim as [number, number] | undefined, key_schema: GENERIC });
      expect(positions(docs, ours)).to.deep.equal(positions(docs, plain(q, docs, sort, lim, GENERIC)));
    }), { numRuns: 400 });
  });
});
