/**
 * Attachments over the data channel. The bytes travel as binary data frames (`frames.ts`, kind 3:
 * transfer id + offset), through the FramedChannel's round-robin queue, so JSON requests and
 * answers keep flowing during a transfer and no sender starves another. The JSON requests:
 *
 * Upload (slave → master), `putAttachment(id, name, blob)`:
 * 1. the slave computes the Blob's sample key (`sampleKey`: its size, type and ends; no full read);
 * 2. `attachmentOpen [id, name, {content_type, length, digest: sample key}, transfer]` (write,
 *    keyed): the resume handshake; the master answers `{ stored, chunk_size }`, the bytes of this
 *    very attachment (same length, type and key) it already holds (0 for a new one);
 * 3. the slave sends data frames from `stored` on, reading the Blob `PIECE_SIZE` bytes at a time,
 *    never more than `UPLOAD_WINDOW` bytes ahead of what the master acknowledged; meanwhile a
 *    Worker hashes the whole Blob (SHA-256, storage/off-thread-hash.ts; on the main thread where
 *    no Worker can start);
 * 4. the master writes whole chunks, `CHUNKS_PER_BATCH` per transaction, and after each one
 *    sends `{type:'progress', transfer, stored}` (bytes in IndexedDB);
 * 5. once `stored` = length, `attachmentCommit [id, name, transfer, digest]`: the master checks
 *    the slave's full digest against its own (computed chunk by chunk while receiving, in a Worker
 *    too; the SHA-256 state is stored with each batch, so a resume goes on hashing where it stopped) and marks it
 *    complete, or deletes it and answers 400 on a mismatch (the slave then starts over once: the
 *    stored bytes may have been another Blob's with the same sample key).
 * If the channel drops or the master reloads, the slave waits for the next channel and starts
 * again at 2 with a new transfer id: only the bytes after the last stored chunk travel again.
 * When a batch meets a full disk (507), the master removes the upload (its earlier chunks too)
 * and sends the 507 in a progress message; the slave's `putAttachment` rejects with it.
 *
 * Download (master → slave), `getAttachment(id, name, {format, start, end})`:
 * `attachmentInfo [id, name]` → `{content_type, length, digest}`, then `attachmentRead [id, name,
 * from, to, transfer]` for ranges of at most `DOWNLOAD_RANGE` bytes: the master reads chunk by
 * chunk and sends data frames, then answers. The slave keeps the bytes received as Blob parts; a
 * range interrupted is asked again from the first byte it is missing (the re-sent request's `from`). A whole download is checked
 * against the digest.
 *
 * This module is the master's side; the slave's is `transfer-client.ts`.
 */
import type { AttachmentInfo } from '../api.js';
import { RtcError, toErrorShape } from '../errors.js';
import type { AttachmentStore } from '../storage/attachment-store.js';
import { CHUNKS_PER_BATCH } from '../storage/attachment-utils.js';
import { HashJob } from '../storage/off-thread-hash.js';
import { INSUFFICIENT_STORAGE } from '../storage/connection.js';
import { attachmentRange } from '../storage/validate.js';
import type { FramedChannel } from './framed-channel.js';
import type { DataFrame } from './frames.js';
import { PROTOCOL_VERSION } from './envelope.js';
import { BackupServer } from './backup-transfer.js';

/** One upload being received by the master: bytes → chunks → batched transactions. */
class UploadSink {
  private next: number;
  private nextIndex: number;
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  /** Whole chunks, each on its way through the hashing Worker (see `cut`). */
  private ready: Promise<Uint8Array<ArrayBuffer>>[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly hasher: HashJob | null;
  private failure: RtcError | null = null;
  private aborted = false;
  private resolveDone!: () => void;
  private rejectDone!: (e: Error) => void;
  /** Settles once every byte is stored (or the upload failed). */
  readonly done: Promise<void>;

  constructor(
    private readonly db: AttachmentStore,
    readonly id: string,
    readonly name: string,
    private readonly meta: AttachmentInfo,
    stored: number,
    private readonly chunkSize: number,
    private readonly progress: (stored: number, error?: RtcError) => void,
    hashState?: number[] | null,
  ) {
    this.next = stored;
    this.nextIndex = stored / chunkSize;
    // Hashing goes on from the state stored with the chunks; without it, commit re-reads them.
    // The hashing runs in a Worker (off-thread-hash.ts): this thread only copies each chunk to it.
    const resumed = hashState ? HashJob.fromState(hashState) : null;
    if (resumed && resumed.length !== stored) resumed.end();
    this.hasher = stored === 0 ? HashJob.start() : resumed && resumed.length === stored ? resumed : null;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => {});
    if (stored >= meta.length) this.resolveDone();
  }

