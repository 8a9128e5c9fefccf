// The offline pages' worker at build time (scripts/offline-worker.js): the manifest line it stamps,
// a version that follows the worker's code and every precached file (and nothing else), stamping
// twice changes nothing; and the broadcaster's Service-Worker-Allowed header on dist/offline/ only.
// Run after building: node --test test/node/offline-worker.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PRECACHE, WORKER, offlineManifest, stampOfflineWorker } from '../../scripts/offline-worker.js';

/** A package root with a package.json, every precached file and an unstamped worker. */
function fakeRoot() {
  const root = mkdtempSync(path.join(tmpdir(), 'rtc-offline-worker-'));
  const write = (file, text) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write('package.json', JSON.stringify({ version: '9.8.7' }));
  for (const file of PRECACHE) write(file, `contents of ${file}\n`);
  write(WORKER, '(function () { self.addEventListener("fetch", () => {}); })();\n');
  return { root, write };
}

test('the manifest line: version = package version + 8 hex digits, the precached files; stamping again changes nothing', () => {
  const { root } = fakeRoot();
  try {
    const manifest = stampOfflineWorker(root);
    assert.match(manifest.version, /^9\.8\.7\+[0-9a-f]{8}$/);
    assert.deepEqual(manifest.files, PRECACHE);
    assert.ok(PRECACHE.includes('demo/slave.html') && PRECACHE.includes('demo/pairing.html') && PRECACHE.includes('dist/rtc-gadgets.js'));
    const stamped = readFileSync(path.join(root, WORKER), 'utf8');
    const [first, ...rest] = stamped.split('\n');
    assert.equal(first, `const RTC_OFFLINE_MANIFEST = ${JSON.stringify(manifest)};`);
    assert.equal(rest.join('\n'), '(function () { self.addEventListener("fetch", () => {}); })();\n');
    assert.deepEqual(stampOfflineWorker(root), manifest);
    assert.equal(readFileSync(path.join(root, WORKER), 'utf8'), stamped, 'one manifest line, not two');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('any precached file or the worker\'s code makes a new version; other files do not', () => {
  const { root, write } = fakeRoot();
  try {
    const first = stampOfflineWorker(root).version;
    write('demo/master.html', 'not precached');
    assert.equal(offlineManifest(root).version, first);
    write('demo/pairing.html', 'a new pairing page');
    const second = stampOfflineWorker(root).version;
    assert.notEqual(second, first);
    write(WORKER, `${readFileSync(path.join(root, WORKER), 'utf8')}// a change in the worker\n`);
    assert.notEqual(offlineManifest(root).version, second);
    rmSync(path.join(root, 'dist/rtc-gadgets.js'));
    assert.throws(() => offlineManifest(root), { code: 'ENOENT' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the broadcaster lets dist/offline/ scripts control other folders (Service-Worker-Allowed), and only them', async () => {
  const { root } = fakeRoot();
  const { createBroadcaster } = await import(new URL('../../dist/broadcaster/server.js', import.meta.url).href);
  const server = await createBroadcaster({ port: 0, host: '127.0.0.1', root });
  try {
    const worker = await fetch(`http://127.0.0.1:${server.port}/${WORKER}`);
    assert.equal(worker.status, 200);
    assert.equal(worker.headers.get('service-worker-allowed'), '/');
    assert.match(worker.headers.get('content-type'), /^text\/javascript/);
    const bundle = await fetch(`http://127.0.0.1:${server.port}/dist/rtc-gadgets.js`);
    assert.equal(bundle.status, 200);
    assert.equal(bundle.headers.get('service-worker-allowed'), null);
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('every file a precached page loads (scripts, stylesheets) is precached too: offline, a missing one fails the page', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  for (const page of PRECACHE.filter((f) => f.endsWith('.html'))) {
    const html = readFileSync(path.join(root, page), 'utf8');
    for (const [, ref] of html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)) {
      if (/^(data:|https?:|#)/.test(ref)) continue;
      const file = path.posix.normalize(path.posix.join(path.posix.dirname(page), ref.replace(/[?#].*$/, '')));
      assert.ok(PRECACHE.includes(file), `${page} loads ${ref} (${file}), which is not precached`);
    }
  }
});
