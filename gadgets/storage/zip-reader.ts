/**
 * Reads a ZIP file from a Blob without holding it in memory: the central directory (PKWARE
 * APPNOTE.TXT 4.3.12, 4.3.16) from the end of the file, then each entry's bytes streamed slice by
 * slice, inflated with fflate's streaming `Inflate` (method 8) or passed through (method 0), with
 * their length and CRC-32 checked at the end. ZIP64 is not read (fflate's `Zip` does not write it,
 * so a backup stays under 4 GiB). Every fault is an RtcError 400 `Bad backup: <entry>: <what>`.
 */
import { Inflate } from 'fflate';
import { RtcError } from '../errors.js';

/** One file of the archive, as its central directory record describes it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of its local file header. */
  offset: number;
}

/** Bytes read from the file at a time. */
const SLICE = 1024 * 1024;

/** RtcError 400 naming the part of the backup at fault. */
export function badBackup(where: string, what: string): RtcError {
  return new RtcError(`Bad backup: ${where}: ${what}`, 400);
}

async function bytesAt(file: Blob, from: number, to: number): Promise<DataView> {
  return new DataView(await file.slice(from, to).arrayBuffer());
}

/**
 * The entries of the ZIP in `file`, by name.
 * @throws RtcError 400 when it is not a ZIP, is truncated, spans disks, uses ZIP64 or names an
 *   entry twice.
 */
export async function readCentralDirectory(file: Blob): Promise<Map<string, ZipEntry>> {
  const tailFrom = Math.max(0, file.size - (22 + 0xffff));
  const tail = await bytesAt(file, tailFrom, file.size);
  let eocd = -1;
  for (let at = tail.byteLength - 22; at >= 0; at--) {
    if (tail.getUint32(at, true) === 0x06054b50 && at + 22 + tail.getUint16(at + 20, true) === tail.byteLength) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw badBackup('the file', 'not a ZIP file, or truncated (no end of central directory)');
  const count = tail.getUint16(eocd + 10, true);
  const cdSize = tail.getUint32(eocd + 12, true);
  const cdOffset = tail.getUint32(eocd + 16, true);
  if (tail.getUint16(eocd + 4, true) !== 0 || count !== tail.getUint16(eocd + 8, true)) throw badBackup('the file', 'a multi-disk ZIP');
  if (count === 0xffff || cdOffset === 0xffffffff) throw badBackup('the file', 'ZIP64 is not supported');
  if (cdOffset + cdSize !== tailFrom + eocd) throw badBackup('the file', 'the central directory is not where the end record says (truncated or altered)');
  const cd = await bytesAt(file, cdOffset, cdOffset + cdSize);
  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.byteLength || cd.getUint32(at, true) !== 0x02014b50) throw badBackup('the central directory', `record ${i} is damaged`);
    const nameLength = cd.getUint16(at + 28, true);
    const skip = nameLength + cd.getUint16(at + 30, true) + cd.getUint16(at + 32, true);
    if (at + 46 + skip > cd.byteLength) throw badBackup('the central directory', `record ${i} is damaged`);
    let name: string;
    try {
      name = decoder.decode(new Uint8Array(cd.buffer, at + 46, nameLength));
    } catch {
      throw badBackup('the central directory', `record ${i} has a name that is not UTF-8`);
    }
    const entry: ZipEntry = {
      name,
      method: cd.getUint16(at + 10, true),
      crc: cd.getUint32(at + 16, true),
      compressedSize: cd.getUint32(at + 20, true),
      size: cd.getUint32(at + 24, true),
      offset: cd.getUint32(at + 42, true),
    };
    if (entry.method !== 0 && entry.method !== 8) throw badBackup(name, `compression method ${entry.method} is not supported`);
    if ((cd.getUint16(at + 8, true) & 1) !== 0) throw badBackup(name, 'encrypted entries are not supported');
    if (entry.offset + 30 + entry.compressedSize > cdOffset) throw badBackup(name, 'its data runs past the central directory');
    if (entries.has(name)) throw badBackup(name, 'appears twice');
    entries.set(name, entry);
    at += 46 + skip;
  }
  return entries;
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, as ZIP uses) of `bytes`, continuing from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Streams the uncompressed bytes of `entry`, calling `onPart` with each piece (awaited before the
 * next slice is read), then checks its length and CRC-32.
 * @throws RtcError 400 naming the entry when its data is damaged, truncated or altered.
 */
export async function readEntry(file: Blob, entry: ZipEntry, onPart: (bytes: Uint8Array) => Promise<void> | void): Promise<void> {
  const header = await bytesAt(file, entry.offset, entry.offset + 30);
  if (header.byteLength < 30 || header.getUint32(0, true) !== 0x04034b50) throw badBackup(entry.name, 'its local header is missing');
  const start = entry.offset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
  const end = start + entry.compressedSize;
  if (end > file.size) throw badBackup(entry.name, 'truncated');
  let crc = 0;
  let size = 0;
  let out: Uint8Array[] = [];
  const inflate = entry.method === 8 ? new Inflate((chunk) => out.push(chunk)) : null;
  const take = async (bytes: Uint8Array): Promise<void> => {
    crc = crc32(bytes, crc);
    size += bytes.byteLength;
    if (size > entry.size) throw badBackup(entry.name, `longer than the ${entry.size} bytes it declares`);
    await onPart(bytes);
  };
  let at = start;
  do {
    const to = Math.min(end, at + SLICE);
    const piece = new Uint8Array(await file.slice(at, to).arrayBuffer());
    at = to;
    if (!inflate) {
      if (piece.byteLength > 0) await take(piece);
      continue;
    }
    try {
      inflate.push(piece, at >= end);
    } catch (e) {
      throw badBackup(entry.name, `its compressed data is damaged (${(e as Error).message})`);
    }
    const ready = out;
    out = [];
    for (const bytes of ready) await take(bytes);
  } while (at < end);
  if (size !== entry.size) throw badBackup(entry.name, `${size} bytes where ${entry.size} were declared (truncated?)`);
  if (crc !== entry.crc) throw badBackup(entry.name, 'CRC-32 mismatch (altered)');
}

/**
 * Streams a UTF-8 text entry line by line (`\n`; a trailing empty line is skipped), calling
 * `onLine(text, number)` with 1-based line numbers.
 * @throws RtcError 400 naming the entry (as `readEntry`) or its invalid UTF-8.
 */
export async function readLines(file: Blob, entry: ZipEntry, onLine: (line: string, number: number) => Promise<void> | void): Promise<void> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  let number = 0;
  const decode = (bytes?: Uint8Array): string => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      throw badBackup(entry.name, `line ${number + 1} is not UTF-8`);
    }
  };
  const feed = async (text: string, final: boolean): Promise<void> => {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    for (const line of lines) await onLine(line, ++number);
    if (final && rest !== '') await onLine(rest, ++number);
  };
  await readEntry(file, entry, (bytes) => feed(decode(bytes), false));
  await feed(decode(), true);
}
