/**
 * The master's attachments: their descriptions (store `attachments`) and bytes (store `chunks`,
 * schema.ts), written by uploads in batches of chunks that can resume after the bytes already
 * stored, and read by byte ranges one chunk at a time. Serves the local `putAttachment` /
 * `getAttachment` and, through `TransferServer` (channel/transfers.ts), the slaves' transfers.
 * Reference: docs/jio-compatibility.md "Methods" (attachments).
 */
import type { AttachmentInfo, GetAttachmentOptions, TransferOptions } from '../api.js';
import { RtcError } from '../errors.js';
import { attachmentRange, isSha256Digest, validateAttachmentMeta, validateAttachmentName, validateFormat, validateId } from './validate.js';
import { attachmentNotFound, CHUNK_SIZE, CHUNKS_PER_BATCH, convertBlob, toBlob } from './attachment-utils.js';
import { Digest } from './blob-hash.js';
import { HashJob, hashBlob } from './off-thread-hash.js';
import { unwrap } from 'idb';
import { INSUFFICIENT_STORAGE, type Connection } from './connection.js';
import { ofAttachment, ofDocument, type AttachmentRecord } from './schema.js';
import type { WriteLog, WriteOptions } from './write-log.js';
import { noteStorageWrite } from './persistence.js';

/** Where an upload stands (`openUpload`): bytes stored, chunk size, and the hash state to resume from. */
export interface UploadState {
  stored: number;
  chunk_size: number;
  complete: boolean;
  hash_state?: number[] | null;
}

/**
 * Attachments of one database. Errors: RtcError 400 (bad id, name, metadata or range), 404
 * (missing document or attachment), 409 (an upload replaced meanwhile), 507 (no space left: the
 * upload is removed, `abandonUpload`), 500 (IndexedDB).
 */
export class AttachmentStore {
  constructor(private readonly connection: Connection, private readonly log: WriteLog) {}

  /** `allAttachments(id)` → `{ name: { content_type, length, digest } }` of its complete attachments. @throws 404 when the document is missing. */
  async allAttachments(id: string): Promise<Record<string, AttachmentInfo>> {
    validateId(id, 'allAttachments');
    return this.connection.run(async (db) => {
      const tx = db.transaction(['documents', 'attachments']);
      if ((await tx.objectStore('documents').getKey(id)) === undefined) throw new RtcError(`Cannot find document: ${id}`, 404);
      const records = await tx.objectStore('attachments').getAll(ofDocument(id));
      const out: Record<string, AttachmentInfo> = {};
      for (const r of records) if (r.complete) out[r.name] = { content_type: r.content_type, length: r.length, digest: r.digest };
      return out;
    });
  }

  /** The description of a complete attachment. @throws RtcError 404 `Cannot find attachment: <id> , <name>`. */
  async attachmentInfo(id: string, name: string): Promise<AttachmentRecord> {
    validateId(id, 'getAttachment');
    validateAttachmentName(name, 'getAttachment');
    const record = await this.connection.run((db) => db.get('attachments', [id, name]));
    if (!record || !record.complete) throw attachmentNotFound(id, name);
    return record;
  }

  /** `removeAttachment(id, name)`: removes its description and chunks in one transaction. */
  async removeAttachment(id: string, name: string, options: WriteOptions = {}): Promise<void> {
    validateId(id, 'removeAttachment');
    validateAttachmentName(name, 'removeAttachment');
    await this.log.write(options.requestKey, ['attachments', 'chunks'], (tx) => {
      tx.objectStore('attachments').delete([id, name]);
      tx.objectStore('chunks').delete(ofAttachment(id, name));
      return null;
    }, {
      changes: () => [{ id }],
      journal: () => ({ t: 'delatt', id, name }),
    });
  }

  /**
   * The resume handshake of an upload: how many bytes of this attachment (same length, digest
   * and type) are already stored. A different attachment under that name is replaced (its
   * chunks are deleted) and the upload starts at 0. Idempotent.
   * @throws RtcError 404 when the document is missing, 400 for bad metadata.
   */
  async openUpload(id: string, name: string, meta: AttachmentInfo): Promise<UploadState> {
    validateId(id, 'putAttachment');
    validateAttachmentName(name, 'putAttachment');
    validateAttachmentMeta(meta);
    return this.connection.run(async (db) => {
      const tx = db.transaction(['documents', 'attachments', 'chunks'], 'readwrite');
      if ((await tx.objectStore('documents').getKey(id)) === undefined) {
        tx.abort();
        await tx.done.catch(() => {});
        throw new RtcError(`Cannot find document: ${id}`, 404);
      }
      const have = await tx.objectStore('attachments').get([id, name]);
      if (have && have.length === meta.length && have.digest === meta.digest && have.content_type === meta.content_type) {
        await tx.done;
        return { stored: have.stored, chunk_size: have.chunk_size, complete: have.complete, hash_state: have.hash_state };
      }
      if (have) void tx.objectStore('chunks').delete(ofAttachment(id, name));
      const record: AttachmentRecord = {
        id, name, content_type: meta.content_type, length: meta.length, digest: meta.digest,
        chunk_size: CHUNK_SIZE, stored: 0, complete: false,
      };
      void tx.objectStore('attachments').put(record);
      await tx.done;
      return { stored: 0, chunk_size: CHUNK_SIZE, complete: false };
    });
  }

