/**
 * `exportDatabase`: the whole database as one ZIP file (PKWARE APPNOTE.TXT), written with fflate's
 * streaming `Zip` so that nothing is held whole: documents are read 2,000 at a time, attachments
 * one 512 KiB chunk at a time, and the ZIP's bytes are gathered into Blobs of `BLOB_PART` bytes
 * (Chromium moves large Blobs out of the renderer, onto disk), one Blob made of them in the end.
 * The layout (backup format 1, README "Backup and restore"):
 * - `documents.ndjson` (deflated): one `{"id":…,"doc":…}` per line, in id order;
 * - `attachments/<encodeURIComponent(id)>/<encodeURIComponent(name)>` (stored): the bytes;
 * - `attachments.ndjson` (deflated): one `{"id","name","content_type","length","digest","path"}`
 *   per attachment;
 * - `manifest.json` (deflated, last, as its counts are known only then): see `BackupManifest`.
 * The database stays live meanwhile: a document written during the export may or may not be in it,
 * and an attachment removed meanwhile is left out.
 */
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { BackupManifest, Doc, ExportOptions } from '../api.js';
import { RtcError } from '../errors.js';
import type { Database } from './database.js';

/** The format this module writes and backup-import.ts reads. */
export const BACKUP_FORMAT = 'rtc-gadgets-backup';
export const BACKUP_VERSION = 1;
/** Documents read per transaction. */
const DOC_BATCH = 2000;
/** Bytes of ZIP output gathered before they become one Blob. */
const BLOB_PART = 4 * 1024 * 1024;
/** fflate writes no ZIP64: a larger archive would be unreadable. */
const ZIP_LIMIT = 0xffffffff;

/** One line of `attachments.ndjson`. */
export interface BackupAttachment {
  id: string;
  name: string;
  content_type: string;
  length: number;
  digest: string;
  /** Its entry in the ZIP. */
  path: string;
}

/** Options of `exportDatabase` (api.ts); `onProgress` counts bytes read from the database (documents as their ndjson lines), its total estimated until the end. */
export interface ExportDatabaseOptions extends ExportOptions {
  /** Stops the export (RtcError 504) when aborted. */
  signal?: AbortSignal;
}

/** The ZIP entry name of an attachment. */
export function attachmentPath(id: string, name: string): string {
  return `attachments/${encodeURIComponent(id)}/${encodeURIComponent(name)}`;
}

/** `rtc-<database>-<YYYY-MM-DD>.zip`, the local date. */
export function backupFileName(database: string, date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `rtc-${database}-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}.zip`;
}

/** The changes feed's last sequence number when `Database` exposes one (`lastSeq`, a number or a method). */
async function lastSeq(db: Database): Promise<number | undefined> {
  const seq = (db as unknown as { lastSeq?: unknown }).lastSeq;
  const value: unknown = typeof seq === 'function' ? await (seq as () => unknown).call(db) : seq;
  return typeof value === 'number' ? value : undefined;
}

/** Gathers fflate's output into Blobs of about `BLOB_PART` bytes. */
class BlobSink {
  readonly blobs: Blob[] = [];
  private parts: Uint8Array<ArrayBuffer>[] = [];
  private partBytes = 0;
  size = 0;
  error: Error | null = null;
  ended = false;

  take = (error: Error | null, chunk: Uint8Array, final: boolean): void => {
    if (error) {
      this.error = error;
      return;
    }
    this.parts.push(chunk as Uint8Array<ArrayBuffer>);
    this.partBytes += chunk.byteLength;
    this.size += chunk.byteLength;
    if (this.size > ZIP_LIMIT) this.error = new RtcError('Backup over 4 GiB: the ZIP format without ZIP64 cannot hold it', 413);
    if (this.partBytes >= BLOB_PART || final) this.flush();
    if (final) this.ended = true;
  };

