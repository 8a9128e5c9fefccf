// End to end, for real: the broadcaster, the demo master page and the files slave page in
// separate browser contexts, real WebRTC. A slave uploads a 200 MiB file (made in the page from a
// seeded PRNG, as a Blob of 1 MiB parts), the master reloads mid-transfer, the upload resumes and
// sends less than the whole file again, a `get` is answered during the upload, progress is
// monotonic and ends at the total, and the file reads back with the same SHA-256.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { launchChromium, openConnected, startBroadcaster } from './harness.js';
import { seededRandom } from '../shared/seeded-random.js';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;
const SEED = 20261123;

/** The same stream as the page's (seededRandom's words, in 1 MiB parts), hashed here independently. */
function expectedDigest(size, seed) {
  const hash = createHash('sha256');
  const random = seededRandom(seed);
  for (let at = 0; at < size; at += MiB) {
    const part = new Uint8Array(Math.min(MiB, size - at));
    random.fill(new Uint32Array(part.buffer, 0, part.byteLength >>> 2));
    hash.update(part);
  }
  return `sha256-${hash.digest('hex')}`;
}

/** Runs in the slave page before its scripts: counts attachment bytes (data frames, kind 3) sent. */
function countDataFrames() {
  window.__sentData = 0;
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    if (data instanceof ArrayBuffer && data.byteLength > 16 && new Uint8Array(data, 1, 1)[0] === 3) window.__sentData += data.byteLength - 16;
    return send.call(this, data);
  };
}

let broadcaster;
let browser;
let master;
let slave;

