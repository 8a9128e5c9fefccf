/**
 * Backups over the data channel: a slave's `exportDatabase` and `importDatabase`. The ZIP's bytes
 * travel as binary data frames (`frames.ts`, kind 3) like attachments, taking turns with the JSON
 * messages; the master keeps a backup being sent or received as a Blob made of parts, never as one
 * buffer. The requests (docs/protocol.md "Backups"):
 *
 * Export (master → slave):
 * 1. `backupExport [transfer]`: the master builds the ZIP (storage/backup-export.ts), telling the
 *    slave `{type:'progress', transfer, stored, total, phase:'export'}` as it goes, keeps it under
 *    `transfer`, and answers `{ size, name }`;
 * 2. `backupRead [transfer, from, to, data]` for ranges of at most `RANGE` bytes: the bytes
 *    `[from, to)` as data frames of transfer `data`, then an answer;
 * 3. `backupRelease [transfer]`: the master forgets it (so does closing the channel).
 *
 * Import (slave → master):
 * 1. `backupOpen [size, transfer]` (write): the master opens a receiver for `size` bytes;
 * 2. data frames of `transfer`, in order, never more than `WINDOW` bytes ahead of what the master
 *    acknowledged with `{type:'progress', transfer, stored}` (bytes received);
 * 3. `backupImport [transfer, mode]` (write): once every byte is in, the master restores the file
 *    (storage/backup-import.ts), with `progress` messages of phases `check` and `write`, and
 *    answers the import's result. A channel lost meanwhile loses the upload: the re-sent request
 *    gets 409 and the slave must start over.
 */
import type { BackupPhase, ExportOptions, ImportOptions, ImportResult } from '../api.js';
import { RtcError } from '../errors.js';
import type { Database } from '../storage/database.js';
import { PIECE_SIZE } from '../storage/blob-hash.js';
import { PROTOCOL_VERSION } from './envelope.js';
import type { FramedChannel } from './framed-channel.js';
import type { DataFrame } from './frames.js';
import type { RpcClient } from './rpc-client.js';

/** Bytes per `backupRead`. */
export const RANGE = 8 * 1024 * 1024;
/** Most bytes an importing slave sends beyond what the master acknowledged. */
export const WINDOW = 16 * 1024 * 1024;
/** A backup's requests may run for minutes (1 GiB is built, checked and written): their timeout. */
const LONG = 60 * 60 * 1000;
/** Backups a channel may hold at once (built and not yet released, or being received). */
const MAX_HELD = 2;

/** Sends `bytes` (file offset `offset`) as data frames of `transfer`; resolves once the last one is handed on. */
function sendBytes(channel: FramedChannel, transfer: number, offset: number, bytes: Uint8Array): Promise<void> {
  const step = channel.dataPayload;
  let last: Promise<void> = Promise.resolve();
  for (let at = 0; at < bytes.byteLength; at += step) {
    last = channel.sendData(transfer, offset + at, bytes.subarray(at, at + step));
    last.catch(() => {}); // they fail together when the channel closes; the last one is awaited
  }
  return last;
}

/** A backup being received by the master. */
class Receiver {
  private blobs: Blob[] = [];
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  received = 0;
  private wake: (() => void) | null = null;

  constructor(readonly size: number, private readonly ack: (stored: number) => void) {}

  push(frame: DataFrame): void {
    if (frame.offset !== this.received || this.received + frame.payload.byteLength > this.size) return;
    this.parts.push(frame.payload.slice());
    this.partBytes += frame.payload.byteLength;
    this.received += frame.payload.byteLength;
    if (this.partBytes >= PIECE_SIZE || this.received === this.size) {
      this.blobs.push(new Blob(this.parts as BlobPart[]));
      this.parts = [];
      this.partBytes = 0;
      this.ack(this.received);
    }
    if (this.received === this.size) this.wake?.();
  }

  /** The whole file, once every byte is in. */
  async file(signal: AbortSignal): Promise<Blob> {
    while (this.received < this.size) {
      if (signal.aborted) throw new RtcError('Restore cancelled', 504);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return new Blob(this.blobs, { type: 'application/zip' });
  }
}

/** The master's side of backups on one channel (held by its TransferServer). */
export class BackupServer {
  private readonly built = new Map<number, File>();
  private readonly receiving = new Map<number, Receiver>();

  constructor(private readonly channel: FramedChannel) {}

  private progress(transfer: number, stored: number, total: number, phase: BackupPhase): void {
    this.channel.send({ v: PROTOCOL_VERSION, type: 'progress', transfer, stored, total, phase }).catch(() => {});
  }

  /** Throttled progress: at most every 200 ms, and the end. */
  private reporter(transfer: number): (loaded: number, total: number, phase: BackupPhase) => void {
    let at = 0;
    return (loaded, total, phase) => {
      const now = performance.now();
      if (now - at < 200 && loaded < total) return;
      at = now;
      this.progress(transfer, loaded, total, phase);
    };
  }

  private room(): void {
    if (this.built.size + this.receiving.size >= MAX_HELD) throw new RtcError(`At most ${MAX_HELD} backups at once on a channel`, 429);
  }

  /** `data` frames of an import being received. */
  data(frame: DataFrame): boolean {
    const receiver = this.receiving.get(frame.transfer);
    receiver?.push(frame);
    return receiver !== undefined;
  }

  stop(): void {
    this.built.clear();
    this.receiving.clear();
  }

  /** `backupExport`. */
  async export(db: Database, transfer: number, signal: AbortSignal): Promise<{ size: number; name: string }> {
    this.room();
    const file = await db.exportDatabase({ signal, onProgress: this.reporter(transfer) });
    this.built.set(transfer, file);
    return { size: file.size, name: file.name };
  }

