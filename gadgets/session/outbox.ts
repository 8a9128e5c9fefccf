/**
 * The outbox of `<rtc-slave queue>`: writes kept in the slave's own IndexedDB while the master is
 * unreachable, then sent in order, each exactly once, when it is back.
 *
 * - `OutboxStore` is the storage: database `rtc-outbox:<room>`, one object store `entries` with an
 *   autoIncrement key (the order of the writes). An entry is `{ seq, key, method, args, post, at }`:
 *   `key` is the idempotency key the master records with the write (storage/write-log.ts), chosen
 *   once when the write is queued, so every re-send of it (after a reload too) carries the same key
 *   and the master applies it once.
 * - `QueuedDatabase` is the slave's database API with the outbox in front of the master
 *   (channel/remote-database.ts): `post`, `put`, `remove` and `bulkPut` are stored, then sent. A
 *   `post` gets its id here (a v4 UUID, as the master would choose: storage/database.ts) and
 *   travels as `put(id, doc)`, so the caller has the id at once; a `bulkPut` entry without id
 *   gets one likewise. Every write is stored first and sent behind those before it. While the
 *   master is connected a write resolves with the master's answer (and rejects with its 4xx
 *   error); while it is away, or once it goes away, a write resolves as soon as it is stored. Reads go to the master as before; a read that times out while the
 *   master is away says so.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { BulkEntry, DatabaseApi, Doc, MethodName } from '../api.js';
import { installMethods, invoke } from '../methods.js';
import { RtcError, type StatusCode } from '../errors.js';
import { AdmissionError } from '../channel/handshake.js';
import type { RpcClient } from '../channel/rpc-client.js';
import { validateBulk, validateDoc, validateId } from '../storage/validate.js';
import { uuid } from '../storage/ids.js';

/** How a queued write travels (a `post` travels as `put`, its id chosen on the slave). */
export type OutboxMethod = 'put' | 'remove' | 'bulkPut';

/** One queued write. `seq` is its place in the queue (IndexedDB autoIncrement key). */
export interface OutboxEntry {
  seq?: number;
  /** Idempotency key sent with every attempt (`outbox:<uuid>`). */
  key: string;
  method: OutboxMethod;
  args: unknown[];
  /** It was a `post` (shown as a new record). */
  post: boolean;
  /** When it was queued, ms since the epoch. */
  at: number;
}

/** A document touched by a queued write, for display (`<rtc-query-form>` marks it pending). */
export interface PendingWrite {
  id: string;
  /** `post`, `put` or `remove` (a `bulkPut` entry is a `put`). */
  kind: 'post' | 'put' | 'remove';
  /** The document written (absent for `remove`). */
  doc?: Doc;
}

/** The IndexedDB database of the outbox of `room`. */
export function outboxDatabaseName(room: string): string {
  return `rtc-outbox:${room}`;
}

/** Retry delay of a flush that failed while the channel stayed up (a 5xx or a timeout), ms. */
const RETRY_MS = 2000;

/** The queue in IndexedDB. Errors from IndexedDB reject as RtcError 500 with the browser's message. */
export class OutboxStore {
  private constructor(private readonly db: IDBPDatabase) {}

  /** Opens (creating) `rtc-outbox:<room>`. @throws RtcError 500 when IndexedDB refuses. */
  static async open(room: string): Promise<OutboxStore> {
    try {
      const db = await openDB(outboxDatabaseName(room), 1, {
        upgrade(d) {
          d.createObjectStore('entries', { keyPath: 'seq', autoIncrement: true });
        },
      });
      db.onversionchange = () => db.close(); // another tab deletes or upgrades it: let it
      return new OutboxStore(db);
    } catch (e) {
      throw new RtcError(`Outbox: IndexedDB: ${(e as Error).message}`, 500);
    }
  }

  /** Appends `entry`; resolves with its `seq` once committed. */
  async add(entry: OutboxEntry): Promise<number> {
    return this.guard(async () => (await this.db.add('entries', entry)) as number);
  }

  /** Every entry, in order. */
  async all(): Promise<OutboxEntry[]> {
    return this.guard(() => this.db.getAll('entries') as Promise<OutboxEntry[]>);
  }

  /** Removes entry `seq` (answered by the master, or refused for good). */
  async delete(seq: number): Promise<void> {
    return this.guard(() => this.db.delete('entries', seq));
  }

