/**
 * The changes feed (issue 11; the shape of CouchDB's `_changes` and its by-sequence index): every
 * write adds one block of `{ seq, id, deleted? }` entries to store `changes` in its own
 * transaction (change-blocks.ts says how they are stored, numbered and compacted; every block is
 * numbered by this connection's {@link SeqAllocator}, `ChangesFeed.seqs`: write-log.ts through it,
 * attachment-store.ts through `ChangesFeed.record`). A read sees only the latest entry of each
 * id, so the feed reads as one entry per document; compaction, run in the background after
 * writes, drops the older entries from the store, so it grows with documents, not with writes.
 *
 * Watches (`ChangesFeed.watch`) are woken after each commit, by this connection or (through a
 * BroadcastChannel named after the database) another tab's, and read the feed from the last seq
 * they delivered: every change exactly once, in seq order.
 */
import type { ChangeRow, ChangesOptions, ChangesResult, Doc, WatchOptions } from '../api.js';
import { RtcError } from '../errors.js';
import { compileQuery } from '../query.js';
import type { Connection } from './connection.js';
import { blockKeys, compact, latestEntries, type ChangeBlock, type ChangeEntry } from './change-blocks.js';
import { MARKER_KEEP_MS, SeqAllocator } from './seq-allocator.js';

/** One document's change to record: `deleted` for a removal; `doc`, when known, the document written (a snapshot). */
export interface Change {
  id: string;
  deleted?: boolean;
  doc?: Doc;
}

/** One entry of the feed (stored in blocks: change-blocks.ts). */
export type ChangeRecord = ChangeEntry;

/** Most entries a watch reads per batch. */
export const WATCH_BATCH = 500;
/**
 * With W watches on this connection, a watch gets at most one batch per W × this many ms; the
 * commits of the meantime are delivered together. One watch gets every commit as it comes (a
 * flush takes ~0.05 ms); 20 get one batch per 30 ms at most, so a master streaming writes does
 * not spend most of its time pushing (bench `watch throughput`, on disk and idle: 0.62× of no
 * watchers at 0.5 ms, 0.82–0.87× at 1.5 ms, while `change delivery` stayed at 1.9–2.0×).
 */
export const DELIVERY_SPACING_MS = 1.5;
/** Entries written by this connection after which a compaction is scheduled. */
export const COMPACT_AFTER = 5000;
/** Delay from the write that crossed {@link COMPACT_AFTER} to the compaction, ms (writes in a burst go first). */
export const COMPACT_DELAY_MS = 2000;

/**
 * Checks `changes` options. @throws RtcError 400 naming the bad option.
 */
export function validateChangesOptions(options: unknown): asserts options is ChangesOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new RtcError('changes options must be an object', 400);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['since', 'limit', 'include_docs', 'query'].includes(key)) throw new RtcError(`changes: unknown option '${key}'`, 400);
  }
  if (o.since !== undefined && !(Number.isSafeInteger(o.since) && (o.since as number) >= 0)) throw new RtcError('changes: since must be a non-negative integer', 400);
  if (o.limit !== undefined && !(Number.isSafeInteger(o.limit) && (o.limit as number) > 0)) throw new RtcError('changes: limit must be a positive integer', 400);
  if (o.include_docs !== undefined && typeof o.include_docs !== 'boolean') throw new RtcError('changes: include_docs must be a boolean', 400);
  if (o.query !== undefined && typeof o.query !== 'string' && (o.query === null || typeof o.query !== 'object')) {
    throw new RtcError('changes: query must be a string or a query tree', 400);
  }
  if (o.query !== undefined) compileQuery(o.query as string); // a syntax error is a 400 now, not per document
}

/** Checks `watch` options (as `changes`, with `since: 'now'` and no `limit`). @throws RtcError 400. */
export function validateWatchOptions(options: unknown): asserts options is WatchOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new RtcError('watch options must be an object', 400);
  const { since, ...rest } = options as Record<string, unknown>;
  if ('limit' in rest) throw new RtcError("watch: unknown option 'limit'", 400);
  validateChangesOptions(since === 'now' ? rest : { since, ...rest });
}

interface Watcher {
  since: number;
  options: WatchOptions;
  /** The compiled `query`, or null. */
  match: ((doc: object) => boolean) | null;
  onChange: (batch: ChangesResult) => void;
  running: boolean;
  /** A commit came while a read ran: read again. */
  dirty: boolean;
  stopped: boolean;
}

