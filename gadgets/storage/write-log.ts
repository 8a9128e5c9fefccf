/**
 * Idempotent writes. A write with a `requestKey` records its answer in the `requests` store
 * (`{ key, result, at }`) in the same transaction as the write, so a write re-sent by a slave
 * after a lost answer (master reload, dropped channel) is answered again and never applied
 * twice. Answers are remembered for {@link REQUEST_MEMORY_MS}, then forgotten.
 */
import { RtcError } from '../errors.js';
import { storeError, type Connection } from './connection.js';
import { recordChanges, type Change, type ChangesFeed } from './changes-feed.js';
import type { StoreName } from './schema.js';
import { noteStorageWrite } from './persistence.js';
import type { JournalRecord, JournalSink } from './journal.js';

/** How long the answer of an applied write is kept for deduplication, ms. */
export const REQUEST_MEMORY_MS = 24 * 60 * 60 * 1000;

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
    const { changes: changed, journal: effect } = effects;
    return new Promise<T>((resolve, reject) => {
      this.connection.withRaw((raw) => {
        let tx: IDBTransaction;
        try {
          const scope: string[] = changed ? [...stores, 'changes'] : [...stores];
          tx = raw.transaction(requestKey === undefined ? scope : [...scope, 'requests'], 'readwrite');
        } catch (e) {
          reject(this.connection.error(e));
          return;
        }
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
            recordChanges(tx, list, (seq) => {
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
          reject(this.connection.error(storeError(e)));
          return;
        }
        tx.oncomplete = () => {
          noteStorageWrite();
          if (lastSeq > 0) this.feed.committed(lastSeq, list);
          if (!this.journal || !effect) resolve(result);
          else void this.journal.append({ ...effect(result), ...(requestKey === undefined ? {} : { k: requestKey }) }).then(() => resolve(result));
        };
        tx.onabort = () => {
          if (repeated) this.recordedAnswer<T>(requestKey!).then(resolve, reject);
          else reject(this.connection.error(tx.error ?? new Error('transaction aborted'))); // 507 for a full disk: aborted, nothing stored
        };
      }, reject);
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
