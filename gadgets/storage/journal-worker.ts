/**
 * The journal's dedicated Worker: the only code that touches the journal files in the Origin
 * Private File System, through sync access handles (`createSyncAccessHandle`, workers only), so a
 * write is on disk (`flush()`) before the master acknowledges it. journal.ts drives it.
 *
 * `journalWorkerMain` must stay self-contained (no imports, no outside names but the worker's
 * globals): journal.ts starts it from a Blob URL of its source text (`Function.prototype.toString`),
 * so it works the same from the rollup bundles (dist/rtc-gadgets.js, the IIFE) and the unbundled
 * build, with no second file to serve.
 *
 * Files, in `rtc-journal/<encodeURIComponent(database)>/`:
 * - `log-<n>`: one JSON record a line (journal.ts says which), appended and flushed;
 * - `snap-<n>`: the documents as of some moment after `log-<n>` was started, one JSON line each,
 *   ending with `{"end":<lines>}`. Only a snapshot with that last line is complete; the state is the
 *   newest complete `snap-<n>` replayed with `log-<n>`, `log-<n+1>`, … (or every log when there is
 *   no snapshot). Writing that last line (flushed) is the atomic switch to a new snapshot; older
 *   files are deleted afterwards, and leftovers of a crash are deleted at the next open.
 * A record cut short by a crash (no final newline) is dropped when read, and cut off the current
 * log when it is opened again.
 *
 * Messages: `{ id, op, ... }` → `{ id, ok: true, result }` or `{ id, ok: false, error }`; ops are
 * `open {name}`, `append {text}`, `rotate`, `snapBegin`, `snapWrite {text}`, `snapEnd {lines}`,
 * `read` (the next batch of lines, `{ lines, done, torn }`), `close`.
 */
