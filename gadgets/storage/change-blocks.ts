/**
 * How the changes feed is stored (issue 11; CouchDB's by-sequence index, compacted later rather
 * than on every write): store `changes` (schema.ts), keyPath `last`, one record, a *block*, per
 * write transaction, `{ last, ids, seqs?, deleted? }`:
 * - `ids[i]` is a changed document, `seqs[i]` its seq; without `seqs` the seqs are dense and end
 *   at `last` (`last − ids.length + 1 + i`), as every block a write makes is;
 * - `deleted` lists the indexes `i` that are removals;
 * - `last` (the key) is the highest seq in the block.
 * A write adds one block after the highest key, in its own transaction: one put per write instead
 * of one per document, and no secondary index (what made the feed cost half of a bulk write:
 * bench `changes store cost`). Every write transaction includes `changes`, so IndexedDB runs them
 * one after another, across connections (tabs) too, and seqs increase strictly within a database.
 * The highest key is read in the transaction (one key cursor, {@link addBlock}) or predicted by
 * the connection (seq-allocator.ts, {@link addBlockAfter}); either way the transaction also
 * stores a *marker* `{ last: -first }`, keyed by the negative of the block's first seq, which a
 * wrong prediction collides with. Markers sort below every block: reads ask for keys above 0.
 *
 * A document written again leaves its older entry in an older block until {@link compact} drops
 * it; until then a read keeps only the latest entry of each id ({@link readEntries}), so readers
 * see what a per-document store would show. The highest seq is never dropped (nothing is later).
 */

/** One stored block (see the module docs). */
export interface ChangeBlock {
  last: number;
  ids: string[];
  seqs?: number[];
  deleted?: number[];
}

/** One entry of the feed. */
export interface ChangeEntry {
  seq: number;
  id: string;
  deleted?: true;
}

/** Most entries compaction puts in one block. */
export const BLOCK_ENTRIES = 10000;

