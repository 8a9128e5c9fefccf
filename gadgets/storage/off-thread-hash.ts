/**
 * SHA-256 of attachment bytes in a Worker (hash-worker.ts), with the main thread as the fallback
 * where a Worker cannot start (no `Worker`, or a page's Content-Security-Policy refusing `blob:`
 * workers, as some embeds do). Uploads hash every byte twice, once on each side: on the main
 * thread that took as much time as the data channel and IndexedDB together (bench
 * `attachment 64 MiB`, issue 15 item 5). One Worker per page, started on first use.
 */
import { Digest, PIECE_SIZE, digestBlob } from './blob-hash.js';
import { hashWorkerMain } from './hash-worker.js';

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** The page's hashing Worker: undefined until tried, null where none can run (or it broke). */
let worker: Worker | null | undefined;
const waiting = new Map<number, Waiting>();
let nextNumber = 1;
/** Jobs of the Worker that broke: their digests are lost (see `HashJob.digest`). */
let generation = 0;

function lost(): void {
  worker?.terminate();
  worker = null;
  generation++;
  const error = new Error('the hashing Worker stopped');
  for (const w of waiting.values()) w.reject(error);
  waiting.clear();
}

function hashWorker(): Worker | null {
  if (worker !== undefined) return worker;
  worker = null;
  if (typeof Worker === 'undefined' || typeof URL === 'undefined' || typeof URL.createObjectURL !== 'function') return null;
  try {
    const url = URL.createObjectURL(new Blob([`(${hashWorkerMain.toString()})()`], { type: 'text/javascript' }));
    const w = new Worker(url, { name: 'rtc-hash' });
    URL.revokeObjectURL(url);
    w.onmessage = (e: MessageEvent) => {
      const m = e.data as { req: number; ok: boolean; result?: unknown; error?: string };
      const pending = waiting.get(m.req);
      if (!pending) return;
      waiting.delete(m.req);
      if (m.ok) pending.resolve(m.result);
      else pending.reject(new Error(m.error));
    };
    // A script refused (CSP) or a crash: what was pending falls back to the main thread.
    w.onerror = (e) => {
      e.preventDefault();
      lost();
    };
    worker = w;
  } catch {
    worker = null; // refused synchronously (CSP in some browsers)
  }
  return worker;
}

/** Whether hashes run in the page's Worker (false before the first, and where none can run). */
export function hashingInWorker(): boolean {
  return !!worker;
}

/**
 * Stops the page's hashing Worker for good (a page that wants no more threads, and the tests of
 * the fallback): hashes under way then end as if it had crashed, and later ones run on the main thread.
 */
export function stopHashWorker(): void {
  if (worker === undefined) worker = null;
  else lost();
}

function ask<T>(w: Worker, message: Record<string, unknown>): Promise<T> {
  const req = nextNumber++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(req, { resolve: resolve as (v: unknown) => void, reject });
    w.postMessage({ ...message, req });
  });
}

/**
 * `sha256-<hex>` of a Blob, read {@link PIECE_SIZE} bytes at a time, in the Worker; on the main
 * thread (`digestBlob`) when there is none or it stops meanwhile. Never holds the whole Blob.
 */
export async function hashBlob(blob: Blob): Promise<string> {
  const w = hashWorker();
  if (w) {
    try {
      return await ask<string>(w, { op: 'blob', blob, piece: PIECE_SIZE });
    } catch {
      // the Worker stopped: hash here
    }
  }
  return digestBlob(blob);
}

/**
 * An incremental SHA-256 fed in order: `update` as bytes come, `state()` where a resume may start
 * (`Digest.state()`'s shape), `digest()` at the end. In the Worker when there is one (each
 * `update` copies the bytes into a message: the caller keeps its own), else a `Digest` here.
 */
export class HashJob {
  /** Bytes passed to `update` so far. */
  length: number;
  private readonly local: Digest | null;
  private readonly job: number;
  private readonly born = generation;

  /** A new hash, or one going on from `state` (`Digest.state()`; unchecked: use `fromState`). */
  private constructor(state: number[] | null) {
    this.length = state ? state[8]! : 0;
    const w = hashWorker();
    this.job = nextNumber++;
    if (w) {
      this.local = null;
      w.postMessage({ op: 'begin', job: this.job, state });
    } else this.local = state ? Digest.fromState(state) : new Digest();
  }

  /** A hash from the first byte. */
  static start(): HashJob {
    return new HashJob(null);
  }

  /** A hash going on from a stored `Digest.state()`; null when the state is unusable. */
  static fromState(state: unknown): HashJob | null {
    const checked = Digest.fromState(state)?.state();
    return checked ? new HashJob(checked) : null;
  }

  update(bytes: Uint8Array): void {
    this.length += bytes.byteLength;
    if (this.local) this.local.update(bytes);
    else if (this.born === generation) worker?.postMessage({ op: 'update', job: this.job, bytes });
  }

  /**
   * `update(bytes)` without a copy: `bytes` (the whole of its ArrayBuffer) is transferred to the
   * Worker and comes back once hashed, so the memory of a stream of chunks stays one copy of each.
   * Resolves with the bytes to use from then on (`bytes` itself is detached meanwhile).
   * @throws Error when the Worker stopped while holding them (the bytes are lost).
   */
  async take(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    if (this.local || this.born !== generation || !worker || bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) {
      this.update(bytes);
      return bytes;
    }
    this.length += bytes.byteLength;
    const req = nextNumber++;
    const w = worker;
    return new Promise((resolve, reject) => {
      waiting.set(req, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ op: 'update', job: this.job, bytes, req }, [bytes.buffer]);
    });
  }

  /** The state after every byte so far, or null (not at a 64-byte boundary, or the Worker stopped). */
  async state(): Promise<number[] | null> {
    if (this.local) return this.local.state();
    if (this.born !== generation || !worker) return null;
    return ask<number[] | null>(worker, { op: 'state', job: this.job }).catch(() => null);
  }

  /** `sha256-<hex>` of every byte passed; null when the Worker stopped meanwhile (the bytes are gone: re-read them). */
  async digest(): Promise<string | null> {
    if (this.local) return this.local.digest();
    if (this.born !== generation || !worker) return null;
    return ask<string>(worker, { op: 'digest', job: this.job }).catch(() => null);
  }

  /** Forgets the job (an upload stopped before its end). */
  end(): void {
    if (!this.local && this.born === generation) worker?.postMessage({ op: 'end', job: this.job });
  }
}
