// The Service Worker path of <rtc-site> (docs/site.md), for real: the broadcaster, a master page
// holding the site's files as attachments, a slave page on a loopback origin (a secure context)
// reaching it over a real data channel, and the Service Worker on the other loopback name serving
// the frame: a page with its CSS, image and fetch(); two sites apart; a 503 once the host is gone;
// a 64 MiB video seeked to its middle plays after at most 4 MiB sent by the master; the same with a
// Firefox slave, and a slave on a LAN address.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { chromiumArgs, inNamespace, lanAddress, launchChromium, launchFirefox } from './harness.js';
import { openMaster, openSlave, showSite } from './site-sw-steps.js';
import { makeWebm } from './webm.js';

const MiB = 1024 * 1024;
const { createBroadcaster } = await import(new URL('../../dist/broadcaster/server.js', import.meta.url).href);
let broadcaster, origin, browser, master, slave;

before(async () => {
  // The real broadcaster, in this process, with a site port: the site origin of every slave here.
  [broadcaster, browser] = await Promise.all([
    createBroadcaster({ port: 0, sitePort: 0, host: inNamespace ? '0.0.0.0' : '127.0.0.1' }),
    launchChromium(),
  ]);
  origin = `http://127.0.0.1:${broadcaster.port}`;
  master = await openMaster(browser, origin);
  await master.evaluate(async () => {
    const db = document.getElementById('db');
    const canvas = Object.assign(document.createElement('canvas'), { width: 4, height: 4 });
    const g = canvas.getContext('2d');
    g.fillStyle = 'rgb(200, 30, 40)';
    g.fillRect(0, 0, 4, 4);
    const png = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    const html = (title, body) => new Blob([`<!doctype html><title>${title}</title><link rel="stylesheet" href="css/site.css">${body}`], { type: 'text/html' });
    await db.put('site-a', { title: 'A' });
    await db.putAttachment('site-a', 'index.html', html('Site A', '<h1>A</h1><img id="dot" src="img/dot.png" width="40" height="40"><a href="b%20page.html">b</a>'));
    await db.putAttachment('site-a', 'b page.html', html('Site A page B', '<h1>B</h1>'));
    await db.putAttachment('site-a', 'css/site.css', new Blob(['body { background: rgb(1, 2, 3); color: white }'], { type: 'text/css' }));
    await db.putAttachment('site-a', 'img/dot.png', png);
    await db.putAttachment('site-a', 'data.json', new Blob(['{"answer":42}'], { type: 'application/json' }));
    await db.put('site-b', { title: 'B' });
    await db.putAttachment('site-b', 'index.html', html('Site B', '<h1>Other</h1>'));
    await db.putAttachment('site-b', 'css/site.css', new Blob(['body { background: rgb(9, 8, 7) }'], { type: 'text/css' }));
  });
  slave = await openSlave(browser, origin);
});

after(async () => {
  await browser?.close();
  await broadcaster?.close();
});

/** The frame of the element `#id` in `page` (playwright or puppeteer). */
async function frameOf(id, page = slave.page) {
  const handle = await page.$(`#${id}`);
  return handle.contentFrame();
}

/** Runs in the site's frame: what its page shows and what its `fetch()` gets. */
async function inspectSite() {
  const img = document.getElementById('dot');
  await img.decode();
  const c = Object.assign(document.createElement('canvas'), { width: 1, height: 1 });
  c.getContext('2d').drawImage(img, 0, 0, 1, 1);
  const response = await fetch('data.json');
  let parentReadable;
  try {
    parentReadable = Boolean(window.parent.document);
  } catch {
    parentReadable = false;
  }
  return {
    title: document.title,
    background: getComputedStyle(document.body).backgroundColor,
    pixel: [...c.getContext('2d').getImageData(0, 0, 1, 1).data],
    json: await response.json(),
    type: response.headers.get('content-type'),
    controlled: Boolean(navigator.serviceWorker.controller),
    missing: (await fetch('nope.html')).status,
    parentReadable,
  };
}

/**
 * Shows site A in `page` (on `host`) through the Service Worker and checks its page, CSS, image,
 * fetch() and a link; the frame's URL is on the broadcaster's site port.
 */
