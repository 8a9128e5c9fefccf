/**
 * SHA-256 of attachment bytes with @noble/hashes (`crypto.subtle` is missing on LAN pages served
 * over plain http, and has no incremental digest), and reading a Blob piece by piece: the
 * main-thread side of hashing (resumable state, and the fallback where the hashing Worker of
 * hash-worker.ts cannot start; that Worker keeps a SHA-256 of its own, faster in Chromium).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** Bytes read from a Blob at a time. */
export const PIECE_SIZE = 1024 * 1024;

/** An incremental SHA-256: `update(bytes)` as they come, `digest()` → `sha256-<hex>`. */
export class Digest {
  private readonly hash = sha256.create();
  /** Bytes hashed so far. */
  length = 0;
  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
    this.length += bytes.byteLength;
  }
  digest(): string {
    return `sha256-${bytesToHex(this.hash.digest())}`;
  }

  /**
   * The running state (eight 32-bit words, then the byte count) when nothing is buffered, i.e.
   * after a multiple of 64 bytes; null otherwise. Stored with an upload's chunks so a resumed
   * upload goes on hashing where it stopped instead of re-reading what is stored.
   * @noble/hashes has no public export of its state: this reads its SHA-256's `get()` and
   * `length` (protected in its types, plain methods at run time), and says null if they are gone
   * in some later version, which only costs a resumed upload the re-reading of its chunks at
   * commit (attachment-store.ts `rehash`). Unit tests fail if that happens.
   */
  state(): number[] | null {
    const h = this.hash as unknown as { get?: () => number[] };
    if (this.length % 64 !== 0 || typeof h.get !== 'function') return null;
    return [...h.get().map((w) => w >>> 0), this.length];
  }

  /** A Digest continuing from `state()`; null when the state is unusable. */
  static fromState(state: unknown): Digest | null {
    if (!Array.isArray(state) || state.length !== 9 || !state.every((n, i) => Number.isSafeInteger(n) && n >= 0 && (i === 8 || n <= 0xffffffff))) return null;
    const d = new Digest();
    const h = d.hash as unknown as { set?: (...words: number[]) => void; length?: number };
    if (typeof h.set !== 'function' || typeof h.length !== 'number' || state[8] % 64 !== 0) return null;
    h.set(...(state.slice(0, 8) as number[]).map((w) => w | 0));
    h.length = state[8];
    d.length = state[8];
    return d;
  }
}

/** `sha256-<hex>` of a Blob, read `size` bytes at a time through one buffer (never all of it at once). */
export async function digestBlob(blob: Blob, size = PIECE_SIZE): Promise<string> {
  const d = new Digest();
  const pieces = blobPieces(blob, 0, size);
  for (let piece = await pieces.read(); piece; piece = await pieces.read()) d.update(piece);
  return d.digest();
}

/** Reads a Blob in order, piece by piece (`blobPieces`). */
export interface PieceReader {
  /** The next piece (at most the piece size, at least one byte), or null at the end. It is a view into a buffer the next `read` reuses. */
  read(): Promise<Uint8Array<ArrayBuffer> | null>;
  /** Stops reading (the rest is not wanted). */
  cancel(): void;
}

/**
 * Reads `blob` from byte `from` on, at most `size` bytes at a time, through one reused buffer (a
 * BYOB reader of `blob.stream()`): a `slice().arrayBuffer()` per piece costs a Blob and a new
 * buffer each, 3–9× the time of the reader for 64 MiB in Chromium. Falls back to slices where
 * byte streams are missing. Each piece is valid until the next `read()`.
 */
export function blobPieces(blob: Blob, from: number, size = PIECE_SIZE): PieceReader {
  let reader: ReadableStreamBYOBReader | null = null;
  try {
    reader = blob.slice(from).stream().getReader({ mode: 'byob' });
  } catch {
    // no byte streams here: slices below
  }
  if (!reader) {
    let at = from;
    return {
      async read() {
        if (at >= blob.size) return null;
        const piece = new Uint8Array(await blob.slice(at, at + size).arrayBuffer());
        at += piece.byteLength;
        return piece;
      },
      cancel() {
        at = blob.size;
      },
    };
  }
  const byob = reader;
  let buffer = new ArrayBuffer(size);
  return {
    async read() {
      const { value, done } = await byob.read(new Uint8Array(buffer));
      if (done || !value) return null;
      buffer = value.buffer;
      return value;
    },
    cancel() {
      byob.cancel().catch(() => {});
    },
  };
}

