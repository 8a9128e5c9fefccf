// The journal's cost on the write path (README.md "Keeping your data"): the same writes on a master
// that journals (OPFS, sync access handle, flush before the answer) and on one that does not
// (`no-journal`), interleaved ABAB in one page of a Chromium with a profile on disk (incognito
// IndexedDB lives in memory and would flatter the baseline). Run by bench/run.js for
// `BENCH_ONLY=journal`, or in a full run; the metrics take the shape run.js prints.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../test/e2e/harness.js';
import { median, summary } from './lib/stats.js';

const REPS = 5;
const SEQUENTIAL = 300;
const BULK = 10000;

/** Writes `n` documents one `put` after another on master `which`; resolves to ms. */
function sequential([which, n, prefix]) {
  const db = document.getElementById(which);
  const t0 = performance.now();
  return (async () => {
    for (let i = 0; i < n; i++) await db.put(`${prefix}-${i}`, { i, name: `document ${i}`, tags: ['a', 'b'], at: Date.now() });
    return performance.now() - t0;
  })();
}

/** One `bulkPut` of `n` documents on master `which`; resolves to ms. */
async function bulk([which, n, prefix]) {
  const db = document.getElementById(which);
  const entries = Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, doc: { i, name: `document ${i}`, population: i * 7, country: 'FR' } }));
  const t0 = performance.now();
  await db.bulkPut(entries);
  return performance.now() - t0;
}

/**
 * Runs the journal metrics against the bench's static server at `origin` (a loopback origin: the
 * journal needs a secure context).
 * @returns {Promise<object[]>} metrics `{ name, unit, goal, ours, baseline, baselineName, ratio, passed, notes }`.
 */
export async function journalMetrics(origin) {
  const profile = await mkdtemp(path.join(tmpdir(), 'rtc-bench-journal-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: chromiumArgs,
  });
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/bench/journal.html`);
    await page.waitForFunction(() => customElements.get('rtc-master') !== undefined);
    await page.evaluate(async () => {
      for (const id of ['with', 'without']) await document.getElementById(id).put('warm', { warm: true });
    });
    const journal = await page.evaluate(() => document.getElementById('with').journal);
    if (!journal?.on) throw new Error(`the journal is off: ${journal?.reason}`);
    const metrics = [];
    for (const [name, fn, n, goal] of [[`journal sequential ${SEQUENTIAL}`, sequential, SEQUENTIAL, 2], [`journal bulk ${BULK / 1000}k`, bulk, BULK, 1.5]]) {
      const ours = [];
      const base = [];
      for (let rep = -1; rep < REPS; rep++) { // rep -1: warm-up, not counted
        // ABBA: which one goes first alternates, so neither gains from the other's leftovers.
        const first = rep % 2 === 0 ? 'with' : 'without';
        const x = await page.evaluate(fn, [first, n, `r${rep}`]);
        const y = await page.evaluate(fn, [first === 'with' ? 'without' : 'with', n, `r${rep}`]);
        const [a, b] = first === 'with' ? [x, y] : [y, x];
        if (rep >= 0) {
          ours.push(a);
          base.push(b);
        }
      }
      const ratio = median(ours) / median(base);
      const { bytes } = await page.evaluate(() => document.getElementById('with').journal);
      metrics.push({
        name, unit: 'ms', goal: `ratio ≤ ${goal}`, ours: summary(ours), baseline: summary(base), baselineName: 'no journal',
        ratio, passed: ratio <= goal,
        notes: [`per write: ${(median(ours) / n).toFixed(3)} ms with the journal, ${(median(base) / n).toFixed(3)} ms without (persistent profile); journal log now ${(bytes / 2 ** 20).toFixed(1)} MiB`],
      });
    }
    return metrics;
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
