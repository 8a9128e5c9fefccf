// The jIO anchor (issue 15 item 2): in the cities master's page (same run, same browser, same
// profile on disk), the 135,233 cities are also loaded into jIO's IndexedDB layout, and the same
// `allDocs` calls — the five query shapes of bench/sections/query.js, each with `sort_on`
// population descending, `limit` [0, 20] and a `select_list` — are timed on jIO 3.45's query storage
// (bench/pages/jio-anchor.js) and on our indexed master element in that page (no network on
// either side). Goal: ours ≥ 20× faster where an index serves the query, ≥ 5× on a scan. Both
// must return the same ids in the same order.
import console from 'node:console';
import { clearTimeout, setTimeout } from 'node:timers';
import { loadCities } from '../../test/e2e/harness.js';
import { fmt, median, summary } from '../lib/stats.js';
import { QUERY_SHAPES } from './query.js';

/* global JA -- the page's anchor module (bench/pages/jio-anchor.js), set on globalThis below */

const DATABASE = 'bench-cities-anchor';
/** Shapes our planner serves from the `ix:` indexes of the cities master (name, country, population); the others scan. */
const INDEXED = new Set(['exact match', 'LIKE prefix', 'range in AND', 'OR']);

/** `page.evaluate(fn, arg)`, rejected after `ms` (naming `what`). */
export const evaluate = (page, what, ms, fn, arg) => {
  let timer;
  return Promise.race([
    page.evaluate(fn, arg),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

const optionsOf = (shape) => ({ query: shape.query, sort_on: [['population', 'descending']], limit: [0, 20], select_list: ['name', 'population'] });

/**
 * Profilers for bench/run.js's PROFILERS: a metric of the anchor that misses its goal is run again
 * (ours, 3 calls) under the sampling profiler of the cities master's page (`ctx.master`).
 */
export const jioAnchorProfilers = Object.fromEntries(QUERY_SHAPES.map((shape) => [
  `jio anchor: ${shape.name}`,
  ({ master }) => evaluate(master.page, `profiled allDocs ${shape.name}`, 120000, (options) => JA.anchorOursQueries('scale', 3, options), optionsOf(shape)),
]));

/** One shape: warm-ups, then `rounds` rounds of one jIO call and `perRound` of ours (1 when ours takes over a second: a scan). */
async function anchorShape(page, shape, name, c, { rounds, perRound, warmJio, collect }) {
  const options = optionsOf(shape);
  const jio = () => evaluate(page, `jIO allDocs ${shape.name}`, 600000, (a) => JA.anchorJioQueries(a.db, 1, a.options), { db: DATABASE, options });
  const ours = (times) => evaluate(page, `our allDocs ${shape.name}`, 600000, (a) => JA.anchorOursQueries('scale', a.times, a.options), { times, options });
  const first = await ours(1);
  if (warmJio) await jio();
  const per = first.ms[0] > 1000 ? 1 : perRound;
  const o = [];
  const j = [];
  let same = true;
  for (let r = 0; r < rounds; r++) {
    // Each side starts from a collected heap: jIO's garbage (every document, each call) is not collected during ours.
    await collect();
    const x = await jio();
    await collect();
    const y = await ours(per);
    j.push(...x.ms);
    o.push(...y.ms);
    same &&= x.ids.length === y.ids.length && x.ids.every((id, i) => id === y.ids[i]);
  }
  const indexed = INDEXED.has(shape.name);
  const goal = indexed ? 20 : 5;
  const ratio = median(j) / median(o);
  return {
    name,
    unit: 'ms',
    goal: `jIO/ours ≥${goal}× (${indexed ? 'index' : 'scan'})`,
    higherIsBetter: true,
    baselineName: 'jIO',
    ours: summary(o),
    baseline: summary(j),
    ratio,
    passed: same && ratio >= goal,
    options,
    sameRows: same,
    documents: c.total,
    ...(same ? {} : { error: 'jIO and ours returned different rows' }),
    notes: [`${shape.query}: jIO ${fmt(median(j))} ms, ours ${fmt(median(o))} ms → ours ${fmt(ratio)}× faster (${indexed ? 'planner reads the indexes' : 'full scan'}); ${same ? 'same 20 rows in the same order' : 'ROWS DIFFER'}`],
  };
}

/**
 * One record per query shape (bench/run.js's metric shape): ours = our master's `allDocs` ms,
 * baseline = jIO's, `ratio` jIO/ours (higher is better). `c` is the cities set-up of bench/run.js
 * (`c.master.page` holds the indexed master `#scale` with the cities as `city-<k>`).
 * `rounds` rounds, each one jIO call and `perRound` of ours, after warm-ups (a failing shape gives
 * an error record, the others still run).
 */
export async function jioAnchorMetrics(c, { rounds = 3, perRound = 5 } = {}) {
  const page = c.master.page;
  const cdp = await page.context().newCDPSession(page);
  const collect = () => cdp.send('HeapProfiler.collectGarbage');
  await evaluate(page, 'load the anchor module', 20000, async () => {
    globalThis.JA = await import('/bench/jio-anchor.js');
  });
  const json = JSON.stringify(loadCities());
  await evaluate(page, 'cities to the anchor', 60000, (j) => JA.anchorSetCities(j), json);
  const load = await evaluate(page, 'load the cities into jIO\'s layout', 600000, (name) => JA.anchorLoad(name), DATABASE);
  if (load.count !== c.total) throw new Error(`jIO's store holds ${load.count} documents, not ${c.total}`);
  const out = [];
  try {
    for (const shape of QUERY_SHAPES) {
      const name = `jio anchor: ${shape.name}`;
      try {
        out.push(await anchorShape(page, shape, name, c, { rounds, perRound, warmJio: shape === QUERY_SHAPES[0], collect }));
      } catch (e) {
        out.push({ name, passed: false, error: e.message });
      }
      console.log(`  (${name}: done)`);
    }
  } finally {
    await evaluate(page, 'drop jIO\'s database', 60000, (name) => JA.anchorDrop(name), DATABASE).catch(() => {});
    await cdp.detach().catch(() => {});
  }
  (out[0].notes ?? []).push(`jIO's store: ${load.count} cities written in ${fmt(load.ms / 1000)} s (10,000 per transaction, not jIO's one-put-per-transaction path; not a measurement); jIO 3.45 query storage over a sub-storage in jIO's IndexedDB layout (bench/pages/jio-anchor.js)`);
  return out;
}
