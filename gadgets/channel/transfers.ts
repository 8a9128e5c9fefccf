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
 * 3. the slave sends data frames from `stored` on, reading the Blob `PIECE_SIZE` bytes at a time
 *    and hashing each piece as it goes (SHA-256, @noble/hashes; after a resume it first hashes the
 *    stored bytes without sending them), never more than `UPLOAD_WINDOW` bytes ahead of what the
 *    master acknowledged;
 * 4. the master writes whole chunks, `CHUNKS_PER_BATCH` per transaction, and after each one
 *    sends `{type:'progress', transfer, stored}` (bytes in IndexedDB);
 * 5. once `stored` = length, `attachmentCommit [id, name, transfer, digest]`: the master checks
 *    the slave's full digest against its own (computed chunk by chunk while receiving; the SHA-256
 *    state is stored with each batch, so a resume goes on hashing where it stopped) and marks it
 *    complete, or deletes it and answers 400 on a mismatch (the slave then starts over once: the
 *    stored bytes may have been another Blob's with the same sample key).
 * If the channel drops or the master reloads, the slave waits for the next channel and starts
 * again at 2 with a new transfer id: only the bytes after the last stored chunk travel again.
 *
 * Download (master → slave), `getAttachment(id, name, {format, start, end})`:
 * `attachmentInfo [id, name]` → `{content_type, length, digest}`, then `attachmentRead [id, name,
 * from, to, transfer]` for ranges of at most `DOWNLOAD_RANGE` bytes: the master reads chunk by
 * chunk and sends data frames, then answers. The slave keeps the bytes received as Blob parts; a
 * range interrupted is asked again from the first byte it is missing (the re-sent request's `from`). A whole download is checked
 * against the digest.
 */
import type { AttachmentInfo, GetAttachmentOptions, TransferOptions } from '../api.js';
import { RtcError, fromErrorShape, toErrorShape } from '../errors.js';
import type { AttachmentStore } from '../storage/attachment-store.js';
import { convertBlob, Digest, PIECE_SIZE, CHUNKS_PER_BATCH, sampleKey, toBlob } from '../storage/attachment-utils.js';
import { attachmentRange, validateAttachmentName, validateFormat, validateId } from '../storage/validate.js';
import type { FramedChannel } from './framed-channel.js';
import type { DataFrame } from './frames.js';
import type { RpcClient } from './rpc-client.js';
import { PROTOCOL_VERSION } from './envelope.js';

/** Most bytes an uploading slave sends beyond what the master acknowledged as stored. */
export const UPLOAD_WINDOW = 16 * 1024 * 1024;
/** Bytes per `attachmentRead` request. */
export const DOWNLOAD_RANGE = 8 * 1024 * 1024;

/** The channel this transfer used is gone: start again on the next one. */
class ChannelLost extends Error {}

/** Reports progress only forwards (monotonic), whatever order the numbers come in. */
function progressReporter(options: TransferOptions) {
  let last = -1;
  return (loaded: number, total: number): void => {
    if (loaded <= last) return;
    last = loaded;
    options.onProgress?.(loaded, total);
  };
}

/** The slave's `putAttachment`. */
export async function uploadAttachment(rpc: RpcClient, id: string, name: string, content: Blob | string, options: TransferOptions = {}): Promise<void> {
  validateId(id, 'putAttachment');
  validateAttachmentName(name, 'putAttachment');
  const blob = toBlob(content);
  const meta: AttachmentInfo = { content_type: blob.type || 'application/octet-stream', length: blob.size, digest: await sampleKey(blob) };
  const report = progressReporter(options);
  // The full digest, computed while sending; the hash states at piece ends let a resume go on
  // from the last one at or before what the master holds instead of re-reading everything.
  let hasher = new Digest();
  const states = new Map<number, number[]>();
  let fullDigest: string | null = null;
  const hashUpTo = async (end: number): Promise<void> => {
    if (hasher.length > end) {
      let from = 0;
      for (const at of states.keys()) if (at <= end && at > from) from = at;
      hasher = (from > 0 ? Digest.fromState(states.get(from)) : null) ?? new Digest();
      fullDigest = null;
    }
    while (hasher.length < end) hashPiece(new Uint8Array(await blob.slice(hasher.length, Math.min(end, hasher.length + PIECE_SIZE)).arrayBuffer()));
  };
  const hashPiece = (piece: Uint8Array): void => {
    hasher.update(piece);
    const state = hasher.state();
    if (state) states.set(hasher.length, state);
  };
  let startedOver = false;
  for (;;) {
    const transfer = rpc.newTransfer();
    let acked = 0;
    let ackError: Error | null = null;
    let lastAckAt = performance.now();
    let wake: (() => void) | null = null;
    rpc.listen(transfer, {
      progress(stored, error) {
        if (error) ackError = fromErrorShape(error);
        else if (stored > acked) {
          acked = stored;
          lastAckAt = performance.now();
          report(stored, meta.length);
        }
        wake?.();
      },
    });
    const unwatch = rpc.watchChannel(() => wake?.());
    try {
      const open = await rpc.call<{ stored: number }>('attachmentOpen', [id, name, meta, transfer], true);
      const channel = rpc.currentChannel;
      if (!channel) continue;
      acked = Math.max(acked, open.stored);
      lastAckAt = performance.now();
      report(open.stored, meta.length);
      await hashUpTo(open.stored);
      const waitFor = async (done: () => boolean): Promise<void> => {
        while (!done()) {
          if (ackError) throw ackError;
          if (rpc.currentChannel !== channel || channel.isClosed) throw new ChannelLost();
          if (performance.now() - lastAckAt > rpc.timeout) throw new RtcError(`putAttachment: the master stored nothing for ${rpc.timeout} ms`, 504);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 500);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
        }
      };
      let offset = open.stored;
      while (offset < meta.length) {
        await waitFor(() => offset - acked < UPLOAD_WINDOW);
        const piece = new Uint8Array(await blob.slice(offset, offset + PIECE_SIZE).arrayBuffer());
        if (hasher.length === offset) hashPiece(piece);
        const step = channel.dataPayload;
        let last: Promise<void> = Promise.resolve();
        for (let at = 0; at < piece.byteLength; at += step) {
          last = channel.sendData(transfer, offset + at, piece.subarray(at, at + step));
          last.catch(() => {}); // all fail together when the channel closes; the last one is awaited
        }
        offset += piece.byteLength;
        await last.catch(() => {
          throw new ChannelLost();
        });
      }
      await waitFor(() => acked >= meta.length);
      await hashUpTo(meta.length);
      fullDigest ??= hasher.digest();
      // After a resume the master re-reads the chunks to check the digest: allow for it.
      await rpc.call('attachmentCommit', [id, name, transfer, fullDigest], true, rpc.timeout + meta.length / 10000);
      report(meta.length, meta.length);
      return;
    } catch (e) {
      if (!startedOver && e instanceof RtcError && e.status_code === 400 && /digest mismatch/.test(e.message)) {
        // The master held another Blob's bytes under the same sample key (and has dropped them): once more, from the start.
        startedOver = true;
        continue;
      }
      if (!(e instanceof ChannelLost)) throw e;
      // The next attachmentOpen waits for the next channel (RpcClient queues it).
    } finally {
      rpc.unlisten(transfer);
      unwatch();
    }
  }
}

/** The slave's `getAttachment`. */
export async function downloadAttachment(rpc: RpcClient, id: string, name: string, options: GetAttachmentOptions & TransferOptions = {}): Promise<unknown> {
  validateId(id, 'getAttachment');
  validateAttachmentName(name, 'getAttachment');
  validateFormat(options.format);
  const info = await rpc.call<AttachmentInfo>('attachmentInfo', [id, name]);
  const [start, end] = attachmentRange(info.length, options.start, options.end);
  const digest = start === 0 && end === info.length ? new Digest() : null;
  const report = progressReporter(options);
  const parts: Blob[] = [];
  let pending: Uint8Array<ArrayBuffer>[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pendingBytes === 0) return;
    parts.push(new Blob(pending));
    pending = [];
    pendingBytes = 0;
  };
  let received = start;
  report(0, end - start);
  while (received < end) {
    const transfer = rpc.newTransfer();
    const to = Math.min(end, received + DOWNLOAD_RANGE);
    // The RpcClient re-sends this very array after a reconnect: keeping `from` at the first byte
    // still missing makes a re-sent read resume there instead of at the start of the range.
    const args: [string, string, number, number, number] = [id, name, received, to, transfer];
    rpc.listen(transfer, {
      data(frame: DataFrame) {
        const frameEnd = Math.min(to, frame.offset + frame.payload.byteLength);
        if (frame.offset > received || frameEnd <= received) return; // a gap or already held
        const bytes = frame.payload.subarray(received - frame.offset, frameEnd - frame.offset) as Uint8Array<ArrayBuffer>;
        digest?.update(bytes);
        pending.push(bytes);
        pendingBytes += bytes.byteLength;
        received += bytes.byteLength;
        args[2] = received;
        if (pendingBytes >= PIECE_SIZE) flush();
        report(received - start, end - start);
      },
    });
    try {
      await rpc.call('attachmentRead', args);
    } finally {
      rpc.unlisten(transfer);
    }
  }
  flush();
  if (digest && digest.digest() !== info.digest) throw new RtcError(`Broken attachment ${id} , ${name}: digest mismatch after download`, 500);
  if (end === start) report(0, 0);
  return convertBlob(new Blob(parts, { type: info.content_type }), options.format);
}

