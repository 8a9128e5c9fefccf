// What a slow `get` of another slave waited behind, during the scans of `slave scan: fairness`
// (bench/sections/scan.js): the sampling profiles of the master and the slaves (bench/lib/profile.js,
// CDP Profiler) are laid on the gets' time windows. Chromium's profile timestamps are TimeTicks,
// CLOCK_MONOTONIC on Linux, the clock of Node's `process.hrtime`; the pages give epoch times, so an
// epoch time is turned into a profile time by this process's epoch − monotonic offset.
import console from 'node:console';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { fmt } from '../lib/stats.js';
import { topSelf } from '../lib/profile.js';

/** Epoch ms minus CLOCK_MONOTONIC ms, now (µs precision; wall-clock slewing over a run is negligible). */
export function epochOffsetMs() {
  const mono = Number(process.hrtime.bigint()) / 1e6;
  return performance.timeOrigin + performance.now() - mono;
}

/** `[{ t, dt, node }]` of a CDP profile: each sample's start (monotonic ms), length (ms) and node. */
function timeline(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = [];
  let t = profile.startTime / 1000;
  const { samples = [], timeDeltas = [] } = profile;
  for (let i = 0; i < samples.length; i++) {
    t += (timeDeltas[i] ?? 0) / 1000;
    out.push({ t, dt: (timeDeltas[i + 1] ?? 0) / 1000, node: byId.get(samples[i]) });
  }
  return out;
}

const label = (node) => {
  const f = node.callFrame;
  const file = f.url ? f.url.replace(/^.*\//, '') : '';
  return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
};

/**
 * Runs of busy samples (not `(idle)`) of a profile, merged across gaps under `gapMs`: what a
 * message arriving on that thread waits behind. @returns `{ runs: [{ start, ms, top }], busyMs }`.
 */
export function busyRuns(profile, gapMs = 0.5) {
  const runs = [];
  let cur = null;
  let busyMs = 0;
  for (const s of timeline(profile)) {
    if (s.node.callFrame.functionName === '(idle)') continue;
    busyMs += s.dt;
    if (!cur || s.t - (cur.start + cur.ms) > gapMs) {
      cur = { start: s.t, ms: 0, self: new Map() };
      runs.push(cur);
    }
    cur.ms = s.t + s.dt - cur.start;
    cur.self.set(label(s.node), (cur.self.get(label(s.node)) ?? 0) + s.dt);
  }
  for (const r of runs) r.top = [...r.self].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([fn, ms]) => `${fn} ${fmt(ms)} ms`);
  return { runs, busyMs };
}

/**
 * For the gets slower than `slowMs` (windows `[end - rtt, end]`, epoch ms), each profile's busy
 * time inside those windows, by function (self time), and the longest run overlapping one.
 * @returns `{ slow, gets, pages: { name: { busyMs, windowMs, top, longestRunMs, longestRunTop } } }`.
 */
export async function whatSlowGetsWaitedFor(gets, slowMs, profiles, offsetMs) {
  const windows = [];
  gets.rtts.forEach((rtt, k) => {
    if (rtt > slowMs) windows.push([gets.ends[k] - rtt - offsetMs, gets.ends[k] - offsetMs]);
  });
  const pages = {};
  for (const { name, profile } of profiles) {
    // The samples inside the windows, as a profile of their own (topSelf maps the bundle's frames).
    const inside = timeline(profile).filter((s) => windows.some(([a, b]) => s.t < b && s.t + s.dt > a));
    const sub = { nodes: profile.nodes, startTime: 0, samples: inside.map((s) => s.node.id), timeDeltas: [0, ...inside.map((s) => s.dt * 1000)] };
    const t = await topSelf(sub, 8);
    const { runs } = busyRuns(profile);
    const hit = runs.filter((r) => windows.some(([a, b]) => r.start < b && r.start + r.ms > a)).sort((a, b) => b.ms - a.ms);
    const all = runs.map((r) => r.ms);
    pages[name] = {
      busyMs: +t.busyMs.toFixed(2),
      windowMs: +windows.reduce((n, [a, b]) => n + b - a, 0).toFixed(2),
      top: t.top.filter((r) => r.fn !== '(idle)').slice(0, 6).map((r) => `${r.fn} ${fmt(r.selfMs)} ms ${r.where}`),
      longestRunMs: hit[0] ? +hit[0].ms.toFixed(2) : 0,
      longestRunTop: hit[0]?.top ?? [],
      runsOver2ms: all.filter((x) => x > 2).length,
      runsOver5ms: all.filter((x) => x > 5).length,
      longestRuns: all.sort((a, b) => b - a).slice(0, 5).map((x) => +x.toFixed(2)),
    };
  }
  return { slow: windows.length, gets: gets.rtts.length, pages };
}

/** Prints {@link whatSlowGetsWaitedFor}'s answer. */
export function printWaits(w, slowMs) {
  console.log(`    ${w.slow} of ${w.gets} gets slower than ${fmt(slowMs)} ms; inside their windows:`);
  for (const [page, p] of Object.entries(w.pages)) {
    console.log(`      ${page}: busy ${fmt(p.busyMs)} of ${fmt(p.windowMs)} ms (${p.top.join('; ')}); longest run overlapping one ${fmt(p.longestRunMs)} ms (${p.longestRunTop.join('; ')}); runs >2 ms ${p.runsOver2ms}, >5 ms ${p.runsOver5ms}, longest ${p.longestRuns.map(fmt).join(', ')}`);
  }
}
