/**
 * The attachment hashing Worker: SHA-256 (FIPS 180-4) of attachment bytes off the main thread, so
 * a page that uploads or receives a file spends its own thread on the data channel and IndexedDB
 * only (issue 15 item 5). off-thread-hash.ts starts it and falls back to @noble/hashes on the main thread
 * where a Worker cannot start.
 *
 * `hashWorkerMain` must stay self-contained (no imports, no outside names but the worker's
 * globals): off-thread-hash.ts starts it from a Blob URL of its source text, as journal.ts does the
 * journal's, so it works the same from the rollup bundles and the unbundled build with no second
 * file to serve. @noble/hashes cannot be imported there, hence the SHA-256 below (a bundled
 * noble was tried, commit 5d26485: in Chromium 156 its SHA-256 ran 2-3x slower than this one, on
 * both sides of every upload). Its state is
 * the one `Digest.state()` (blob-hash.ts) stores with an upload's chunks: the eight
 * 32-bit words (unsigned) and the byte count, taken only after a multiple of 64 bytes.
 *
 * Messages (`job` numbers a hash, `req` a request; answers `{ req, ok, result | error }`):
 * - `{ op: 'begin', job, state? }`: a new hash, or one going on from `state`;
 * - `{ op: 'update', job, bytes, req? }` (a Uint8Array, copied or transferred): with `req`, the
 *   bytes come back (transferred) once hashed, so a caller that transferred them holds one copy;
 * - `{ op: 'state', job, req }` → the state, or null when not at a 64-byte boundary;
 * - `{ op: 'digest', job, req }` → `sha256-<hex>`, and the job ends;
 * - `{ op: 'blob', req, blob, piece }` → `sha256-<hex>` of the whole Blob, read `piece` bytes at a time;
 * - `{ op: 'end', job }`: forget a job.
 */
export function hashWorkerMain(): void {
  const K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const W = new Int32Array(64);

  interface Hash { h: Int32Array; length: number; tail: Uint8Array; tailBytes: number }

  /** Compresses the 64-byte blocks of `b` from `at` to `end` (a multiple of 64 past `at`) into `h`. */
  const blocks = (h: Int32Array, b: Uint8Array, at: number, end: number): void => {
    let h0 = h[0]!, h1 = h[1]!, h2 = h[2]!, h3 = h[3]!, h4 = h[4]!, h5 = h[5]!, h6 = h[6]!, h7 = h[7]!;
    for (; at < end; at += 64) {
      for (let i = 0, j = at; i < 16; i++, j += 4) W[i] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!;
      for (let i = 16; i < 64; i++) {
        const x = W[i - 15]!, y = W[i - 2]!;
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
      }
      let a = h0, bb = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7;
      for (let i = 0; i < 64; i++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + bb) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + hh) | 0;
    }
    h[0] = h0; h[1] = h1; h[2] = h2; h[3] = h3; h[4] = h4; h[5] = h5; h[6] = h6; h[7] = h7;
  };

  const create = (state?: number[] | null): Hash => {
    const h = new Int32Array(state ? state.slice(0, 8) : INITIAL);
    return { h, length: state ? state[8]! : 0, tail: new Uint8Array(64), tailBytes: 0 };
  };

  const update = (s: Hash, b: Uint8Array): void => {
    let at = 0;
    s.length += b.byteLength;
    if (s.tailBytes > 0) {
      const take = Math.min(64 - s.tailBytes, b.byteLength);
      s.tail.set(b.subarray(0, take), s.tailBytes);
      s.tailBytes += take;
      at = take;
      if (s.tailBytes < 64) return;
      blocks(s.h, s.tail, 0, 64);
      s.tailBytes = 0;
    }
    const whole = at + Math.floor((b.byteLength - at) / 64) * 64;
    blocks(s.h, b, at, whole);
    s.tail.set(b.subarray(whole), 0);
    s.tailBytes = b.byteLength - whole;
  };

  const finish = (s: Hash): string => {
    const pad = new Uint8Array(s.tailBytes < 56 ? 64 : 128);
    pad.set(s.tail.subarray(0, s.tailBytes));
    pad[s.tailBytes] = 0x80;
    const bits = s.length * 8;
    const view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(pad.length - 4, bits >>> 0);
    blocks(s.h, pad, 0, pad.length);
    let hex = '';
    for (const w of s.h) hex += (w >>> 0).toString(16).padStart(8, '0');
    return `sha256-${hex}`;
  };

  const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown, transfer?: Transferable[]): void };
  const jobs = new Map<number, Hash>();
  const answer = (req: number, run: () => unknown): void => {
    try {
      scope.postMessage({ req, ok: true, result: run() });
    } catch (e) {
      scope.postMessage({ req, ok: false, error: String((e as Error)?.message ?? e) });
    }
  };
  const job = (id: number): Hash => {
    const s = jobs.get(id);
    if (!s) throw new Error(`no hash job ${id}`);
    return s;
  };
  // Blobs are read one at a time, after the messages before them: a job's order is kept.
  let reading: Promise<void> = Promise.resolve();
  scope.onmessage = (e: MessageEvent) => {
    const m = e.data as { op: string; job: number; req: number; state?: number[] | null; bytes?: Uint8Array; blob?: Blob; piece?: number };
    switch (m.op) {
      case 'begin':
        jobs.set(m.job, create(m.state));
        break;
      case 'update': {
        const s = jobs.get(m.job); // none after an 'end': the bytes are not wanted
        if (s) update(s, m.bytes!);
        if (m.req !== undefined) scope.postMessage({ req: m.req, ok: true, result: m.bytes }, [m.bytes!.buffer]);
        break;
      }
      case 'state':
        answer(m.req, () => {
          const s = job(m.job);
          return s.tailBytes === 0 ? [...Array.from(s.h, (w) => w >>> 0), s.length] : null;
        });
        break;
      case 'digest':
        answer(m.req, () => {
          const digest = finish(job(m.job));
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
            const s = create();
            const blob = m.blob!;
            // One buffer read into again and again (a BYOB reader): reading far faster than the
            // bytes are sent, a new buffer per piece piled up as garbage (bench `attachment memory`).
            let reader: ReadableStreamBYOBReader | null = null;
            try {
              reader = blob.stream().getReader({ mode: 'byob' });
            } catch {
              // not a byte stream here: pieces below
            }
            if (reader) {
              let buffer = new ArrayBuffer(m.piece!);
              for (;;) {
                const { value, done } = await reader.read(new Uint8Array(buffer));
                if (done || !value) break;
                update(s, value);
                buffer = value.buffer;
              }
            } else {
              for (let at = 0; at < blob.size; at += m.piece!) update(s, new Uint8Array(await blob.slice(at, at + m.piece!).arrayBuffer()));
            }
            scope.postMessage({ req: m.req, ok: true, result: finish(s) });
          } catch (err) {
            scope.postMessage({ req: m.req, ok: false, error: String((err as Error)?.message ?? err) });
          }
        });
        break;
    }
  };
}
