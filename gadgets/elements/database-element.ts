/**
 * The database API (product.md "The database API") shared by `<rtc-master>` and `<rtc-slave>`:
 * each element says where its database is (`backend()`), and this class forwards the jIO
 * methods to it. Errors reject with an `Error` carrying `status_code`.
 */
import { LitElement } from 'lit';
import type { AllDocsOptions, AllDocsResult, AttachmentInfo, BulkEntry, DatabaseApi, Doc, GetAttachmentOptions, TransferOptions } from '../api.js';
import { RtcBulkProgressEvent, RtcProgressEvent } from '../events/events.js';
import type { ConnectionState, PeerInfo } from '../controllers/types.js';

/** Documents per `bulkPut` request: each request is one transaction on the master. */
export const BULK_CHUNK = 10000;

export abstract class DatabaseElement extends LitElement implements DatabaseApi {
  /** Where calls go: the local IndexedDB database (master) or the master over WebRTC (slave). */
  protected abstract backend(): Promise<DatabaseApi>;
  /** `disconnected`, `connecting`, `connected` or `error` (reflected). */
  abstract state: ConnectionState;
  /** The last error reported by `rtc-error`, or null. */
  abstract readonly lastError: Error | null;
  /** Connected slaves (a master's; a slave has none). */
  abstract readonly peers: PeerInfo[];

  /** `post(doc)` → the new document's id. */
  async post(doc: Doc): Promise<string> {
    return (await this.backend()).post(doc);
  }

  /** `put(id, doc)` → `id`; creates or overwrites. */
  async put(id: string, doc: Doc): Promise<string> {
    return (await this.backend()).put(id, doc);
  }

  /** `get(id)` → the document; 404 when missing. */
  async get(id: string): Promise<Doc> {
    return (await this.backend()).get(id);
  }

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
   * `bulkPut([{ id?, doc }, …])` → the ids, in order. Writes in requests of `BULK_CHUNK` (10,000)
   * documents, each one IndexedDB transaction on the master (atomic per chunk), one after the
   * other, firing `rtc-bulk-progress` `{ loaded, total }` (documents stored) after each.
   * @throws RtcError 400 for a malformed entry (nothing of its chunk is written).
   */
  async bulkPut(entries: BulkEntry[]): Promise<string[]> {
    const db = await this.backend();
    if (!Array.isArray(entries)) return db.bulkPut(entries); // the backend says why it is wrong
    const ids: string[] = [];
    this.dispatchEvent(new RtcBulkProgressEvent(0, entries.length));
    for (let at = 0; at < entries.length || at === 0; at += BULK_CHUNK) {
      ids.push(...(await db.bulkPut(entries.slice(at, at + BULK_CHUNK))));
      this.dispatchEvent(new RtcBulkProgressEvent(ids.length, entries.length));
      if (entries.length === 0) break;
    }
    return ids;
  }

  /** `allDocs({ query, sort_on, limit, select_list, include_docs })` → `{ data: { rows, total_rows } }`. */
  async allDocs(options?: AllDocsOptions): Promise<AllDocsResult> {
    return (await this.backend()).allDocs(options);
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

  /** `removeAttachment(id, name)`. */
  async removeAttachment(id: string, name: string): Promise<void> {
    return (await this.backend()).removeAttachment(id, name);
  }

  /** `allAttachments(id)` → `{ name: { content_type, length, digest } }`; 404 when the document is missing. */
  async allAttachments(id: string): Promise<Record<string, AttachmentInfo>> {
    return (await this.backend()).allAttachments(id);
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