before(async () => {
  broadcaster = await startBroadcaster();
  browser = await launchChromium();
  master = await openConnected(browser, `${broadcaster.origin}/demo/master.html`, 'rtc-master');
  const context = await browser.newContext();
  await context.addInitScript(countDataFrames);
  // the shared generator, from its source: the page makes the file and checks ranges with it
  await context.addInitScript({ content: `window.seededRandom = ${seededRandom};` });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${broadcaster.lanOrigin}/demo/files.html`);
  await page.waitForSelector('rtc-slave[state="connected"]', { timeout: 20000 });
  slave = { context, page, errors };
});

after(async () => {
  await browser?.close();
  await broadcaster?.stop();
});

test('a 200 MiB upload survives a master reload, resumes, and reads back identical', async () => {
  const want = expectedDigest(SIZE, SEED);
  // Make the file in the page, piece by piece, and start the upload.
  await slave.page.evaluate(async ({ size, seed }) => {
    const MiB = 1024 * 1024;
    const random = window.seededRandom(seed);
    const parts = [];
    for (let at = 0; at < size; at += MiB) {
      const part = new Uint8Array(Math.min(MiB, size - at));
      random.fill(new Uint32Array(part.buffer, 0, part.byteLength >>> 2));
      parts.push(new Blob([part]));
    }
    const blob = new Blob(parts, { type: 'application/octet-stream' });
    const db = document.getElementById('db');
    await db.put('shared-files', { title: 'e2e' });
    const state = (window.__upload = { progress: [], done: false, error: null, started: 0, ended: 0, times: [] });
    db.addEventListener('rtc-progress', (e) => {
      if (e.detail.name === 'big.bin') {
        state.progress.push([e.detail.loaded, e.detail.total]);
        state.times.push(performance.now());
      }
    });
    state.started = performance.now();
    db.putAttachment('shared-files', 'big.bin', blob).then(
      () => { state.done = true; state.ended = performance.now(); },
      (e) => { state.error = `${e.status_code} ${e.message}`; },
    );
  }, { size: SIZE, seed: SEED });

  const stored = () => slave.page.evaluate(() => {
    const p = window.__upload.progress;
    return { loaded: p.length ? p[p.length - 1][0] : 0, done: window.__upload.done, error: window.__upload.error };
  });

  // A `get` answered while the upload runs.
  await slave.page.waitForFunction(() => window.__upload.progress.some(([l]) => l > 0) || window.__upload.error, null, { timeout: 60000 });
  const get = await slave.page.evaluate(async () => {
    const t0 = performance.now();
    const doc = await document.getElementById('db').get('shared-files');
    return { doc, ms: performance.now() - t0, uploading: !window.__upload.done };
  });
  assert.deepEqual(get.doc, { title: 'e2e' });
  assert.equal(get.uploading, true, 'the get was answered before the upload ended');
  console.log(`# get during the upload answered in ${get.ms.toFixed(0)} ms`);

  // Reload the master once a good part is stored.
  await slave.page.waitForFunction(() => (window.__upload.progress.at(-1)?.[0] ?? 0) >= 60 * 1024 * 1024 || window.__upload.error, null, { timeout: 90000 });
  const before = await stored();
  assert.equal(before.error, null);
  assert.equal(before.done, false, 'the upload must still run when the master reloads');
  const sentBefore = await slave.page.evaluate(() => window.__sentData);
  await master.page.reload();
  await master.page.waitForSelector('rtc-master[state="connected"]', { timeout: 20000 });
  await slave.page.waitForFunction(() => document.querySelector('rtc-slave').state !== 'connected' || window.__upload.done, null, { timeout: 20000 }).catch(() => {});
  const sentAtReload = await slave.page.evaluate(() => window.__sentData);

  await slave.page.waitForFunction(() => window.__upload.done || window.__upload.error, null, { timeout: 150000, polling: 500 });
  const result = await slave.page.evaluate(() => ({ ...window.__upload, sent: window.__sentData }));
  assert.equal(result.error, null);
  const sentAfter = result.sent - sentAtReload;
  const seconds = (result.ended - result.started) / 1000;
  console.log(`# 200 MiB upload: ${seconds.toFixed(1)} s including the hash and a master reload (${(SIZE / MiB / seconds).toFixed(1)} MiB/s); ` +
    `stored ${(before.loaded / MiB).toFixed(0)} MiB before the reload, sent ${(sentBefore / MiB).toFixed(0)} MiB before, ${(sentAfter / MiB).toFixed(0)} MiB after`);
  {
    // Rates: hashing (start → first progress), then stored bytes per second before the reload.
    const t = result.times.map((x) => x - result.started);
    const p = result.progress.map(([l]) => l);
    const i60 = p.findIndex((l) => l >= before.loaded);
    const j = p.findIndex((l, k) => k > i60 && l > before.loaded); // first ack after the resume
    console.log(`# phases: hash ${(t[0] / 1000).toFixed(1)} s; ${(p[i60] / MiB).toFixed(0)} MiB stored at ${(t[i60] / 1000).toFixed(1)} s ` +
      `(${((p[i60] - p[1]) / MiB / ((t[i60] - t[1]) / 1000)).toFixed(1)} MiB/s); resumed at ${(t[j] / 1000).toFixed(1)} s; ` +
      `after the resume ${((SIZE - p[j]) / MiB / ((t.at(-1) - t[j]) / 1000)).toFixed(1)} MiB/s`);
  }
  assert.ok(sentAfter < SIZE, `after the reload only the rest was sent (${sentAfter} < ${SIZE})`);
  assert.ok(sentAfter <= SIZE - before.loaded + 16 * MiB, 'resumed from the last stored chunk');

  // Progress: monotonic, ending at total.
  const loaded = result.progress.map(([l]) => l);
  assert.ok(loaded.length > 10);
  for (let i = 1; i < loaded.length; i++) assert.ok(loaded[i] > loaded[i - 1], `progress monotonic at ${i}`);
  assert.deepEqual(result.progress.at(-1), [SIZE, SIZE]);

  // The master holds it with the digest computed here independently.
  const all = await master.page.evaluate(() => document.getElementById('db').allAttachments('shared-files'));
  assert.deepEqual(all['big.bin'], { content_type: 'application/octet-stream', length: SIZE, digest: want });

  // Read back over WebRTC (the slave checks the digest while receiving), plus ranges compared byte for byte.
  const back = await slave.page.evaluate(async ({ seed }) => {
    const db = document.getElementById('db');
    const t0 = performance.now();
    const blob = await db.getAttachment('shared-files', 'big.bin');
    const ms = performance.now() - t0;
    // Regenerate the stream up to a range and compare it with a range read.
    const word = (n) => {
      const random = window.seededRandom(seed);
      for (let i = 0; i < n; i++) random.next();
      return random.next();
    };
    const start = 37 * 1024 * 1024 + 12; // word-aligned, across no particular boundary
    const range = new Uint32Array(await db.getAttachment('shared-files', 'big.bin', { format: 'array_buffer', start, end: start + 64 }));
    const expected = Array.from({ length: 16 }, (_, i) => word(start / 4 + i));
    const tail = new Uint32Array(await blob.slice(blob.size - 8).arrayBuffer());
    return { size: blob.size, ms, range: Array.from(range), expected, tail: Array.from(tail), tailExpected: [word(blob.size / 4 - 2), word(blob.size / 4 - 1)] };
  }, { seed: SEED });
  assert.equal(back.size, SIZE);
  assert.deepEqual(back.range, back.expected);
  assert.deepEqual(back.tail, back.tailExpected);
  console.log(`# 200 MiB download over WebRTC (digest checked): ${(back.ms / 1000).toFixed(1)} s (${(SIZE / MiB / (back.ms / 1000)).toFixed(1)} MiB/s)`);
  assert.deepEqual(slave.errors, []);
});