/** One upload being received by the master: bytes → chunks → batched transactions. */
class UploadSink {
  private next: number;
  private nextIndex: number;
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private ready: ArrayBuffer[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly hasher: Digest | null;
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
    const resumed = hashState ? Digest.fromState(hashState) : null;
    this.hasher = stored === 0 ? new Digest() : resumed && resumed.length === stored ? resumed : null;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => {});
    if (stored >= meta.length) this.resolveDone();
  }

  /** The digest of the bytes received, or null when the upload resumed (not all passed here). */
  digest(): string | null {
    return this.hasher ? this.hasher.digest() : null;
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
    this.rejectDone(new RtcError('Upload interrupted', 500));
    return this.chain;
  }

  private cut(size: number): ArrayBuffer {
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
    this.hasher?.update(chunk); // per chunk, so the state at a batch's end matches what it stores
    return chunk.buffer;
  }

  private flush(): void {
    const chunks = this.ready.splice(0);
    const first = this.nextIndex;
    this.nextIndex += chunks.length;
    const hashState = this.hasher?.state() ?? null;
    this.chain = this.chain.then(async () => {
      if (this.aborted || this.failure) return;
      try {
        const stored = await this.db.writeChunks(this.id, this.name, this.meta.digest, first, chunks, hashState);
        this.progress(stored);
        if (stored === this.meta.length) this.resolveDone();
      } catch (e) {
        this.fail(e instanceof RtcError ? e : new RtcError(String(e), 500));
      }
    });
  }

  private fail(error: RtcError): void {
    this.failure = error;
    this.progress(this.next, error);
    this.rejectDone(error);
  }
}

