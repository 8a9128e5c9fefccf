/**
 * The shape of a master's database, `rtc:<name>`, and how it is opened and upgraded. Its object
 * stores:
 * - `documents`, keyPath `id`, records `{ id, doc, ix?, ox? }` (as jIO's IndexedDB storage
 *   keeps `{_id, doc}`), plus, for each indexed key, the index entries of index-keys.ts and two
 *   IndexedDB indexes on them (`ix:<key>` multiEntry, `ox:<key>`) that the planner and the
 *   sorted walk read. A database with the earlier entries (indexes `ix:`, `fx:` of folded
 *   strings and `sx:` of every sort key, per key) gets the `ox:` indexes, loses the others, and
 *   has every document's entries rewritten in one upgrade, as for any change of the indexed keys;
 * - `requests`, keyPath `key`, records `{ key, result, at }`: the answers of writes already
 *   applied (write-log.ts);
 * - `attachments`, keyPath `[id, name]`, records `{ id, name, content_type, length, digest,
 *   chunk_size, stored, complete }`: an attachment's description; `stored` counts the bytes
 *   written so far (an upload being received or interrupted has `complete: false` and is
 *   invisible to `getAttachment`/`allAttachments` until its digest is verified);
 * - `chunks`, keyPath `[id, name, index]`, records `{ id, name, index, data }`: its bytes,
 *   `chunk_size` per ArrayBuffer (the last one shorter);
 * - `changes`, keyPath `last`, records `{ last, ids, seqs?, deleted? }`: the changes feed, one
 *   block of entries per write (change-blocks.ts). An upgrade that makes it gives every stored
 *   document a seq, in id order. A database whose `changes` has the earlier layout (keyPath `id`,
 *   index `seq`, one record `{ id, seq, deleted? }` per document) is upgraded to blocks, keeping
 *   every seq ({@link migrateChanges}).
 * A database made by an earlier version gets what it lacks in an upgrade, keeping its documents.
 */
