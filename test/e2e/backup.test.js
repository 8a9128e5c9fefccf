// End to end, as a person would: the demo master holds the 135,233 cities and a 200 MiB attachment;
// a slave (another browser context, real WebRTC through the real broadcaster) presses
// *Download backup* on an <rtc-backup> and the browser saves the ZIP; Python's zipfile opens and
// tests it. The first master goes away, a fresh master (an empty IndexedDB) takes the room, and
// the slave restores the file into it with *Restore from file* → *Replace everything* → confirm.
// The documents come back deep-equal and the attachment with the same digest. Then a truncated
// and a tampered copy are refused on the master with "Bad backup: <entry>", and nothing changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readSync, writeSync, closeSync, copyFileSync, truncateSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, loadCities, openConnected, startBroadcaster } from './harness.js';
import { seededRandom } from '../shared/seeded-random.js';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;
const SEED = 20261204;
const cities = loadCities();
const dir = mkdtempSync(join(tmpdir(), 'rtc-backup-'));

/** Every document of the page's master, by id, and the attachment's description. */
function readAll(page) {
  return page.evaluate(async () => {
    const db = document.getElementById('db');
    const rows = (await db.allDocs({ include_docs: true })).data.rows;
    return { docs: Object.fromEntries(rows.map((r) => [r.id, r.doc])), big: (await db.allAttachments('big').catch(() => ({})))['big.bin'] };
  });
}

/** Adds an <rtc-backup> bound to the page's element, as a page author would write it. */
function addBackupElement(page) {
  return page.evaluate(() => {
    const el = document.createElement('rtc-backup');
    el.setAttribute('for', 'db');
    document.body.append(el);
  });
}

let broadcaster, browser, master, slave;

before(async () => {
  [broadcaster, browser] = await Promise.all([startBroadcaster(), launchChromium()]);
  master = await openConnected(browser, `${broadcaster.origin}/demo/master.html`, 'rtc-master');
  await master.page.evaluate(`window.seededRandom = ${seededRandom};`);
  slave = await openConnected(browser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
  await addBackupElement(slave.page);
});

after(async () => {
  await browser?.close();
  await broadcaster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a slave backs up 135,233 cities and 200 MiB, and restores them into a fresh master', { timeout: 15 * 60000 }, async () => {
  await master.page.evaluate(async ({ docs, size, seed }) => {
    const db = document.getElementById('db');
    for (let at = 0; at < docs.length; at += 20000) await db.bulkPut(docs.slice(at, at + 20000).map((doc, i) => ({ id: `city-${at + i}`, doc })));
    const random = window.seededRandom(seed);
    const parts = [];
    for (let at = 0; at < size; at += 1024 * 1024) {
      const part = new Uint8Array(Math.min(1024 * 1024, size - at));
      random.fill(new Uint32Array(part.buffer, 0, part.byteLength >>> 2));
      parts.push(new Blob([part]));
    }
    await db.put('big', { title: 'a large file' });
    await db.putAttachment('big', 'big.bin', new Blob(parts, { type: 'application/octet-stream' }));
  }, { docs: cities, size: SIZE, seed: SEED });
  const original = await readAll(master.page);
  assert.equal(Object.keys(original.docs).length, cities.length + 1);
  assert.equal(original.big.length, SIZE);

  // The slave presses "Download backup"; the browser saves the file.
  const t0 = Date.now();
  const [download] = await Promise.all([
    slave.page.waitForEvent('download', { timeout: 10 * 60000 }),
    slave.page.locator('rtc-backup').getByRole('button', { name: 'Download backup' }).click(),
  ]);
  const today = new Date();
  const date = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  assert.equal(download.suggestedFilename(), `rtc-default-${date}.zip`);
  const zipPath = join(dir, download.suggestedFilename());
  await download.saveAs(zipPath);
  console.log(`# backup from a slave: ${(statSync(zipPath).size / MiB).toFixed(0)} MiB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await slave.page.locator('rtc-backup').getByText(/^Last backup from this browser/).waitFor();

  // Any unzip tool opens it: Python's zipfile reads and CRC-checks every entry.
  const listing = execFileSync('python3', ['-c', [
    'import hashlib, json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'assert z.testzip() is None',
    'big = hashlib.sha256()',
    'with z.open("attachments/big/big.bin") as f:',
    '    for piece in iter(lambda: f.read(1 << 20), b""): big.update(piece)',
    'print(json.dumps({"names": z.namelist(), "manifest": json.loads(z.read("manifest.json")), "big": "sha256-" + big.hexdigest()}))',
  ].join('\n'), zipPath], { encoding: 'utf8', maxBuffer: 16 * MiB });
  const { names, manifest, big } = JSON.parse(listing);
  assert.equal(big, original.big.digest, 'the attachment in the ZIP, hashed by Python, has the digest the master computed');
  assert.deepEqual(names.sort(), ['attachments.ndjson', 'attachments/big/big.bin', 'documents.ndjson', 'manifest.json']);
  assert.equal(manifest.database, 'default');
  assert.deepEqual(manifest.counts, { documents: cities.length + 1, attachments: 1 });

  // The first master goes; a fresh one (empty IndexedDB) takes the room; the slave finds it.
  await master.context.close();
  master = await openConnected(browser, `${broadcaster.origin}/demo/master.html`, 'rtc-master');
  await slave.page.waitForSelector('rtc-slave[state="connected"]', { timeout: 60000 });
  assert.equal((await readAll(master.page)).big, undefined);
  await master.page.evaluate(() => document.getElementById('db').put('stray', { gone: 'after replace' }));

  // The slave restores it: Replace everything, then confirm in the dialog.
  const backup = slave.page.locator('rtc-backup');
  await backup.getByRole('radio', { name: 'Replace everything' }).check();
  await backup.locator('input[type=file]').setInputFiles(zipPath);
  const dialog = backup.getByRole('dialog', { name: 'Replace everything?' });
  await dialog.waitFor();
  const t1 = Date.now();
  await dialog.getByRole('button', { name: 'Replace everything' }).click();
  await backup.getByText(/^Restored 135,234 records and 1 file/).waitFor({ timeout: 10 * 60000 });
  console.log(`# restore from a slave: ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  const restored = await readAll(master.page);
  assert.deepEqual(restored.docs, original.docs);
  assert.deepEqual(restored.big, original.big);
  // A truncated and a tampered copy are refused on the master with the entry named; nothing changes.
  const truncated = join(dir, 'truncated.zip');
  copyFileSync(zipPath, truncated);
  truncateSync(truncated, statSync(zipPath).size - 4096);
  const tampered = join(dir, 'tampered.zip');
  copyFileSync(zipPath, tampered);
  const fd = openSync(tampered, 'r+');
  const at = Math.floor(statSync(tampered).size / 2); // inside big.bin's stored bytes
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, at);
  byte[0] ^= 0xff;
  writeSync(fd, byte, 0, 1, at);
  closeSync(fd);
  const own = master.page.locator('rtc-backup');
  for (const [file, message] of [[truncated, /Bad backup: the file: not a ZIP file, or truncated/], [tampered, /Bad backup: attachments\/big\/big\.bin: /]]) {
    await own.locator('input[type=file]').setInputFiles(file);
    await own.getByRole('alert').filter({ hasText: message }).waitFor({ timeout: 120000 });
  }
  const after = await readAll(master.page);
  assert.deepEqual(after.docs, original.docs);
  assert.deepEqual(after.big, original.big);
  assert.deepEqual(slave.errors, []);
});
