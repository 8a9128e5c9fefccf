/**
 * Plain IndexedDB steps for the storage tests: what another tab, or an earlier version of
 * rtc-gadgets, does to a database behind a `Database`'s back. Names are IndexedDB's own
 * (`rtc:<name>` for a `Database` named `<name>`).
 */

/**
 * Opens `name` at `version` (its current one when omitted), running `upgrade` inside the
 * upgrade when there is one. Resolves with the open connection, which the caller closes.
 * Rejects when the open fails, and when it is blocked (another connection did not let go)
 * unless `blocked` is `'wait'`: a connection that was closed while one of its transactions
 * still ran counts as open until that transaction ends, and the open then goes on by itself.
 */
export function openRaw(name: string, version?: number, upgrade?: (db: IDBDatabase, tx: IDBTransaction) => void, blocked: 'reject' | 'wait' = 'reject'): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result, request.transaction!);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    if (blocked === 'wait') return;
    request.onblocked = () => reject(new Error(`opening ${name} at version ${version} is blocked by another connection`));
  });
}

/** Deletes `name`; rejects when another connection blocks the deletion. */
export function deleteRaw(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error(`deleting ${name} is blocked by another connection`));
  });
}

/** Whether a database called `name` exists. */
export async function exists(name: string): Promise<boolean> {
  return (await indexedDB.databases()).some((d) => d.name === name);
}

/** The current version of `name` (opening it, 1 when it was missing). */
export async function versionOf(name: string): Promise<number> {
  const db = await openRaw(name);
  db.close();
  return db.version;
}