async function checkSiteA(page, host = '127.0.0.1') {
  const shown = await showSite(page, 'site-a', 'index.html', 'a');
  assert.equal(shown.kind, 'service-worker');
  assert.ok(shown.url.startsWith(`http://${host}:${broadcaster.sitePort}/dist/rtc-site/`), shown.url);
  assert.match(shown.url, /\/rtc-site\/[0-9a-f]{32}\/index\.html$/);
  const frame = await frameOf('a', page);
  const seen = await frame.evaluate(inspectSite);
  assert.equal(seen.title, 'Site A');
  assert.equal(seen.background, 'rgb(1, 2, 3)');
  assert.deepEqual(seen.pixel, [200, 30, 40, 255]);
  assert.deepEqual(seen.json, { answer: 42 });
  assert.equal(seen.type, 'application/json');
  assert.equal(seen.controlled, true);
  assert.equal(seen.missing, 404);
  assert.equal(seen.parentReadable, false, 'the site must not reach the host page');
  // A link moves inside the frame.
  await Promise.all([frame.waitForNavigation(), frame.click('a')]);
  assert.equal(await frame.evaluate(() => document.title), 'Site A page B');
  assert.equal(await frame.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(1, 2, 3)');
}

test('a page, its CSS, its image and its fetch() load through the Service Worker', () => checkSiteA(slave.page));

test('two sites in one page stay apart, a page prefix runs, ranges are answered, a closed host gives 503', async () => {
  await showSite(slave.page, 'site-b', '', 'b', '<script>window.bridged = "PATH"</script>');
  const a = await frameOf('a');
  const b = await frameOf('b');
  assert.equal(await b.evaluate(() => document.title), 'Site B');
  assert.equal(await b.evaluate(() => window.bridged), 'index.html', 'the page prefix ran first');
  assert.equal(await b.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(9, 8, 7)');
  // Site B has no data.json; site A's frame cannot read site B's files through its own key.
  assert.equal(await b.evaluate(async () => (await fetch('data.json')).status), 404);
  const bUrl = b.url();
  assert.equal(await a.evaluate(async (url) => (await fetch(url)).status, bUrl), 403);
  const ranges = await a.evaluate(async () => {
    const get = async (range) => {
      const r = await fetch('data.json', { headers: { Range: range } });
      return [r.status, r.headers.get('content-range'), await r.text()];
    };
    return [await get('bytes=2-7'), await get('bytes=-4'), await get('bytes=10-'), await get('bytes=99-')];
  });
  assert.deepEqual(ranges, [
    [206, 'bytes 2-7/13', 'answer'],
    [206, 'bytes 9-12/13', '42}'.padStart(4, ':')],
    [206, 'bytes 10-12/13', '42}'],
    [416, 'bytes */13', ''],
  ]);
  await slave.page.evaluate(() => window.__servers.b.dispose());
  const gone = await b.evaluate(async () => {
    const r = await fetch('index.html');
    return [r.status, await r.text()];
  });
  assert.equal(gone[0], 503);
  assert.match(gone[1], /was closed or reloaded/);
  assert.equal(await a.evaluate(async () => (await fetch('data.json')).status), 200, 'site A still served');
});

/** Runs in the site's frame: resolves once `#v` has its metadata (at once when its preload is `none`). */
async function videoReady() {
  const v = document.getElementById('v');
  if (v.preload !== 'none' && v.readyState < 1) await new Promise((resolve) => v.addEventListener('loadedmetadata', resolve, { once: true }));
}

/**
 * Runs in the site's frame: seeks `#v` to the middle of its `duration` seconds (before it read
 * anything when its preload is `none`), plays it, and resolves once `currentTime` advanced past it.
 */
async function playFromMiddle({ duration }) {
  const v = document.getElementById('v');
  const failed = new Promise((resolve, reject) => v.addEventListener('error', () => reject(new Error(`video error ${v.error?.code} ${v.error?.message}`))));
  const target = duration / 2;
  v.currentTime = target;
  await Promise.race([v.play(), failed]);
  while (!(v.currentTime > target)) await Promise.race([new Promise((r) => setTimeout(r, 5)), failed]);
  return { duration: v.duration, target, now: v.currentTime, width: v.videoWidth };
}

/** Runs in the site's frame: frames `#v` decoded (waiting up to 5 s for one) and how bright it is (0-255). */
async function videoDecoded() {
  const v = document.getElementById('v');
  for (let i = 0; i < 100 && v.getVideoPlaybackQuality().totalVideoFrames === 0; i++) await new Promise((r) => setTimeout(r, 50));
  const c = Object.assign(document.createElement('canvas'), { width: 32, height: 24 });
  const g = c.getContext('2d');
  g.drawImage(v, 0, 0, 32, 24);
  const px = g.getImageData(0, 0, 32, 24).data;
  let sum = 0;
  for (let i = 0; i < px.length; i += 4) sum += (px[i] + px[i + 1] + px[i + 2]) / 3;
  return { frames: v.getVideoPlaybackQuality().totalVideoFrames, brightness: sum / (px.length / 4) };
}

let movie;
/** Stores the 64 MiB video on the master, once: `{ size, duration }` (bytes, seconds). */
function storeMovie() {
  movie ??= master.evaluate(`(async () => {
    const blob = await (${makeWebm})({ minBytes: ${64 * MiB}, width: 320, height: 240, fps: 30, bitrate: 6000000 });
    const db = document.getElementById('db');
    const page = (preload) => new Blob(['<!doctype html><video id="v" src="movie.webm" muted preload="' + preload + '" width="320" height="240"></video>'], { type: 'text/html' });
    await db.put('movie', { title: 'movie' });
    await db.putAttachment('movie', 'movie.webm', blob);
    await db.putAttachment('movie', 'none.html', page('none'));
    await db.putAttachment('movie', 'metadata.html', page('metadata'));
    return { size: blob.size, duration: blob.duration };
  })()`);
  return movie;
}

/**
 * In `page` (a slave page; `name` its browser), shows the video page with preload `none`, then
 * `metadata`, seeks each to the middle and plays it, counting what the master sent: all of it for
 * `none`, from the seek for `metadata` (the browser preloads some of the start first). The count is
 * read after the frame answered, so it errs high.
 */
async function seekMovie(page, name) {
  const made = await storeMovie();
  assert.ok(made.size >= 64 * MiB, `video of ${made.size} bytes`);
  const sent = () => master.evaluate(() => window.__sentData);
  const runs = {};
  for (const preload of ['none', 'metadata']) {
    const id = `movie-${preload}`;
    const start = await sent();
    await showSite(page, 'movie', `${preload}.html`, id);
    const frame = await frameOf(id, page);
    await frame.evaluate(videoReady);
    const seek = await sent();
    const played = await frame.evaluate(playFromMiddle, { duration: made.duration });
    const end = await sent();
    const decoded = await frame.evaluate(videoDecoded);
    const r = (runs[preload] = { ...played, ...decoded, total: end - start, afterSeek: end - seek, metadata: seek - start });
    console.log(`${name}, preload=${preload}: video ${(made.size / MiB).toFixed(1)} MiB, ${r.duration.toFixed(1)} s; seeked to ${r.target.toFixed(1)} s, ` +
      `playing at ${r.now.toFixed(2)} s; the master sent ${(r.total / MiB).toFixed(2)} MiB of attachment data ` +
      `(${(r.metadata / MiB).toFixed(2)} MiB before the seek, ${(r.afterSeek / MiB).toFixed(2)} MiB from the seek to playing)`);
    r.reads = (await page.evaluate((key) => window.__reads[key], id)).map(([p, a, b]) => `${p} ${a / 1024}-${b / 1024} KiB`).join(', ');
    assert.equal(r.width, 320);
    assert.ok(r.frames > 0, 'frames decoded');
    assert.ok(r.brightness > 40, `the picture is the noise, not black (${r.brightness})`);
    assert.ok(r.now > r.target, 'currentTime advances from the middle');
    // Stop this one (its reading ahead would count in the next run) and let its last reads land.
    await page.evaluate((key) => {
      document.getElementById(key).remove();
      window.__servers[key].dispose();
    }, id);
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.ok(runs.none.total <= 4 * MiB, `preload=none: the master sent ${runs.none.total} bytes; reads: ${runs.none.reads}`);
  assert.ok(runs.metadata.afterSeek <= 4 * MiB, `preload=metadata: ${runs.metadata.afterSeek} bytes after the seek; reads: ${runs.metadata.reads}`);
}

test('a 64 MiB video seeked to its middle plays after at most 4 MiB sent by the master', () => seekMovie(slave.page, 'Chromium'));

describe('a Firefox slave', () => {
  let firefox;
  let page;
  before(async () => {
    firefox = await launchFirefox();
    page = await firefox.newPage();
    await page.goto(`${origin}/demo/slave.html`);
    await page.waitForSelector('rtc-slave[state="connected"]', { timeout: 20000 });
  });
  after(() => firefox?.close());

  test('shows a page, its CSS, its image and its fetch() through the Service Worker', () => checkSiteA(page));
  test('plays the 64 MiB video from its middle after at most 4 MiB sent by the master', () => seekMovie(page, 'Firefox'));
});

test('a slave on a LAN address (a secure context there) serves the site from the site port', async () => {
  const lan = `http://${lanAddress}:${broadcaster.port}`;
  const lanBrowser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    // What trusting the broadcaster's HTTPS certificate gives a phone (README "HTTPS on the LAN").
    args: [...chromiumArgs, `--unsafely-treat-insecure-origin-as-secure=${lan},http://${lanAddress}:${broadcaster.sitePort}`],
  });
  try {
    const lanSlave = await openSlave(lanBrowser, lan);
    await checkSiteA(lanSlave.page, lanAddress);
  } finally {
    await lanBrowser.close();
  }
});