  close(): void {
    this.db.close();
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new RtcError(`Outbox: IndexedDB: ${(e as Error).message}`, 500);
    }
  }
}

/** What the queue tells its element. */
export interface QueueHooks {
  /** The number of queued writes changed (also once when the outbox is opened). */
  changed(pending: number): void;
  /** A queued write the master refused (4xx) with nobody waiting for it, or an outbox failure. */
  error(error: Error): void;
}

interface Waiter {
  /** The master answered: its result. */
  answered(result: unknown): void;
  /** The master refused it for good. */
  refused(error: Error): void;
  /** It stays queued (the master is away): resolve with what the caller would get. */
  queued(): void;
}

/**
 * The master's database API with the outbox in front (see the module docs). `remote` serves
 * reads and attachments; `rpc` carries the queued writes with their own keys.
 */
// The methods it does not define are forwarded to `remote` (`forward`, installed below).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface QueuedDatabase extends DatabaseApi {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class QueuedDatabase {
  private readonly store: Promise<OutboxStore>;
  /** Mirror of the store, in order (loaded once, then kept in step). */
  private entries: OutboxEntry[] = [];
  private readonly waiters = new Map<number, Waiter>();
  private flushing = false;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly unwatch: () => void;
  /** Writes being stored: they count for order before their `seq` is known. */
  private storing: Promise<unknown> = Promise.resolve();

  /**
   * Opens the outbox of `room` (`rtc-outbox:<room>`) and starts sending what it holds whenever
   * `rpc` has a channel. An outbox that cannot be opened is reported through `hooks.error`, and
   * every write then rejects with its RtcError 500.
   * @param remote the slave's `RemoteDatabase` on `rpc`: reads and attachments go there.
   * @param rpc the slave session's client; its channel comes and goes with the master.
   */
  constructor(private readonly remote: DatabaseApi, private readonly rpc: RpcClient, room: string, private readonly hooks: QueueHooks) {
    this.store = OutboxStore.open(room).then(async (store) => {
      this.entries = await store.all();
      if (this.closed) store.close();
      else this.hooks.changed(this.entries.length);
      return store;
    });
    this.store.then(() => this.flush(), (e: Error) => this.hooks.error(e));
    this.unwatch = rpc.watchChannel(() => {
      if (rpc.currentChannel) void this.flush();
      else this.releaseWaiters(); // the master went away: what is stored is the caller's answer
    });
  }

  /** Queued writes, in order. */
  get pending(): number {
    return this.entries.length;
  }

  /** The documents the queued writes touch, in order (a `bulkPut` gives one per entry). */
  get pendingWrites(): PendingWrite[] {
    return this.entries.flatMap((e): PendingWrite[] => {
      if (e.method === 'remove') return [{ id: e.args[0] as string, kind: 'remove' }];
      if (e.method === 'put') return [{ id: e.args[0] as string, kind: e.post ? 'post' : 'put', doc: e.args[1] as Doc }];
      return (e.args[0] as Required<BulkEntry>[]).map((b) => ({ id: b.id, kind: 'put', doc: b.doc }));
    });
  }

  /** `post(doc)` → its new id, chosen here; it travels as `put(id, doc)`. @throws RtcError 400 for a bad doc. */
  async post(doc: Doc): Promise<string> {
    validateDoc(doc, 'post');
    const id = uuid();
    return this.write('put', [id, doc], true, id) as Promise<string>;
  }

  /** `put(id, doc)` → `id`. @throws RtcError 400 for a bad id or doc. */
  async put(id: string, doc: Doc): Promise<string> {
    validateId(id, 'put');
    validateDoc(doc, 'put');
    return this.write('put', [id, doc], false, id) as Promise<string>;
  }

  /** `remove(id)` → `id`. @throws RtcError 400 for a bad id. */
  async remove(id: string): Promise<string> {
    validateId(id, 'remove');
    return this.write('remove', [id], false, id) as Promise<string>;
  }

  /** `bulkPut(entries)` → the ids (new ones chosen here). @throws RtcError 400 for a bad entry. */
  async bulkPut(entries: BulkEntry[]): Promise<string[]> {
    validateBulk(entries, Number.MAX_SAFE_INTEGER);
    const full = entries.map((e) => ({ id: e.id ?? uuid(), doc: e.doc }));
    return this.write('bulkPut', [full], false, full.map((e) => e.id)) as Promise<string[]>;
  }

  /** Stops flushing and closes the outbox database (the element's session ended). */
  close(): void {
    this.closed = true;
    this.unwatch();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.releaseWaiters();
    this.store.then((s) => s.close(), () => {});
  }

  /**
   * Any other method (reads, attachments) as the master answers it; a timeout (504) while the
   * master is away says so. @internal (the forwarding installed below)
   */
  async forward(name: MethodName, args: unknown[]): Promise<unknown> {
    try {
      return await invoke(this.remote, name, args);
    } catch (e) {
      if ((e as RtcError).status_code !== 504 || this.rpc.currentChannel) throw e;
      const n = this.entries.length;
      throw new RtcError(`${(e as Error).message}: the master is not reachable; writes are queued (${n} pending)`, 504);
    }
  }

  /**
   * Stores a write, then sends it behind the others, in order. Resolves with the master's answer
   * when the master is connected (and stays so until it answers), else with `local` once stored.
   */
  private async write(method: OutboxMethod, args: unknown[], post: boolean, local: unknown): Promise<unknown> {
    const entry: OutboxEntry = { key: `outbox:${uuid()}`, method, args, post, at: Date.now() };
    const before = this.storing;
    // The answer is wrapped: an async function returning a promise would wait for it.
    const stored = (async (): Promise<{ answer: Promise<unknown> | null }> => {
      const store = await this.store;
      await before.catch(() => {}); // keep the callers' order in the queue
      entry.seq = await store.add(entry);
      // Connected: the caller gets the master's answer (once the writes before it are sent).
      const answer = this.rpc.currentChannel
        ? new Promise<unknown>((resolve, reject) => {
          this.waiters.set(entry.seq!, { answered: resolve, refused: reject, queued: () => resolve(local) });
        })
        : null;
      this.entries.push(entry);
      this.hooks.changed(this.entries.length);
      return { answer };
    })();
    this.storing = stored;
    const { answer } = await stored;
    void this.flush();
    return answer ?? local;
  }

  /** Sends the queued writes one after another while a channel is attached; only one flush runs. */
  private async flush(): Promise<void> {
    if (this.flushing || this.closed) return;
    this.flushing = true;
    try {
      const store = await this.store;
      while (!this.closed && this.rpc.currentChannel && this.entries.length > 0) {
        const entry = this.entries[0]!;
        let result: unknown;
        try {
          result = await this.rpc.call(entry.method, entry.args, entry.key);
        } catch (e) {
          const status = (e as RtcError).status_code ?? 500;
          // A refusal of this slave (room secret) is not an answer about this write: keep it.
          if (status < 400 || status >= 500 || e instanceof AdmissionError) {
            this.releaseWaiters();
            if (!this.closed && this.rpc.currentChannel) this.retryLater();
            return;
          }
          // The master refused this write (400, 403, 404, 413): re-sending cannot fix it.
          await this.done(store, entry);
          const waiter = this.waiters.get(entry.seq!);
          this.waiters.delete(entry.seq!);
          const error = new RtcError(`Queued ${entry.post ? 'post' : entry.method} refused by the master: ${(e as Error).message}`, status as StatusCode);
          if (waiter) waiter.refused(e as Error);
          else this.hooks.error(error);
          continue;
        }
        await this.done(store, entry);
        this.waiters.get(entry.seq!)?.answered(result);
        this.waiters.delete(entry.seq!);
      }
    } catch (e) {
      this.hooks.error(e as Error); // the outbox's own IndexedDB failed
    } finally {
      this.flushing = false;
    }
  }

  private async done(store: OutboxStore, entry: OutboxEntry): Promise<void> {
    await store.delete(entry.seq!);
    this.entries.shift();
    this.hooks.changed(this.entries.length);
  }

  private retryLater(): void {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, RETRY_MS);
  }

  /** Callers waiting for the master's answer get their local answer: their writes stay queued. */
  private releaseWaiters(): void {
    for (const w of this.waiters.values()) w.queued();
    this.waiters.clear();
  }
}

installMethods(QueuedDatabase.prototype, (name) => function (this: QueuedDatabase, ...args: unknown[]) {
  return this.forward(name, args);
});
