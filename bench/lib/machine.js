// What the figures were measured on: CPU model, cores, memory, OS, Node; and the memory of
// Chromium processes from /proc (VmRSS), restricted to the descendants of this Node process so
// other browsers running on the machine are never counted.
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

export function machine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch { /* not Linux */ }
  return {
    cpuModel,
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    /** 1, 5 and 15 minute load averages when the run starts (other work on the machine skews figures). */
    loadAverage: os.loadavg(),
  };
}

/** Busy and total jiffies of all CPUs (/proc/stat), or null off Linux. */
function cpuTimes() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] || 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * Samples the machine's load during the run: the 1-minute load average and the busy fraction of
 * all CPUs (every process, ours included) every `everyMs`. `stop()` →
 * `{ loadAverageStart, loadAverageEnd, everyMs, samples, loadAverage1m: {min, median, max},
 * cpuBusy: {min, median, max} }` (cpuBusy 0..1 per interval).
 */
export function loadSampler(everyMs = 5000) {
  const loadAverageStart = os.loadavg();
  const load = [];
  const busy = [];
  let last = cpuTimes();
  const timer = setInterval(() => {
    load.push(os.loadavg()[0]);
    const now = cpuTimes();
    if (now && last && now.total > last.total) busy.push((now.busy - last.busy) / (now.total - last.total));
    last = now;
  }, everyMs);
  timer.unref();
  const spread = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] } : null;
  };
  return {
    stop() {
      clearInterval(timer);
      return { loadAverageStart, loadAverageEnd: os.loadavg(), cores: os.cpus().length, everyMs, samples: load.length, loadAverage1m: spread(load), cpuBusy: spread(busy) };
    },
  };
}

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** Every live process as `{ pid, ppid, cmdline }`. */
function processes() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(name, 'stat');
    if (!stat) continue;
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.push({ pid: Number(name), ppid: Number(rest[1]), cmdline: (readProc(name, 'cmdline') ?? '').replace(/\0/g, ' ') });
  }
  return out;
}

/** Descendants of `root` (default: this process). */
export function descendants(root = process.pid) {
  const all = processes();
  const children = new Map();
  for (const p of all) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p);
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()) ?? []) {
      out.push(c);
      stack.push(c.pid);
    }
  }
  return out;
}

/** Chromium renderer processes started by this process. */
export function rendererPids() {
  return descendants().filter((p) => p.cmdline.includes('--type=renderer')).map((p) => p.pid);
}

/** Chromium processes (any type) started by this process. */
export function chromiumPids() {
  return descendants().filter((p) => /chrom/i.test(p.cmdline)).map((p) => p.pid);
}

/** VmRSS of `pid`, bytes (0 when gone). */
export function rssBytes(pid) {
  const status = readProc(pid, 'status');
  const m = status && /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

export const sumRss = (pids) => pids.reduce((s, pid) => s + rssBytes(pid), 0);
