// Pages that work offline (README "Pages that work offline"), end to end with the real broadcaster
// process over HTTPS and a real Chromium: the pairing and slave pages, opened once, are kept by the
// offline pages' Service Worker (dist/offline/sw.js); with the broadcaster stopped they open again from
// the cache and pair by tokens with a master page served over plain http from another origin that stays
// up (there <rtc-offline> does nothing at all), and a put/get crosses the real data channel. Then a new
// version is served: the next visit replaces the cached copy and says "Updated to version …", and the
// copy opened offline afterwards is the new one.
// The broadcaster runs from a copy of the package (bin/, demo/, dist/ without the RenderJS folders) so
// that the test can serve a new version of the pages without touching the build.
// Run after `npm run build`: sh scripts/in-netns.sh node --test test/e2e/offline-pages.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { stampOfflineWorker, offlineManifest } from '../../scripts/offline-worker.js';
import { chromiumArgs, inNamespace, lanAddress, startStaticServer } from './harness.js';
import { closeQuietly, collectErrors, withTimeout } from './steps.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'rtc-offline-'));
const pkg = path.join(work, 'pkg');
const shots = path.join(tmpdir(), 'rtc-offline-shots');
mkdirSync(shots, { recursive: true });
const host = inNamespace ? '0.0.0.0' : '127.0.0.1';
let broadcaster;
let port = 0;
let plain;
let browser;
let context;

/** Copies what the broadcaster serves and runs from: bin/, demo/, dist/ (no RenderJS copies, no source maps). */
function copyPackage() {
  for (const folder of ['bin', 'demo']) cpSync(path.join(repo, folder), path.join(pkg, folder), { recursive: true });
  cpSync(path.join(repo, 'dist'), path.join(pkg, 'dist'), {
    recursive: true,
    filter: (from) => !/[\\/]renderjs(-harness)?$|\.map$|\.iife\.js$/.test(from),
  });
  cpSync(path.join(repo, 'package.json'), path.join(pkg, 'package.json'));
  symlinkSync(realpathSync(path.join(repo, 'node_modules')), path.join(pkg, 'node_modules'));
}

/** Runs the copy's `bin/rtc-broadcaster.js --https` on `port` (0: a free one, kept for the restarts). */
async function startCopy() {
  const child = spawn(process.execPath, [path.join(pkg, 'bin/rtc-broadcaster.js'), '--https', '--port', String(port), '--host', host, '--no-qr'], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: work },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const [first] = await withTimeout(new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve([line]));
    child.once('exit', (code) => reject(new Error(`broadcaster exited ${code}: ${stderr}`)));
  }), 20000, 'broadcaster started');
  port = Number(/:(\d+)\/$/.exec(first)?.[1]);
  assert.ok(port > 0, first);
  broadcaster = {
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const origin = () => `https://${lanAddress}:${port}`;

/** `page.goto` with a hard timeout: a page that waits for a broadcaster that is gone fails here. */
async function visit(page, url) {
  const started = Date.now();
  await withTimeout(page.goto(url), 15000, `opening ${url}`);
  return Date.now() - started;
}

/** Waits for `<rtc-offline>`'s notice on `page` and returns its text. */
async function noticeText(page, title) {
  const notice = page.locator('rtc-offline').getByRole('status');
  await withTimeout(notice.getByText(title).waitFor(), 20000, `notice "${title}" (state ${await page.locator('rtc-offline').getAttribute('state')})`);
  return (await notice.innerText()).replace(/\s+/g, ' ').trim();
}

async function shot(page, name, width = 900) {
  await page.setViewportSize({ width, height: 700 });
  await page.screenshot({ path: path.join(shots, `${name}-${width}.png`) });
}

before(async () => {
  copyPackage();
  await startCopy();
  plain = await startStaticServer();
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    // Stands for a device that trusts the certificate: Service Workers need it (test/e2e/https.test.js).
    args: [...chromiumArgs, '--ignore-certificate-errors'],
  });
  context = await browser.newContext();
});

