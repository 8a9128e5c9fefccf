/**
 * The journal: a copy of every acknowledged write kept outside IndexedDB, in the Origin Private
 * File System, so that a database the browser wiped (Chromium deletes an origin's IndexedDB it finds
 * corrupt after a crash; every database of an origin shares that one store) can be rebuilt
 * (journal-restore.ts). The files are written by a dedicated Worker through a sync access handle
 * and flushed before the write is acknowledged (journal-worker.ts has the files and their format).
 * Reference: README.md "Keeping your data", docs/architecture.md "When the browser loses the database".
 *
 * Records, one JSON line each (`k`: the write's idempotency key, when it had one):
 * - `{t:'put', id, doc, k?}`: `put` and `post`;
 * - `{t:'bulk', e:[[id, doc], …], k?}`: `bulkPut`;
 * - `{t:'del', id, k?}`: `remove` (with its attachments);
 * - `{t:'att', id, name, content_type, length, digest}`: an attachment completed (metadata only:
 *   its bytes stay in IndexedDB; after a wipe it is reported as to be uploaded again);
 * - `{t:'delatt', id, name, k?}`: `removeAttachment`.
 * A snapshot has `{t:'doc', id, doc}`, `{t:'key', k, r, at}` (a remembered answer) and `att` lines.
 */
import type { Doc } from '../api.js';
import { journalWorkerMain } from './journal-worker.js';

/** One acknowledged write, as journaled (see the module docs). */
export type JournalRecord =
  | { t: 'put'; id: string; doc: Doc; k?: string }
  | { t: 'bulk'; e: [string, Doc][]; k?: string }
  | { t: 'del'; id: string; k?: string }
  | { t: 'dels'; ids: string[] }
  | { t: 'att'; id: string; name: string; content_type: string; length: number; digest: string }
  | { t: 'delatt'; id: string; name: string; k?: string };

/** What the write paths call (database.ts, write-log.ts, attachment-store.ts). */
export interface JournalSink {
  /** Resolves once the record is flushed to disk; never rejects (a failing journal turns itself off). */
  append(record: JournalRecord): Promise<void>;
}

/** What `<rtc-status>` and `RtcMaster.journal` show. */
export interface JournalStatus {
  /** True while writes are journaled. */
  on: boolean;
  /** Why it is off ('' when on). */
  reason: string;
  /** Bytes of the current log file. */
  bytes: number;
  /** Set when the database was rebuilt from the journal at open. */
  restored: { documents: number; lostAttachments: number; at: number } | null;
}

/** Writes the lines of a snapshot, in batches; resolves to the number of lines (journal-idb.ts). */
export type SnapshotSource = (write: (lines: string[]) => Promise<void>) => Promise<number>;

/** A log past this many bytes is compacted into a snapshot. */
export const COMPACT_BYTES = 16 * 1024 * 1024;

/** Why a journal cannot run here, or '' when it may (the worker may still refuse: open() says). */
export function journalUnsupported(): string {
  if (typeof Worker === 'undefined') return 'no Web Workers';
  if (!globalThis.isSecureContext) return 'the page is not a secure context (HTTPS or localhost)';
  if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') return 'no Origin Private File System in this browser';
  return '';
}

interface Reply { id: number; ok: boolean; result?: unknown; error?: { name: string; message: string } }

/** The journal of one database (see the module docs). */
export class Journal implements JournalSink {
  readonly status: JournalStatus = { on: true, reason: '', bytes: 0, restored: null };
  /** Called once when the journal fails and turns off. */
  onFailure: ((error: Error) => void) | null = null;
  /** Where compaction reads the documents from; without it the log is never compacted. */
  source: SnapshotSource | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private pending: string[] = [];
  private pendingDone: (() => void)[] = [];
  private compacting: Promise<void> | null = null;

