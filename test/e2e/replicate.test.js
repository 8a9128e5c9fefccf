// jIO's `replicate` between an `rtc` master and a WebDAV remote behind a link shaped like a
// satellite IP link (test/e2e/sat-link.js: tc tbf 400 kbit on a veth pair, 300 ms each way in a TCP
// proxy). The master page is a Chromium page with the real jIO on it (npm `jio` through
// test/jio/jio-browser-shim.js) and the bundle, which registers the `rtc` storage; <rtc-replicate>
// runs the sync. The remote is a WebDAV collection from npm's webdav-server, one JSON file per
// document, reached through test/jio/webdav-json-storage.js: npm `jio`'s Node build has no `dav`
// storage (docs/jio-storage.md "Tests"). Run: sh scripts/in-netns.sh node --test test/e2e/replicate.test.js
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, startStaticServer } from './harness.js';
import { startSatelliteRemote } from './sat-link.js';
import { run, withTimeout } from './steps.js';
import { openMaster } from './replicate-page.js';

const LONG = 180000;

/** `<rtc-replicate>.sync()` in the page, its result with `at` as text. */
const sync = (page) => run(page, async () => {
  const r = await document.querySelector('rtc-replicate').sync();
  return { ...r, at: r.at.toISOString() };
}, undefined, 'sync', LONG);

/** The remote's documents, through jIO in the page (the same description the replicate uses). */
const remoteDocs = (page, remote) => run(page, async (spec) => {
  const s = window.jIO.createJIO(spec);
  const ids = (await s.allDocs()).data.rows.map((r) => r.id);
  const docs = await Promise.all(ids.map((id) => s.get(id)));
  return Object.fromEntries(ids.map((id, i) => [id, docs[i]]));
}, remote, 'remoteDocs', LONG);

/** The master's documents, less jIO's signature document (`_replicate_<sha1>`, kept in the local storage). */
const localDocs = (page) => run(page, async () => {
  const rows = (await document.getElementById('db').allDocs({ include_docs: true })).data.rows;
  return Object.fromEntries(rows.filter((r) => !r.id.startsWith('_replicate_')).map((r) => [r.id, r.doc]));
});

let server;
let remote;
let browser;
before(async () => {
  [server, remote, browser] = await Promise.all([startStaticServer(), startSatelliteRemote(), launchChromium()]);
});
after(async () => {
  await Promise.allSettled([browser?.close(), remote?.close(), server?.stop()]);
});

