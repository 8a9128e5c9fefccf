/**
 * The scan cache: every document of the `documents` store held in the master's memory, in id
 * order, so that a scan (full text, `!=`, NOT, a query on no indexed key) and the documents of an
 * index plan are read from memory instead of IndexedDB (query-runner.ts). Reading IndexedDB is
 * where a scan's time went: every value is deserialized again on each query.
 *
 * Exactness. The cache is filled by a scan that reads the whole store anyway (no extra read),
 * then kept exact by the write path: every committed write names the ids it changed
 * (write-log.ts `onCommitted`, called in the transaction's `complete` handler), which are marked
 * dirty; before the next read from the cache the dirty ids are read again from IndexedDB, in one
 * readonly transaction created after those commits (so it sees them). A write committing while a
 * fill or a re-read runs marks its ids again, and they are read once more next time. Every writer
 * of documents goes through the write log (put, post, bulkPut, remove, a restore from a backup or
 * from the journal); a connection lost and reopened (another tab's upgrade or deletion:
 * connection.ts) empties the cache, which the next full scan fills again.
 *
 * Assumption: one master owns its database. Writes made by another tab's connection to the same
 * `rtc:<name>` (a second master of the same database) are not seen: turn the cache off there
 * (`OpenOptions.scanCache: false`, database.ts).
 *
 * Memory: bounded by `maxBytes` (an estimate: {@link estimateBytes} of one document in
 * {@link SAMPLE_EVERY}, scaled). A fill that passes it is dropped and the cache stays off until
 * the database is reopened; dirty ids past {@link MAX_DIRTY} (a large import) empty it instead of
 * being read one by one (the next full scan fills it again).
 */
import type { Doc } from '../api.js';
import type { Connection } from './connection.js';
import type { DocumentRecord } from './schema.js';

/** Default bound of the cache's estimated memory, bytes. */
export const SCAN_CACHE_MAX_BYTES = 256 * 2 ** 20;
/** One document in this many is sized to estimate the cache's memory. */
export const SAMPLE_EVERY = 16;
/** More dirty ids than this (or than a fifth of the documents) empty the cache instead of being read again. */
export const MAX_DIRTY = 20000;

/** Options of the cache (`OpenOptions.scanCache`). */
export interface ScanCacheOptions {
  /** Most estimated memory, bytes (default {@link SCAN_CACHE_MAX_BYTES}). */
  maxBytes?: number;
}

/**
 * The `scan-cache` attribute of `<rtc-master>` as an option of `Database.open`: `off` (or `false`)
 * turns the cache off, a positive number is its cap in MiB, empty is the default (undefined).
 * @throws RangeError for anything else (`scan-cache="lots"`).
 */
export function scanCacheOption(value: string | null | undefined): ScanCacheOptions | false | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return undefined;
  if (v === 'off' || v === 'false') return false;
  const mib = Number(v);
  if (!(Number.isFinite(mib) && mib > 0)) throw new RangeError(`scan-cache must be "off" or a size in MiB, not "${value}"`);
  return { maxBytes: Math.round(mib * 2 ** 20) };
}

/** What the cache holds now (`Database.scanCache`). */
export interface ScanCacheInfo {
  /** `empty` (the next full scan fills it), `filling`, `ready`, `too big` (over `maxBytes`; off until reopened) or `off`. */
  state: 'empty' | 'filling' | 'ready' | 'too big' | 'off';
  documents: number;
  /** Estimated memory of the documents and ids, bytes. */
  estimatedBytes: number;
  maxBytes: number;
}

/** The documents in id order, and by id: what a query reads while the cache is ready. */
export interface CacheView {
  ids: readonly string[];
  docs: readonly Doc[];
  byId: ReadonlyMap<string, Doc>;
}

/**
 * A rough size of a structured-clone value in V8's heap, bytes: 16 per string plus its length,
 * 16 per number, 16 per object or array plus 16 per property or element (not V8's exact layout:
 * the bench measures the real heap, README.md "Scan cache").
 */
export function estimateBytes(value: unknown): number {
  if (typeof value === 'string') return 16 + value.length;
  if (value === null || typeof value !== 'object') return 16;
  let n = 16;
  if (Array.isArray(value)) {
    for (const e of value) n += 8 + estimateBytes(e);
    return n;
  }
  for (const k in value) n += 16 + k.length + estimateBytes((value as Record<string, unknown>)[k]);
  return n;
}

/** One database's scan cache (see the module docs). */
export class ScanCache {
  private state: ScanCacheInfo['state'];
  private ids: string[] = [];
  private docs: Doc[] = [];
  private byId = new Map<string, Doc>();
  private dirty = new Set<string>();
  private bytes = 0;
  private sampled = 0;
  /** The connection generation the documents were read under (connection.ts). */
  private generation = -1;
  private syncing: Promise<void> | null = null;
  /** The fill under way (its token): only that scan may add to it. */
  private fill: object | null = null;
  private readonly maxBytes: number;

  constructor(private readonly connection: Connection, options: ScanCacheOptions | false = {}) {
    this.state = options === false ? 'off' : 'empty';
    this.maxBytes = options === false ? 0 : options.maxBytes ?? SCAN_CACHE_MAX_BYTES;
  }

  /** What the cache holds now. */
  get info(): ScanCacheInfo {
    return { state: this.state, documents: this.ids.length, estimatedBytes: Math.round(this.bytes), maxBytes: this.maxBytes };
  }

