// Sequential writes with the changes feed's seqs predicted (storage/seq-allocator.ts) against the
// same writes with the prediction turned off on the master's allocator (each write then reads the
// feed's highest key first, as every write did before it), ABAB in the same run, so the gain is
// free of the load changes between two runs (issue 15 item 6). Registered in bench/run.js, which
// passes its helpers (`run`, `compare`, `REPS`) beside the usual context.
/* global B -- the bench page's API (bench/pages/bench.js), used in functions run by page.evaluate */

/** Turns the master page's seq prediction on or off (`off` overrides the method on that allocator instance only). */
const setPrediction = (master, run, on) => run(master.page, on ? 'prediction on' : 'prediction off', 10000, async (predict) => {
  const seqs = (await document.getElementById('db').backend()).feed.seqs;
  if (predict) delete seqs.predictable;
  else seqs.predictable = () => null;
}, on);

/**
 * Runs `once(prefix)` (→ `{ perSecond }`; prefixes start with `tag`) with the prediction on, then off, REPS times after a
 * warm-up of each, and compares them (goal ≥ 1×: predicting must not cost more than it saves).
 * `between(k)` runs after each pair (a baseline printed beside).
 */
async function predictedVsRead(name, tag, master, { run, compare, REPS }, once, between = async () => {}) {
  const measure = async (on, prefix) => {
    await setPrediction(master, run, on);
    try {
      return await once(prefix);
    } finally {
      await setPrediction(master, run, true);
    }
  };
  await measure(true, `${tag}-on-warm`);
  await measure(false, `${tag}-off-warm`);
  const o = [];
  const b = [];
  for (let k = 0; k < REPS; k++) {
    o.push((await measure(true, `${tag}-on-${k}`)).perSecond);
    b.push((await measure(false, `${tag}-off-${k}`)).perSecond);
    await between(k);
  }
  return { o, b, m: compare({ name, unit: 'docs/s', goal: '≥1×', higherIsBetter: true, ours: o, baseline: b, oursReps: o, baseReps: b, baselineName: 'key read', pass: (x) => x.ratio >= 1 }) };
}

const median = (xs) => xs.slice().sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/** The `sequential writes` loop (1000 `put`s from a slave, one after another), prediction on vs off. */
export async function seqSlaveMetric({ master, slave }, helpers) {
  const N = 1000;
  const once = (prefix) => helpers.run(slave.page, 'ours sequential puts', 90000, (x) => B.oursSequentialPuts(0, x.n, x.prefix), { n: N, prefix });
  const { m } = await predictedVsRead('sequential writes from a slave (seqs predicted vs key read)', 'sqs', master, helpers, once);
  return { ...m, docs: N };
}

/**
 * 500 sequential `put`s on the master page's own database (no data channel), prediction on vs
 * off, with the raw one-transaction-per-put loop of `sequential writes` measured beside.
 */
export async function seqAllocatorMetric({ master }, helpers) {
  const N = 500;
  const once = (prefix) => helpers.run(master.page, 'master puts', 90000, async (x) => {
    const db = await document.getElementById('db').backend();
    const counts = db.feed.seqs.counts;
    const predicted = counts.predicted;
    const t0 = performance.now();
    for (let i = 0; i < x.n; i++) await db.put(`${x.prefix}-${i}`, { i, text: 'sequential write from the master' });
    const ms = performance.now() - t0;
    return { ms, perSecond: x.n / (ms / 1000), predicted: counts.predicted - predicted };
  }, { n: N, prefix });
  const raw = [];
  const between = async (k) => raw.push((await helpers.run(master.page, 'raw put loop', 90000, (x) => B.rawPutLoop(x.n, x.prefix), { n: N, prefix: `sraw-${k}` })).perSecond);
  const { o, m } = await predictedVsRead('sequential writes in the master (seqs predicted vs key read)', 'sqm', master, helpers, once, between);
  const note = `raw tx/put loop in this run: ${Math.round(median(raw))} docs/s; predicted ${(median(o) / median(raw)).toFixed(2)}× of it`;
  return { ...m, docs: N, rawPutLoop: raw, notes: [note] };
}
