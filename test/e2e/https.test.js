// `rtc-broadcaster --https` end to end (README "HTTPS on the LAN"): the self-signed certificate is
// made once in a per-user folder (XDG_CONFIG_HOME here, a temporary one) and reused; its SHA-256
// fingerprint is the one the TLS handshake presents, printed, in /info.json and on the /qr page. A
// slave page on the LAN address over HTTPS is a secure context: a Service Worker registers,
// `navigator.storage.persist` exists, signaling runs as wss on the same port, and the pairing panel's
// camera scanner reads the master's answer token from Chromium's fake camera playing a .y4m of its QR
// code (written here with the `qr` package). Over plain http the same page is not a secure context.
// Run after `npm run build`: sh scripts/in-netns.sh node --test test/e2e/https.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { chromium } from 'playwright-core';
import encodeQR from 'qr';
import { spawnBroadcaster } from '../broadcaster/flood-harness.js';
import { chromiumArgs, inNamespace, lanAddress } from './harness.js';
import { closeQuietly, collectErrors, withTimeout } from './steps.js';

const home = mkdtempSync(path.join(tmpdir(), 'rtc-https-'));
const env = { ...process.env, XDG_CONFIG_HOME: home };
const certDir = path.join(home, 'rtc-gadgets');
const camera = path.join(home, 'camera.y4m');
const host = inNamespace ? '0.0.0.0' : '127.0.0.1';
let server;
let browser;

/** The certificate the server at 127.0.0.1:`port` presents in its TLS handshake. */
function presented(port) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

/**
 * A 640×480 YUV4MPEG2 video (4:2:0, 2 identical frames that Chromium loops) of `text`'s QR code,
 * black on white, 5 px a module, centred. Chromium's fake capture device plays it as the camera.
 */
function writeQrVideo(file, text) {
  const [width, height, scale] = [640, 480, 5];
  const matrix = encodeQR(text, 'raw', { ecc: 'medium', border: 4 });
  const side = matrix.length * scale;
  assert.ok(side <= height, `QR of ${text.length} characters: ${matrix.length} modules do not fit`);
  const luma = Buffer.alloc(width * height, 235);
  const [left, top] = [(width - side) >> 1, (height - side) >> 1];
  matrix.forEach((row, y) => row.forEach((dark, x) => {
    if (!dark) return;
    for (let dy = 0; dy < scale; dy++) luma.fill(16, (top + y * scale + dy) * width + left + x * scale, (top + y * scale + dy) * width + left + (x + 1) * scale);
  }));
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]));
}

/** `page.goto` that retries once or twice on ERR_NETWORK_CHANGED (the namespace's links just came up). */
async function open(context, url, page = undefined) {
  page ??= await context.newPage();
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url);
      return page;
    } catch (e) {
      if (attempt >= 3 || !/ERR_NETWORK_CHANGED/.test(e.message)) throw e;
    }
  }
}

before(async () => {
  writeQrVideo(camera, 'not a token yet'); // replaced by the answer's QR code before scanning
  server = await spawnBroadcaster(['--https', '--host', host], env);
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    // --ignore-certificate-errors stands for a phone that trusts the certificate (README): a
    // certificate error that is only bypassed (ignoreHTTPSErrors) lets pages load but not register
    // Service Workers, which the last test shows.
    args: [...chromiumArgs, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${camera}`, '--ignore-certificate-errors'],
  });
});

after(async () => {
  await closeQuietly('Chromium', () => browser?.close());
  await closeQuietly('broadcaster', () => server?.stop());
  rmSync(home, { recursive: true, force: true });
});

test('--https makes a certificate in the per-user folder, prints its fingerprint, and reuses it', async () => {
  assert.match(server.lines[0], new RegExp(`^rtc-broadcaster listening on https://${host.replace(/\./g, '\\.')}:\\d+/$`));
  const line = server.lines.find((l) => l.startsWith('Certificate SHA-256: '));
  assert.ok(line, server.lines.join('\n'));
  const fingerprint = /^Certificate SHA-256: ([0-9A-F:]{95}) \(new, kept in (.+)\)$/.exec(line);
  assert.ok(fingerprint, line);
  assert.equal(fingerprint[2], certDir);
  assert.equal(statSync(path.join(certDir, 'broadcaster-key.pem')).mode & 0o777, 0o600);
  const cert = await presented(server.port);
  assert.equal(cert.fingerprint256, fingerprint[1], 'the fingerprint printed is the one presented');
  assert.ok(cert.checkIP('127.0.0.1') && cert.checkHost('localhost'));
  if (inNamespace) assert.ok(cert.checkIP(lanAddress), `covers ${lanAddress}: ${cert.subjectAltName}`);
  const info = JSON.parse(await httpsGet(server.port, '/info.json'));
  assert.equal(info.fingerprint, fingerprint[1]);
  assert.match(info.slavePage, /^https:\/\//);

  // A second start reuses it (phones that accepted it are not asked again).
  const again = await spawnBroadcaster(['--https', '--host', '127.0.0.1'], env);
  try {
    assert.ok(again.lines.includes(`Certificate SHA-256: ${fingerprint[1]} (kept in ${certDir})`), again.lines.join('\n'));
    assert.equal((await presented(again.port)).fingerprint256, fingerprint[1]);
  } finally {
    await again.stop();
  }
});

/** GET over HTTPS without checking the certificate (Node's fetch has no per-call switch for it). */
function httpsGet(port, pathname) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => { text += chunk; });
    socket.on('end', () => resolve(text.slice(text.indexOf('\r\n\r\n') + 4)));
    socket.on('error', reject);
  });
}

