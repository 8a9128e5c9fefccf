// Write-cost metrics of the feedperf work (issue 15 item 6, group commit): registered in
// bench/run.js, which passes its helpers (`run`, `compare`, `REPS`) beside the usual context.
/* global B -- the bench page's API (bench/pages/bench.js), used in functions run by page.evaluate */

/**
 * Concurrent writes: 4 slaves of the slave page each put 300 documents one after another, all at
 * once, against the slave page's slave 0 alone doing the same (same run, same master). Group
 * commit (storage/write-log.ts) lets the writes that meet on the master share a transaction, so
 * the 4 together should write well over what 1 does: goal ≥ 2× in aggregate docs/s.
 */
export async function concurrentWritesMetric({ slave }, { run, compare, REPS }) {
  const N = 300;
  const WRITERS = 4;
  await run(slave.page, `connect ${WRITERS} slaves`, 120000, (k) => B.oursConnectMany(Math.max(0, k - B.slaveCount()), 'seed-1'), WRITERS);
  const many = (prefix) => run(slave.page, 'concurrent puts', 120000, async (x) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: x.k }, (_, i) => B.oursSequentialPuts(i, x.n, `${x.prefix}-${i}`)));
    const ms = performance.now() - t0;
    return { ms, perSecond: (x.k * x.n) / (ms / 1000) };
  }, { n: N, k: WRITERS, prefix });
  const one = (prefix) => run(slave.page, 'one writer', 90000, (x) => B.oursSequentialPuts(0, x.n, x.prefix), { n: N, prefix });
  await many('conc-warm');
  await one('conc1-warm');
  const o = [];
  const b = [];
  for (let r = 0; r < REPS; r++) {
    o.push((await many(`conc-${r}`)).perSecond);
    b.push((await one(`conc1-${r}`)).perSecond);
  }
  return compare({
    name: `concurrent writes ${WRITERS} slaves`,
    unit: 'docs/s',
    goal: '≥2×',
    higherIsBetter: true,
    ours: o,
    baseline: b,
    oursReps: o,
    baseReps: b,
    baselineName: 'one slave',
    pass: (m) => m.ratio >= 2,
    extra: { writers: WRITERS, docsEach: N, note: 'aggregate docs/s of 4 slaves writing sequentially at once vs 1 (group commit: storage/write-log.ts)' },
  });
}