  private constructor(private readonly worker: Worker, readonly hasData: boolean, private readonly compactBytes: number) {
    worker.onmessage = (event: MessageEvent<Reply>) => {
      const r = event.data;
      const w = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (!w) return;
      if (r.ok) w.resolve(r.result);
      else w.reject(Object.assign(new Error(r.error?.message ?? 'journal failure'), { name: r.error?.name ?? 'Error' }));
    };
  }

  /**
   * Starts the worker and opens the journal of database `name` (cleaning up after a crash).
   * @throws Error saying why there can be no journal: unsupported here (journalUnsupported), or
   *   the files are held by another tab (NoModificationAllowedError).
   */
  static async open(name: string, options: { compactBytes?: number } = {}): Promise<Journal> {
    const why = journalUnsupported();
    if (why) throw new Error(why);
    const url = URL.createObjectURL(new Blob([`(${journalWorkerMain.toString()})()`], { type: 'text/javascript' }));
    const worker = new Worker(url, { name: `rtc-journal:${name}` });
    URL.revokeObjectURL(url);
    const opening = new Journal(worker, false, 0);
    try {
      const opened = await opening.call<{ hasData: boolean; bytes: number }>('open', { name });
      const journal = new Journal(worker, opened.hasData, options.compactBytes ?? COMPACT_BYTES);
      journal.status.bytes = opened.bytes;
      return journal;
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  private call<T>(op: string, fields: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, op, ...fields });
    });
  }

  /** Queues `record`; the records of one task are written and flushed together. */
  append(record: JournalRecord): Promise<void> {
    if (!this.status.on) return Promise.resolve();
    let line: string;
    try {
      line = JSON.stringify(record) + '\n';
    } catch (e) {
      this.fail(e as Error);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      if (this.pending.length === 0) queueMicrotask(() => this.writePending());
      this.pending.push(line);
      this.pendingDone.push(resolve);
    });
  }

  private writePending(): void {
    const text = this.pending.join('');
    const done = this.pendingDone;
    this.pending = [];
    this.pendingDone = [];
    this.call<{ bytes: number }>('append', { text }).then(
      ({ bytes }) => {
        this.status.bytes = bytes;
        if (bytes > this.compactBytes && !this.compacting && this.source) void this.compact();
      },
      (e: Error) => this.fail(e),
    ).finally(() => {
      for (const d of done) d();
    });
  }

  private fail(error: Error): void {
    if (!this.status.on) return;
    this.status.on = false;
    this.status.reason = `journal failed: ${error.message}`;
    this.onFailure?.(new Error(`The journal (the copy outside IndexedDB) stopped: ${error.message}`));
  }

  /**
   * Writes a snapshot of the documents (from `source`) and drops the logs it covers. Appends go on
   * meanwhile, into a new log; the snapshot may see some of them, which replay applies again with
   * the same effect (journal-restore.ts). Resolves when done; a failure turns the journal off.
   */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    const source = this.source;
    if (!source || !this.status.on) return Promise.resolve();
    this.compacting = (async () => {
      try {
        await this.call('rotate');
        await this.call('snapBegin');
        const lines = await source((batch) => this.call('snapWrite', { text: batch.join('') }));
        await this.call('snapEnd', { lines });
      } catch (e) {
        this.fail(e as Error);
      } finally {
        this.compacting = null;
      }
    })();
    return this.compacting;
  }

  /**
   * Reads the journal from its start (snapshot, then logs), one batch of lines at a time.
   * @returns the number of records dropped because a crash cut them short.
   */
  async read(onLines: (lines: string[]) => Promise<void>): Promise<number> {
    let torn = 0;
    for (;;) {
      const batch = await this.call<{ lines: string[]; done: boolean; torn: number }>('read');
      torn += batch.torn;
      if (batch.lines.length > 0) await onLines(batch.lines);
      if (batch.done) return torn;
    }
  }

  /** Waits for a compaction under way, closes the files and ends the worker. */
  async close(): Promise<void> {
    await this.compacting;
    this.status.on = false;
    this.status.reason = 'closed';
    await this.call('close').catch(() => undefined);
    this.worker.terminate();
  }
}
