/**
 * What the journal reads from and writes to IndexedDB directly, on a connection of its own to
 * `rtc:<name>` (opened without a version, so it never upgrades; closed at once on `versionchange`
 * and after use): the snapshot source of a compaction, the count that tells a wiped database, and
 * the remembered answers (`requests`) a restore puts back. Documents are restored through the
 * normal write paths instead (journal-restore.ts), so their index entries are right.
 */
import type { JournalRecord, SnapshotSource } from './journal.js';
import type { AttachmentRecord, DocumentRecord, RequestRecord } from './schema.js';

/** Documents read per transaction by a snapshot. */
const BATCH = 2000;

/** How far before the last remembered answer `recentWrites` looks, ms (appends follow commits by ms). */
export const CRASH_WINDOW_MS = 60 * 1000;

function openRaw(dbName: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName);
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(request.error ?? new Error(`cannot open ${dbName}`));
    request.onblocked = () => reject(new Error(`${dbName} is blocked by an upgrade`));
  });
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

async function withRaw<T>(dbName: string, body: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await openRaw(dbName);
  try {
    return await body(db);
  } finally {
    db.close();
  }
}

/** The number of documents in `rtc:<name>` (IndexedDB name `dbName`). */
export function countDocuments(dbName: string): Promise<number> {
  return withRaw(dbName, (db) => done(db.transaction('documents', 'readonly').objectStore('documents').count()));
}

/**
 * Reads `store` in key order, `BATCH` records per readonly transaction, calling `each` per batch.
 * Separate transactions are enough for a snapshot: each record is read as of some moment after the
 * log it starts was begun, and replaying that log over it gives the same record (journal.ts).
 */
async function scan<T>(db: IDBDatabase, store: string, each: (records: T[]) => Promise<void>): Promise<void> {
  let after: IDBValidKey | null = null;
  for (;;) {
    const tx = db.transaction(store, 'readonly');
    const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
    const [keys, values]: [IDBValidKey[], T[]] = await Promise.all([
      done(tx.objectStore(store).getAllKeys(range, BATCH)),
      done(tx.objectStore(store).getAll(range, BATCH) as IDBRequest<T[]>),
    ]);
    if (values.length > 0) await each(values);
    if (keys.length < BATCH) return;
    after = keys[keys.length - 1]!;
  }
}

/** The snapshot source of database `dbName`: documents, remembered answers, complete attachments. */
export function snapshotOf(dbName: string): SnapshotSource {
  return (write) => withRaw(dbName, async (db) => {
    let lines = 0;
    const emit = async (batch: string[]) => {
      lines += batch.length;
      await write(batch);
    };
    await scan<DocumentRecord>(db, 'documents', (rs) => emit(rs.map((r) => JSON.stringify({ t: 'doc', id: r.id, doc: r.doc }) + '\n')));
    await scan<RequestRecord>(db, 'requests', (rs) => emit(rs.map((r) => JSON.stringify({ t: 'key', k: r.key, r: r.result, at: r.at }) + '\n')));
    await scan<AttachmentRecord>(db, 'attachments', (rs) => emit(rs.filter((r) => r.complete).map((r) => JSON.stringify({
      t: 'att', id: r.id, name: r.name, content_type: r.content_type, length: r.length, digest: r.digest,
    }) + '\n')));
    return lines;
  });
}

/** Puts remembered answers back into `requests` (keys already there are kept as they are). */
export function restoreAnswers(dbName: string, answers: RequestRecord[]): Promise<void> {
  if (answers.length === 0) return Promise.resolve();
  return withRaw(dbName, (db) => new Promise<void>((resolve, reject) => {
    const tx = db.transaction('requests', 'readwrite');
    const store = tx.objectStore('requests');
    for (const a of answers) {
      const add = store.add(a);
      add.onerror = (event) => {
        event.preventDefault(); // a key already there: keep it, go on
        event.stopPropagation();
      };
    }
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  }));
}

/**
 * The crash window: a write committed just before the browser died may have missed its journal
 * append, and a slave re-sending it then gets its remembered answer without a new append. So at
 * open, the documents named by the answers of the last {@link CRASH_WINDOW_MS} before the newest
 * one are journaled again as they are now (`put` of the document, or `del` when it is gone): the
 * state IndexedDB has before anything is served, so appending it is always right.
 */
export function recentWrites(dbName: string): Promise<JournalRecord[]> {
  return withRaw(dbName, async (db) => {
    const tx = db.transaction(['requests', 'documents'], 'readonly');
    const byTime = tx.objectStore('requests').index('at');
    const last = await done(byTime.openCursor(null, 'prev'));
    if (!last) return [];
    const recent = await done(byTime.getAll(IDBKeyRange.lowerBound((last.value as RequestRecord).at - CRASH_WINDOW_MS)) as IDBRequest<RequestRecord[]>);
    const ids = new Set<string>();
    for (const { result } of recent) {
      for (const id of Array.isArray(result) ? result : [result]) if (typeof id === 'string') ids.add(id);
    }
    const documents = tx.objectStore('documents');
    return Promise.all([...ids].map(async (id): Promise<JournalRecord> => {
      const record = await done(documents.get(id) as IDBRequest<DocumentRecord | undefined>);
      return record ? { t: 'put', id, doc: record.doc } : { t: 'del', id };
    }));
  });
}
