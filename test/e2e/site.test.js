// A web site served from the master's tab (issue 17), end to end: the broadcaster process,
// demo/site-master.html in the system Chromium (the sample site loaded into document `site` with its
// button), and demo/site.html as a slave in Chromium (playwright-core) and in Debian's firefox-esr
// (puppeteer-core over WebDriver BiDi), on the LAN address: plain http, so the blob path (the master,
// on localhost, is told ?serve=blob too; test/e2e/site-sw.test.js has the Service Worker path). Each slave
// browses the three pages by clicking their links, goes back and forward, submits the GET form,
// plays the video, gets a 404; styles and images are checked by their pixels, the script's fetch by
// the table it fills. Then a hostile page of the site tries to reach the host page, the database and
// other documents, and the master's data is checked untouched. Firefox missing is a failure.
// Run after `npm run build`: timeout 400 sh scripts/in-netns.sh node --test test/e2e/site.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openConnected, startBroadcaster } from './harness.js';
import { closeAll, collectErrors, run, startAll, withTimeout } from './steps.js';

let server;
let chromium;
let firefox;
let master;
const slaves = {};
const SECRET = 'TOP-SECRET-4711';

before(async () => {
  let error;
  ({ server, chromium, firefox, error } = await startAll(startBroadcaster));
  if (error) throw error;
});

after(() => closeAll({ server, chromium, firefox }));

/**
 * The frame showing site href `href` in `page` (a page loads in a new frame, and the one before may
 * linger in the driver's list for a moment): the frame whose bridge says it shows `href`.
 */
