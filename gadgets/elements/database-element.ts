/**
 * The database API (README.md "The database API") shared by `<rtc-master>` and `<rtc-slave>`:
 * each element says where its database is (`backend()`), and this class forwards the jIO
 * methods to it: every method of the method table (methods.ts) that it does not define itself
 * (`remove`, `bulkPut` and the attachment transfers, which add to the call) is forwarded as is.
 * Errors reject with an `Error` carrying `status_code`.
 */
import { LitElement } from 'lit';
import type { BulkEntry, ChangesResult, DatabaseApi, GetAttachmentOptions, TransferOptions, Watchable, WatchOptions } from '../api.js';
import { RtcBulkProgressEvent, RtcChangeEvent, RtcProgressEvent } from '../events/events.js';
import { validateWatchOptions } from '../storage/changes-feed.js';
import type { ConnectionState, PeerInfo } from '../session/types.js';
import { validateBulk } from '../storage/validate.js';
import { installMethods, invoke } from '../methods.js';

/** Documents per `bulkPut` request: each request is one transaction on the master. */
export const BULK_CHUNK = 2500;
/** `bulkPut` requests in flight at once: the master parses and stores the next while the last commits. */
export const BULK_WINDOW = 3;

// The forwarded methods come from the table (the static block below); this gives them their types.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface DatabaseElement extends DatabaseApi {}

/**
 * The jIO methods of `<rtc-master>` and `<rtc-slave>`, forwarded to `backend()`.
 *
 * @fires rtc-bulk-progress - `{ loaded, total }` documents of a `bulkPut` stored by the master so far.
 * @fires rtc-progress - `{ id, name, loaded, total }` bytes of this element's attachment transfer stored by the receiver so far.
 * @fires rtc-change - `{ results, last_seq }`: a batch of the changes feed delivered to a `watch` made through this element.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class DatabaseElement extends LitElement implements DatabaseApi, Watchable {
  static {
    installMethods(DatabaseElement.prototype, (name) => function (this: DatabaseElement, ...args: unknown[]) {
      return this.backend().then((db) => invoke(db, name, args));
    });
  }

  /** Where calls go: the local IndexedDB database (master) or the master over WebRTC (slave). */
  protected abstract backend(): Promise<DatabaseApi>;
  /** `disconnected`, `connecting`, `connected` or `error` (reflected). */
  abstract state: ConnectionState;
  /** The last error reported by `rtc-error` since the element was last (re)connected, or null. */
  abstract readonly lastError: Error | null;
  /** Connected slaves (a master's; a slave has none). */
  abstract readonly peers: PeerInfo[];
  /** This device's name (README "Device names"): a slave's, or a master's (default `Master`). */
  abstract name: string;

  /**
   * With an id, jIO's `remove(id)` → `id`. Without arguments, the DOM's `Element.remove()`, which
   * the jIO name shadows and which pages, frameworks and test fixtures still call.
   */
  override remove(): void;
  override remove(id: string): Promise<string>;
  override remove(...args: [] | [string]): void | Promise<string> {
    if (args.length === 0) {
      super.remove();
      return;
    }
    return this.backend().then((db) => db.remove(args[0]));
  }

  /**
   * `bulkPut([{ id?, doc }, …])` → the ids, in order. Every entry is checked first (a malformed
   * one rejects with 400 and nothing is written); then the entries go in requests of
   * `BULK_CHUNK` documents, each one IndexedDB transaction on the master (atomic per chunk),
   * `BULK_WINDOW` of them in flight so that the master stores one while the next travels; they
   * are stored in order. Fires `rtc-bulk-progress` `{ loaded, total }` (documents stored) after
   * each chunk. If a chunk fails (500, 504, the master gone), the promise rejects with its error:
   * the chunks before it are stored, those already in flight after it (at most `BULK_WINDOW` − 1)
   * may be, and no other is sent.
   */
  async bulkPut(entries: BulkEntry[]): Promise<string[]> {
    const db = await this.backend();
    validateBulk(entries, Number.MAX_SAFE_INTEGER);
    const total = entries.length;
    const chunks: BulkEntry[][] = [];
    for (let at = 0; at < total; at += BULK_CHUNK) chunks.push(entries.slice(at, at + BULK_CHUNK));
    if (chunks.length === 0) chunks.push([]);
    this.dispatchEvent(new RtcBulkProgressEvent(0, total));
    const results: Promise<string[]>[] = [];
    const ids: string[] = [];
    let failed = false;
    const send = (k: number): void => {
      const sent = db.bulkPut(chunks[k]!);
      sent.catch(() => {
        failed = true;
      });
      results.push(sent);
    };
    for (let k = 0; k < Math.min(BULK_WINDOW, chunks.length); k++) send(k);
    for (let k = 0; k < chunks.length; k++) {
      ids.push(...(await results[k]!)); // in order; rejects with the first failure
      if (!failed && results.length < chunks.length) send(results.length);
      this.dispatchEvent(new RtcBulkProgressEvent(ids.length, total));
    }
    return ids;
  }

  /**
   * `putAttachment(id, name, blob|string)`: stores the attachment (a string becomes
   * text/plain;charset=utf-8), firing `rtc-progress` `{ id, name, loaded, total }` with the bytes
   * stored so far. @throws RtcError 404 when the document is missing, 400 on a digest mismatch.
   */
  async putAttachment(id: string, name: string, blob: Blob | string, options: TransferOptions = {}): Promise<void> {
    return (await this.backend()).putAttachment(id, name, blob, this.progressOptions(id, name, options));
  }

  /**
   * `getAttachment(id, name, { format, start, end })`: `format` is `blob` (default), `text`,
   * `json`, `data_url` or `array_buffer`; `start`/`end` read a byte range. Fires `rtc-progress`.
   * @throws RtcError 404 `Cannot find attachment: <id> , <name>`, 400 for an unknown format.
   */
  async getAttachment(id: string, name: string, options: GetAttachmentOptions & TransferOptions = {}): Promise<unknown> {
    return (await this.backend()).getAttachment(id, name, { ...options, ...this.progressOptions(id, name, options) });
  }

  /**
   * `watch({ since = 'now', query, include_docs }, onChange)` → stop: every change of the master's
   * database after `since`, once each, in seq order, in batches; each batch also fires
   * `rtc-change` on this element. A master watches its own database; a slave subscribes over the
   * data channel and resumes after reconnects and master reloads from the last seq it delivered
   * (docs/protocol.md "Changes feed"). A watch made before the backend is ready starts once it is.
   * @throws RtcError 400 for bad options (synchronously).
   */
  watch(options: WatchOptions, onChange: (batch: ChangesResult) => void): () => void {
    validateWatchOptions(options);
    let stopped = false;
    let stop: (() => void) | null = null;
    const deliver = (batch: ChangesResult): void => {
      if (stopped) return;
      onChange(batch);
      this.dispatchEvent(new RtcChangeEvent(batch));
    };
    this.backend().then((db) => {
      if (!stopped) stop = (db as DatabaseApi & Watchable).watch(options, deliver);
    }, () => {
      // No backend (a refused slave, a database IndexedDB will not open): rtc-error said why.
    });
    return () => {
      stopped = true;
      stop?.();
    };
  }

  /** Progress callbacks that fire only when `loaded` grows (the first report may be 0). */
  private progressOptions(id: string, name: string, options: TransferOptions): TransferOptions {
    let last = -1;
    return {
      onProgress: (loaded, total) => {
        if (loaded <= last) return;
        last = loaded;
        options.onProgress?.(loaded, total);
        this.dispatchEvent(new RtcProgressEvent(id, name, loaded, total));
      },
    };
  }
}
