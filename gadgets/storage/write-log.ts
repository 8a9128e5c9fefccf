/**
 * Idempotent writes. A write with a `requestKey` records its answer in the `requests` store
 * (`{ key, result, at }`) in the same transaction as the write, so a write re-sent by a slave
 * after a lost answer (master reload, dropped channel) is answered again and never applied
 * twice. Answers are remembered for {@link REQUEST_MEMORY_MS}, then forgotten.
 *
 * Group commit: a write that comes while another transaction of this log is committing waits,
 * and the writes that waited together (from any slaves) then run in one transaction, each still
 * answered only after that commit (and its journal append). A write that finds nothing
 * committing starts at once, so a lone writer waits for nothing. In a group, the `requests` of
 * keyed writes are read first (a key found: that write was applied before and is answered from
 * its record, not applied again); if anything in a group fails (a document that cannot be
 * cloned, a key recorded meanwhile, a full disk) the group is undone and its writes run again
 * one transaction each, which answers each on its own.
 *
 * The seqs of a write's changes are predicted from the last one this connection committed when
 * that is safe (seq-allocator.ts), so the transaction commits without first reading the feed; a
 * write whose prediction another tab made wrong is undone by IndexedDB and runs again.
 */
import { RtcError } from '../errors.js';
import { storeError, type Connection } from './connection.js';
import type { Change, ChangesFeed } from './changes-feed.js';
import type { StoreName } from './schema.js';
import { noteStorageWrite } from './persistence.js';
import type { JournalRecord, JournalSink } from './journal.js';

/** How long the answer of an applied write is kept for deduplication, ms. */
export const REQUEST_MEMORY_MS = 24 * 60 * 60 * 1000;

/** Most writes committed in one group transaction. */
export const MAX_GROUP = 64;

/** A write waiting for its transaction (see `WriteLog.write`). */
interface Pending<T = unknown> {
  requestKey: string | undefined;
  stores: readonly StoreName[];
  apply: (tx: IDBTransaction) => T;
  effects: WriteEffects<T>;
  resolve: (result: T) => void;
  reject: (error: RtcError) => void;
}

/** Options of a write: `requestKey` makes it idempotent (see the module docs). */
export interface WriteOptions {
  requestKey?: string;
}

/** What a write did, derived from its answer (see `WriteLog.write`). */
export interface WriteEffects<T> {
  /** The documents it changed, for the changes feed (changes-feed.ts). */
  changes?: (result: T) => readonly Change[];
  /** Its record in the journal (journal.ts). */
  journal?: (result: T) => JournalRecord;
}

/** The writes of one database, each in one transaction, idempotent with a `requestKey`. */
export class WriteLog {
  /** The copy outside IndexedDB (journal.ts), when the master keeps one. */
  journal: JournalSink | null = null;

  /** Told the documents changed by each committed write, in its `complete` handler (scan-cache.ts keeps its copy exact with it). */
  onCommitted: ((changes: readonly Change[]) => void) | null = null;

  /** @param feed the changes feed the writes record in (changes-feed.ts). */
  constructor(private readonly connection: Connection, readonly feed: ChangesFeed) {}

