// HTTPS pieces of the broadcaster (broadcaster/tls.ts, cli.ts, qr-page.ts) in Node: the per-user
// certificate folder, the checks on --cert/--key, the flags, the banner and the QR page. The browser
// side (secure context, camera, Service Worker) is test/e2e/https.test.js.
// Run after building: npx tsc -p broadcaster/tsconfig.json && node --test test/broadcaster/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnBroadcaster } from './flood-harness.js';

const importDist = (file) => import(new URL(`../../dist/${file}`, import.meta.url).href);
const tlsModule = await importDist('broadcaster/tls.js');
const { TlsError, certificateDir, loadGivenIdentity, loadOrCreateIdentity } = tlsModule;

test('the certificate folder is per user and per platform', () => {
  assert.equal(certificateDir({ XDG_CONFIG_HOME: '/x/config' }, 'linux', '/home/a'), '/x/config/rtc-gadgets');
  assert.equal(certificateDir({}, 'linux', '/home/a'), '/home/a/.config/rtc-gadgets');
  assert.equal(certificateDir({}, 'darwin', '/Users/a'), '/Users/a/Library/Application Support/rtc-gadgets');
  assert.match(certificateDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a'), /AppData.Roaming.rtc-gadgets$/);
});

test('a kept certificate is reused while it covers the addresses; a new address adds to it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rtc-tls-'));
  try {
    const first = await loadOrCreateIdentity(dir, ['192.168.1.5']);
    assert.equal(first.source, 'generated');
    const cert = new X509Certificate(first.cert);
    assert.equal(cert.fingerprint256, first.fingerprint);
    assert.ok(cert.checkIP('192.168.1.5') && cert.checkIP('127.0.0.1') && cert.checkHost('localhost'));
    assert.equal((await loadOrCreateIdentity(dir, ['192.168.1.5'])).fingerprint, first.fingerprint);
    const moved = await loadOrCreateIdentity(dir, ['10.0.0.7']);
    assert.equal(moved.source, 'generated');
    const both = new X509Certificate(moved.cert);
    assert.ok(both.checkIP('10.0.0.7') && both.checkIP('192.168.1.5'), both.subjectAltName);
    assert.equal((await loadOrCreateIdentity(dir, ['192.168.1.5'])).source, 'reused', 'moving back needs no new certificate');
    // Expiring within 30 days: made anew.
    const later = Date.parse(both.validTo) - 10 * 24 * 3600 * 1000;
    assert.equal((await loadOrCreateIdentity(dir, ['10.0.0.7'], later)).source, 'generated');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--cert/--key: unreadable files, a key of another certificate and a non-certificate are refused', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rtc-tls-'));
  try {
    const a = await loadOrCreateIdentity(path.join(dir, 'a'), []);
    const b = await loadOrCreateIdentity(path.join(dir, 'b'), []);
    const aKey = path.join(dir, 'a', 'broadcaster-key.pem');
    const bCert = path.join(dir, 'b', 'broadcaster-cert.pem');
    assert.equal(loadGivenIdentity(a.certPath, aKey).fingerprint, a.fingerprint);
    assert.throws(() => loadGivenIdentity(bCert, aKey), (e) => e instanceof TlsError && /is not the key of the certificate/.test(e.message));
    assert.throws(() => loadGivenIdentity(path.join(dir, 'none.pem'), aKey), (e) => e instanceof TlsError && /cannot read the certificate/.test(e.message));
    assert.throws(() => loadGivenIdentity(aKey, aKey), (e) => e instanceof TlsError && /not a PEM certificate/.test(e.message));
    assert.throws(() => loadGivenIdentity(a.certPath, a.certPath), (e) => e instanceof TlsError && /not a PEM private key/.test(e.message));
    assert.notEqual(a.fingerprint, b.fingerprint);
    // The CLI says so in one line and exits 1; with the right pair it serves HTTPS with it.
    const bad = await import('node:child_process').then(({ spawnSync }) => spawnSync(process.execPath,
      [new URL('../../bin/rtc-broadcaster.js', import.meta.url).pathname, '--port', '0', '--cert', bCert, '--key', aKey], { encoding: 'utf8' }));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^rtc-broadcaster: .* is not the key of the certificate/);
    const good = await spawnBroadcaster(['--cert', a.certPath, '--key', aKey]);
    try {
      assert.match(good.lines[0], /^rtc-broadcaster listening on https:\/\/127\.0\.0\.1:\d+\/$/);
      assert.ok(good.lines.includes(`Certificate SHA-256: ${a.fingerprint} (from ${a.certPath})`), good.lines.join('\n'));
      // Plain http on the same port: GET and HEAD are redirected to https, anything else is refused.
      const plain = await fetch(`http://127.0.0.1:${good.port}/demo/slave.html?room=x`, { redirect: 'manual' });
      assert.equal(plain.status, 307);
      assert.equal(plain.headers.get('location'), `https://127.0.0.1:${good.port}/demo/slave.html?room=x`);
      assert.equal((await fetch(`http://127.0.0.1:${good.port}/`, { method: 'POST', redirect: 'manual' })).status, 400);
    } finally {
      await good.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the HTTPS flags parse, and their mistakes are usage errors', async () => {
  const { parseArgs, UsageError } = await importDist('broadcaster/cli.js');
  assert.deepEqual(parseArgs(['--https'], {}).https, { self: true });
  assert.deepEqual(parseArgs(['--cert', 'c.pem', '--key=k.pem'], {}).https, { self: false, cert: 'c.pem', key: 'k.pem' });
  assert.equal(parseArgs([], {}).https, undefined);
  // HTTPS brings <rtc-site>'s second origin on the next port (README "Serve a site from the master").
  assert.equal(parseArgs(['--https'], {}).options.sitePort, 10000);
  assert.equal(parseArgs(['--https', '--port', '8443', '--site-port', '9000'], {}).options.sitePort, 9000);
  assert.equal(parseArgs(['--https', '--port', '0'], {}).options.sitePort, 0);
  assert.equal(parseArgs([], {}).options.sitePort, undefined);
  for (const [argv, message] of [
    [['--cert', 'c.pem'], /--cert and --key go together/],
    [['--key', 'k.pem'], /--cert and --key go together/],
    [['--https', '--cert', 'c.pem', '--key', 'k.pem'], /not both/],
    [['--https=yes'], /--https takes no value/],
    [['--cert'], /--cert needs a value/],
  ]) {
    assert.throws(() => parseArgs(argv, {}), (e) => e instanceof UsageError && message.test(e.message), argv.join(' '));
  }
});

