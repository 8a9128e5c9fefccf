// The broadcaster's site port (`sitePort`, `--site-port N`): a second origin serving the same routes,
// from which <rtc-site>'s Service Worker path serves sites (docs/site.md). Traffic on 127.0.0.1 only.
// Run after building: npx tsc -p broadcaster/tsconfig.json && node --test test/broadcaster/
import { test } from 'node:test';
import assert from 'node:assert/strict';

const { createBroadcaster } = await import(new URL('../../dist/broadcaster/server.js', import.meta.url).href);
const { parseArgs, bannerLines } = await import(new URL('../../dist/broadcaster/cli.js', import.meta.url).href);
const { parseRange, rangeBounds } = await import(new URL('../../dist/gadgets/site/sw/range.js', import.meta.url).href);

test('the site port serves the same files as the main port, and /info.json names it', async () => {
  const broadcaster = await createBroadcaster({ port: 0, sitePort: 0, host: '127.0.0.1' });
  try {
    assert.ok(broadcaster.sitePort > 0 && broadcaster.sitePort !== broadcaster.port);
    const info = await (await fetch(`http://127.0.0.1:${broadcaster.port}/info.json`)).json();
    assert.equal(info.sitePort, broadcaster.sitePort);
    const site = `http://127.0.0.1:${broadcaster.sitePort}`;
    const sw = await fetch(`${site}/dist/rtc-site-sw.js`);
    assert.equal(sw.status, 200);
    assert.match(sw.headers.get('content-type'), /^text\/javascript/);
    assert.match(await (await fetch(`${site}/dist/rtc-site-relay.html`)).text(), /rtc-site-relay\.js/);
    assert.equal((await fetch(`${site}/dist/rtc-site/abc/index.html`)).status, 404, 'the site URL space is the Service Worker\'s only');
  } finally {
    await broadcaster.close();
  }
  const plain = await createBroadcaster({ port: 0, host: '127.0.0.1' });
  try {
    assert.equal(plain.sitePort, undefined);
    assert.equal((await (await fetch(`http://127.0.0.1:${plain.port}/info.json`)).json()).sitePort, undefined);
  } finally {
    await plain.close();
  }
});

test('--site-port is parsed, checked and printed', () => {
  assert.equal(parseArgs(['--site-port', '10000'], {}).options.sitePort, 10000);
  assert.throws(() => parseArgs(['--site-port', 'x'], {}), /--site-port needs an integer/);
  const lines = bannerLines({ host: '127.0.0.1', port: 9999, urls: ['http://127.0.0.1:9999/'], sitePort: 10000 });
  assert.ok(lines.includes('Site port (<rtc-site> Service Worker path): 10000'), lines.join('\n'));
});

test('Range headers: single byte ranges, open ends capped, suffixes, 416 cases', () => {
  assert.deepEqual(parseRange('bytes=0-'), { start: 0 });
  assert.deepEqual(parseRange('bytes=5-9'), { start: 5, last: 9 });
  assert.deepEqual(parseRange('bytes=-500'), { suffix: 500 });
  for (const bad of [null, '', 'bytes=9-5', 'items=0-1', 'bytes=0-1,4-5', 'bytes=-']) assert.equal(parseRange(bad), null, bad);
  assert.deepEqual(rangeBounds({ start: 0 }, 10_000_000, 524288), [0, 524288]);
  assert.deepEqual(rangeBounds({ start: 9_999_000 }, 10_000_000, 524288), [9_999_000, 10_000_000]);
  assert.deepEqual(rangeBounds({ start: 5, last: 9_000_000 }, 100, 524288), [5, 100]);
  assert.deepEqual(rangeBounds({ suffix: 30 }, 100, 524288), [70, 100]);
  assert.deepEqual(rangeBounds({ suffix: 300 }, 100, 524288), [0, 100]);
  assert.equal(rangeBounds({ start: 100 }, 100, 524288), null);
  assert.equal(rangeBounds({ suffix: 0 }, 100, 524288), null);
  assert.equal(rangeBounds({ suffix: 5 }, 0, 524288), null);
});

test('without a site port, a loopback page uses the other loopback name as its site origin', async () => {
  const { defaultSiteOrigin } = await import(new URL('../../dist/gadgets/site/sw/index.js', import.meta.url).href);
  assert.equal(defaultSiteOrigin({ protocol: 'http:', hostname: '127.0.0.1', port: '9999' }), 'http://localhost:9999');
  assert.equal(defaultSiteOrigin({ protocol: 'https:', hostname: 'localhost', port: '' }), 'https://127.0.0.1');
  assert.equal(defaultSiteOrigin({ protocol: 'https:', hostname: '192.168.1.20', port: '9999' }), null);
});