  /** The digest of the bytes received, or null when the upload resumed (not all passed here) or the hashing Worker stopped. */
  digest(): Promise<string | null> {
    return this.hasher ? this.hasher.digest() : Promise.resolve(null);
  }

  push(frame: DataFrame): void {
    if (this.aborted || this.failure) return;
    const end = frame.offset + frame.payload.byteLength;
    if (end <= this.next) return; // already held
    if (frame.offset > this.next || end > this.meta.length) {
      this.fail(new RtcError(`Bad request: data at ${frame.offset} of ${this.id} , ${this.name}, expected ${this.next} (length ${this.meta.length})`, 400));
      return;
    }
    const bytes = frame.payload.subarray(this.next - frame.offset);
    this.parts.push(bytes);
    this.partBytes += bytes.byteLength;
    this.next += bytes.byteLength;
    const last = this.next === this.meta.length;
    while (this.partBytes >= this.chunkSize || (last && this.partBytes > 0)) this.ready.push(this.cut(Math.min(this.chunkSize, this.partBytes)));
    if (this.ready.length >= CHUNKS_PER_BATCH || (last && this.ready.length > 0)) this.flush();
  }

  /** Stops (a newer upload of the same attachment, or the channel closed); `reason` tells the slave. */
  abort(reason?: RtcError): Promise<void> {
    if (reason && !this.aborted && !this.failure) this.progress(this.next, reason);
    this.aborted = true;
    this.hasher?.end();
    this.rejectDone(new RtcError('Upload interrupted', 500));
    return this.chain;
  }

  /** The next `size` bytes as one chunk, handed to the hasher (transferred there and back: one copy in memory). */
  private cut(size: number): Promise<Uint8Array<ArrayBuffer>> {
    const chunk = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const part = this.parts[0];
      const take = Math.min(part.byteLength, size - at);
      chunk.set(part.subarray(0, take), at);
      at += take;
      if (take === part.byteLength) this.parts.shift();
      else this.parts[0] = part.subarray(take);
    }
    this.partBytes -= size;
    // Per chunk, so the state at a batch's end matches what it stores.
    if (!this.hasher) return Promise.resolve(chunk);
    const back = this.hasher.take(chunk);
    back.catch(() => {}); // awaited by the batch
    return back;
  }

  private flush(): void {
    const chunks = this.ready.splice(0);
    const first = this.nextIndex;
    this.nextIndex += chunks.length;
    // The state after this batch, asked now (after its chunks) and stored with them, so a resume goes on from there.
    const hashState = this.hasher ? this.hasher.state() : Promise.resolve(null);
    this.chain = this.chain.then(async () => {
      if (this.aborted || this.failure) return;
      try {
        const bytes = (await Promise.all(chunks)).map((c) => c.buffer);
        const stored = await this.db.writeChunks(this.id, this.name, this.meta.digest, first, bytes, await hashState);
        this.progress(stored);
        if (stored === this.meta.length) this.resolveDone();
      } catch (e) {
        const error = e instanceof RtcError ? e : new RtcError(String(e), 500);
        // A full disk keeps nothing of the upload: the chunks stored by earlier batches go too
        // (before the slave hears of it, so a retry finds no partial upload to resume).
        if (error.status_code === INSUFFICIENT_STORAGE) await this.db.abandonUpload(this.id, this.name, this.meta.digest);
        this.fail(error);
      }
    });
  }

  private fail(error: RtcError): void {
    this.failure = error;
    this.hasher?.end();
    this.progress(this.next, error);
    this.rejectDone(error);
  }
}

/** Uploads being received, per database, by attachment: a newer one replaces an older one. */
const receiving = new WeakMap<AttachmentStore, Map<string, UploadSink>>();

/**
 * The master's side of attachment transfers on one channel. The method table (methods.ts)
 * serves the attachment requests with `open`, `commit` and `read`; data frames go to `data`;
 * `stop` when the channel closes.
 */
export class TransferServer {
  private readonly uploads = new Map<number, UploadSink>();
  /** This channel's backups (backup-transfer.ts). */
  readonly backups: BackupServer;

