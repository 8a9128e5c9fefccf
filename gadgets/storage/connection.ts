/**
 * The master's live IndexedDB connection to `rtc:<name>`, which outlives other tabs' upgrades.
 * When another connection asks for a newer version (another tab opening the database with other
 * indexes or stores, or deleting it), the browser fires `versionchange` here: the connection
 * closes at once so as not to block it, and the next operation reopens it, which IndexedDB
 * queues until the other tab's upgrade or deletion is done. After a deletion the reopen makes
 * the schema again (an empty database). Transactions already running finish on the old
 * connection. Only `close()` ends it for good: every later operation rejects with 500.
 * Two masters of one database in two tabs with different `indexes` take turns upgrading it (each
 * reopen makes its own indexes again): correct, but slow on a large database.
 * The rtc:<name> layout is schema.ts's.
 */
import { unwrap, type IDBPDatabase } from 'idb';
import { RtcError } from '../errors.js';
import { openSchema, type RtcSchema } from './schema.js';
import { noteStorageWrite } from './persistence.js';

/** Reopens tried in a row when each new connection is lost again while opening. */
const REOPEN_TRIES = 3;

/** One database's connection, kept open across other tabs' version changes (see the module docs). */
export class Connection {
  private db: IDBPDatabase<RtcSchema> | null = null;
  /** The same connection without idb's promise wrapper, for the hot paths (get, writes). */
  private rawDb: IDBDatabase | null = null;
  private opening: Promise<IDBPDatabase<RtcSchema>> | null = null;
  /** Counts the connections opened or lost, so a stale one's events change nothing. */
  private epoch = 0;
  private closed = false;
  /** Told each 507 (a write refused for lack of space), e.g. to fire the master's `rtc-error`. */
  onStorageFull: ((error: RtcError) => void) | null = null;

  private constructor(readonly dbName: string, private readonly wanted: readonly string[]) {}

  /**
   * Opens `dbName` (schema.ts `openSchema`: every store, the indexes of exactly `wanted`).
   * @throws RtcError 500 `Connection to: <dbName> failed: <why>`.
   */
  static async open(dbName: string, wanted: readonly string[]): Promise<Connection> {
    const connection = new Connection(dbName, wanted);
    await connection.ready();
    return connection;
  }

  /** Changes whenever the connection is lost or reopened: what was read under another generation may be stale (scan-cache.ts). */
  get generation(): number {
    return this.epoch;
  }

  /** Whether the connection is open now (not closed by another tab's version change, nor by `close()`). */
  get isOpen(): boolean {
    return this.db !== null;
  }

  /** The open connection, reopening it first when another tab's version change closed it. @throws RtcError 500. */
  ready(): Promise<IDBPDatabase<RtcSchema>> {
    if (this.db) return Promise.resolve(this.db);
    if (this.closed) return Promise.reject(this.closedError());
    this.opening ??= this.reopen().finally(() => (this.opening = null));
    return this.opening;
  }

  /** Runs `fn` on the open connection; IndexedDB failures become RtcError 500, or 507 for lack of space (RtcErrors stay). */
  async run<T>(fn: (db: IDBPDatabase<RtcSchema>) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.ready());
    } catch (e) {
      throw this.error(e);
    }
  }

  /** `idbError(e)`, also told to `onStorageFull` when it is a 507. */
  error(e: unknown): RtcError {
    const error = idbError(e);
    if (error.status_code === INSUFFICIENT_STORAGE) {
      noteStorageWrite(); // the status's usage line should catch up with a full disk
      this.onStorageFull?.(error);
    }
    return error;
  }

  /**
   * Calls `use` with the unwrapped connection: in this task when it is open (a hot path
   * queues its requests synchronously), else once reopened; `fail` gets the RtcError 500 when
   * it cannot be.
   */
  withRaw(use: (raw: IDBDatabase) => void, fail: (error: RtcError) => void): void {
    if (this.rawDb) {
      use(this.rawDb);
      return;
    }
    this.ready().then((db) => use(unwrap(db) as IDBDatabase), (e) => fail(idbError(e)));
  }

  /** Closes the connection for good; later operations reject with 500. */
  close(): void {
    this.closed = true;
    this.db?.close();
    this.drop();
  }

  private async reopen(): Promise<IDBPDatabase<RtcSchema>> {
    for (let tries = 1; ; tries++) {
      const epoch = ++this.epoch;
      const lost = (): void => {
        if (this.epoch === epoch) this.drop();
      };
      let db: IDBPDatabase<RtcSchema>;
      try {
        db = await openSchema(this.dbName, this.wanted, { versionchange: lost, terminated: lost });
      } catch (e) {
        if (this.epoch !== epoch && !this.closed && tries < REOPEN_TRIES) continue; // lost while opening (a stale version)
        if (e instanceof RtcError) throw e;
        throw new RtcError(`Connection to: ${this.dbName} failed: ${(e as Error)?.message ?? e}`, 500);
      }
      if (this.closed) {
        db.close();
        throw this.closedError();
      }
      if (this.epoch === epoch) {
        this.db = db;
        this.rawDb = unwrap(db) as IDBDatabase;
        return db;
      }
      // Another tab's version change came while this one was opening: open again after it.
      db.close();
      if (tries === REOPEN_TRIES) throw new RtcError(`Connection to: ${this.dbName} failed: the database kept changing version`, 500);
    }
  }

  private drop(): void {
    this.db = null;
    this.rawDb = null;
    this.epoch++;
  }

  private closedError(): RtcError {
    return new RtcError(`IndexedDB: the connection to ${this.dbName} is closed`, 500);
  }
}

/** Status of a write refused for lack of space (WebDAV's Insufficient Storage, RFC 4918 §11.5). */
export const INSUFFICIENT_STORAGE = 507;

/**
 * An IndexedDB failure as RtcError: 507 `Insufficient storage: …` for a `QuotaExceededError`
 * (Chromium and Firefox abort the transaction with it, or fail the request; the transaction is
 * aborted either way, so nothing of the write is stored), else 500 `IndexedDB: …`. An RtcError
 * stays as it is.
 */
export function idbError(e: unknown): RtcError {
  if (e instanceof RtcError) return e;
  if ((e as Error)?.name === 'QuotaExceededError') return quotaError((e as Error).message);
  return new RtcError(`IndexedDB: ${(e as Error)?.message ?? String(e)}`, 500);
}

/** RtcError 507 for a write the browser refused for lack of space (its message, when it gives one). */
export function quotaError(detail = ''): RtcError {
  const why = detail.trim() || "the browser's storage quota for this site is used up";
  return new RtcError(`Insufficient storage: ${why}. Nothing of this write was stored; free disk space, or back up and delete attachments`, INSUFFICIENT_STORAGE);
}

/** A failure while queueing a write: a document that cannot be cloned is the caller's (400); else as `idbError`. */
export function storeError(e: unknown): RtcError {
  if ((e as Error)?.name === 'DataCloneError') return new RtcError(`Document cannot be stored: ${(e as Error).message}`, 400);
  return idbError(e);
}
