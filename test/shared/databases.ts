/**
 * IndexedDB plumbing of the browser tests (unit, element and RenderJS folders each build their
 * fixture on it): unique database names, deletion, and a per-test sweep so that a failing test
 * does not leave its databases behind. Names are those the elements and `Database.open` take;
 * the IndexedDB database is `rtc:<name>`.
 */

let count = 0;
// Test files run in parallel pages of one origin, so they share IndexedDB: the time alone could
// give two pages the same name in the same millisecond (seen as a blocked open in a full run).
const page = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);

/** A database name unique to this origin: `<prefix>-<time, base 36>-<page, base 36>-<n>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${page}-${count++}`;
}

/**
 * Deletes the IndexedDB database `rtc:<name>`. Resolves once deleted, or at once when a
 * connection still open blocks it (IndexedDB then deletes it when that connection closes), or
 * when deletion fails: cleanup never fails a test.
 */
export function deleteDatabase(name: string): Promise<void> {
  return deleteIdb(`rtc:${name}`);
}

function deleteIdb(fullName: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(fullName);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

const rtcDatabases = async (): Promise<string[]> =>
  (await indexedDB.databases()).map((d) => d.name ?? '').filter((name) => name.startsWith('rtc:'));

/**
 * Registers mocha hooks around every test of the calling suite (the whole file when called at
 * the top level): `rtc:` databases that exist after a test and not before it are deleted, after
 * `beforeCleanup` (e.g. open-wc's `fixtureCleanup`, so that the elements close their
 * connections first).
 */
export function deleteNewDatabasesAfterEach(beforeCleanup: () => void | Promise<void> = () => {}): void {
  let before = new Set<string>();
  beforeEach(async () => {
    before = new Set(await rtcDatabases());
  });
  afterEach(async () => {
    await beforeCleanup();
    await Promise.all((await rtcDatabases()).filter((name) => !before.has(name)).map(deleteIdb));
  });
}