/** The entries of `block`, in seq order. */
export function entriesOf(block: ChangeBlock): ChangeEntry[] {
  const { ids, seqs } = block;
  const first = block.last - ids.length + 1;
  const out: ChangeEntry[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = { seq: seqs ? seqs[i]! : first + i, id: ids[i]! };
  for (const i of block.deleted ?? []) out[i]!.deleted = true;
  return out;
}

/** Packs entries (in seq order, non-empty) into one block. */
export function blockOf(entries: readonly ChangeEntry[]): ChangeBlock {
  const last = entries[entries.length - 1]!.seq; // the highest: callers pass entries in seq order
  const ids = entries.map((e) => e.id);
  const dense = entries.every((e, i) => e.seq === last - entries.length + 1 + i);
  const deleted: number[] = [];
  entries.forEach((e, i) => e.deleted && deleted.push(i));
  const block: ChangeBlock = { last, ids };
  if (!dense) block.seqs = entries.map((e) => e.seq);
  if (deleted.length > 0) block.deleted = deleted;
  return block;
}

/**
 * The entries after `since` in `blocks` (every block whose key is above `since`, in key order,
 * up to the end of the feed), keeping only the latest entry of each id.
 */
export function latestEntries(blocks: readonly ChangeBlock[], since: number): ChangeEntry[] {
  const all: ChangeEntry[] = [];
  for (const b of blocks) for (const e of entriesOf(b)) if (e.seq > since) all.push(e);
  if (!all.every((e, i) => i === 0 || all[i - 1]!.seq < e.seq)) all.sort((x, y) => x.seq - y.seq); // merged blocks may interleave
  const latest = new Map<string, number>();
  for (const e of all) latest.set(e.id, e.seq);
  return all.filter((e) => latest.get(e.id) === e.seq);
}

/** The block of `entries` (ids, deletions) ending at seq `last`. */
function blockFor(entries: readonly { id: string; deleted?: boolean }[], last: number): ChangeBlock {
  const block: ChangeBlock = { last, ids: entries.map((c) => c.id) };
  const deleted: number[] = [];
  entries.forEach((c, i) => c.deleted && deleted.push(i));
  if (deleted.length > 0) block.deleted = deleted;
  return block;
}

/** The key range of blocks, markers left out (they are below 0). */
export const blockKeys = (): IDBKeyRange => IDBKeyRange.lowerBound(0, true);

/**
 * Adds the block of `entries` (ids, deletions; seqs follow the highest stored), and its marker,
 * in `tx`, a readwrite transaction including `changes`, then calls `done(lastSeq)` still inside
 * it (the caller may commit). If the transaction fails meanwhile, `done` is not called.
 */
export function addBlock(tx: IDBTransaction, entries: readonly { id: string; deleted?: boolean }[], done: (lastSeq: number) => void): void {
  const store = tx.objectStore('changes');
  const top = store.openKeyCursor(blockKeys(), 'prev');
  top.onsuccess = () => {
    const after = (top.result?.key as number | undefined) ?? 0;
    try {
      store.put({ last: -(after + 1) }); // the highest key was read here: nobody took it
      store.put(blockFor(entries, after + entries.length));
    } catch {
      return; // the transaction is finishing (aborted): its owner reports it
    }
    done(after + entries.length);
  };
}

/**
 * Adds the block of `entries` numbered after `after` (a predicted highest seq), and its marker,
 * with `add`, in `tx`. When another writer already wrote after `after`, the marker's `add` fails
 * with a ConstraintError and, not prevented, aborts `tx` (seq-allocator.ts); so does the block's
 * when its key is taken.
 * @returns the two requests, marker first.
 * @throws DOMException when `tx` is not active.
 */
export function addBlockAfter(tx: IDBTransaction, after: number, entries: readonly { id: string; deleted?: boolean }[]): IDBRequest[] {
  const store = tx.objectStore('changes');
  return [store.add({ last: -(after + 1) }), store.add(blockFor(entries, after + entries.length))];
}

/** Deletes from `store` the markers of blocks starting at seqs up to `upTo` (compaction: see seq-allocator.ts). */
function dropMarkers(store: IDBObjectStore, upTo: number): void {
  if (upTo > 0) store.delete(IDBKeyRange.bound(-upTo, 0, false, true));
}

/** What a compaction saw: the entries it read and the highest key among them (0: none). */
export interface CompactionStats {
  entries: number;
  last: number;
}

/**
 * Compacts the feed in one readwrite transaction of `db`: drops every entry whose id has a later
 * one, and merges blocks of fewer than {@link BLOCK_ENTRIES}/10 entries, and blocks that lost
 * entries, into blocks of up to {@link BLOCK_ENTRIES}; blocks neither small nor superseded stay
 * as they are (a big bulk write is not rewritten). Seqs never change. With `after`, only the
 * blocks with keys above it are read and compacted among themselves (an entry they hide in an
 * older block stays until a whole compaction: reads skip it anyway), so compacting what a burst
 * of writes added costs what it added, not the whole feed. `stats` is filled with what was read.
 * With `markersTo`, the markers of blocks starting at seqs up to it are deleted too (seq-allocator.ts).
 * @returns a promise of the number of entries dropped; rejects when IndexedDB fails
 * (housekeeping: callers ignore it).
 */
export function compact(db: IDBDatabase, after = 0, stats?: CompactionStats, markersTo = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('changes', 'readwrite');
    const store = tx.objectStore('changes');
    let dropped = 0;
    dropMarkers(store, markersTo);
    const all = store.getAll(after > 0 ? IDBKeyRange.lowerBound(after, true) : blockKeys());
    all.onsuccess = () => {
      const blocks = all.result as ChangeBlock[];
      if (stats) {
        stats.entries = blocks.reduce((n, b) => n + b.ids.length, 0);
        stats.last = blocks.length > 0 ? blocks[blocks.length - 1]!.last : after;
      }
      const latest = new Map<string, number>();
      for (const b of blocks) for (const e of entriesOf(b)) if ((latest.get(e.id) ?? -1) < e.seq) latest.set(e.id, e.seq);
      // Blocks to rewrite are deleted by runs of consecutive keys (one request a run), then their
      // kept entries put back in big blocks (after the deletes: their keys fall in those runs).
      const merged: ChangeEntry[] = [];
      const runs: [number, number][] = [];
      let inRun = false;
      let rewritten = 0;
      for (const b of blocks) {
        const entries = entriesOf(b);
        const kept = entries.filter((e) => latest.get(e.id) === e.seq);
        dropped += entries.length - kept.length;
        if (kept.length === entries.length && entries.length >= BLOCK_ENTRIES / 10) {
          inRun = false; // leave it
          continue;
        }
        if (inRun) runs[runs.length - 1]![1] = b.last;
        else runs.push([b.last, b.last]);
        inRun = true;
        rewritten++;
        merged.push(...kept);
      }
      if (dropped === 0 && rewritten <= 1) return; // one small block alone: nothing to gain
      for (const [from, to] of runs) store.delete(IDBKeyRange.bound(from, to));
      merged.sort((x, y) => x.seq - y.seq);
      for (let i = 0; i < merged.length; i += BLOCK_ENTRIES) store.put(blockOf(merged.slice(i, i + BLOCK_ENTRIES)));
    };
    tx.oncomplete = () => resolve(dropped);
    tx.onabort = () => reject(tx.error ?? new Error('compaction aborted'));
  });
}