export function journalWorkerMain(): void {
  interface SyncHandle {
    read(buffer: Uint8Array, options?: { at: number }): number;
    write(buffer: Uint8Array, options?: { at: number }): number;
    truncate(size: number): void;
    getSize(): number;
    flush(): void;
    close(): void;
  }
  type FileH = FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncHandle> };
  interface Reading { names: string[]; file: string | null; handle: SyncHandle | null; own: boolean; at: number; carry: string; decoder: TextDecoder }

  const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
  const encoder = new TextEncoder();
  const BATCH = 1 << 20;
  let dir: FileSystemDirectoryHandle | null = null;
  let current = 0;
  let log: SyncHandle | null = null;
  let size = 0;
  let snap: { n: number; handle: SyncHandle; at: number } | null = null;
  let reading: Reading | null = null;
  let base = 0;
  let hasSnapshot = false;

  const numbered = (name: string, kind: string): number => {
    const m = new RegExp(`^${kind}-(\\d+)$`).exec(name);
    return m ? Number(m[1]) : -1;
  };
  const handleOf = async (name: string, create = false): Promise<SyncHandle> =>
    ((await dir!.getFileHandle(name, { create })) as FileH).createSyncAccessHandle();
  const remove = async (name: string): Promise<void> => {
    try {
      await dir!.removeEntry(name);
    } catch {
      // already gone
    }
  };
  const listNames = async (): Promise<string[]> => {
    const names: string[] = [];
    for await (const key of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(key);
    return names;
  };
  /** True when the file ends with the `{"end":…}` line of a complete snapshot. */
  const complete = async (name: string): Promise<boolean> => {
    const h = await handleOf(name);
    try {
      const n = h.getSize();
      const tail = new Uint8Array(Math.min(n, 64));
      h.read(tail, { at: n - tail.length });
      return /\n?\{"end":\d+\}\n$/.test(new TextDecoder().decode(tail));
    } finally {
      h.close();
    }
  };
  /** Cuts a record torn by a crash (bytes after the last newline) off the end of `h`. */
  const cutTorn = (h: SyncHandle): number => {
    let end = h.getSize();
    const buf = new Uint8Array(4096);
    while (end > 0) {
      const from = Math.max(0, end - buf.length);
      const got = h.read(buf.subarray(0, end - from), { at: from });
      const nl = buf.subarray(0, got).lastIndexOf(10);
      if (nl >= 0) {
        end = from + nl + 1;
        break;
      }
      end = from;
    }
    if (end !== h.getSize()) h.truncate(end);
    return end;
  };

  const open = async (name: string) => {
    const root = await navigator.storage.getDirectory();
    const top = await root.getDirectoryHandle('rtc-journal', { create: true });
    dir = await top.getDirectoryHandle(encodeURIComponent(name), { create: true });
    const names = await listNames();
    const snaps = names.map((n) => numbered(n, 'snap')).filter((n) => n >= 0).sort((a, b) => b - a);
    const logs = names.map((n) => numbered(n, 'log')).filter((n) => n >= 0).sort((a, b) => a - b);
    base = logs[0] ?? 0;
    hasSnapshot = false;
    for (const n of snaps) {
      if (await complete(`snap-${n}`)) {
        base = n;
        hasSnapshot = true;
        break;
      }
    }
    // Leftovers of a crash: incomplete or older snapshots, logs the snapshot covers.
    for (const n of snaps) if (n !== base || !hasSnapshot) await remove(`snap-${n}`);
    for (const n of logs) if (n < base) await remove(`log-${n}`);
    current = Math.max(base, logs[logs.length - 1] ?? base);
    log = await handleOf(`log-${current}`, true);
    size = cutTorn(log);
    log.flush();
    const olderLogs = logs.some((n) => n >= base && n !== current);
    return { base, current, hasSnapshot, bytes: size, hasData: hasSnapshot || size > 0 || olderLogs };
  };

  const append = (text: string) => {
    const bytes = encoder.encode(text);
    size += log!.write(bytes, { at: size });
    log!.flush();
    return { bytes: size };
  };

  const rotate = async () => {
    const next = await handleOf(`log-${current + 1}`, true);
    next.truncate(0);
    log!.close();
    log = next;
    current += 1;
    size = 0;
    return { current };
  };

  const snapBegin = async () => {
    const h = await handleOf(`snap-${current}`, true);
    h.truncate(0);
    snap = { n: current, handle: h, at: 0 };
    return { n: current };
  };
  const snapWrite = (text: string) => {
    snap!.at += snap!.handle.write(encoder.encode(text), { at: snap!.at });
    return { bytes: snap!.at };
  };
  const snapEnd = async (lines: number) => {
    const s = snap!;
    snapWrite(`{"end":${lines}}\n`);
    s.handle.flush();
    s.handle.close();
    snap = null;
    // The switch is done: what the new snapshot covers can go.
    for (const name of await listNames()) {
      const n = Math.max(numbered(name, 'snap'), numbered(name, 'log'));
      if (n >= 0 && n < s.n) await remove(name);
    }
    base = s.n;
    hasSnapshot = true;
    return { bytes: s.at };
  };

  /** The next batch of whole lines: the snapshot's (without its end line), then each log's. */
  const read = async () => {
    if (!reading) {
      const names = await listNames();
      const logs = names.map((n) => numbered(n, 'log')).filter((n) => n >= base).sort((a, b) => a - b).map((n) => `log-${n}`);
      reading = { names: hasSnapshot ? [`snap-${base}`, ...logs] : logs, file: null, handle: null, own: false, at: 0, carry: '', decoder: new TextDecoder() };
    }
    const r = reading;
    let torn = 0;
    for (;;) {
      if (!r.handle) {
        const name = r.names.shift();
        if (name === undefined) {
          reading = null;
          return { lines: [], done: true, torn };
        }
        r.file = name;
        r.own = name !== `log-${current}`;
        r.handle = r.own ? await handleOf(name) : log;
        r.at = 0;
        r.carry = '';
        r.decoder = new TextDecoder();
      }
      const buf = new Uint8Array(BATCH);
      const got = r.handle!.read(buf, { at: r.at });
      r.at += got;
      const text = r.carry + r.decoder.decode(buf.subarray(0, got), { stream: got > 0 });
      const lines = text.split('\n');
      r.carry = lines.pop() ?? '';
      if (got === 0) {
        if (r.carry !== '') torn += 1;
        if (r.own) r.handle!.close();
        r.handle = null;
      }
      const kept = r.file!.startsWith('snap-') ? lines.filter((l) => !l.startsWith('{"end":')) : lines;
      if (kept.length > 0 || torn > 0) return { lines: kept, done: false, torn, file: r.file };
    }
  };

  const close = () => {
    log?.close();
    snap?.handle.close();
    log = null;
    snap = null;
    return {};
  };

  const ops: Record<string, (m: { text: string; name: string; lines: number }) => unknown> = {
    open: (m) => open(m.name),
    append: (m) => append(m.text),
    rotate: () => rotate(),
    snapBegin: () => snapBegin(),
    snapWrite: (m) => snapWrite(m.text),
    snapEnd: (m) => snapEnd(m.lines),
    read: () => read(),
    close: () => close(),
  };
  // One message at a time, in order: an append must not pass a rotate.
  let queue: Promise<unknown> = Promise.resolve();
  scope.onmessage = (event: MessageEvent) => {
    const m = event.data as { id: number; op: string; text: string; name: string; lines: number };
    queue = queue.then(async () => {
      try {
        const result = await ops[m.op]!(m);
        scope.postMessage({ id: m.id, ok: true, result });
      } catch (e) {
        const error = e as Error;
        scope.postMessage({ id: m.id, ok: false, error: { name: error?.name ?? 'Error', message: error?.message ?? String(e) } });
      }
    });
  };
}
