/**
 * The attachment hashing Worker: SHA-256 of attachment bytes off the main thread (issue 15 item
 * 5), with @noble/hashes through `Digest` (blob-hash.ts). off-thread-hash.ts starts it and falls
 * back to the main thread where a Worker cannot start.
 *
 * The Worker runs from a Blob URL of one classic script, so the page needs no second file to
 * serve and the same code works from the rollup bundles and the unbundled build: the build
 * (scripts/hash-worker.js, the first step of rollup.config.js) bundles this module and @noble/hashes
 * into an IIFE that calls `hashWorkerMain()`, and writes it as a string to hash-worker-source.ts,
 * which is committed (test/node/hash-worker-source.test.js checks it is up to date).
 *
 * Messages (`job` numbers a hash, `req` a request; answers `{ req, ok, result | error }`):
 * - `{ op: 'begin', job, state? }`: a new hash, or one going on from `state` (`Digest.state()`);
 * - `{ op: 'update', job, bytes, req? }` (a Uint8Array, copied or transferred): with `req`, the
 *   bytes come back (transferred) once hashed, so a caller that transferred them holds one copy;
 * - `{ op: 'state', job, req }` → the state, or null when not at a 64-byte boundary;
 * - `{ op: 'digest', job, req }` → `sha256-<hex>`, and the job ends;
 * - `{ op: 'blob', req, blob, piece }` → `sha256-<hex>` of the whole Blob, read `piece` bytes at a time;
 * - `{ op: 'end', job }`: forget a job.
 * A job whose `state` cannot be resumed is not created: its `state` and `digest` then answer an
 * error, which the main thread takes as "lost" (the stored chunks are read again at commit).
 */
import { Digest, digestBlob } from './blob-hash.js';

/** Installs the Worker's message handler on `self`. */
export function hashWorkerMain(): void {
  const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown, transfer?: Transferable[]): void };
  const jobs = new Map<number, Digest>();
  const answer = (req: number, run: () => unknown): void => {
    try {
      scope.postMessage({ req, ok: true, result: run() });
    } catch (e) {
      scope.postMessage({ req, ok: false, error: String((e as Error)?.message ?? e) });
    }
  };
  const job = (id: number): Digest => {
    const d = jobs.get(id);
    if (!d) throw new Error(`no hash job ${id}`);
    return d;
  };
  // Blobs are read one at a time, after the messages before them: a job's order is kept.
  let reading: Promise<void> = Promise.resolve();
  scope.onmessage = (e: MessageEvent) => {
    const m = e.data as { op: string; job: number; req: number; state?: number[] | null; bytes?: Uint8Array; blob?: Blob; piece?: number };
    switch (m.op) {
      case 'begin': {
        const d = m.state ? Digest.fromState(m.state) : new Digest();
        if (d) jobs.set(m.job, d);
        break;
      }
      case 'update': {
        jobs.get(m.job)?.update(m.bytes!); // none after an 'end': the bytes are not wanted
        if (m.req !== undefined) scope.postMessage({ req: m.req, ok: true, result: m.bytes }, [m.bytes!.buffer]);
        break;
      }
      case 'state':
        answer(m.req, () => job(m.job).state());
        break;
      case 'digest':
        answer(m.req, () => {
          const digest = job(m.job).digest();
          jobs.delete(m.job);
          return digest;
        });
        break;
      case 'end':
        jobs.delete(m.job);
        break;
      case 'blob':
        reading = reading.then(async () => {
          try {
            // One buffer read into again and again (blobPieces): reading far faster than the
            // bytes are sent, a new buffer per piece piled up as garbage (bench `attachment memory`).
            scope.postMessage({ req: m.req, ok: true, result: await digestBlob(m.blob!, m.piece) });
          } catch (err) {
            scope.postMessage({ req: m.req, ok: false, error: String((err as Error)?.message ?? err) });
          }
        });
        break;
    }
  };
}