test('the banner over HTTPS: https URLs, the fingerprint and the QR page, the slave page last', async () => {
  const { bannerLines } = await importDist('broadcaster/cli.js');
  const lines = bannerLines({ host: '0.0.0.0', port: 9999, urls: ['https://127.0.0.1:9999/', 'https://192.168.1.5:9999/'], fingerprint: 'AB:CD' },
    ['192.168.1.5'], 'kept in ~/.config/rtc-gadgets');
  assert.deepEqual(lines, [
    'rtc-broadcaster listening on https://0.0.0.0:9999/',
    '  Local:  https://127.0.0.1:9999/',
    '  LAN:    https://192.168.1.5:9999/',
    'Certificate SHA-256: AB:CD (kept in ~/.config/rtc-gadgets)',
    'QR page with the fingerprint: https://192.168.1.5:9999/qr',
    'Master page: https://127.0.0.1:9999/demo/master.html',
    'Slave page: https://192.168.1.5:9999/demo/slave.html',
  ]);
});

test('the QR page: each LAN address, one QR code, the fingerprint in four lines, nothing unescaped', async () => {
  const { qrPageHtml, fingerprintLines } = await importDist('broadcaster/qr-page.js');
  const { broadcasterInfo } = await importDist('broadcaster/info.js');
  const fingerprint = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
  assert.deepEqual(fingerprintLines(fingerprint).map((l) => l.split(':').length), [8, 8, 8, 8]);
  const info = broadcasterInfo(['https://127.0.0.1:9/', 'https://192.168.1.5:9/', 'https://10.0.0.7:9/'], fingerprint);
  assert.equal(info.qrPage, 'https://192.168.1.5:9/qr');
  const html = qrPageHtml(info);
  assert.equal(html.match(/<svg /g).length, 1);
  assert.match(html, /aria-label="QR code of the slave page address"/);
  assert.ok(html.includes('href="https://192.168.1.5:9/demo/slave.html"') && html.includes('href="https://10.0.0.7:9/demo/slave.html"'));
  assert.ok(fingerprintLines(fingerprint).every((line) => html.includes(line)));
  assert.doesNotMatch(qrPageHtml(broadcasterInfo(['http://127.0.0.1:9/'])), /Certificate fingerprint|<pre/, 'no fingerprint section over http');
  const hostile = qrPageHtml({ ...info, fingerprint: '<script>x</script>' });
  assert.doesNotMatch(hostile, /<script>/);
});
