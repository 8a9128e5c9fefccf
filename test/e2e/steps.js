// Node-side helpers shared by the cross-browser end-to-end tests (playwright and puppeteer pages
// alike): hard timeouts on every wait, quiet closing in `after` hooks, and the attachment bytes
// made and hashed here, independently of the pages.
import { createHash } from 'node:crypto';

/** Default hard timeout of one step, ms. */
export const STEP_MS = 30000;

/** Rejects after `ms` with `label`: every wait has a hard timeout. */
export function withTimeout(promise, ms, label) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${label}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** `page.evaluate(fn, arg)` (the same call in playwright and puppeteer) with a hard timeout. */
export function run(page, fn, arg, label = fn.name || 'evaluate', ms = STEP_MS) {
  return withTimeout(page.evaluate(fn, arg), ms, label);
}

/** Closes with a timeout; `kill` when closing hangs or fails. Never throws (used in `after`). */
export async function closeQuietly(label, close, kill) {
  try {
    await withTimeout(close(), 15000, `closing ${label}`);
  } catch (e) {
    console.log(`# ${label}: ${e.message}`);
    try { kill?.(); } catch {}
  }
}

/** `size` bytes from xorshift32 seeded with `seed`: the attachment, made here and checked here. */
export function prngBytes(size, seed) {
  const out = Buffer.alloc(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  return out;
}

/** `sha256-<hex>` of `bytes`, as the attachments carry it. */
export const sha256 = (bytes) => `sha256-${createHash('sha256').update(bytes).digest('hex')}`;