  /** The write path's hook: documents `ids` changed in a transaction that committed. */
  noteCommitted(ids: Iterable<string>): void {
    if (this.state !== 'ready' && this.state !== 'filling') return;
    for (const id of ids) this.dirty.add(id);
    if (this.dirty.size > Math.max(MAX_DIRTY, this.ids.length / 5) && this.state === 'ready') this.empty();
  }

  /** Forgets every document (the next full scan fills the cache again); a `too big` or `off` cache stays so. */
  empty(): void {
    if (this.state === 'ready' || this.state === 'filling') this.state = 'empty';
    this.reset();
  }

  /**
   * The documents, exact as of now (dirty ids read again first), or null when the cache is not
   * ready (the caller reads IndexedDB, and may fill it: `startFill`).
   * @throws RtcError 500 when IndexedDB fails (connection.ts).
   */
  async view(): Promise<CacheView | null> {
    for (;;) {
      if (this.state !== 'ready') return null;
      if (this.generation !== this.connection.generation) {
        this.empty();
        return null;
      }
      if (this.dirty.size === 0 && !this.syncing) return { ids: this.ids, docs: this.docs, byId: this.byId };
      this.syncing ??= this.sync().finally(() => (this.syncing = null));
      await this.syncing;
    }
  }

  /** A token for a scan that reads the whole store in id order to fill the cache, or null when it is not to. */
  startFill(): object | null {
    if (this.state !== 'empty') return null;
    this.reset();
    this.state = 'filling';
    this.generation = this.connection.generation;
    this.fill = {};
    return this.fill;
  }

  /** Adds the next batch (ids after every earlier batch's) of fill `token`; false once the fill was dropped (too big, reopened). */
  addBatch(token: object, batch: readonly DocumentRecord[]): boolean {
    if (this.fill !== token || this.state !== 'filling') return false;
    if (this.generation !== this.connection.generation) {
      this.empty();
      return false;
    }
    for (let i = 0; i < batch.length; i++) {
      const { id, doc } = batch[i]!;
      this.ids.push(id);
      this.docs.push(doc);
      this.byId.set(id, doc);
      if (++this.sampled % SAMPLE_EVERY === 0) this.bytes += SAMPLE_EVERY * (estimateBytes(doc) + 2 * estimateBytes(id) + 48);
    }
    if (this.bytes > this.maxBytes) {
      this.reset();
      this.state = 'too big';
      return false;
    }
    return true;
  }

  /** Ends fill `token`: the cache is ready (with the ids written meanwhile dirty). */
  endFill(token: object): void {
    if (this.fill !== token || this.state !== 'filling') return;
    this.fill = null;
    this.state = 'ready';
  }

  /** Drops fill `token` (its scan stopped early or failed). */
  abandonFill(token: object): void {
    if (this.fill === token && this.state === 'filling') this.empty();
  }

  private reset(): void {
    this.ids = [];
    this.docs = [];
    this.byId = new Map();
    this.dirty = new Set();
    this.bytes = 0;
    this.sampled = 0;
    this.fill = null;
  }

  /** Reads the dirty ids again, in one readonly transaction, and applies what it finds. */
  private async sync(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    const generation = this.connection.generation;
    const found = await this.connection.run(async (db) => {
      const store = db.transaction('documents').store;
      return Promise.all(ids.map((id) => store.get(id)));
    });
    if (this.state !== 'ready') return;
    if (generation !== this.connection.generation || this.generation !== generation) {
      this.empty();
      return;
    }
    this.apply(ids, found.map((r) => r?.doc));
  }

  /** Sets `docs[i]` (undefined: removed) for `ids[i]`, keeping the id order. */
  private apply(ids: readonly string[], docs: readonly (Doc | undefined)[]): void {
    const added: [string, Doc][] = [];
    const removed = new Set<string>();
    ids.forEach((id, i) => {
      const doc = docs[i];
      const had = this.byId.has(id);
      if (doc === undefined) {
        if (had) removed.add(id);
        return;
      }
      this.byId.set(id, doc);
      if (had) this.docs[this.position(id)] = doc;
      else added.push([id, doc]);
    });
    for (const id of removed) this.byId.delete(id);
    if (added.length === 0 && removed.size === 0) return;
    // A merge of the kept ids with the added ones, both in id order: linear in the cache's size.
    added.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const ids2: string[] = [];
    const docs2: Doc[] = [];
    let k = 0;
    for (let i = 0; i < this.ids.length; i++) {
      const id = this.ids[i]!;
      while (k < added.length && added[k]![0] < id) {
        ids2.push(added[k]![0]);
        docs2.push(added[k++]![1]);
      }
      if (removed.has(id)) continue;
      ids2.push(id);
      docs2.push(this.docs[i]!);
    }
    for (; k < added.length; k++) {
      ids2.push(added[k]![0]);
      docs2.push(added[k]![1]);
    }
    const perDoc = this.ids.length > 0 ? this.bytes / this.ids.length : 0;
    this.bytes += (ids2.length - this.ids.length) * perDoc;
    this.ids = ids2;
    this.docs = docs2;
  }

  /** The position of a cached id in `ids` (binary search: ids are in code-unit order). */
  private position(id: string): number {
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.ids[mid]!;
      if (m === id) return mid;
      if (m < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
