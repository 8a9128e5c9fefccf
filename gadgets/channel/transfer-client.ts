/**
 * The slave's side of attachment transfers: `putAttachment` as an upload and `getAttachment` as
 * a download over the data channel, through the slave's `RpcClient`. The protocol (requests,
 * data frames, resume and digests) is described in `transfers.ts`, the master's side.
 */
import type { AttachmentInfo, GetAttachmentOptions, TransferOptions } from '../api.js';
import { RtcError, fromErrorShape } from '../errors.js';
import { convertBlob, sampleKey, toBlob } from '../storage/attachment-utils.js';
import { blobPieces, PIECE_SIZE } from '../storage/blob-hash.js';
import { HashJob, hashBlob } from '../storage/off-thread-hash.js';
import { attachmentRange, validateAttachmentName, validateFormat, validateId } from '../storage/validate.js';
import type { DataFrame } from './frames.js';
import type { RpcClient } from './rpc-client.js';

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
  // The full digest, computed off the main thread while the bytes go out (off-thread-hash.ts):
  // it depends on the Blob only, so a resume or a new channel needs nothing of it again.
  const full = hashBlob(blob);
  full.catch(() => {}); // awaited before the commit
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
      // One buffer, read into again once the piece before is framed (sendData copies it into its
      // frames synchronously), so the next read overlaps the wait for the channel to drain.
      const pieces = blobPieces(blob, offset);
      const next = (): Promise<Uint8Array<ArrayBuffer> | null> => {
        const p = pieces.read();
        p.catch(() => {}); // awaited in turn; left unread when the channel drops
        return p;
      };
      try {
        let ahead = next();
        while (offset < meta.length) {
          await waitFor(() => offset - acked < UPLOAD_WINDOW);
          const piece = await ahead;
          if (!piece) throw new RtcError(`putAttachment: the Blob ended at ${offset} of ${meta.length} bytes`, 400);
          const step = channel.dataPayload;
          let last: Promise<void> = Promise.resolve();
          for (let at = 0; at < piece.byteLength; at += step) {
            last = channel.sendData(transfer, offset + at, piece.subarray(at, at + step));
            last.catch(() => {}); // all fail together when the channel closes; the last one is awaited
          }
          offset += piece.byteLength;
          if (offset < meta.length) ahead = next();
          await last.catch(() => {
            throw new ChannelLost();
          });
        }
      } finally {
        pieces.cancel();
      }
      await waitFor(() => acked >= meta.length);
      const fullDigest = await full;
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
  const digest = start === 0 && end === info.length ? HashJob.start() : null;
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
  const downloadRanges = async (): Promise<void> => {
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
  };
  try {
    await downloadRanges();
  } catch (e) {
    digest?.end();
    throw e;
  }
  flush();
  const got = digest ? await digest.digest() ?? (await hashBlob(new Blob(parts))) : null;
  if (digest && got !== info.digest) throw new RtcError(`Broken attachment ${id} , ${name}: digest mismatch after download`, 500);
  if (end === start) report(0, 0);
  return convertBlob(new Blob(parts, { type: info.content_type }), options.format);
}
