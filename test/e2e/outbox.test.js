// Offline writes on a slave, end to end: the real broadcaster, the demo master page and the
// offline slave page (demo/offline-slave.html, `<rtc-slave queue>`) in separate browser contexts,
// real WebRTC. The master page closes; the slave writes 100 records, reloads (its outbox is in its own IndexedDB) and writes
// 100 more; the master page comes back (same context, so the same IndexedDB) and exactly 200
// records arrive, each applied once, while the slave's `rtc-queue-change` ends at 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openConnected, startBroadcaster } from './harness.js';
import { closeAll, rawDocuments, run } from './steps.js';

let broadcaster;
let browser;
let master;
let slave;
const ids = [];

before(async () => {
  broadcaster = await startBroadcaster();
  browser = await launchChromium();
});

after(() => closeAll({ server: broadcaster, chromium: browser }));

/** In the slave page: posts `count` records numbered from `from`; resolves with their ids. */
async function postRecords({ from, count }) {
  const db = document.getElementById('db');
  const out = [];
  for (let n = from; n < from + count; n++) out.push(await db.post({ n, first: `Offline ${n}` }));
  return out;
}

/** In the master page: the keys of the write log (`requests`) that the slave's outbox chose. */
async function outboxKeys() {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('rtc:default');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const keys = await new Promise((resolve, reject) => {
      const r = db.transaction('requests', 'readonly').objectStore('requests').getAllKeys();
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    return keys.filter((k) => String(k).startsWith('outbox:'));
  } finally {
    db.close();
  }
}

/** In the slave page: records every `rtc-queue-change` in `window.__queue`. */
function recordQueue() {
  window.__queue = [];
  document.getElementById('db').addEventListener('rtc-queue-change', (e) => window.__queue.push(e.detail.pending));
}

test('master and queueing slave connect', async () => {
  master = await openConnected(browser, `${broadcaster.origin}/demo/master.html`, 'rtc-master');
  slave = await openConnected(browser, `${broadcaster.lanOrigin}/demo/offline-slave.html`, 'rtc-slave');
  assert.equal(await slave.page.evaluate(() => document.getElementById('db').queue), true);
});

test('the master goes away; the slave writes 100 records, reloads, and writes 100 more', async () => {
  await master.page.close(); // its context stays: the master's IndexedDB is kept for its return
  const t0 = Date.now();
  await slave.page.waitForSelector('rtc-slave:not([state="connected"])', { timeout: 60000, state: 'attached' });
  console.log(`# the slave noticed the master leaving after ${Date.now() - t0} ms`);
  const t1 = Date.now();
  ids.push(...(await run(slave.page, postRecords, { from: 0, count: 100 }, 'first 100 posts')));
  console.log(`# 100 offline posts stored in the outbox in ${Date.now() - t1} ms`);
  assert.equal(await slave.page.evaluate(() => document.getElementById('db').pending), 100);

  // A read while the master is away still fails with 504, and says why.
  const read = await slave.page.evaluate(async (id) => {
    const db = document.getElementById('db');
    db.timeout = 1000;
    await db.updateComplete;
    try {
      await db.get(id);
      return 'resolved';
    } catch (e) {
      return `${e.status_code} ${e.message}`;
    } finally {
      db.timeout = 30000;
    }
  }, ids[0]);
  assert.match(read, /^504 .*the master is not reachable; writes are queued \(100 pending\)$/);

  await slave.page.reload();
  await slave.page.waitForFunction(() => document.getElementById('db')?.pending === 100, null, { timeout: 15000 });
  ids.push(...(await run(slave.page, postRecords, { from: 100, count: 100 }, 'second 100 posts')));
  assert.equal(await slave.page.evaluate(() => document.getElementById('db').pending), 200);
  assert.equal(new Set(ids).size, 200);
  await slave.page.waitForFunction(
    () => /200 writes queued for the master/.test(document.querySelector('rtc-status').shadowRoot.textContent), null, { timeout: 5000 });
});

test('the master comes back: exactly 200 records arrive, each applied once', async () => {
  await slave.page.evaluate(recordQueue);
  const page = await master.context.newPage();
  await page.goto(`${broadcaster.origin}/demo/master.html`);
  await page.waitForSelector('rtc-master[state="connected"]', { timeout: 20000 });
  const t0 = Date.now();
  await slave.page.waitForFunction(() => document.getElementById('db').pending === 0, null, { timeout: 30000 });
  console.log(`# the outbox drained ${Date.now() - t0} ms after the master page was opened again`);
  const seen = await slave.page.evaluate(() => window.__queue);
  assert.equal(seen.at(-1), 0);
  assert.deepEqual(seen, [...seen].sort((a, b) => b - a), 'the count only goes down while the outbox drains');

  const { docs, count } = await run(page, rawDocuments, { database: 'rtc:default', ids }, 'master IndexedDB');
  assert.equal(count, 200);
  assert.deepEqual(docs.map((d) => d?.n), ids.map((_, n) => n));
  // One write-log record per queued write: none was applied under a second key.
  assert.equal((await run(page, outboxKeys, undefined, 'write log')).length, 200);
  await slave.page.waitForFunction(
    () => /no writes queued/.test(document.querySelector('rtc-status').shadowRoot.textContent), null, { timeout: 5000 });
  // The slave reads them back from the master.
  const total = await slave.page.evaluate(async () => (await document.getElementById('db').allDocs()).data.total_rows);
  assert.equal(total, 200);
  assert.deepEqual(slave.errors.filter((e) => !/Lost the master|reconnecting|The master left/.test(e.message)), []);
});