/** The feed of one database: reads (`changes`), watches and their wake-ups. */
export class ChangesFeed {
  private readonly watchers = new Set<Watcher>();
  private broadcast: BroadcastChannel | null = null;
  /** Another tab said it has watches (see `openBroadcast`): commits are announced to it. */
  private othersWatching = false;
  /** Watches started and not stopped (some may still be reading their start seq). */
  private watching = 0;
  /** Commits not yet handed to the watches, in commit order (see `committed`). */
  private commits: { lastSeq: number; changes: readonly Change[] }[] = [];
  private readonly nextTask = new MessageChannel();
  /** Entries this connection wrote since its last compaction, and the timer of the next one. */
  private written = 0;
  private compaction: ReturnType<typeof setTimeout> | null = null;
  /**
   * The automatic compactions (`committed`) read only the blocks after `compactedTo` (the highest
   * key the last one saw), and the whole feed once the entries written since the last whole one
   * reach the size it found (`wholeEntries`): each entry is then read a bounded number of times
   * on average, where compacting the whole feed every {@link COMPACT_AFTER} entries made a long
   * import quadratic (bench `cities import`: a third of the master's time in compaction).
   */
  private compactedTo = 0;
  private wholeEntries = 0;
  private sinceWhole = 0;
  /** When the last flush ran (performance.now()), and the timer of a flush spaced after it. */
  private lastFlush = -Infinity;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** The seqs of this connection's writes (seq-allocator.ts). */
  readonly seqs: SeqAllocator;
  /** Highest keys seen by compactions, when (Date.now()) and on which connection: the markers up to one seen MARKER_KEEP_MS ago may go. */
  private seen: { at: number; last: number; generation: number }[] = [];

  constructor(private readonly connection: Connection, private readonly dbName: string) {
    this.nextTask.port1.onmessage = () => this.flush();
    this.seqs = new SeqAllocator(() => connection.generation);
  }

  /**
   * Records `changes` in `tx` (a readwrite transaction including `changes`, made by a caller that
   * cannot run its write again) as one block after the highest key, read in `tx`, then calls
   * `done(lastSeq)` still inside it. A later entry of the same id wins on reads. If the
   * transaction fails meanwhile, `done` is not called. Writes of the write log use `seqs` instead.
   */
  record(tx: IDBTransaction, changes: readonly Change[], done: (lastSeq: number) => void): void {
    this.seqs.begin(tx).record(changes, done, false);
  }

  /**
   * `changes({ since = 0, limit, include_docs, query })` → `{ results, last_seq }` in seq order;
   * `last_seq` is the highest seq examined (a filtered read still advances), or `since`.
   * @throws RtcError 400 for bad options, 500 when IndexedDB fails.
   */
  async changes(options: ChangesOptions = {}): Promise<ChangesResult> {
    validateChangesOptions(options);
    const since = options.since ?? 0;
    const limit = options.limit ?? Infinity;
    const match = options.query === undefined ? null : compileQuery(options.query);
    const wantDocs = options.include_docs === true || match !== null;
    return this.connection.run(async (db) => {
      const tx = db.transaction(['changes', 'documents']);
      // Every block after `since`, to the end: a later entry of an id hides its earlier ones.
      const blocks = (await tx.objectStore('changes').getAll(IDBKeyRange.lowerBound(since, true))) as ChangeBlock[];
      const entries = latestEntries(blocks, since);
      const page = Number.isFinite(limit) ? Math.max(limit, 100) : entries.length;
      const results: ChangeRow[] = [];
      let lastSeq = since;
      for (let start = 0; start < entries.length; start += page) {
        const slice = entries.slice(start, start + page);
        const docs = wantDocs ? await Promise.all(slice.map((e) => (e.deleted ? undefined : tx.objectStore('documents').get(e.id)))) : [];
        for (let i = 0; i < slice.length; i++) {
          const e = slice[i]!;
          lastSeq = e.seq;
          const doc = docs[i]?.doc as Doc | undefined;
          if (e.deleted) results.push({ seq: e.seq, id: e.id, deleted: true });
          else if (wantDocs && !doc) continue; // cannot happen within one transaction; skip rather than lie
          else if (match && !match(doc!)) continue;
          else results.push(options.include_docs ? { seq: e.seq, id: e.id, doc } : { seq: e.seq, id: e.id });
          if (results.length >= limit) return { results, last_seq: lastSeq };
        }
      }
      return { results, last_seq: lastSeq };
    });
  }

  /** The highest seq in the feed (0 when empty). @throws RtcError 500. */
  lastSeq(): Promise<number> {
    return this.connection.run(async (db) => {
      const cursor = await db.transaction('changes').store.openKeyCursor(blockKeys(), 'prev');
      return (cursor?.key as number | undefined) ?? 0;
    });
  }