  /**
   * Stores consecutive chunks of an upload, starting at chunk `first`, in one transaction, and
   * moves `stored` on. @throws RtcError 409 when the upload was replaced or removed meanwhile.
   */
  async writeChunks(id: string, name: string, digest: string, first: number, chunks: ArrayBuffer[], hashState?: number[] | null): Promise<number> {
    return this.connection.run(async (db) => {
      const tx = db.transaction(['attachments', 'chunks'], 'readwrite');
      const record = await tx.objectStore('attachments').get([id, name]);
      if (!record || record.digest !== digest || record.complete || record.stored !== first * record.chunk_size) {
        tx.abort();
        await tx.done.catch(() => {});
        throw new RtcError(`Upload of ${id} , ${name} was replaced or removed`, 409);
      }
      const store = tx.objectStore('chunks');
      let stored = record.stored;
      chunks.forEach((data, i) => {
        void store.put({ id, name, index: first + i, data });
        stored += data.byteLength;
      });
      record.stored = stored;
      record.hash_state = hashState && hashState[8] === stored ? hashState : null;
      void tx.objectStore('attachments').put(record);
      await tx.done;
      noteStorageWrite();
      return stored;
    });
  }

  /**
   * Removes an upload that cannot finish (507: no space for its next chunks): its description
   * and the chunks earlier transactions stored, so a full disk keeps nothing of it. Only while it
   * is still that upload (same digest, not complete): a newer upload or a finished attachment
   * under the name stays. Deleting frees space, so it works on a full disk. Never rejects (a
   * failure leaves an incomplete upload, which is never listed and is replaced by the next one).
   */
  async abandonUpload(id: string, name: string, digest: string): Promise<void> {
    try {
      await this.connection.run(async (db) => {
        const tx = db.transaction(['attachments', 'chunks'], 'readwrite');
        const record = await tx.objectStore('attachments').get([id, name]);
        if (record && record.digest === digest && !record.complete) {
          void tx.objectStore('attachments').delete([id, name]);
          void tx.objectStore('chunks').delete(ofAttachment(id, name));
        }
        await tx.done;
      });
    } catch {
      // see above
    }
  }

  /**
   * Ends an upload: every byte stored and its digest right (`digest` is the one computed while
   * receiving; null re-reads the chunks). The digest to match is the one the upload was opened
   * with, or, for one opened under a sample key (`sample-<hex>`), `claimed`: the uploader's full
   * `sha256-<hex>`, which the record then keeps. Idempotent once complete.
   * @throws RtcError 400 when incomplete, when a sample-keyed upload comes without a valid
   *   `claimed`, or on a mismatch (the upload is then deleted); 404 when there is no such upload.
   */
  async commitUpload(id: string, name: string, digest: string | null, claimed: string | null = null): Promise<void> {
    const record = await this.connection.run((db) => db.get('attachments', [id, name]));
    if (!record) throw attachmentNotFound(id, name);
    if (record.complete) return;
    if (record.stored !== record.length) throw new RtcError(`Upload of ${id} , ${name} is incomplete: ${record.stored} of ${record.length} bytes`, 400);
    // Opened under a sample key: the uploader's full digest comes now, and must be what was stored.
    const expected = record.digest.startsWith('sample-') ? claimed : record.digest;
    if (!isSha256Digest(expected)) {
      throw new RtcError(`Upload of ${id} , ${name}: the commit must carry the attachment's sha256 digest`, 400);
    }
    if (digest === null) digest = await this.rehash(record);
    if (digest !== expected) {
      await this.connection.run(async (db) => {
        const tx = db.transaction(['attachments', 'chunks'], 'readwrite');
        void tx.objectStore('attachments').delete([id, name]);
        void tx.objectStore('chunks').delete(ofAttachment(id, name));
        await tx.done;
      });
      throw new RtcError(`Attachment ${id} , ${name}: digest mismatch (expected ${expected}, got ${digest}); nothing kept`, 400);
    }
    // Completing it is the change of document `id` the feed records (in the same transaction).
    const seq = await this.connection.run(async (db) => {
      const tx = db.transaction(['attachments', 'changes'], 'readwrite');
      const now = await tx.objectStore('attachments').get([id, name]);
      let last = 0;
      if (now && now.digest === record.digest) {
        void tx.objectStore('attachments').put({ ...now, digest: expected, complete: true });
        this.log.feed.record(unwrap(tx), [{ id }], (s) => (last = s));
      }
      await tx.done;
      return last;
    });
    if (seq > 0) this.log.feed.committed(seq);
    // Metadata only: the journal does not copy attachment bytes (journal.ts).
    await this.log.journal?.append({ t: 'att', id, name, content_type: record.content_type, length: record.length, digest: expected });
  }

