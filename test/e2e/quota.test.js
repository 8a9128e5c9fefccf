// End to end, for real: a full disk loses nothing. The broadcaster, the demo master page and a
// slave page in separate browser contexts, real WebRTC. The master origin's quota is cut to a few
// MiB with Chromium's DevTools protocol (Storage.overrideQuotaForOrigin); then a slave's put of a
// big document and a slave's upload of a big attachment both reject with 507 "Insufficient
// storage: …", the master fires rtc-error for each, and nothing of either is in the master's
// IndexedDB (counted from the master page, with plain IndexedDB calls): no document, no
// attachment record, no chunk, although the upload had chunks stored before the disk was full.
// The master's own upload (the local path) does the same.
// Afterwards smaller writes and reads work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openConnected, startBroadcaster } from './harness.js';
import { closeQuietly, run } from './steps.js';

const MiB = 1024 * 1024;
/** The master origin's quota: room for one batch of chunks (8 × 512 KiB), not for the big writes. */
const QUOTA = 7 * MiB;

let broadcaster, browser, master, slave;

before(async () => {
  [broadcaster, browser] = await Promise.all([startBroadcaster(), launchChromium()]);
  master = await openConnected(browser, `${broadcaster.origin}/demo/master.html`, 'rtc-master');
  slave = await openConnected(browser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
  await master.page.evaluate(() => {
    window.__errors = [];
    document.getElementById('db').addEventListener('rtc-error', (e) => window.__errors.push({ status: e.detail.error.status_code, message: e.detail.error.message }));
  });
  const cdp = await master.context.newCDPSession(master.page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: broadcaster.origin, quotaSize: QUOTA });
});

after(async () => {
  await closeQuietly('browser', () => browser?.close() ?? Promise.resolve());
  await broadcaster?.stop();
});

/** Runs in the master page: what the master's IndexedDB holds of document `id` and its attachment `name`. */
function storedOf({ id, name }) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('rtc:default');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['documents', 'attachments', 'chunks']);
      const out = {};
      const count = (key, store, query) => {
        const req = tx.objectStore(store).count(query);
        req.onsuccess = () => (out[key] = req.result);
      };
      count('document', 'documents', id);
      count('attachment', 'attachments', [id, name]);
      // every chunk of that attachment: keys [id, name, index]
      count('chunks', 'chunks', IDBKeyRange.bound([id, name], [id, name, []]));
      count('allChunks', 'chunks');
      tx.oncomplete = () => {
        db.close();
        resolve(out);
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

/** Runs in a page: `fn`'s error as `{ status, message }`, or null when it resolved. */
const settle = `async (fn) => { try { await fn(); return null; } catch (e) { return { status: e.status_code, message: e.message }; } }`;

test("a slave's big put gets 507 and nothing of it is stored", async () => {
  const error = await run(slave.page, async ({ size, settle }) => {
    const db = document.getElementById('db');
    await db.put('before-full', { note: 'stored before the disk filled' });
    // incompressible text, so no storage layer can shrink it under the quota
    const bytes = new Uint8Array(size / 2);
    for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
    const text = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return (0, eval)(settle)(() => db.put('big-doc', { text }));
  }, { size: 10 * MiB, settle }, 'big put', 60000);
  assert.equal(error?.status, 507, JSON.stringify(error));
  assert.match(error.message, /^Insufficient storage: /);
  assert.deepEqual(await master.page.evaluate(storedOf, { id: 'big-doc', name: '-' }),
    { document: 0, attachment: 0, chunks: 0, allChunks: 0 });
  const errors = await master.page.evaluate(() => window.__errors);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].status, 507);
  assert.match(errors[0].message, /^Insufficient storage: /);
});

/**
 * Uploads 16 MiB of random bytes as attachment `big.bin` of a new document `id` from `page` (a
 * slave's, or the master's own), expects a 507 after at least one batch of chunks was stored, then
 * that the master's IndexedDB holds the document and nothing of the attachment, and that the master
 * fired its `errors`-th rtc-error, a 507.
 */
async function bigUploadIsRefused(page, id, errors) {
  const result = await run(page, async ({ id, size, settle }) => {
    const db = document.getElementById('db');
    await db.put(id, { title: 'has a big file' });
    const parts = [];
    for (let at = 0; at < size; at += 65536) parts.push(crypto.getRandomValues(new Uint8Array(65536)));
    let loaded = 0;
    const error = await (0, eval)(settle)(() => db.putAttachment(id, 'big.bin', new Blob(parts), {
      onProgress: (n) => (loaded = Math.max(loaded, n)),
    }));
    return { error, loaded };
  }, { id, size: 16 * MiB, settle }, `big upload of ${id}`, 90000);
  assert.equal(result.error?.status, 507, JSON.stringify(result.error));
  assert.match(result.error.message, /^Insufficient storage: /);
  // the master had stored a batch of chunks before the disk filled: the upload was partial
  assert.ok(result.loaded >= 4 * MiB, `bytes stored before the failure: ${result.loaded}`);
  assert.deepEqual(await master.page.evaluate(storedOf, { id, name: 'big.bin' }),
    { document: 1, attachment: 0, chunks: 0, allChunks: 0 });
  const seen = await master.page.evaluate(() => window.__errors);
  assert.equal(seen.length, errors, JSON.stringify(seen));
  assert.equal(seen.at(-1).status, 507);
}

test("a slave's big upload gets 507 and its chunks already stored are removed", () => bigUploadIsRefused(slave.page, 'with-file', 2));

test("the master's own big upload gets 507 too, and leaves nothing", () => bigUploadIsRefused(master.page, 'master-file', 3));

test('after a full disk, smaller writes and reads work', async () => {
  const out = await run(slave.page, async () => {
    const db = document.getElementById('db');
    await db.put('after-full', { note: 'small' });
    await db.putAttachment('with-file', 'small.txt', 'a small file');
    const rows = await db.allDocs({ query: 'note:small' });
    return {
      after: await db.get('after-full'),
      before: await db.get('before-full'),
      attachments: Object.keys(await db.allAttachments('with-file')),
      text: await db.getAttachment('with-file', 'small.txt', { format: 'text' }),
      rows: rows.data.rows.map((r) => r.id),
    };
  }, undefined, 'small writes and reads');
  assert.deepEqual(out, {
    after: { note: 'small' },
    before: { note: 'stored before the disk filled' },
    attachments: ['small.txt'],
    text: 'a small file',
    rows: ['after-full'],
  });
  assert.deepEqual(await master.page.evaluate(storedOf, { id: 'with-file', name: 'small.txt' }),
    { document: 1, attachment: 1, chunks: 1, allChunks: 1 });
  assert.equal((await master.page.evaluate(() => window.__errors)).length, 3, 'no other error on the master');
});