  /**
   * Calls `onChange` with every change after `since` (`'now'`: the last seq when the watch
   * starts), in batches of at most {@link WATCH_BATCH}, each once, in seq order; batches with no
   * result (everything filtered out) are not delivered. A read that fails (connection closed)
   * ends nothing: the next commit wakes the watch again.
   * @returns stop (no batch is delivered after it).
   * @throws RtcError 400 for bad options.
   */
  watch(options: WatchOptions, onChange: (batch: ChangesResult) => void): () => void {
    validateWatchOptions(options);
    const match = options.query === undefined ? null : compileQuery(options.query);
    const w: Watcher = { since: 0, options, match, onChange, running: true, dirty: false, stopped: false };
    this.watching++;
    this.openBroadcast();
    this.broadcast?.postMessage('watching');
    const start = options.since === 'now' || options.since === undefined ? this.lastSeq() : Promise.resolve(options.since);
    start.then((since) => {
      w.since = since;
      w.running = false;
      this.watchers.add(w);
      this.pump(w);
    }, () => {
      w.running = false;
    });
    return () => {
      if (!w.stopped) this.watching--;
      w.stopped = true;
      this.watchers.delete(w);
    };
  }

  /** Whether a write should snapshot its documents for the watches (one wants them: `include_docs` or `query`). */
  get wantsDocs(): boolean {
    for (const w of this.watchers) if (w.match || w.options.include_docs) return true;
    return false;
  }

  /**
   * Called after a write committed `changes`, which got the seqs up to `lastSeq`: a watch that had
   * read everything before them gets them from memory (no IndexedDB read: the fast path); any
   * other, or one that needs a document the write did not snapshot, reads the feed. Other tabs'
   * watches are woken too. The watches get it in the next task (or, with many watches, after
   * {@link DELIVERY_SPACING_MS} × watches since the last delivery), in commit order: the write's
   * own answer (resolved in this one) leaves first, so pushing to many watchers does not delay the writer.
   */
  committed(lastSeq: number, changes: readonly Change[] = []): void {
    this.written += Math.max(changes.length, 1);
    if (this.written >= COMPACT_AFTER && !this.compaction) this.compaction = setTimeout(() => this.compactNow(false), COMPACT_DELAY_MS);
    if (!this.broadcast) this.openBroadcast(true);
    // No watch here or in another tab: nothing to deliver (a watch starting now reads the feed).
    if (this.watchers.size === 0 && !this.othersWatching) return;
    if (this.commits.length === 0) this.scheduleFlush();
    this.commits.push({ lastSeq, changes });
  }

  private scheduleFlush(): void {
    const wait = this.lastFlush + this.watchers.size * DELIVERY_SPACING_MS - performance.now();
    if (wait < 1) this.nextTask.port2.postMessage(null);
    else this.flushTimer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.lastFlush = performance.now();
    const commits = mergeCommits(this.commits);
    this.commits = [];
    if (commits.length === 0) return;
    if (this.othersWatching) this.broadcast?.postMessage(commits[commits.length - 1]!.lastSeq);
    for (const { lastSeq, changes } of commits) {
      const first = lastSeq - changes.length + 1;
      for (const w of this.watchers) {
        if (changes.length === 0 || w.running || w.since !== first - 1 || !this.deliverKnown(w, changes, first)) this.pump(w);
      }
    }
  }

