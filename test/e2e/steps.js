// Node-side helpers shared by the cross-browser end-to-end tests (playwright and puppeteer pages
// alike): hard timeouts on every wait, quiet closing in `after` hooks, and the attachment bytes
// made and hashed here, independently of the pages.
import { createHash } from 'node:crypto';
import { launchChromium, launchFirefox } from './harness.js';

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

/** `sha256-<hex>` of `bytes`, as the attachments carry it. */
export const sha256 = (bytes) => `sha256-${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Starts `startServer()` (the broadcaster, or a static server), Chromium and Firefox at once.
 * What started is returned even when something else failed, so that `after` can close it.
 * @returns {Promise<{ server?: object, chromium?: object, firefox?: object, error?: Error }>}
 *   `error`: the first failure (throw it once the result is kept).
 */
export async function startAll(startServer) {
  const all = await Promise.all([
    startServer(),
    withTimeout(launchChromium(), 30000, 'launching Chromium'),
    withTimeout(launchFirefox(), 60000, 'launching Firefox'),
  ].map((p) => p.catch((e) => e)));
  const [server, chromium, firefox] = all.map((x) => (x instanceof Error ? undefined : x));
  return { server, chromium, firefox, error: all.find((x) => x instanceof Error) };
}

/** Closes what `startAll` started (each with a timeout, then killed); never throws. */
export async function closeAll({ server, chromium, firefox } = {}) {
  if (firefox) await closeQuietly('Firefox', () => firefox.close(), () => firefox.process()?.kill('SIGKILL'));
  if (chromium) await closeQuietly('Chromium', () => chromium.close());
  if (server) await closeQuietly('server', () => server.stop(), () => server.child?.kill('SIGKILL'));
}

/**
 * In the master page (`page.evaluate`): documents `ids` straight from IndexedDB database
 * `database` (store `documents`, records `{ id, doc }`), without the elements.
 * @returns {{ docs: (object|null)[], count: number }} the docs (null when missing) and the store's count.
 */
export async function rawDocuments({ database, ids }) {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open(database);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
    open.onupgradeneeded = () => reject(new Error(`${database} does not exist`));
  });
  try {
    const store = db.transaction('documents', 'readonly').objectStore('documents');
    const read = (id) => new Promise((resolve, reject) => {
      const r = store.get(id);
      r.onsuccess = () => resolve(r.result ? r.result.doc : null);
      r.onerror = () => reject(r.error);
    });
    const count = await new Promise((resolve, reject) => {
      const r = store.count();
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    return { docs: await Promise.all(ids.map(read)), count };
  } finally {
    db.close();
  }
}

/** In a page: reads attachment `name` of document `id` through element `#el` (default `db`) as base64, whole or `[start, end)`. */
export async function attachmentBase64({ el = 'db', id, name, start, end }) {
  const options = { format: 'array_buffer' };
  if (start !== undefined) Object.assign(options, { start, end });
  const bytes = new Uint8Array(await document.getElementById(el).getAttachment(id, name, options));
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * In a page: puts document `id` through element `#el` (default `db`) and uploads base64 bytes as
 * its attachment `name`.
 * @returns the `rtc-progress` `[loaded, total]` pairs seen meanwhile.
 */
export async function uploadBase64({ el = 'db', id, name, base64 }) {
  const s = atob(base64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  const db = document.getElementById(el);
  const progress = [];
  const onProgress = (e) => { if (e.detail.name === name) progress.push([e.detail.loaded, e.detail.total]); };
  db.addEventListener('rtc-progress', onProgress);
  try {
    await db.put(id, { title: 'attachment from another browser' });
    await db.putAttachment(id, name, new Blob([bytes], { type: 'application/octet-stream' }));
  } finally {
    db.removeEventListener('rtc-progress', onProgress);
  }
  return progress;
}

/** The errors `page` reports from now on (uncaught, and console errors), playwright or puppeteer alike. */
export function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e instanceof Error ? e : new Error(String(e))));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(new Error(m.text()));
  });
  return errors;
}
