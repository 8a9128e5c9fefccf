// Chrome's sampling profiler over CDP (Profiler.start/stop) for pages of the run, and a table of
// the functions with the most self time. Frames of the shipped bundle (minified) are mapped back to
// gadgets/… sources through dist/rtc-gadgets.js.map, so the report names real files and lines.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

let mapper = null;
/**
 * Maps (line, column) of dist/rtc-gadgets.js to `{ where: 'gadgets/…ts:line', name, text }`
 * (through the bundle's map, then tsc's map of dist/gadgets/…js when there is one), or null.
 */
async function bundleMapper() {
  if (mapper) return mapper;
  mapper = () => null;
  try {
    // Not a dependency of ours: used when present (rollup/terser bring it), else names stay minified.
    const { TraceMap, originalPositionFor } = await import('@jridgewell/trace-mapping');
    const load = (file) => {
      const raw = JSON.parse(readFileSync(file, 'utf8'));
      return { map: new TraceMap(raw), lines: new Map(raw.sources.map((s, i) => [s, raw.sourcesContent?.[i]?.split('\n') ?? []])) };
    };
    const bundle = load(`${root}dist/rtc-gadgets.js.map`);
    const modules = new Map(); // dist/gadgets/…js → its tsc map (or null)
    const moduleMap = (source) => {
      if (!modules.has(source)) {
        try {
          modules.set(source, load(`${root}dist/${source}.map`));
        } catch {
          modules.set(source, null);
        }
      }
      return modules.get(source);
    };
    mapper = (line, column) => {
      const pos = originalPositionFor(bundle.map, { line: line + 1, column });
      if (!pos.source) return null;
      let file = pos.source.replace(/^(\.\.\/)+/, '').replace(/^.*node_modules\//, 'node_modules/');
      let text = bundle.lines.get(pos.source)?.[pos.line - 1] ?? '';
      let at = pos.line;
      const ts = file.startsWith('gadgets/') ? moduleMap(file) : null;
      if (ts) {
        const p2 = originalPositionFor(ts.map, { line: pos.line, column: pos.column });
        if (p2.source) {
          file = p2.source.replace(/^(\.\.\/)+/, '');
          at = p2.line;
          text = ts.lines.get(p2.source)?.[p2.line - 1] ?? text;
        }
      }
      return { where: `${file}:${at}`, name: pos.name, text: text.trim().slice(0, 70) };
    };
  } catch { /* keep minified names */ }
  return mapper;
}

/** Starts sampling in every page of `pages` (`[{ name, page }]`). @returns stop() → profiles. */
export async function startProfiling(pages, intervalUs = 200) {
  const sessions = [];
  for (const { name, page } of pages) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await cdp.send('Profiler.start');
    sessions.push({ name, cdp });
  }
  return async () => {
    const out = [];
    for (const { name, cdp } of sessions) {
      const { profile } = await cdp.send('Profiler.stop');
      await cdp.detach().catch(() => {});
      out.push({ name, profile });
    }
    return out;
  };
}

/**
 * The `top` functions by self time of a CDP profile: `{ selfMs, pct, fn, where, text }`.
 * Self time is the sum of the time deltas of the samples that land in a function.
 */
export async function topSelf(profile, top = 12) {
  const map = await bundleMapper();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? 0) / 1000; // µs → ms, the time until the next sample
    total += dt;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  const agg = new Map();
  for (const [id, ms] of self) {
    const { callFrame: f } = byId.get(id);
    let fn = f.functionName || '(anonymous)';
    let where = f.url ? `${f.url.replace(/^https?:\/\/[^/]+/, '')}:${f.lineNumber + 1}` : '';
    let text = '';
    if (f.url.endsWith('/dist/rtc-gadgets.js') && f.lineNumber >= 0) {
      const m = map(f.lineNumber, f.columnNumber);
      if (m) {
        where = m.where;
        text = m.text;
        if (m.name) fn = `${m.name} (${fn})`;
      }
    }
    const key = `${fn}|${where}`;
    const a = agg.get(key) ?? { fn, where, text, selfMs: 0 };
    a.selfMs += ms;
    agg.set(key, a);
  }
  const rows = [...agg.values()].sort((a, b) => b.selfMs - a.selfMs);
  const busy = rows.filter((r) => r.fn !== '(idle)').reduce((s, r) => s + r.selfMs, 0);
  return {
    totalMs: total,
    busyMs: busy,
    top: rows.slice(0, top).map((r) => ({ ...r, selfMs: +r.selfMs.toFixed(2), pctOfBusy: r.fn === '(idle)' ? null : +((100 * r.selfMs) / busy).toFixed(1) })),
  };
}