async function siteFrame(page, href) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const frames = page.frames().filter((f) => f !== page.mainFrame() && f.url().startsWith('blob:'));
    for (const frame of frames.reverse()) {
      const at = await withTimeout(frame.evaluate(() => (window.rtcSite ? window.rtcSite.path + window.rtcSite.search : null)), 5000, 'frame page').catch(() => null);
      if (at === href) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no frame shows ${href}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the `<rtc-site>` of `page` shows `href`. */
function shown(page, href, ms = 20000) {
  return withTimeout(page.waitForSelector(`rtc-site[state="shown"][page="${href}"]`, { timeout: ms }), ms + 1000, `shows ${href}`);
}

/** Clicks `selector` inside the site's frame, as a user would. */
async function clickInSite(page, href, selector) {
  const frame = await siteFrame(page, href);
  await withTimeout(frame.click(selector), 15000, `click ${selector}`);
}

/** Clicks a toolbar button of `<rtc-site>` (back, forward) by its label. */
async function toolbar(page, label) {
  await run(page, (l) => document.querySelector('rtc-site').shadowRoot.querySelector(`button[aria-label="${l}"]`).click(), label, `toolbar ${label}`);
}

/** In the site's frame: computed styles and pixels of the logo and the photo, after they decoded. */
async function looks() {
  const logo = document.querySelector('img.logo');
  const photo = document.querySelector('img.photo');
  await Promise.all([logo.decode(), photo.decode()]);
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 64;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  // The whole image drawn on 64 × 64, then one pixel read at a place given in that square.
  const px = (img, x, y) => {
    g.clearRect(0, 0, 64, 64);
    g.drawImage(img, 0, 0, 64, 64);
    return [...g.getImageData(x, y, 1, 1).data].slice(0, 3);
  };
  return {
    h1: getComputedStyle(document.querySelector('h1')).color,
    header: getComputedStyle(document.querySelector('.top')).backgroundColor,
    bodyImage: getComputedStyle(document.body).backgroundImage.slice(0, 30),
    logoCorner: px(logo, 1, 1),
    logoRing: px(logo, 16, 32),
    photoSize: [photo.naturalWidth, photo.naturalHeight],
    photoField: px(photo, 4, 60),
    title: document.title,
  };
}

const near = (actual, expected, label) => assert.ok(actual.every((v, i) => Math.abs(v - expected[i]) <= 6), `${label}: ${actual} ≈ ${expected}`);

test('the master loads the sample site into document "site" and shows it', { timeout: 120000 }, async () => {
  master = await openConnected(chromium, `${server.origin}/demo/site-master.html?serve=blob`, 'rtc-master');
  await run(master.page, () => document.getElementById('load-sample').click());
  await withTimeout(master.page.waitForFunction(() => /Loaded 13 files/.test(document.getElementById('load-status').textContent), null, { timeout: 60000 }), 61000, 'sample site loaded');
  await shown(master.page, 'index.html');
  // Another document, which the site must never reach.
  await run(master.page, async (secret) => {
    const db = document.getElementById('db');
    await db.put('secret', { pin: secret });
    await db.putAttachment('secret', 'note.txt', new Blob([secret], { type: 'text/plain' }));
  }, SECRET);
  const names = await run(master.page, async () => Object.keys(await document.getElementById('db').allAttachments('site')).sort());
  assert.ok(names.includes('css/site.css') && names.includes('manuals/pump.html') && names.includes('media/pump-check.webm'), names.join());
});

for (const browser of ['Chromium', 'Firefox']) {
  test(`a ${browser} slave browses the three pages, back and forward, styles, pixels, fetch, form, video, 404`, { timeout: 180000 }, async () => {
    let page;
    if (browser === 'Chromium') {
      const context = await chromium.newContext({ viewport: { width: 800, height: 900 } });
      page = await context.newPage();
    } else {
      const context = await withTimeout(firefox.createBrowserContext(), 20000, 'Firefox context');
      page = await withTimeout(context.newPage(), 20000, 'Firefox page');
      await page.setViewport({ width: 800, height: 900 });
    }
    slaves[browser] = { page, errors: collectErrors(page) };
    await withTimeout(page.goto(`${server.lanOrigin}/demo/site.html?room=site&doc=site`, { timeout: 20000 }), 21000, 'site page');
    await shown(page, 'index.html', 30000);
    assert.equal(await run(page, () => document.querySelector('rtc-site').serving), 'blob');

    // Styles (site.css and the theme.css it @imports) and images, decoded, by their pixels.
    const home = await run(await siteFrame(page, 'index.html'), looks);
    assert.equal(home.title, 'Field station · Home');
    assert.equal(home.h1, 'rgb(196, 30, 58)');
    assert.equal(home.header, 'rgb(196, 30, 58)');
    assert.match(home.bodyImage, /^url\("data:image\/png/);
    near(home.logoCorner, [196, 30, 58], 'logo corner');
    near(home.logoRing, [255, 255, 255], 'logo ring');
    assert.deepEqual(home.photoSize, [480, 270]);
    near(home.photoField, [46, 139, 87], 'photo field');

    // A link into a subfolder; its ../ links and the video (read whole through the bridge).
    await clickInSite(page, 'index.html', 'nav a[href="manuals/pump.html"]');
    await shown(page, 'manuals/pump.html');
    const pump = await run(await siteFrame(page, 'manuals/pump.html'), async () => {
      const v = document.getElementById('training');
      for (let i = 0; i < 100 && v.readyState < 1; i++) await new Promise((r) => setTimeout(r, 100));
      return { h1: getComputedStyle(document.querySelector('h1')).color, video: [v.readyState >= 1, v.videoWidth, v.videoHeight, v.src.slice(0, 5)] };
    });
    assert.deepEqual(pump, { h1: 'rgb(196, 30, 58)', video: [true, 320, 180, 'blob:'] });

    // The prices page: its module script imports format.js and fetches data/prices.json.
    await clickInSite(page, 'manuals/pump.html', 'nav a[href="../prices.html"]');
    await shown(page, 'prices.html');
    const rows = () => new Promise((resolve) => {
      const read = () => (/items/.test(document.getElementById('status').textContent)
        ? resolve([document.querySelectorAll('#prices tbody tr').length, document.getElementById('status').textContent, document.querySelector('#prices tbody td.num')?.textContent])
        : setTimeout(read, 50));
      read();
    });
    assert.deepEqual(await run(await siteFrame(page, 'prices.html'), rows), [7, '7 items (list of 2026-11-30).', 'KES 650.00']);

    // The GET form navigates with its query string.
    await run(await siteFrame(page, 'prices.html'), () => { document.getElementById('q').value = 'pump'; });
    await clickInSite(page, 'prices.html', 'form.search button');
    await shown(page, 'prices.html?q=pump');
    assert.deepEqual((await run(await siteFrame(page, 'prices.html?q=pump'), rows)).slice(0, 2), [3, '3 of 7 items match “pump” (list of 2026-11-30).']);
    assert.equal(await run(page, () => document.querySelector('rtc-site').shadowRoot.querySelector('.address').textContent), '/prices.html?q=pump');

    // Back, back, forward, with the toolbar.
    await toolbar(page, 'Back');
    await shown(page, 'prices.html');
    await toolbar(page, 'Back');
    await shown(page, 'manuals/pump.html');
    assert.equal(await run(await siteFrame(page, 'manuals/pump.html'), () => document.title), 'Field station · Pump manual');
    await toolbar(page, 'Forward');
    await shown(page, 'prices.html');
    assert.equal((await run(await siteFrame(page, 'prices.html'), rows))[0], 7);
    await toolbar(page, 'Back');
    await shown(page, 'manuals/pump.html');

    // A missing file: a clear 404 page inside the frame.
    await clickInSite(page, 'manuals/pump.html', 'a[href="missing.html"]');
    await shown(page, 'manuals/missing.html');
    assert.match(await run(await siteFrame(page, 'manuals/missing.html'), () => document.body.textContent), /404 Not found.*manuals\/missing\.html/s);

    // A link to another origin is not followed inside the frame.
    await toolbar(page, 'Back');
    await shown(page, 'manuals/pump.html');
    await clickInSite(page, 'manuals/pump.html', 'nav a[href="../index.html"]');
    await shown(page, 'index.html');
    await clickInSite(page, 'index.html', '#external');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await run(page, () => document.querySelector('rtc-site').page), 'index.html');
    assert.equal(await run(await siteFrame(page, 'index.html'), () => document.title), 'Field station · Home');
    assert.deepEqual(slaves[browser].errors.map((e) => e.message), []);
  });
}

test('the master adds a folder with its subfolders through <rtc-file-share>; names keep their paths', { timeout: 60000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'rtc-site-folder-'));
  try {
    const folder = path.join(dir, 'extra');
    await mkdir(path.join(folder, 'guides', 'img'), { recursive: true });
    await writeFile(path.join(folder, 'guides', 'tank.html'), '<!doctype html><title>Tank</title><link rel="stylesheet" href="../css/site.css"><h1>Tank</h1><img src="img/dot.svg"><script>const i = new Image(); i.id = "dyn"; i.src = "img/dot.svg"; document.body.append(i);</script>');
    await writeFile(path.join(folder, 'guides', 'img', 'dot.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="rgb(0,128,0)"/></svg>');
    // The folder picker, as a person picks a folder (webkitdirectory).
    await master.page.locator('rtc-file-share input[webkitdirectory]').setInputFiles(folder);
    await withTimeout(master.page.waitForFunction(async () => {
      const names = Object.keys(await document.getElementById('db').allAttachments('site'));
      return names.includes('guides/tank.html') && names.includes('guides/img/dot.svg');
    }, null, { timeout: 20000, polling: 200 }), 21000, 'folder uploaded');
    await run(master.page, () => document.querySelector('rtc-site').go('guides/tank.html'));
    // The page may be built before the changes feed brought the image's upload: then that change
    // reloads it (the page read that path). Either way the image shows within a few seconds.
    let tank;
    for (let i = 0; i < 50; i++) {
      await shown(master.page, 'guides/tank.html');
      tank = await run(await siteFrame(master.page, 'guides/tank.html'), async () => {
        const img = document.querySelector('img');
        await img.decode().catch(() => {});
        const dyn = document.getElementById('dyn');
        await dyn.decode().catch(() => {});
        return [document.title, getComputedStyle(document.querySelector('h1')).color, img.naturalWidth, dyn.naturalWidth, dyn.src.slice(0, 5)];
      }).catch(() => null);
      if (tank?.[2] === 8 && tank?.[3] === 8) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(tank, ['Tank', 'rgb(196, 30, 58)', 8, 8, 'blob:']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** The hostile page, put into the site by the test: it tries everything and writes what happened. */
const HOSTILE = `<!doctype html><title>hostile</title><pre id="out">running</pre><script type="module">
const out = {};
const attempt = (name, fn) => { try { out[name] = 'reached: ' + String(fn()); } catch (e) { out[name] = 'blocked: ' + e.name; } };
attempt('parentDocument', () => parent.document.title);
attempt('parentDatabase', () => typeof parent.document.getElementById('db').get);
attempt('topLocation', () => top.location.href);
attempt('parentIndexedDB', () => parent.indexedDB.open('rtc:site'));
attempt('indexedDB', () => indexedDB.open('rtc:site').readyState);
attempt('localStorage', () => localStorage.length);
// Other documents' files through fetch, by every spelling of a way out of the site.
out.fetch = {};
for (const p of ['../secret/note.txt', '/../secret/note.txt', '%2e%2e/secret/note.txt', '..%2fsecret%2fnote.txt', 'secret/note.txt', '/secret', '....//secret/note.txt', '..\\\\secret\\\\note.txt']) {
  const r = await fetch(p);
  out.fetch[p] = [r.status, (await r.text()).includes('${SECRET}')];
}
// Forged requests on a port of its own, and forged database calls to the host page.
const channel = new MessageChannel();
parent.postMessage({ rtcSite: 1, type: 'port' }, '*', [channel.port2]);
const replies = new Map();
channel.port1.onmessage = (e) => replies.set(e.data.id, e.data);
const asks = [
  { id: 1, method: 'GET', href: '../../secret/note.txt' },
  { id: 2, method: 'PUT', href: 'index.html' },
  { id: 3, method: 'GET', href: { doc: 'secret' } },
  { id: 4, method: 'GET', href: '/%2e%2e/%2e%2e/secret/note.txt' },
  { id: 5, method: 'GET', href: 'index.html', range: [0, -1] },
  { id: 6, method: 'DELETE', href: 'index.html' },
];
for (const ask of asks) channel.port1.postMessage(ask);
for (const target of [parent, top]) {
  target.postMessage({ v: 1, type: 'request', id: 1, method: 'get', args: ['secret'] }, '*');
  target.postMessage({ v: 1, type: 'request', id: 2, method: 'remove', args: ['secret'] }, '*');
  target.postMessage({ rtcSite: 1, type: 'request', method: 'getAttachment', args: ['secret', 'note.txt'] }, '*');
}
for (let i = 0; i < 100 && replies.size < asks.length; i++) await new Promise((r) => setTimeout(r, 50));
out.port = asks.map((a) => { const r = replies.get(a.id); return r ? [r.status, r.body.size] : null; });
out.portSecret = (await Promise.all([...replies.values()].map((r) => r.body.text()))).some((t) => t.includes('${SECRET}'));
document.getElementById('out').textContent = JSON.stringify(out);
document.title = 'done';
</script>`;

test('a hostile page of the site cannot reach the host page, the database or other documents', { timeout: 120000 }, async () => {
  await run(master.page, async (html) => {
    await document.getElementById('db').putAttachment('site', 'hostile.html', new Blob([html], { type: 'text/html' }));
  }, HOSTILE);
  const before = await run(master.page, async () => {
    const db = document.getElementById('db');
    return JSON.stringify([(await db.allDocs()).data.total_rows, await db.get('secret'), await db.allAttachments('secret'), Object.keys(await db.allAttachments('site')).sort()]);
  });
  for (const [browser, { page }] of Object.entries(slaves)) {
    await run(page, () => document.querySelector('rtc-site').go('hostile.html'));
    await shown(page, 'hostile.html');
    const text = await withTimeout((async () => {
      for (;;) {
        const t = await run(await siteFrame(page, 'hostile.html'), () => document.getElementById('out').textContent);
        if (t !== 'running') return t;
        await new Promise((r) => setTimeout(r, 100));
      }
    })(), 20000, `${browser}: hostile page done`);
    const out = JSON.parse(text);
    for (const name of ['parentDocument', 'parentDatabase', 'topLocation', 'parentIndexedDB', 'indexedDB', 'localStorage']) {
      assert.match(out[name], /^blocked: /, `${browser} ${name}: ${out[name]}`);
    }
    for (const [p, [status, leaked]] of Object.entries(out.fetch)) {
      assert.equal(status, 404, `${browser} fetch ${p}`);
      assert.equal(leaked, false, `${browser} fetch ${p} leaked`);
    }
    assert.deepEqual(out.port.map((r) => r?.[0]), [404, 405, 400, 404, 400, 405], `${browser} port replies`);
    assert.equal(out.portSecret, false);
    // The page is still the hostile one: nothing it sent moved the element elsewhere.
    assert.equal(await run(page, () => document.querySelector('rtc-site').page), 'hostile.html');
  }
  const after = await run(master.page, async () => {
    const db = document.getElementById('db');
    return JSON.stringify([(await db.allDocs()).data.total_rows, await db.get('secret'), await db.allAttachments('secret'), Object.keys(await db.allAttachments('site')).sort()]);
  });
  assert.equal(after, before);
  assert.deepEqual(master.errors.map((e) => e.message), []);
});