  /** `backupRead`. */
  async read(transfer: number, from: number, to: number, data: number, signal: AbortSignal): Promise<null> {
    const file = this.built.get(transfer);
    if (!file) throw new RtcError(`No backup ${transfer} on this channel (released, or the channel was lost)`, 404);
    if (from > to || to > file.size) throw new RtcError(`Bad request: range ${from}..${to} of a ${file.size}-byte backup`, 400);
    for (let at = from; at < to; at += PIECE_SIZE) {
      if (signal.aborted) throw new RtcError('Read cancelled', 504);
      const piece = new Uint8Array(await file.slice(at, Math.min(to, at + PIECE_SIZE)).arrayBuffer());
      await sendBytes(this.channel, data, at, piece);
    }
    return null;
  }

  /** `backupRelease`. */
  release(transfer: number): null {
    this.built.delete(transfer);
    return null;
  }

  /** `backupOpen`. */
  open(size: number, transfer: number): null {
    this.room();
    this.receiving.set(transfer, new Receiver(size, (stored) => this.progress(transfer, stored, size, 'upload')));
    return null;
  }

  /** `backupImport`. */
  async import(db: Database, transfer: number, mode: ImportOptions['mode'], signal: AbortSignal): Promise<ImportResult> {
    const receiver = this.receiving.get(transfer);
    if (!receiver) throw new RtcError(`Backup upload ${transfer} was interrupted (channel lost): start the restore again`, 409);
    try {
      const file = await receiver.file(signal);
      return await db.importDatabase(file, { mode, signal, onProgress: this.reporter(transfer) });
    } finally {
      this.receiving.delete(transfer);
    }
  }
}

/** Follows the master's `progress` messages of `transfer` into `onProgress`; returns the stored count so far. */
function follow(rpc: RpcClient, transfer: number, onProgress: ExportOptions['onProgress']): { stored: number; error: Error | null; wake: (() => void) | null } {
  const state = { stored: 0, error: null as Error | null, wake: null as (() => void) | null };
  rpc.listen(transfer, {
    progress(stored, error, message) {
      if (error) state.error = new RtcError(error.message, error.status_code);
      const m = message as { total?: number; phase?: BackupPhase } | undefined;
      if (m?.phase === 'upload') state.stored = Math.max(state.stored, stored);
      if (m?.phase && typeof m.total === 'number') onProgress?.(stored, m.total, m.phase);
      state.wake?.();
    },
  });
  return state;
}

/** The slave's `exportDatabase`: the master builds the ZIP, then it comes in ranges as data frames. */
export async function downloadBackup(rpc: RpcClient, options: ExportOptions = {}): Promise<File> {
  const transfer = rpc.newTransfer();
  follow(rpc, transfer, options.onProgress);
  let info: { size: number; name: string };
  try {
    info = await rpc.call<{ size: number; name: string }>('backupExport', [transfer], false, LONG);
  } finally {
    rpc.unlisten(transfer);
  }
  const blobs: Blob[] = [];
  let received = 0;
  try {
    while (received < info.size) {
      const data = rpc.newTransfer();
      const to = Math.min(info.size, received + RANGE);
      let parts: Uint8Array[] = [];
      rpc.listen(data, {
        data(frame: DataFrame) {
          if (frame.offset !== received) return;
          parts.push(frame.payload.slice());
          received += frame.payload.byteLength;
          options.onProgress?.(received, info.size, 'download');
        },
      });
      try {
        await rpc.call('backupRead', [transfer, received, to, data], false, LONG);
      } finally {
        rpc.unlisten(data);
      }
      if (received !== to) throw new RtcError(`Backup download stopped at ${received} of ${info.size} bytes`, 500);
      blobs.push(new Blob(parts as BlobPart[]));
      parts = [];
    }
  } finally {
    rpc.call('backupRelease', [transfer]).catch(() => {});
  }
  return new File(blobs, info.name, { type: 'application/zip' });
}

/** The slave's `importDatabase`: the file goes to the master as data frames, which then restores it. */
export async function uploadBackup(rpc: RpcClient, file: Blob, options: ImportOptions = {}): Promise<ImportResult> {
  if (typeof Blob === 'undefined' || !(file instanceof Blob)) throw new RtcError('importDatabase: the backup must be a Blob or File', 400);
  const mode = options.mode ?? 'merge';
  if (mode !== 'merge' && mode !== 'replace') throw new RtcError(`importDatabase mode: '${String(mode)}' is not 'merge' or 'replace'`, 400);
  const transfer = rpc.newTransfer();
  const state = follow(rpc, transfer, options.onProgress);
  try {
    await rpc.call('backupOpen', [file.size, transfer], true);
    const channel = rpc.currentChannel;
    if (!channel) throw new RtcError('Backup upload: the channel was lost; start the restore again', 409);
    for (let offset = 0; offset < file.size;) {
      while (offset - state.stored >= WINDOW) {
        if (state.error) throw state.error;
        if (channel.isClosed || rpc.currentChannel !== channel) throw new RtcError('Backup upload: the channel was lost; start the restore again', 409);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 500);
          state.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const piece = new Uint8Array(await file.slice(offset, offset + PIECE_SIZE).arrayBuffer());
      await sendBytes(channel, transfer, offset, piece).catch(() => {
        throw new RtcError('Backup upload: the channel was lost; start the restore again', 409);
      });
      offset += piece.byteLength;
    }
    return await rpc.call<ImportResult>('backupImport', [transfer, mode], true, LONG);
  } finally {
    rpc.unlisten(transfer);
  }
}