  /**
   * Delivers `changes` (seqs from `first`) to a caught-up watch, in batches of at most
   * {@link WATCH_BATCH}; false (nothing delivered) when a document it needs is unknown.
   */
  private deliverKnown(w: Watcher, changes: readonly Change[], first: number): boolean {
    const needsDoc = w.match !== null || w.options.include_docs === true;
    if (needsDoc && changes.some((c) => !c.deleted && !c.doc)) return false;
    const lastIndex = new Map(changes.map((c, i) => [c.id, i]));
    let results: ChangeRow[] = [];
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i]!;
      const seq = first + i;
      w.since = seq;
      if (lastIndex.get(c.id) !== i) continue; // overwritten later in the same write: the feed keeps the last
      if (c.deleted) results.push({ seq, id: c.id, deleted: true });
      else if (w.match && !w.match(c.doc!)) continue;
      else results.push(w.options.include_docs ? { seq, id: c.id, doc: c.doc } : { seq, id: c.id });
      if (results.length === WATCH_BATCH) {
        w.onChange({ results, last_seq: seq });
        results = [];
        if (w.stopped) return true;
      }
    }
    if (results.length > 0) w.onChange({ results, last_seq: w.since });
    return true;
  }

  /**
   * Drops the entries later ones hide (change-blocks.ts `compact`): in the whole feed, or with
   * `whole` false in the blocks written since the last compaction (see `compactedTo`).
   * Housekeeping: a failure (closed connection) is ignored, the next writes schedule it again.
   * @returns the number of entries dropped (0 on failure).
   */
  compactNow(whole = true): Promise<number> {
    if (this.compaction) clearTimeout(this.compaction);
    this.compaction = null;
    this.sinceWhole += this.written;
    this.written = 0;
    if (this.sinceWhole >= Math.max(COMPACT_AFTER, this.wholeEntries)) whole = true;
    const after = whole ? 0 : this.compactedTo;
    if (after === 0) whole = true; // the first one reads everything anyway
    const stats = { entries: 0, last: 0 };
    return new Promise<number>((resolve) => {
      this.connection.withRaw((raw) => {
        const generation = this.connection.generation; // raw's: a database made again has other markers
        const old = this.seen.filter((s) => s.at <= Date.now() - MARKER_KEEP_MS && s.generation === generation).pop();
        compact(raw, after, stats, old?.last).then((dropped) => {
          const kept = this.seen.filter((s) => s.generation === generation && (!old || s.at > old.at));
          this.seen = [...kept, { at: Date.now(), last: stats.last, generation }]; // every marker up to it was written before now
          this.compactedTo = stats.last;
          if (whole) {
            this.wholeEntries = stats.entries - dropped;
            this.sinceWhole = 0;
          }
          resolve(dropped);
        }, () => resolve(0));
      }, () => resolve(0));
    });
  }

  /** Stops every watch (the database closes). */
  close(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    if (this.compaction) clearTimeout(this.compaction);
    this.compaction = null;
    this.nextTask.port1.close();
    for (const w of this.watchers) w.stopped = true;
    this.watchers.clear();
    this.closeBroadcast();
  }

  private wake(): void {
    for (const w of this.watchers) this.pump(w);
  }

  private pump(w: Watcher): void {
    if (w.stopped) return;
    if (w.running) {
      w.dirty = true;
      return;
    }
    w.running = true;
    w.dirty = false;
    const { query, include_docs } = w.options;
    const options: ChangesOptions = { since: w.since, limit: WATCH_BATCH };
    if (query !== undefined) options.query = query;
    if (include_docs !== undefined) options.include_docs = include_docs;
    this.changes(options).then((batch) => {
      w.running = false;
      if (w.stopped) return;
      const more = batch.results.length >= WATCH_BATCH; // a short batch read to the end
      w.since = batch.last_seq;
      if (batch.results.length > 0) w.onChange(batch);
      if (more || w.dirty) this.pump(w);
    }, () => {
      w.running = false;
      if (w.dirty) this.pump(w);
    });
  }

  /**
   * Joins the tabs of this database. Commits are announced only to tabs that have watches:
   * a tab posts `'watching'` when a watch starts; a tab that writes posts `'hello'` when it joins
   * (`announce`), answered with `'watching'` by tabs with watches, which also read the feed then
   * (the commit that made it join is theirs); on a first `'watching'` it announces its last seq
   * again, so a commit made before the answer came is not missed. A seq wakes the watches.
   */
  private openBroadcast(announce = false): void {
    if (this.broadcast || typeof BroadcastChannel === 'undefined') return;
    const channel = (this.broadcast = new BroadcastChannel(`rtc-changes:${this.dbName}`));
    channel.onmessage = (e: MessageEvent) => {
      if (e.data === 'hello') {
        if (this.watching === 0) return;
        this.wake();
        channel.postMessage('watching');
      } else if (e.data === 'watching') {
        if (this.othersWatching) return;
        this.othersWatching = true;
        channel.postMessage(0); // a wake: commits before this answer were not announced
      } else this.wake();
    };
    if (announce) channel.postMessage('hello');
  }

  private closeBroadcast(): void {
    this.broadcast?.close();
    this.broadcast = null;
  }
}

/** Joins consecutive commits whose seqs follow on (this connection's writes, none between from another tab) into one. */
function mergeCommits(commits: readonly { lastSeq: number; changes: readonly Change[] }[]): { lastSeq: number; changes: readonly Change[] }[] {
  const out: { lastSeq: number; changes: Change[] }[] = [];
  for (const c of commits) {
    const prev = out[out.length - 1];
    if (prev && prev.changes.length > 0 && c.changes.length > 0 && c.lastSeq - c.changes.length === prev.lastSeq) {
      prev.changes.push(...c.changes);
      prev.lastSeq = c.lastSeq;
    } else out.push({ lastSeq: c.lastSeq, changes: [...c.changes] });
  }
  return out;
}