/** Uploads being received, per database, by attachment: a newer one replaces an older one. */
const receiving = new WeakMap<AttachmentStore, Map<string, UploadSink>>();

/**
 * The master's side of attachment transfers on one channel. `call` serves the attachment
 * requests; data frames go to `data`; `stop` when the channel closes.
 */
export class TransferServer {
  private readonly uploads = new Map<number, UploadSink>();

  /**
   * @param onUploadProgress told `(id, name, stored, total)` each time bytes of an upload from
   *   this slave are stored (bytes in IndexedDB, as the slave's own `rtc-progress` reports them).
   */
  constructor(
    private readonly channel: FramedChannel,
    private readonly db: AttachmentStore,
    private readonly onUploadProgress?: (id: string, name: string, stored: number, total: number) => void,
  ) {}

  data(frame: DataFrame): void {
    this.uploads.get(frame.transfer)?.push(frame);
  }

  stop(): void {
    for (const sink of this.uploads.values()) void sink.abort();
    this.uploads.clear();
  }

  async call(method: string, args: unknown[], signal: AbortSignal): Promise<unknown> {
    const db = this.db;
    switch (method) {
      case 'allAttachments':
        return db.allAttachments(args[0] as string);
      case 'removeAttachment':
        await this.replace(args[0] as string, args[1] as string);
        return db.removeAttachment(args[0] as string, args[1] as string);
      case 'attachmentInfo': {
        const r = await db.attachmentInfo(args[0] as string, args[1] as string);
        return { content_type: r.content_type, length: r.length, digest: r.digest };
      }
      case 'attachmentOpen':
        return this.open(args[0] as string, args[1] as string, args[2] as AttachmentInfo, args[3]);
      case 'attachmentCommit':
        return this.commit(args[0] as string, args[1] as string, args[2], args[3]);
      case 'attachmentRead':
        return this.read(args as [string, string, number, number, number], signal);
    }
    throw new RtcError(`Capacity '${method}' is not implemented on 'rtc'`, 501);
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

  private async open(id: string, name: string, meta: AttachmentInfo, transfer: unknown): Promise<{ stored: number; chunk_size: number }> {
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
  private async commit(id: string, name: string, transfer: unknown, claimed: unknown): Promise<null> {
    const sink = isTransfer(transfer) ? this.uploads.get(transfer) : undefined;
    let digest: string | null = null;
    if (sink && sink.id === id && sink.name === name) {
      await sink.done;
      digest = sink.digest();
      this.uploads.delete(transfer as number);
      const sinks = receiving.get(this.db);
      const key = `${id}\u0000${name}`;
      if (sinks?.get(key) === sink) sinks.delete(key);
    }
    await this.db.commitUpload(id, name, digest, typeof claimed === 'string' ? claimed : null);
    return null;
  }

  private async read([id, name, from, to, transfer]: [string, string, number, number, number], signal: AbortSignal): Promise<{ from: number; to: number }> {
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

function isTransfer(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0 && x <= 0xffffffff;
}