test('replicate converges both ways over the shaped link, survives a cut, moves only what changed, settles a conflict', { timeout: 600000 }, async (t) => {
  t.diagnostic(`link: ${remote.qdisc}; 300 ms each way in the proxy; remote ${remote.url}`);
  const spec = {
    database: 'field-site',
    remote: { type: 'webdav-json', url: `${remote.url}field-site/`, timeout: 20000 },
    // conflict_handling 1: the field site's version wins; 4 documents at a time over the link.
    options: { conflict_handling: 1, parallel_operation_amount: 4 },
  };
  const { page } = await openMaster(browser, server, spec);
  const first = await run(page, () => document.querySelector('rtc-replicate').lastResult.failure ?? null);
  assert.equal(first, null, 'the first, empty sync');

  // 1. Both sides have documents of their own.
  await run(page, () => document.getElementById('db').bulkPut(Array.from({ length: 24 }, (_, i) => ({ id: `site-${i}`, doc: { kind: 'reading', n: i, note: 'x'.repeat(80) } }))));
  await run(page, (s) => Promise.all(Array.from({ length: 6 }, (_, i) => window.jIO.createJIO(s).put(`erp5-${i}`, { kind: 'order', n: i }))), spec.remote);
  await remote.reset();
  const both = await sync(page);
  assert.equal(both.failure, undefined, JSON.stringify(both.errors));
  assert.deepEqual([both.pushed, both.pulled], [24, 6]);
  const stats1 = await remote.stats();
  t.diagnostic(`first sync (24 up, 6 down): ${both.ms} ms, ${JSON.stringify(stats1)}`);
  const local1 = await localDocs(page);
  assert.deepEqual(await remoteDocs(page, spec.remote), local1, 'both sides hold the same 30 documents');
  assert.equal(Object.keys(local1).length, 30);

  // 2. The link is cut in the middle of a sync: the run fails, the next one finishes.
  await run(page, () => document.getElementById('db').bulkPut(Array.from({ length: 30 }, (_, i) => ({ id: `late-${i}`, doc: { kind: 'reading', n: 100 + i } }))));
  await remote.reset();
  const cutRun = sync(page);
  await withTimeout((async () => {
    while (((await remote.stats()).requests.PUT ?? 0) < 6) await new Promise((r) => setTimeout(r, 100));
  })(), LONG, 'six PUTs before the cut');
  const beforeCut = (await remote.stats()).requests.PUT;
  await remote.cut();
  const failed = await cutRun;
  t.diagnostic(`cut run: ${beforeCut} PUTs reached the remote before the cut, failure: ${failed.failure}`);
  assert.ok(failed.failure, 'a run cut in the middle fails');
  assert.equal(await run(page, () => document.querySelector('rtc-replicate').state), 'error');
  assert.match(await run(page, () => document.querySelector('rtc-replicate').shadowRoot.querySelector('[role=alert]').textContent), /Sync failed: .*unreachable|Sync failed: .*network/);
  await remote.restore();
  const resumed = await sync(page);
  assert.equal(resumed.failure, undefined, JSON.stringify(resumed.errors));
  // What reached the remote before the cut is not sent again (a PUT whose answer was lost is
  // found equal on both sides: jIO's "false conflict", no upload).
  assert.ok(resumed.pushed >= 1 && resumed.pushed <= 30 - beforeCut, `the next run pushes only the rest (${resumed.pushed} after ${beforeCut})`);
  const local2 = await localDocs(page);
  assert.equal(Object.keys(local2).length, 60);
  assert.deepEqual(await remoteDocs(page, spec.remote), local2, 'converged after the cut');

  // 3. A second run moves only what changed: 2 edited here, 1 there.
  await run(page, async () => {
    const db = document.getElementById('db');
    await db.put('site-1', { kind: 'reading', n: 1, note: 'edited on site' });
    await db.put('late-3', { kind: 'reading', n: 103, note: 'edited on site' });
  });
  await run(page, (s) => window.jIO.createJIO(s).put('erp5-2', { kind: 'order', n: 2, state: 'confirmed' }), spec.remote);
  await remote.reset();
  const small = await sync(page);
  const stats3 = await remote.stats();
  t.diagnostic(`incremental sync (2 up, 1 down, 60 documents): ${small.ms} ms, ${JSON.stringify(stats3)}`);
  assert.deepEqual([small.pushed, small.pulled, small.failure], [2, 1, undefined]);
  assert.equal(stats3.requests.PUT, 2, 'only the two changed documents are uploaded');
  assert.equal(stats3.requests.DELETE ?? 0, 0);
  // To see a remote modification jIO reads every remote document (this remote lists ids only).
  assert.equal(stats3.requests.GET, 60);
  assert.deepEqual(await run(page, () => document.getElementById('db').get('erp5-2')), { kind: 'order', n: 2, state: 'confirmed' });

  // 3b. Without check_remote_modification (README "Sync with ERP5": the satellite setting), a run
  // reads only the listing and what changed here.
  await run(page, () => {
    const el = document.querySelector('rtc-replicate');
    el.options = JSON.stringify({ ...JSON.parse(el.options), check_remote_modification: false });
  });
  await run(page, async () => {
    const db = document.getElementById('db');
    await db.put('site-2', { kind: 'reading', n: 2, note: 'edited again' });
    await db.put('late-4', { kind: 'reading', n: 104, note: 'edited again' });
  });
  await remote.reset();
  const lean = await sync(page);
  const stats4 = await remote.stats();
  t.diagnostic(`incremental push (2 up, check_remote_modification false): ${lean.ms} ms, ${JSON.stringify(stats4)}`);
  assert.deepEqual([lean.pushed, lean.pulled, lean.failure], [2, 0, undefined]);
  assert.deepEqual(stats4.requests, { PROPFIND: 1, GET: 2, PUT: 2 });
  // Down is mostly the PROPFIND listing (webdav-server's XML, ~800 bytes a document).
  assert.ok(stats4.up < stats1.up / 4, `bytes up ${stats4.up} vs ${stats1.up} for the first sync`);

  // 4. A conflict: the same document changed on both sides; conflict_handling 1 keeps the site's.
  await run(page, () => document.getElementById('db').put('erp5-4', { kind: 'order', n: 4, qty: 'site count: 7' }));
  await run(page, (s) => window.jIO.createJIO(s).put('erp5-4', { kind: 'order', n: 4, qty: 'office count: 9' }), spec.remote);
  const conflict = await sync(page);
  assert.deepEqual(conflict.conflicts, [{ id: 'erp5-4', resolution: 'kept local' }]);
  assert.deepEqual((await remoteDocs(page, spec.remote))['erp5-4'], { kind: 'order', n: 4, qty: 'site count: 7' });
  const shown = await run(page, () => document.querySelector('rtc-replicate').shadowRoot.querySelector('[part=conflicts]').textContent.replace(/\s+/g, ' '));
  assert.match(shown, /1 conflict .*erp5-4: kept local/);
});