after(async () => {
  await closeQuietly('Chromium', () => browser?.close());
  await closeQuietly('broadcaster', () => broadcaster?.stop());
  await closeQuietly('static server', () => plain?.stop());
  rmSync(work, { recursive: true, force: true });
});

test('opened once, the pairing and slave pages open again with the broadcaster stopped, and pair by tokens', async () => {
  const { version } = offlineManifest(pkg);
  const page = await context.newPage();
  const errors = collectErrors(page);
  await visit(page, `${origin()}/demo/pairing.html`);
  assert.equal(await noticeText(page, 'Works offline.'),
    `Works offline. This page is kept on this device (version ${version}): it opens even when the broadcaster is off. Dismiss`);
  await shot(page, 'saved');
  await shot(page, 'saved', 360);
  assert.deepEqual(await page.evaluate(() => caches.keys()), [`rtc-offline:${version}`]);
  await page.close();

  await broadcaster.stop();
  const offline = await context.newPage();
  const offlineErrors = collectErrors(offline);
  const ms = await visit(offline, `${origin()}/demo/pairing.html`);
  console.log(`# pairing.html opened from the cache in ${ms} ms`);
  assert.equal(await noticeText(offline, 'Opened without the broadcaster.'),
    `Opened without the broadcaster. This is the copy kept on this device (version ${version}). Dismiss`);
  await shot(offline, 'offline-pairing', 360);

  // The master: the pairing page over plain http from another origin, where <rtc-offline> does nothing.
  const masterPage = await (await browser.newContext()).newPage();
  const masterErrors = collectErrors(masterPage);
  await visit(masterPage, `${plain.lanOrigin}/demo/pairing.html`);
  if (inNamespace) {
    assert.deepEqual(await masterPage.evaluate(() => [isSecureContext, 'serviceWorker' in navigator]), [false, false]);
    assert.equal(await masterPage.locator('rtc-offline').getAttribute('state'), 'off');
    assert.equal(await masterPage.locator('rtc-offline').evaluate((el) => el.shadowRoot.childElementCount), 0);
  }

  // Pair by reading and typing the tokens, as a person would.
  const slavePane = offline.locator('rtc-slave');
  const masterPane = masterPage.locator('rtc-master');
  const offerShown = slavePane.getByRole('textbox', { name: 'Offer token', exact: true });
  await withTimeout(offerShown.waitFor(), 20000, 'offer shown');
  await masterPane.getByRole('textbox', { name: 'Offer token from the slave' }).fill(await offerShown.inputValue());
  await masterPane.getByRole('button', { name: 'Create answer' }).click();
  const answerShown = masterPane.getByRole('textbox', { name: 'Answer token', exact: true });
  await withTimeout(answerShown.waitFor(), 20000, 'answer shown');
  await slavePane.getByRole('textbox', { name: 'Answer token from the master' }).fill(await answerShown.inputValue());
  await slavePane.getByRole('button', { name: 'Connect' }).click();
  await withTimeout(offline.waitForSelector('rtc-slave[state="connected"]'), 30000, 'paired by tokens');
  const id = await offline.evaluate(() => document.getElementById('slave').put('cached-page', { from: 'the cached pairing page' }));
  assert.equal(id, 'cached-page');
  assert.deepEqual(await masterPage.evaluate(() => document.getElementById('master').get('cached-page')), { from: 'the cached pairing page' });
  assert.deepEqual(await offline.evaluate(() => document.getElementById('slave').get('cached-page')), { from: 'the cached pairing page' });

  // The slave page too (never opened before: precached with the rest): its notice switches its slave
  // to pairing by tokens, and it pairs with the same master as a second slave.
  const slavePage = await context.newPage();
  const slaveErrors = collectErrors(slavePage);
  await visit(slavePage, `${origin()}/demo/slave.html?room=shop`);
  const notice = slavePage.locator('rtc-offline');
  await noticeText(slavePage, 'Opened without the broadcaster.');
  await shot(slavePage, 'offline-slave');
  await shot(slavePage, 'offline-slave', 360);
  await notice.getByRole('button', { name: 'Pair by tokens here' }).click();
  assert.match(await noticeText(slavePage, 'This device now pairs by tokens'), /give its offer token, below, to the master\. Dismiss$/);
  assert.equal(await notice.evaluate((el) => el.shadowRoot.activeElement?.localName), 'p', 'the focus stays in the notice');
  assert.equal(await slavePage.locator('rtc-slave').getAttribute('signaling'), 'manual');
  const slaveOffer = slavePage.locator('rtc-slave').getByRole('textbox', { name: 'Offer token', exact: true });
  await withTimeout(slaveOffer.waitFor(), 20000, 'slave page offer shown');
  await shot(slavePage, 'offline-slave-pairing', 360);
  const answer = await masterPage.evaluate((token) => document.getElementById('master').acceptOffer(token), await slaveOffer.inputValue());
  await slavePage.locator('rtc-slave').getByRole('textbox', { name: 'Answer token from the master' }).fill(answer);
  await slavePage.locator('rtc-slave').getByRole('button', { name: 'Connect' }).click();
  await withTimeout(slavePage.waitForSelector('rtc-slave[state="connected"]'), 30000, 'slave page paired by tokens');
  await slavePage.evaluate(() => document.getElementById('db').put('cached-slave-page', { n: 2 }));
  assert.deepEqual(await masterPage.evaluate(() => document.getElementById('master').get('cached-slave-page')), { n: 2 });
  // Only the broadcaster's WebSocket, tried before the switch, may have failed on the slave page.
  assert.deepEqual(slaveErrors.filter((e) => !/WebSocket connection to 'wss:/.test(e.message)), []);
  assert.deepEqual([...errors, ...offlineErrors, ...masterErrors], []);
  await offline.close();
  await slavePage.close();
  await masterPage.context().close();
});

test('a new version replaces the cached copy on the next visit and says so', async () => {
  const before = offlineManifest(pkg).version;
  const file = path.join(pkg, 'demo/pairing.html');
  writeFileSync(file, readFileSync(file, 'utf8').replace('<h1>Pairing without a broadcaster</h1>', '<h1>Pairing without a broadcaster (v2)</h1>'));
  const { version } = stampOfflineWorker(pkg);
  assert.notEqual(version, before);
  await startCopy();

  const page = await context.newPage();
  const errors = collectErrors(page);
  await visit(page, `${origin()}/demo/pairing.html`);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Pairing without a broadcaster (v2)');
  assert.equal(await noticeText(page, 'Updated to version'),
    `Updated to version ${version}. The copy kept on this device for use without the broadcaster is now this version. Dismiss`);
  await shot(page, 'updated');
  await shot(page, 'updated', 360);
  assert.deepEqual(await page.evaluate(() => caches.keys()), [`rtc-offline:${version}`], 'the old copy is gone');
  // Dismiss hides it; the region stays for the next announcement.
  await page.locator('rtc-offline').getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await page.locator('rtc-offline').getByRole('status').innerText(), '');
  assert.deepEqual(errors, []);

  // Offline again: the copy on the device is the new version, and the update is not announced twice.
  await broadcaster.stop();
  await visit(page, `${origin()}/demo/pairing.html`);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Pairing without a broadcaster (v2)');
  assert.equal(await noticeText(page, 'Opened without the broadcaster.'),
    `Opened without the broadcaster. This is the copy kept on this device (version ${version}). Dismiss`);
  await page.close();
});

test('a server that takes connections and never answers: the page opens from the copy after the 3 s limit', async () => {
  // A machine that went away may leave its address answering nothing at all: a listener that accepts
  // and stays silent stands for it (the TLS handshake never completes).
  const sockets = new Set();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise((resolve, reject) => silent.once('error', reject).listen(port, host, resolve));
  try {
    const page = await context.newPage();
    const ms = await visit(page, `${origin()}/demo/pairing.html`);
    console.log(`# pairing.html opened from the cache in ${ms} ms with a silent server`);
    assert.ok(ms >= 3000, `the network had its 3 s first (${ms} ms)`);
    await noticeText(page, 'Opened without the broadcaster.');
    await withTimeout(page.locator('rtc-slave').getByRole('textbox', { name: 'Offer token', exact: true }).waitFor(), 20000, 'offer shown');
    await page.close();
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});
