/**
 * `importDatabase`: restores a ZIP written by backup-export.ts. It runs in two passes over the file,
 * neither holding it whole:
 * 1. **check**: the ZIP's central directory, `manifest.json` (format and version), every line of
 *    `documents.ndjson` (JSON, a valid id and document) and of `attachments.ndjson`, and every
 *    attachment's bytes streamed through CRC-32 and SHA-256 against the length and digest listed.
 *    A fault is an RtcError 400 `Bad backup: <entry>: <what>`, and nothing has been written;
 * 2. **write**, through the database's own write paths (so its indexes, and any log kept by those
 *    paths, stay right): `replace` first clears every document and attachment in one transaction;
 *    documents go in `bulkPut` transactions of `DOC_BATCH`; attachments through the attachment
 *    store's upload (openUpload / writeChunks / commitUpload), hashed again as they stream in, the
 *    commit refusing a digest that differs.
 * Guarantee: a bad file writes nothing. A failure of the storage itself while writing (a full disk,
 * the tab closed) leaves the documents and attachments written up to then; importing the same file
 * again completes it (every write is an overwrite).
 */
import type { BackupManifest, BulkEntry, ImportOptions, ImportResult } from '../api.js';
import { RtcError } from '../errors.js';
import { CHUNK_SIZE, CHUNKS_PER_BATCH } from './attachment-utils.js';
import { Digest } from './blob-hash.js';
import { BACKUP_FORMAT, BACKUP_VERSION, attachmentPath, type BackupAttachment } from './backup-export.js';
import type { Database } from './database.js';
import { isSha256Digest, validateAttachmentName, validateDoc, validateId } from './validate.js';
import { badBackup, readCentralDirectory, readEntry, readLines, type ZipEntry } from './zip-reader.js';

/** Documents written per transaction. */
const DOC_BATCH = 2000;

/** Options of `importDatabase` (api.ts); `onProgress` counts uncompressed bytes (a document line its characters), `check` then `write`. */
export interface ImportDatabaseOptions extends ImportOptions {
  /** Stops before writing (RtcError 504) when aborted during the check. */
  signal?: AbortSignal;
}

/** What the check found, for the write pass. */
interface Checked {
  manifest: BackupManifest;
  entries: Map<string, ZipEntry>;
  attachments: BackupAttachment[];
}