  /** The digest of an upload's stored chunks, read again (in the hashing Worker, or here without one). */
  private async rehash(record: AttachmentRecord): Promise<string> {
    const job = HashJob.start();
    const count = Math.ceil(record.length / record.chunk_size);
    for (let i = 0; i < count; i++) job.update(new Uint8Array(await this.readChunk(record.id, record.name, i)));
    const digest = await job.digest();
    if (digest !== null) return digest;
    const d = new Digest(); // the Worker stopped meanwhile
    for (let i = 0; i < count; i++) d.update(new Uint8Array(await this.readChunk(record.id, record.name, i)));
    return d.digest();
  }

  /** One stored chunk of an attachment. @throws RtcError 500 when it is missing (broken attachment). */
  async readChunk(id: string, name: string, index: number): Promise<ArrayBuffer> {
    const chunk = await this.connection.run((db) => db.get('chunks', [id, name, index]));
    if (!chunk) throw new RtcError(`Broken attachment ${id} , ${name}: chunk ${index} is missing`, 500);
    return chunk.data;
  }

  /**
   * Reads bytes `[start, end)` of an attachment, one chunk at a time, calling `onPart` with each
   * piece (a view into the chunk) and waiting for it before reading the next chunk.
   */
  async readRange(record: AttachmentRecord, start: number, end: number, onPart: (bytes: Uint8Array<ArrayBuffer>, offset: number) => Promise<void> | void): Promise<void> {
    const size = record.chunk_size;
    // Reads the next chunk while the current one is being handed on (at most two in memory).
    const read = (index: number): Promise<ArrayBuffer> | null => {
      if (index * size >= end) return null;
      const p = this.readChunk(record.id, record.name, index);
      p.catch(() => {}); // awaited below; if the caller stops first, nothing is unhandled
      return p;
    };
    let next = read(Math.floor(start / size));
    for (let index = Math.floor(start / size); index * size < end; index++) {
      const data = await next!;
      next = read(index + 1);
      const from = Math.max(start, index * size) - index * size;
      const to = Math.min(end, index * size + data.byteLength) - index * size;
      if (to > from) await onPart(new Uint8Array(data, from, to - from), index * size + from);
    }
  }

  /**
   * `putAttachment(id, name, blob|string)`: reads the Blob piece by piece (never whole), writes
   * `CHUNKS_PER_BATCH` chunks per transaction, resumes after the bytes already stored.
   * @throws RtcError 404 when the document is missing, 400 for a bad name or content, 507 when
   *   the disk is full (the chunks already stored are removed: nothing of it is kept).
   */
  async putAttachment(id: string, name: string, content: Blob | string, options: TransferOptions = {}): Promise<void> {
    validateId(id, 'putAttachment');
    validateAttachmentName(name, 'putAttachment');
    const blob = toBlob(content);
    const meta = { content_type: blob.type || 'application/octet-stream', length: blob.size, digest: await hashBlob(blob) };
    const open = await this.openUpload(id, name, meta);
    let stored = open.stored;
    options.onProgress?.(stored, meta.length);
    const batchBytes = open.chunk_size * CHUNKS_PER_BATCH;
    while (!open.complete && stored < meta.length) {
      // Each chunk read on its own: one copy of the bytes, not a batch read and then cut.
      const chunks: Promise<ArrayBuffer>[] = [];
      for (let at = stored; at < Math.min(meta.length, stored + batchBytes); at += open.chunk_size) chunks.push(blob.slice(at, Math.min(meta.length, at + open.chunk_size)).arrayBuffer());
      try {
        const buffers = await Promise.all(chunks);
        stored = await this.writeChunks(id, name, meta.digest, stored / open.chunk_size, buffers);
      } catch (e) {
        if ((e as RtcError).status_code === INSUFFICIENT_STORAGE) await this.abandonUpload(id, name, meta.digest);
        throw e;
      }
      options.onProgress?.(stored, meta.length);
    }
    await this.commitUpload(id, name, meta.digest);
    if (meta.length === 0 || open.complete) options.onProgress?.(meta.length, meta.length);
  }

  /**
   * `getAttachment(id, name, { format, start, end })`: a Blob made of the needed chunks only
   * (or converted to `format`). @throws RtcError 404 `Cannot find attachment: <id> , <name>`,
   * 400 for an unknown format.
   */
  async getAttachment(id: string, name: string, options: GetAttachmentOptions & TransferOptions = {}): Promise<unknown> {
    validateFormat(options.format);
    const record = await this.attachmentInfo(id, name);
    const [start, end] = attachmentRange(record.length, options.start, options.end);
    const parts: BlobPart[] = [];
    await this.readRange(record, start, end, (bytes, offset) => {
      parts.push(bytes);
      options.onProgress?.(offset + bytes.byteLength - start, end - start);
    });
    if (end === start) options.onProgress?.(0, 0);
    return convertBlob(new Blob(parts, { type: record.content_type }), options.format);
  }
}
