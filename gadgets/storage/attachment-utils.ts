/**
 * Helpers shared by the local and remote attachment paths: the sample key, format conversion as
 * jIO does it (docs/jio-compatibility.md "Methods"), and the sizes of chunks and batches. The
 * SHA-256 helpers (`Digest`, `digestBlob`) and the Blob reader (`blobPieces`) are in blob-hash.ts.
 */
import { RtcError } from '../errors.js';
import { Digest } from './blob-hash.js';
import type { AttachmentFormat } from '../api.js';

/** Bytes per stored chunk (one IndexedDB record of the `chunks` store). */
export const CHUNK_SIZE = 512 * 1024;
/** Chunks written per IndexedDB transaction. */
export const CHUNKS_PER_BATCH = 8;

/** Bytes read from each end of a Blob for its sample key. */
export const SAMPLE_BYTES = 64 * 1024;

/**
 * `sample-<hex>`: the SHA-256 of a Blob's length, type, name and last-modified time (a File's)
 * and its first and last {@link SAMPLE_BYTES} bytes. It identifies an upload for the resume
 * handshake before the full digest is known, which would take reading every byte (20 s for
 * 1 GiB on a slow device) before the first one is sent. Two Blobs may share it (same ends,
 * other middle): the full digest, sent with the commit and checked by the master, then refuses
 * the mixed bytes and the upload starts over.
 */
export async function sampleKey(blob: Blob): Promise<string> {
  const d = new Digest();
  const file = blob as Partial<File>;
  d.update(new TextEncoder().encode(JSON.stringify([blob.size, blob.type, file.name ?? null, file.lastModified ?? null])));
  d.update(new Uint8Array(await blob.slice(0, SAMPLE_BYTES).arrayBuffer()));
  if (blob.size > SAMPLE_BYTES) d.update(new Uint8Array(await blob.slice(Math.max(SAMPLE_BYTES, blob.size - SAMPLE_BYTES)).arrayBuffer()));
  return `sample-${d.digest().slice('sha256-'.length)}`;
}

/**
 * The content of a `putAttachment`: a Blob as is, a string as text/plain;charset=utf-8 (jIO).
 * @throws RtcError 400 `Attachment content is not a blob`.
 */
export function toBlob(content: unknown): Blob {
  if (typeof content === 'string') return new Blob([content], { type: 'text/plain;charset=utf-8' });
  if (typeof Blob !== 'undefined' && content instanceof Blob) return content;
  throw new RtcError('Attachment content is not a blob', 400);
}

/** Converts a Blob to `format` (jIO's getAttachment formats). `json` of bad JSON is a 400. */
export async function convertBlob(blob: Blob, format: AttachmentFormat = 'blob'): Promise<unknown> {
  switch (format) {
    case 'blob':
      return blob;
    case 'text':
      return blob.text();
    case 'array_buffer':
      return blob.arrayBuffer();
    case 'json': {
      const text = await blob.text();
      try {
        return JSON.parse(text);
      } catch (e) {
        throw new RtcError(`Attachment is not valid JSON: ${(e as Error).message}`, 400);
      }
    }
    case 'data_url':
      return new Promise<string>((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result as string);
        reader.onerror = () => reject(new RtcError(`Cannot read attachment: ${reader.error?.message}`, 500));
        reader.readAsDataURL(blob);
      });
  }
}

/** `Cannot find attachment: <id> , <name>` (jIO memory storage's message), 404. */
export function attachmentNotFound(id: string, name: string): RtcError {
  return new RtcError(`Cannot find attachment: ${id} , ${name}`, 404);
}