test('the QR page shows the slave page address, its QR code and the fingerprint', async () => {
  const info = JSON.parse(await httpsGet(server.port, '/info.json'));
  const context = await browser.newContext({ viewport: { width: 480, height: 900 } });
  try {
    const page = await open(context, info.qrPage);
    const shown = (await page.locator('pre.fingerprint').innerText()).replace(/\s+/g, ':');
    assert.equal(shown, info.fingerprint);
    assert.equal(await page.getByRole('link', { name: info.slavePage }).count(), 1);
    await page.getByRole('img', { name: 'QR code of the slave page address' }).waitFor();
    await page.screenshot({ path: path.join(tmpdir(), 'rtc-https-qr-page.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

test('over HTTPS on the LAN address the slave page is a secure context: Service Worker, persist(), wss', async () => {
  const context = await browser.newContext();
  try {
    const master = await open(context, `https://127.0.0.1:${server.port}/demo/master.html`);
    const slave = await context.newPage();
    const sockets = [];
    slave.on('websocket', (ws) => sockets.push(ws.url()));
    const errors = collectErrors(slave);
    await open(context, `https://${lanAddress}:${server.port}/demo/slave.html`, slave);
    // Any same-origin script shows that registering is allowed (a pure module of dist/ here).
    const features = await slave.evaluate(async () => {
      const registration = await navigator.serviceWorker.register('/dist/gadgets/signaling/messages.js', { type: 'module', scope: '/dist/gadgets/signaling/' });
      const worker = registration.installing ?? registration.waiting ?? registration.active;
      return {
        secure: isSecureContext,
        scope: registration.scope,
        worker: Boolean(worker),
        persist: typeof navigator.storage.persist,
        persisted: typeof (await navigator.storage.persist()),
        subtle: typeof crypto.subtle?.digest,
        camera: typeof navigator.mediaDevices?.getUserMedia,
      };
    });
    assert.deepEqual(features, {
      secure: true, scope: `https://${lanAddress}:${server.port}/dist/gadgets/signaling/`, worker: true,
      persist: 'function', persisted: 'boolean', subtle: 'function', camera: 'function',
    });
    // Signaling over wss on the same port: the slave reaches the master and writes through it.
    await withTimeout(slave.waitForSelector('rtc-slave[state="connected"]'), 20000, 'slave connected over wss');
    assert.ok(sockets.length > 0 && sockets.every((url) => url.startsWith(`wss://${lanAddress}:${server.port}/`)), sockets.join(' '));
    await slave.evaluate(() => document.getElementById('db').put('over-https', { ok: true }));
    assert.deepEqual(await master.evaluate(() => document.getElementById('db').get('over-https')), { ok: true });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the pairing page scans the master\'s answer token with the (fake) camera over HTTPS', async () => {
  const masterContext = await browser.newContext();
  const slaveContext = await browser.newContext();
  try {
    const m = await open(masterContext, `https://127.0.0.1:${server.port}/demo/pairing.html`);
    const s = await open(slaveContext, `https://${lanAddress}:${server.port}/demo/pairing.html`);
    const slavePane = s.locator('rtc-slave');
    const offerBox = slavePane.getByRole('textbox', { name: 'Offer token', exact: true });
    await withTimeout(offerBox.waitFor(), 20000, 'offer shown');
    const offer = (await offerBox.inputValue()).replace(/\s+/g, '');
    const answer = (await m.evaluate((token) => document.getElementById('master').acceptOffer(token), offer)).replace(/\s+/g, '');
    writeQrVideo(camera, answer);
    // The camera is listed (enumerateDevices), so the panel offers scanning even without BarcodeDetector.
    const scan = slavePane.getByRole('button', { name: 'Scan QR code' });
    await withTimeout(scan.waitFor(), 10000, 'Scan QR code offered');
    await scan.click();
    // The camera view shows only while scanning: a decode of the first frames can close it before
    // a poll sees it (a clean-clone CI run waited 30 s for it so), so the proof of the scan is the
    // connection, made with an answer token that only the camera has.
    await withTimeout(s.waitForSelector('rtc-slave[state="connected"]'), 30000,
      `slave connected by scanning (alerts: ${await slavePane.getByRole('alert').allTextContents().catch(() => [])})`);
    await s.evaluate(() => document.getElementById('slave').put('scanned', { by: 'camera' }));
    assert.deepEqual(await m.evaluate(() => document.getElementById('master').get('scanned')), { by: 'camera' });
  } finally {
    await masterContext.close();
    await slaveContext.close();
  }
});

test('a bypassed certificate error loads the page but blocks Service Workers; plain http on the LAN is not secure', async () => {
  // Another Chromium without --ignore-certificate-errors: the certificate error is bypassed, as a
  // person does in the warning page.
  const bypassing = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: chromiumArgs });
  const plain = inNamespace ? await spawnBroadcaster(['--host', host]) : null;
  try {
    const context = await bypassing.newContext({ ignoreHTTPSErrors: true });
    const page = await open(context, `https://${lanAddress}:${server.port}/demo/slave.html`);
    const result = await page.evaluate(async () => ({
      secure: isSecureContext,
      persist: typeof navigator.storage.persist,
      register: await navigator.serviceWorker.register('/dist/gadgets/signaling/messages.js', { type: 'module', scope: '/dist/gadgets/signaling/' })
        .then(() => 'registered', (e) => e.name),
    }));
    assert.deepEqual(result, { secure: true, persist: 'function', register: 'SecurityError' });
    if (plain) {
      const insecure = await open(context, `http://${lanAddress}:${plain.port}/demo/slave.html`);
      assert.deepEqual(await insecure.evaluate(() => [isSecureContext, typeof navigator.serviceWorker, typeof navigator.mediaDevices]),
        [false, 'undefined', 'undefined']);
    }
  } finally {
    await bypassing.close();
    await plain?.stop();
  }
});