function parseLine(entry: string, line: string, number: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw badBackup(`${entry} line ${number}`, 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badBackup(`${entry} line ${number}`, 'not an object');
  return value as Record<string, unknown>;
}

/** Runs a validator and turns its 400 into one naming the entry and line. */
function checkField(where: string, check: () => void): void {
  try {
    check();
  } catch (e) {
    throw badBackup(where, (e as Error).message);
  }
}

function need(entries: Map<string, ZipEntry>, name: string): ZipEntry {
  const entry = entries.get(name);
  if (!entry) throw badBackup(name, 'missing');
  return entry;
}

async function readManifest(file: Blob, entries: Map<string, ZipEntry>): Promise<BackupManifest> {
  const entry = need(entries, 'manifest.json');
  if (entry.size > 1024 * 1024) throw badBackup('manifest.json', 'over 1 MiB');
  let text = '';
  await readLines(file, entry, (line) => {
    text += line + '\n';
  });
  const m = parseLine('manifest.json', text, 1) as Partial<BackupManifest>;
  if (m.format !== BACKUP_FORMAT) throw badBackup('manifest.json', `format is not '${BACKUP_FORMAT}'`);
  if (m.version !== BACKUP_VERSION) throw badBackup('manifest.json', `version ${String(m.version)} is not supported (this reads ${BACKUP_VERSION})`);
  const counts = m.counts as Partial<BackupManifest['counts']> | undefined;
  const bytes = m.bytes as Partial<BackupManifest['bytes']> | undefined;
  const numbers = [counts?.documents, counts?.attachments, bytes?.documents, bytes?.attachments];
  if (!numbers.every((n) => Number.isSafeInteger(n) && n! >= 0)) throw badBackup('manifest.json', 'counts or bytes are missing');
  return m as BackupManifest;
}

/**
 * Checks every entry of a backup (pass 1 above) without writing anything.
 * @throws RtcError 400 `Bad backup: <entry>: <what>`; 504 when `signal` aborts.
 */
export async function checkBackup(file: Blob, options: ImportDatabaseOptions = {}, progress: Progress = { start() {}, add() {} }): Promise<Checked> {
  if (typeof Blob === 'undefined' || !(file instanceof Blob)) throw new RtcError('importDatabase: the backup must be a Blob or File', 400);
  const entries = await readCentralDirectory(file);
  const manifest = await readManifest(file, entries);
  progress.start(manifest);
  const stop = (): void => {
    if (options.signal?.aborted) throw new RtcError('Restore cancelled', 504);
  };
  const ids = new Set<string>();
  await readLines(file, need(entries, 'documents.ndjson'), (line, n) => {
    const where = `documents.ndjson line ${n}`;
    const r = parseLine('documents.ndjson', line, n);
    checkField(where, () => validateId(r.id, 'importDatabase'));
    checkField(where, () => validateDoc(r.doc, 'importDatabase'));
    ids.add(r.id as string);
    progress.add(line.length + 1);
    if (n % DOC_BATCH === 0) stop();
  });
  if (ids.size !== manifest.counts.documents) throw badBackup('documents.ndjson', `${ids.size} documents where manifest.json counts ${manifest.counts.documents}`);
  const attachments: BackupAttachment[] = [];
  const seen = new Set<string>();
  await readLines(file, need(entries, 'attachments.ndjson'), (line, n) => {
    const where = `attachments.ndjson line ${n}`;
    const a = parseLine('attachments.ndjson', line, n) as Partial<BackupAttachment>;
    checkField(where, () => validateId(a.id, 'importDatabase'));
    checkField(where, () => validateAttachmentName(a.name, 'importDatabase'));
    if (typeof a.content_type !== 'string' || !Number.isSafeInteger(a.length) || !isSha256Digest(a.digest)) throw badBackup(where, 'content_type, length or digest is missing or malformed');
    if (!ids.has(a.id!)) throw badBackup(where, `its document ${a.id} is not in documents.ndjson`);
    if (a.path !== attachmentPath(a.id!, a.name!)) throw badBackup(where, `path is not ${attachmentPath(a.id!, a.name!)}`);
    if (seen.has(a.path)) throw badBackup(where, 'lists the attachment twice');
    seen.add(a.path);
    attachments.push(a as BackupAttachment);
  });
  if (attachments.length !== manifest.counts.attachments) throw badBackup('attachments.ndjson', `${attachments.length} attachments where manifest.json counts ${manifest.counts.attachments}`);
  for (const a of attachments) {
    const entry = need(entries, a.path);
    if (entry.size !== a.length) throw badBackup(a.path, `${entry.size} bytes where attachments.ndjson says ${a.length}`);
    const digest = new Digest();
    await readEntry(file, entry, (bytes) => {
      digest.update(bytes);
      progress.add(bytes.byteLength);
    });
    const got = digest.digest(); // once: the hash cannot be finished twice
    if (got !== a.digest) throw badBackup(a.path, `digest mismatch (listed ${a.digest}, content ${got})`);
    stop();
  }
  return { manifest, entries, attachments };
}

/** Progress of the two passes: `start` once the manifest is read, then `add(bytes)` (uncompressed; a document line counts its characters). */
interface Progress {
  start(manifest: BackupManifest): void;
  add(bytes: number): void;
}

/** Streams one checked attachment into the attachment store, 512 KiB chunks, `CHUNKS_PER_BATCH` per transaction. */
async function writeAttachment(db: Database, file: Blob, entry: ZipEntry, a: BackupAttachment, progress: (bytes: number) => void): Promise<void> {
  const meta = { content_type: a.content_type, length: a.length, digest: a.digest };
  const open = await db.openUpload(a.id, a.name, meta);
  if (open.complete) {
    progress(a.length);
    return;
  }
  // Starts from 0 whatever an interrupted earlier restore stored: the bytes are re-read anyway.
  if (open.stored > 0) {
    await db.removeAttachment(a.id, a.name);
    await db.openUpload(a.id, a.name, meta);
  }
  const digest = new Digest();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let chunks: ArrayBuffer[] = [];
  let index = 0;
  const cut = (): void => {
    const chunk = new Uint8Array(Math.min(CHUNK_SIZE, pendingBytes));
    let at = 0;
    while (at < chunk.byteLength) {
      const part = pending[0]!;
      const take = Math.min(part.byteLength, chunk.byteLength - at);
      chunk.set(part.subarray(0, take), at);
      at += take;
      if (take === part.byteLength) pending.shift();
      else pending[0] = part.subarray(take);
    }
    pendingBytes -= chunk.byteLength;
    digest.update(chunk);
    chunks.push(chunk.buffer);
  };
  const write = async (): Promise<void> => {
    const batch = chunks;
    chunks = [];
    await db.writeChunks(a.id, a.name, a.digest, index, batch);
    index += batch.length;
  };
  await readEntry(file, entry, async (bytes) => {
    pending.push(bytes);
    pendingBytes += bytes.byteLength;
    while (pendingBytes >= CHUNK_SIZE) cut();
    if (chunks.length >= CHUNKS_PER_BATCH) await write();
    progress(bytes.byteLength);
  });
  if (pendingBytes > 0) cut();
  if (chunks.length > 0) await write();
  pending = [];
  // The commit compares the digest of what was just stored with the one listed (400 and nothing kept otherwise).
  await db.commitUpload(a.id, a.name, digest.digest());
}

/**
 * Restores the backup in `file` into `db` (the two passes above).
 * @throws RtcError 400 `Bad backup: <entry>: <what>` (nothing written), 500 when IndexedDB fails
 *   while writing (see the guarantee above), 504 when `signal` aborts during the check.
 */
export async function importDatabase(db: Database, file: Blob, options: ImportDatabaseOptions = {}): Promise<ImportResult> {
  const mode = options.mode ?? 'merge';
  if (mode !== 'merge' && mode !== 'replace') throw new RtcError(`importDatabase mode: '${String(mode)}' is not 'merge' or 'replace'`, 400);
  let loaded = 0;
  let total = 0;
  let phase: 'check' | 'write' = 'check';
  const progress = (bytes: number): void => {
    loaded += bytes;
    options.onProgress?.(Math.min(loaded, total), total, phase);
  };
  const checked = await checkBackup(file, options, {
    start: (m) => {
      total = m.bytes.documents + m.bytes.attachments;
      progress(0);
    },
    add: progress,
  });
  options.onProgress?.(total, total, 'check'); // full, though a line counted its characters, not its bytes
  loaded = 0;
  phase = 'write';
  progress(0);
  if (mode === 'replace') await db.clear();
  let batch: BulkEntry[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const entries = batch;
    batch = [];
    await db.bulkPut(entries);
  };
  await readLines(file, checked.entries.get('documents.ndjson')!, async (line) => {
    const r = JSON.parse(line) as { id: string; doc: Record<string, unknown> };
    batch.push({ id: r.id, doc: r.doc });
    progress(line.length + 1);
    if (batch.length >= DOC_BATCH) await flush();
  });
  await flush();
  for (const a of checked.attachments) await writeAttachment(db, file, checked.entries.get(a.path)!, a, progress);
  options.onProgress?.(total, total, 'write');
  return { mode, documents: checked.manifest.counts.documents, attachments: checked.attachments.length, manifest: checked.manifest };
}
