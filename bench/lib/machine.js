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