  /**
   * @param onUploadProgress told `(id, name, stored, total)` each time bytes of an upload from
   *   this slave are stored (bytes in IndexedDB, as the slave's own `rtc-progress` reports them).
   */
  constructor(
    private readonly channel: FramedChannel,
    private readonly db: AttachmentStore,
    private readonly onUploadProgress?: (id: string, name: string, stored: number, total: number) => void,
  ) {
    this.backups = new BackupServer(channel);
  }

  /** Attachment uploads open on this channel (limits.ts `maxOpenUploads`). */
  get openUploads(): number {
    return this.uploads.size;
  }

  data(frame: DataFrame): void {
    const sink = this.uploads.get(frame.transfer);
    if (sink) sink.push(frame);
    else this.backups.data(frame);
  }

  stop(): void {
    this.backups.stop();
    for (const sink of this.uploads.values()) void sink.abort();
    this.uploads.clear();
  }

  /** Stops an upload of `id`, `name` still running (its slave gets 409): the attachment is being removed. */
  stopUpload(id: string, name: string): Promise<void> {
    return this.replace(id, name);
  }

  private async replace(id: string, name: string): Promise<void> {
    const sinks = receiving.get(this.db);
    const key = `${id}\u0000${name}`;
    const old = sinks?.get(key);
    if (old) {
      sinks!.delete(key);
      await old.abort(new RtcError(`Upload of ${id} , ${name} was replaced or removed`, 409));
    }
  }

  /** `attachmentOpen`: the resume handshake of an upload (above). */
  async open(id: string, name: string, meta: AttachmentInfo, transfer: unknown): Promise<{ stored: number; chunk_size: number }> {
    if (!isTransfer(transfer)) throw new RtcError('Bad request: transfer must be a positive integer', 400);
    await this.replace(id, name);
    const open = await this.db.openUpload(id, name, meta);
    const stored = open.complete ? meta.length : open.stored;
    if (!open.complete && stored < meta.length) {
      const sink = new UploadSink(this.db, id, name, meta, stored, open.chunk_size, (n, error) => {
        this.channel.send({ v: PROTOCOL_VERSION, type: 'progress', transfer, stored: n, ...(error ? { error: toErrorShape(error) } : {}) }).catch(() => {});
        if (!error) this.onUploadProgress?.(id, name, n, meta.length);
      }, open.hash_state);
      let sinks = receiving.get(this.db);
      if (!sinks) receiving.set(this.db, (sinks = new Map()));
      sinks.set(`${id}\u0000${name}`, sink);
      this.uploads.get(transfer)?.abort();
      this.uploads.set(transfer, sink);
    }
    return { stored, chunk_size: open.chunk_size };
  }

  /** `claimed`: the uploader's full digest (checked by `commitUpload`, which needs one for a sample-keyed upload). */
  async commit(id: string, name: string, transfer: unknown, claimed: unknown): Promise<null> {
    const sink = isTransfer(transfer) ? this.uploads.get(transfer) : undefined;
    let digest: string | null = null;
    if (sink && sink.id === id && sink.name === name) {
      await sink.done;
      digest = await sink.digest();
      this.uploads.delete(transfer as number);
      const sinks = receiving.get(this.db);
      const key = `${id}\u0000${name}`;
      if (sinks?.get(key) === sink) sinks.delete(key);
    }
    await this.db.commitUpload(id, name, digest, typeof claimed === 'string' ? claimed : null);
    return null;
  }

  /** `attachmentRead`: sends the bytes `[from, to)` as data frames of `transfer`. */
  async read([id, name, from, to, transfer]: [string, string, number, number, number], signal: AbortSignal): Promise<{ from: number; to: number }> {
    if (!isTransfer(transfer)) throw new RtcError('Bad request: transfer must be a positive integer', 400);
    const record = await this.db.attachmentInfo(id, name);
    const [start, end] = attachmentRange(record.length, from, to);
    const step = this.channel.dataPayload;
    await this.db.readRange(record, start, end, async (bytes, offset) => {
      if (signal.aborted) throw new RtcError('Read cancelled', 504);
      let last: Promise<void> = Promise.resolve();
      for (let at = 0; at < bytes.byteLength; at += step) {
        last = this.channel.sendData(transfer, offset + at, bytes.subarray(at, at + step));
        last.catch(() => {});
      }
      await last; // one chunk at a time in memory
    });
    return { from: start, to: end };
  }
}

/** Whether `x` is a transfer id: an integer in 1..2^32-1. */
export function isTransfer(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0 && x <= 0xffffffff;
}
