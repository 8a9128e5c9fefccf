// Liveness (issue 14, item 8): how long after a SIGKILL of the master's browser every slave is
// writing again, against the master's own relaunch time (SIGKILL to the relaunched master page
// being back in its room), both measured on the same kills. Goal: ≤ 1.5 × the relaunch + 3 s.
// The master runs in a Chromium of its own on a profile on disk (test/e2e/master-process.js),
// three slaves of another Chromium post continuously through the real broadcaster (the demo pages,
// room `default`; the other metrics use rooms of their own).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium, openConnected } from '../../test/e2e/harness.js';
import { killMasterProcess, launchMasterProcess, slavesBack, startWriting } from '../../test/e2e/master-process.js';
import { fmt, median, summary } from '../lib/stats.js';

const KILLS = 5;
const SLAVES = 3;

/** Each slave page's acknowledged writes so far (`window.__acked`). */
const acked = (slaves) => Promise.all(slaves.map((s) => s.page.evaluate(() => window.__acked.slice())));

/** Polls until `fn()` gives a non-null value, for at most `ms`; resolves to it. */
async function until(fn, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The metric `master SIGKILL → slaves writing` against `master relaunch`, in the shape
 * bench/run.js prints: `{ name, unit, goal, ours, baseline, baselineName, ratio, passed, notes }`.
 * @param broadcaster the bench's broadcaster (test/e2e/harness.js `startBroadcaster`): it serves
 *   the demo pages and relays the signaling.
 */
export async function livenessMetric(broadcaster) {
  const profile = await mkdtemp(path.join(tmpdir(), 'rtc-bench-liveness-'));
  const browser = await launchChromium();
  let master = null;
  try {
    const url = `${broadcaster.origin}/demo/master.html`;
    master = await launchMasterProcess(profile, url);
    const slaves = [];
    for (let k = 0; k < SLAVES; k++) {
      const slave = await openConnected(browser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
      await slave.page.evaluate(startWriting, k);
      slaves.push(slave);
    }
    await until(async () => ((await acked(slaves)).every((a) => a.length >= 20) ? true : null), 30000, 'slaves writing');
    const relaunch = [];
    const back = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const killedAt = Date.now();
      const killed = master;
      master = null;
      await killMasterProcess(killed);
      master = await launchMasterProcess(profile, url);
      relaunch.push(Date.now() - killedAt);
      back.push(await until(async () => slavesBack(await acked(slaves), killedAt), 60000, 'every slave writing again'));
    }
    const ours = summary(back);
    const baseline = summary(relaunch);
    const bound = 1.5 * baseline.median + 3000;
    return {
      name: 'master SIGKILL → slaves writing',
      unit: 'ms',
      goal: '≤ 1.5× relaunch + 3 s',
      baselineName: 'master relaunch',
      ours,
      baseline,
      ratio: ours.median / baseline.median,
      passed: ours.median <= bound,
      notes: [`${KILLS} kills, ${SLAVES} slaves: slaves writing again after ${back.join(', ')} ms; master page back after ${relaunch.join(', ')} ms; bound ${fmt(bound)} ms; slaves after the master: median ${fmt(median(back.map((b, i) => b - relaunch[i])))} ms`],
    };
  } finally {
    if (master) await killMasterProcess(master).catch(() => {});
    await browser.close().catch(() => {});
    await rm(profile, { recursive: true, force: true });
  }
}
