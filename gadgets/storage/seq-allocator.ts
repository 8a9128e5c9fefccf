/**
 * The seqs of one connection's feed writes (issue 15 item 6): every block written to `changes`
 * goes through {@link SeqAllocator}, which numbers it from the last seq this connection committed
 * when it may, instead of reading the highest key first (change-blocks.ts `addBlock`: a cursor,
 * one more round trip to the browser's IndexedDB before the commit of every write).
 *
 * Why a predicted seq stays correct with other writers (another tab's connection, or a tab that
 * deleted and made the database again): each block's transaction also adds a *marker*, the
 * record `{ last: -first }` keyed by the negative of the block's first seq ("the block after
 * `first − 1` is taken"; change-blocks.ts). Blocks tile the seqs (each starts right after the
 * highest one before it), so if anything was written after the seq `L` this connection knows,
 * the marker of `L + 1` exists, and a write that predicted `L` and `add`s that marker fails with
 * a ConstraintError, which aborts its transaction (nothing of it is stored); the write then runs
 * again with the highest key read in its transaction. Readers never see markers: every read of
 * blocks asks for keys above 0.
 *
 * A prediction is used only when (1) no transaction of this connection that includes `changes`
 * and began before it is still running (IndexedDB runs those first: they may add blocks), (2) the
 * connection was not reopened since (generation), and (3) the seq was learnt within
 * {@link LEASE_MS}. Markers are deleted by compaction only once they are {@link MARKER_KEEP_MS}
 * old (changes-feed.ts `compactNow`), so a marker a prediction needs, written after that seq was
 * learnt, is still there: this relies on the system clock not jumping forward by more than
 * MARKER_KEEP_MS − LEASE_MS during a write.
 */
import { addBlock, addBlockAfter } from './change-blocks.js';

/** How long a seq learnt from a commit may be predicted from, ms (writes in a stream renew it at each commit). */
export const LEASE_MS = 2000;
/** How old a marker must be before a compaction deletes it, ms (see the module docs). */
export const MARKER_KEEP_MS = 60000;

/** One transaction's feed write (see {@link SeqAllocator.begin}). */
export interface FeedWrite {
  /**
   * Adds the block of `entries` in the transaction, then calls `done(lastSeq)` still inside it
   * (synchronously when the seq was predicted), so the caller may commit. With `predict` false
   * the highest key is always read first (for callers that cannot run their write again).
   * @throws DOMException when the transaction is no longer active (the caller aborts it).
   */
  record(entries: readonly { id: string; deleted?: boolean }[], done: (lastSeq: number) => void, predict?: boolean): void;
  /** The transaction aborted because its predicted seq was taken by another writer: run the write again (it will read the highest key). */
  readonly stale: boolean;
}

/** The seq allocator of one connection (see the module docs). */
export class SeqAllocator {
  /** The highest seq this connection knows, and when (performance.now(), Date.now()) it was learnt; `known` false: read it. */
  private last = 0;
  private learntAt = 0;
  private learntDate = 0;
  private known = false;
  private knownGeneration = -1;
  /** The transactions begun and not finished, by order of beginning. */
  private running = new Set<number>();
  private begun = 0;
  /** Predicted writes and those that read the key (for tests and the bench's notes). */
  readonly counts = { predicted: 0, read: 0, stale: 0 };

  /** @param generation the connection's generation (connection.ts): a reopened connection forgets the seq. */
  constructor(private readonly generation: () => number) {}

  /**
   * Starts tracking a readwrite transaction that includes `changes`: call it right after making
   * the transaction, before its other handlers are set (its `complete` must update the seq
   * before they run, so the next write can predict).
   */
  begin(tx: IDBTransaction): FeedWrite {
    const id = ++this.begun;
    this.running.add(id);
    const learntAt = performance.now();
    const learntDate = Date.now();
    const generation = this.generation();
    let last = 0;
    const write = {
      stale: false,
      record: (entries: readonly { id: string; deleted?: boolean }[], done: (lastSeq: number) => void, predict = true): void => {
        const after = predict ? this.predictable(id, generation) : null;
        if (after === null) {
          this.counts.read++;
          addBlock(tx, entries, (seq) => {
            last = seq;
            done(seq);
          });
          return;
        }
        this.counts.predicted++;
        for (const request of addBlockAfter(tx, after, entries)) {
          request.addEventListener('error', () => {
            if (request.error?.name === 'ConstraintError') write.stale = true; // not prevented: the transaction aborts
          });
        }
        last = after + entries.length;
        done(last);
      },
    };
    tx.addEventListener('complete', () => {
      this.running.delete(id);
      if (last > 0) this.learn(last, learntAt, learntDate, generation);
    });
    tx.addEventListener('abort', () => {
      this.running.delete(id);
      if (!write.stale) return; // nothing of it is stored: the seq known stays right
      this.counts.stale++;
      this.known = false;
    });
    return write;
  }

  /** The seq to number after, or null to read the highest key (see the module docs). */
  private predictable(id: number, generation: number): number | null {
    if (!this.known || this.knownGeneration !== generation || generation !== this.generation()) return null;
    for (const other of this.running) if (other < id) return null; // begun before: may add blocks first
    const age = performance.now() - this.learntAt;
    const ageDate = Date.now() - this.learntDate;
    if (!(age >= 0 && age < LEASE_MS && ageDate >= 0 && ageDate < LEASE_MS)) return null;
    return this.last;
  }

  /** A transaction begun at `learntAt` committed a block ending at `last` (commits of one connection come in order of beginning). */
  private learn(last: number, learntAt: number, learntDate: number, generation: number): void {
    this.last = last;
    this.learntAt = learntAt;
    this.learntDate = learntDate;
    this.knownGeneration = generation;
    this.known = true;
  }
}