  private flush(): void {
    if (this.partBytes === 0) return;
    this.blobs.push(new Blob(this.parts));
    this.parts = [];
    this.partBytes = 0;
  }

  check(): void {
    if (this.error) throw this.error instanceof RtcError ? this.error : new RtcError(`Backup failed: ${this.error.message}`, 500);
  }
}

/**
 * Exports database `db` as a ZIP `File` named `rtc-<database>-<date>.zip` (the layout above).
 * @throws RtcError 413 over 4 GiB, 504 when `signal` aborts, 500 when IndexedDB fails.
 */
export async function exportDatabase(db: Database, options: ExportDatabaseOptions = {}): Promise<File> {
  const created = new Date();
  const sink = new BlobSink();
  const zip = new Zip(sink.take);
  const encoder = new TextEncoder();
  const seq = await lastSeq(db);
  const { documents: docCount, attachments } = await db.inventory();
  const attachmentBytes = attachments.reduce((n, a) => n + a.length, 0);
  let loaded = 0;
  let docBytes = 0;
  let docsDone = 0;
  const step = (): void => {
    if (options.signal?.aborted) throw new RtcError('Backup cancelled', 504);
    sink.check();
    // Documents count as the bytes of their lines; until all are read, the rest is estimated from the average so far.
    const docsLeft = Math.max(0, docCount - docsDone) * (docsDone ? docBytes / docsDone : 256);
    options.onProgress?.(loaded, Math.max(loaded, Math.round(attachmentBytes + docBytes + docsLeft)), 'export');
  };

  const docs = new ZipDeflate('documents.ndjson', { level: 1 });
  zip.add(docs);
  let after: string | null = null;
  for (;;) {
    const batch: { id: string; doc: Doc }[] = await db.documentsAfter(after, DOC_BATCH);
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.id;
    const bytes = encoder.encode(batch.map((r) => JSON.stringify({ id: r.id, doc: r.doc })).join('\n') + '\n');
    docs.push(bytes);
    docBytes += bytes.byteLength;
    docsDone += batch.length;
    loaded += bytes.byteLength;
    step();
  }
  docs.push(new Uint8Array(0), true);

  const listed: BackupAttachment[] = [];
  for (const record of attachments) {
    let info;
    try {
      info = await db.attachmentInfo(record.id, record.name);
    } catch (e) {
      if ((e as RtcError).status_code === 404) continue; // removed meanwhile
      throw e;
    }
    const path = attachmentPath(info.id, info.name);
    const entry = new ZipPassThrough(path);
    zip.add(entry);
    await db.readRange(info, 0, info.length, (bytes) => {
      entry.push(bytes);
      loaded += bytes.byteLength;
      step();
    });
    entry.push(new Uint8Array(0), true);
    listed.push({ id: info.id, name: info.name, content_type: info.content_type, length: info.length, digest: info.digest, path });
  }
  const index = new ZipDeflate('attachments.ndjson', { level: 1 });
  zip.add(index);
  index.push(encoder.encode(listed.map((a) => JSON.stringify(a) + '\n').join('')), true);

  const manifest: BackupManifest = {
    format: 'rtc-gadgets-backup',
    version: BACKUP_VERSION,
    database: db.name,
    indexes: [...db.indexes],
    ...(seq === undefined ? {} : { last_seq: seq }),
    created: created.toISOString(),
    counts: { documents: docsDone, attachments: listed.length },
    bytes: { documents: docBytes, attachments: listed.reduce((n, a) => n + a.length, 0) },
  };
  const file = new ZipDeflate('manifest.json', { level: 6 });
  zip.add(file);
  file.push(encoder.encode(JSON.stringify(manifest, null, 2) + '\n'), true);
  zip.end();
  sink.check();
  if (!sink.ended) throw new RtcError('Backup failed: the ZIP did not end', 500);
  options.onProgress?.(loaded, loaded, 'export');
  return new File(sink.blobs, backupFileName(db.name, created), { type: 'application/zip' });
}