import { openDB, unwrap, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { AttachmentInfo, Doc } from '../api.js';
import { BLOCK_ENTRIES, blockOf, type ChangeBlock, type ChangeEntry } from './change-blocks.js';
import { indexFields } from './index-keys.js';
import { ixName, oxName } from './planner.js';

/** A stored document and its index entries (index-keys.ts). */
export interface DocumentRecord {
  id: string;
  doc: Doc;
  /** A key's entries, or its entry alone when there is one (index-keys.ts `indexFields`). */
  ix?: Record<string, IDBValidKey | IDBValidKey[]>;
  /** Sort keys that are not the lone `ix` entry (index-keys.ts). */
  ox?: Record<string, IDBValidKey>;
}

/** The recorded answer of an applied write (`at`: ms since the epoch). */
export interface RequestRecord {
  key: string;
  result: unknown;
  at: number;
}

/** An attachment's description (store `attachments`). */
export interface AttachmentRecord extends AttachmentInfo {
  id: string;
  name: string;
  chunk_size: number;
  /** Bytes stored so far, a multiple of `chunk_size` until the last chunk. */
  stored: number;
  /** True once every byte is stored and the digest verified. */
  complete: boolean;
  /** The SHA-256 state after `stored` bytes (`Digest.state()`), so a resume need not re-read them. */
  hash_state?: number[] | null;
}

/** One stored piece of an attachment's bytes. */
export interface ChunkRecord {
  id: string;
  name: string;
  index: number;
  data: ArrayBuffer;
}

export interface RtcSchema extends DBSchema {
  documents: { key: string; value: DocumentRecord; indexes: Record<string, IDBValidKey> };
  requests: { key: string; value: RequestRecord; indexes: { at: number } };
  attachments: { key: [string, string]; value: AttachmentRecord };
  chunks: { key: [string, string, number]; value: ChunkRecord };
  changes: { key: number; value: ChangeBlock };
}

export type StoreName = 'documents' | 'requests' | 'attachments' | 'chunks' | 'changes';

/** Every key of document `id` in `attachments` or `chunks` (arrays sort after strings). */
export const ofDocument = (id: string): IDBKeyRange => IDBKeyRange.bound([id], [id, []]);
/** Every chunk key of attachment (`id`, `name`). */
export const ofAttachment = (id: string, name: string): IDBKeyRange => IDBKeyRange.bound([id, name], [id, name, []]);

/** What an open connection tells its owner about. */
export interface ConnectionEvents {
  /**
   * Another connection wants a newer version (an upgrade or a deletion, from another tab):
   * called after this connection was closed to let it go on.
   */
  versionchange(): void;
  /** The browser closed the connection abnormally (storage cleared, disk error). */
  terminated(): void;
}

/**
 * Opens `dbName` with every store and the indexes of exactly the `wanted` keys (sorted,
 * deduplicated), upgrading it once when they differ (creating it when missing). The connection
 * closes itself when another one asks for a newer version, and tells `events`.
 * @throws whatever IndexedDB rejects with (the caller maps it to RtcError 500).
 */
export async function openSchema(dbName: string, wanted: readonly string[], events: ConnectionEvents): Promise<IDBPDatabase<RtcSchema>> {
  let db = await connect(dbName, undefined, wanted, events);
  const storesMissing = !db.objectStoreNames.contains('attachments') || !db.objectStoreNames.contains('chunks') || !db.objectStoreNames.contains('changes');
  if (!indexesAsWanted(db, wanted) || storesMissing || changesLayoutOld(db)) {
    const version = db.version + 1;
    db.close();
    db = await connect(dbName, version, wanted, events);
  }
  return db;
}

/** One `openDB`: at the current version (`version` undefined), or upgrading to `version`. */
function connect(dbName: string, version: number | undefined, wanted: readonly string[], events: ConnectionEvents): Promise<IDBPDatabase<RtcSchema>> {
  let db: IDBPDatabase<RtcSchema> | undefined;
  const opening = openDB<RtcSchema>(dbName, version, {
    upgrade(upgradeDb, oldVersion, _newVersion, tx) {
      if (oldVersion === 0 || !upgradeDb.objectStoreNames.contains('documents')) {
        upgradeDb.createObjectStore('documents', { keyPath: 'id' });
        const requests = upgradeDb.createObjectStore('requests', { keyPath: 'key' });
        requests.createIndex('at', 'at');
      }
      // Attachments came later: databases made before them get the stores in an upgrade.
      if (!upgradeDb.objectStoreNames.contains('attachments')) upgradeDb.createObjectStore('attachments', { keyPath: ['id', 'name'] });
      if (!upgradeDb.objectStoreNames.contains('chunks')) upgradeDb.createObjectStore('chunks', { keyPath: ['id', 'name', 'index'] });
      if (!upgradeDb.objectStoreNames.contains('changes')) makeChanges(upgradeDb, tx);
      else if (tx.objectStore('changes').keyPath !== 'last') migrateChanges(upgradeDb, tx);
      if (version === undefined) return; // first open of a new database: version 1, no indexes yet
      const store = tx.objectStore('documents');
      const names = [...store.indexNames];
      const want = wanted.flatMap(keyIndexes);
      let changed = false;
      for (const name of names) {
        if (isKeyIndex(name) && !want.some((w) => w.name === name)) {
          store.deleteIndex(name);
          changed = true;
        }
      }
      // Only what is missing is made (an `ox:` index where an earlier version left `fx:`, `sx:`), then every
      // document's entries are rewritten: the new index needs them, and the old ones change shape.
      for (const { name, keyPath, multiEntry } of want) {
        if (names.includes(name)) continue;
        store.createIndex(name, keyPath, { multiEntry });
        changed = true;
      }
      if (changed) reindex(unwrap(tx), wanted);
    },
    blocking() {
      // Another connection wants a newer version (new indexes, another tab's upgrade, a
      // deletion): let it, rather than block it; the owner reopens afterwards.
      db?.close();
      events.versionchange();
    },
    terminated() {
      events.terminated();
    },
  });
  return opening.then((d) => (db = d));
}

/** Documents read per request when an upgrade rewrites their index entries. */
export const REINDEX_BATCH = 1000;

/**
 * Recomputes the index entries of every stored document for the `wanted` keys, within the
 * upgrade: read {@link REINDEX_BATCH} at a time with `getAll`, put back without waiting (a
 * cursor would cost a round trip per document: minutes for a large database on a loaded disk).
 */
function reindex(tx: IDBTransaction, wanted: readonly string[]): void {
  const store = tx.objectStore('documents');
  const next = (after: string | null): void => {
    const read = store.getAll(after === null ? null : IDBKeyRange.lowerBound(after, true), REINDEX_BATCH);
    read.onsuccess = () => {
      const batch = read.result as DocumentRecord[];
      for (const r of batch) store.put(indexFields(r.doc, wanted, { id: r.id, doc: r.doc }));
      if (batch.length === REINDEX_BATCH) next(batch[batch.length - 1]!.id);
    };
  };
  next(null);
}

/** Creates the `changes` store and gives every stored document a seq, in id order (within the upgrade). */
function makeChanges(upgradeDb: IDBPDatabase<RtcSchema>, tx: IDBPTransaction<RtcSchema, StoreName[], 'versionchange'>): void {
  upgradeDb.createObjectStore('changes', { keyPath: 'last' });
  const keys = unwrap(tx).objectStore('documents').getAllKeys();
  keys.onsuccess = () => putBlocks(unwrap(tx), (keys.result as string[]).map((id, i) => ({ seq: i + 1, id })));
}

/**
 * Rewrites a `changes` store of the earlier layout (one `{ id, seq, deleted? }` per document,
 * keyPath `id`, index `seq`) as blocks (change-blocks.ts), keeping every entry and its seq
 * (within the upgrade): watchers resuming from a seq miss nothing.
 */
function migrateChanges(upgradeDb: IDBPDatabase<RtcSchema>, tx: IDBPTransaction<RtcSchema, StoreName[], 'versionchange'>): void {
  const old = unwrap(tx).objectStore('changes').getAll();
  old.onsuccess = () => {
    const entries = (old.result as ChangeEntry[]).sort((x, y) => x.seq - y.seq);
    upgradeDb.deleteObjectStore('changes');
    upgradeDb.createObjectStore('changes', { keyPath: 'last' });
    putBlocks(unwrap(tx), entries);
  };
}

/** Puts `entries` (in seq order) in `changes` as blocks of up to BLOCK_ENTRIES. */
function putBlocks(tx: IDBTransaction, entries: readonly ChangeEntry[]): void {
  const store = tx.objectStore('changes');
  for (let i = 0; i < entries.length; i += BLOCK_ENTRIES) store.put(blockOf(entries.slice(i, i + BLOCK_ENTRIES)));
}

/** Whether `changes` has the layout of before blocks (keyPath `id`). */
function changesLayoutOld(db: IDBPDatabase<RtcSchema>): boolean {
  return db.objectStoreNames.contains('changes') && db.transaction('changes').store.keyPath !== 'last';
}

/** Whether the documents store has exactly the indexes of the `wanted` keys (`ix:`, `ox:` each). */
export function indexesAsWanted(db: IDBPDatabase<RtcSchema>, wanted: readonly string[]): boolean {
  if (!db.objectStoreNames.contains('documents')) return wanted.length === 0;
  const tx = db.transaction('documents');
  const have = [...tx.store.indexNames].filter(isKeyIndex).sort();
  const want = wanted.flatMap(keyIndexes).map((i) => i.name).sort();
  return have.join('\n') === want.join('\n');
}

/** The IndexedDB indexes of one indexed key (index-keys.ts says what each holds). */
export function keyIndexes(key: string): { name: string; keyPath: string; multiEntry: boolean }[] {
  return [
    { name: ixName(key), keyPath: `ix.${key}`, multiEntry: true },
    { name: oxName(key), keyPath: `ox.${key}`, multiEntry: false },
  ];
}

/** Whether `name` is one of the indexes `keyIndexes` makes, or an `fx:`/`sx:` of an earlier version (dropped in an upgrade). */
export const isKeyIndex = (name: string): boolean => /^(ix|fx|ox|sx):/.test(name);