  /**
   * Runs one write in one readwrite transaction on `stores`, and resolves once it has committed
   * (an acknowledged write is durable). With a `requestKey` the answer is recorded in `requests`
   * in the same transaction, with `add`: a key already there means the write was applied before
   * (a slave re-sent it after a lost answer); the ConstraintError aborts this transaction, undoing
   * it, and the recorded answer is returned instead. No read before the write, so one idempotent
   * write costs what a plain one does.
   * @param apply queues the write's requests on `tx` synchronously and returns the answer.
   * @param effects what the write did, from its answer: `changes`, the documents it changed,
   *   recorded in the changes feed in the same transaction (watches are woken once it committed);
   *   `journal`, its journal record, appended (and flushed) after the commit and before resolving,
   *   in commit order, when a journal is attached. A repeated write is not appended again (its
   *   first time was; a crash between a commit and its append is covered when the master opens:
   *   journal-idb.ts `recentWrites`).
   * @throws RtcError 400 for a document that cannot be cloned, 507 `Insufficient storage: …` when
   *   the browser refuses it for lack of space (the transaction is aborted: nothing of it is
   *   stored), 500 when IndexedDB fails otherwise.
   */
  write<T>(requestKey: string | undefined, stores: readonly StoreName[], apply: (tx: IDBTransaction) => T, effects: WriteEffects<T> = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const w: Pending<T> = { requestKey, stores, apply, effects, resolve, reject };
      if (this.committing === 0) this.start([w as Pending]);
      else this.waiting.push(w as Pending);
    });
  }

  /** Transactions of this log started and not finished, and the writes waiting for them to (group commit). */
  private committing = 0;
  private waiting: Pending[] = [];

  /** Runs `group` (one write alone, or several together); when it finishes, the next waiting group starts. */
  private start(group: Pending[]): void {
    this.committing++;
    const finished = (): void => {
      this.committing--;
      if (this.committing === 0 && this.waiting.length > 0) this.start(this.waiting.splice(0, MAX_GROUP));
    };
    if (group.length === 1) this.alone(group[0]!, finished);
    else this.together(group, finished);
  }

  /** One write in one transaction (see `write`); `finished` is called once it committed or failed. */
  private alone<T>(w: Pending<T>, finished: () => void): void {
    const { requestKey, stores, apply, effects, resolve, reject } = w;
    const { changes: changed, journal: effect } = effects;
    this.connection.withRaw((raw) => {
      let tx: IDBTransaction;
      try {
        const scope: string[] = changed ? [...stores, 'changes'] : [...stores];
        tx = raw.transaction(requestKey === undefined ? scope : [...scope, 'requests'], 'readwrite');
      } catch (e) {
        finished();
        reject(this.connection.error(e));
        return;
      }
      const feedWrite = changed ? this.feed.seqs.begin(tx) : null; // before the handlers below (seq-allocator.ts)
      let result!: T;
      let repeated = false;
      let lastSeq = 0;
      let list: readonly Change[] | undefined;
      try {
        result = apply(tx);
        if (requestKey !== undefined) {
          const add = tx.objectStore('requests').add({ key: requestKey, result, at: Date.now() });
          add.onerror = () => {
            repeated = add.error?.name === 'ConstraintError';
          };
        }
        // Nothing more will be asked (after the seqs, when there are changes): let it commit
        // without waiting for this task to end.
        list = changed?.(result);
        if (list && list.length > 0) {
          feedWrite!.record(list, (seq) => {
            lastSeq = seq;
            tx.commit?.();
          });
        } else tx.commit?.();
      } catch (e) {
        try {
          tx.abort();
        } catch {
          // already finished
        }
        finished();
        reject(this.connection.error(storeError(e)));
        return;
      }
      tx.oncomplete = () => {
        noteStorageWrite();
        if (list) this.onCommitted?.(list);
        if (lastSeq > 0) this.feed.committed(lastSeq, list);
        this.acknowledge(requestKey, result, effect, resolve);
        finished(); // after the journal append above: appends stay in commit order
      };
      tx.onabort = () => {
        if (feedWrite?.stale) {
          this.alone(w, finished); // its predicted seq was taken (another tab wrote): again, reading the highest key
          return;
        }
        finished();
        if (repeated) this.recordedAnswer<T>(requestKey!).then(resolve, reject);
        else reject(this.connection.error(tx.error ?? new Error('transaction aborted'))); // 507 for a full disk: aborted, nothing stored
      };
    }, (e) => {
      finished();
      reject(e);
    });
  }

  /** Appends a committed write's journal record (when a journal is attached), then resolves it. */
  private acknowledge<T>(requestKey: string | undefined, result: T, effect: ((result: T) => JournalRecord) | undefined, resolve: (result: T) => void): void {
    if (!this.journal || !effect) resolve(result);
    else void this.journal.append({ ...effect(result), ...(requestKey === undefined ? {} : { k: requestKey }) }).then(() => resolve(result));
  }

  /**
   * Several writes in one transaction (group commit: see the module docs). `finished` is called
   * once it committed, or once its writes were handed back to run alone after a failure.
   */
  private together(group: Pending[], finished: () => void): void {
    const alone = (): void => {
      for (const w of group) this.start([w]); // before `finished`: the writes that wait stay behind them
      finished();
    };
    this.connection.withRaw((raw) => {
      const scope = new Set<string>(['changes', 'requests']);
      for (const w of group) for (const s of w.stores) scope.add(s);
      let tx: IDBTransaction;
      try {
        tx = raw.transaction([...scope], 'readwrite');
      } catch {
        alone();
        return;
      }
      const feedWrite = this.feed.seqs.begin(tx);
      const requests = tx.objectStore('requests');
      const recorded = new Map<string, unknown>();
      const keyed = group.filter((w) => w.requestKey !== undefined);
      let toRead = keyed.length;
      const results: unknown[] = [];
      const applied: boolean[] = [];
      let lastSeq = 0;
      const changes: Change[] = [];
      const applyAll = (): void => {
        try {
          group.forEach((w, i) => {
            applied[i] = !(w.requestKey !== undefined && recorded.has(w.requestKey));
            if (!applied[i]) return;
            results[i] = w.apply(tx);
            if (w.requestKey !== undefined) requests.add({ key: w.requestKey, result: results[i], at: Date.now() });
            for (const c of w.effects.changes?.(results[i]) ?? []) changes.push(c);
          });
          if (changes.length === 0) tx.commit?.();
          else feedWrite.record(changes, (seq) => {
            lastSeq = seq;
            tx.commit?.();
          });
        } catch {
          try {
            tx.abort(); // undone: each runs alone, which reports its own error
          } catch {
            // already finished
          }
        }
      };
      // The answers recorded for keyed writes: such a write was applied before.
      for (const w of keyed) {
        const get = requests.get(w.requestKey!);
        get.onsuccess = () => {
          if (get.result) recorded.set(w.requestKey!, (get.result as { result: unknown }).result);
          if (--toRead === 0) applyAll();
        };
      }
      if (keyed.length === 0) applyAll();
      tx.oncomplete = () => {
        noteStorageWrite();
        this.onCommitted?.(changes);
        if (lastSeq > 0) this.feed.committed(lastSeq, changes);
        group.forEach((w, i) => {
          if (applied[i]) this.acknowledge(w.requestKey, results[i], w.effects.journal, w.resolve);
          else w.resolve(recorded.get(w.requestKey!)); // repeated: not journaled again (write docs)
        });
        finished();
      };
      tx.onabort = alone;
    }, (e) => {
      finished();
      for (const w of group) w.reject(e);
    });
  }


  /** The answer recorded for an applied write. @throws RtcError 500 when it is gone. */
  private recordedAnswer<T>(requestKey: string): Promise<T> {
    return this.connection.run(async (db) => {
      const seen = await db.get('requests', requestKey);
      if (!seen) throw new RtcError(`IndexedDB: the answer of request ${requestKey} is gone`, 500);
      return seen.result as T;
    });
  }

  /** Deletes the answers older than {@link REQUEST_MEMORY_MS}. Never rejects: it is housekeeping. */
  async forgetOldRequests(): Promise<void> {
    try {
      const db = await this.connection.ready();
      const tx = db.transaction('requests', 'readwrite');
      const range = IDBKeyRange.upperBound(Date.now() - REQUEST_MEMORY_MS);
      let cursor = await tx.store.index('at').openCursor(range);
      while (cursor) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
      await tx.done;
    } catch {
      // A failure (closed database) must not surface.
    }
  }
}
