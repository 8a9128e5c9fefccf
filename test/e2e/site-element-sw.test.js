// <rtc-site> itself on the Service Worker path (docs/site.md): demo/site-master.html on a loopback
// origin (a secure context) with serve="auto" picks the Service Worker on the broadcaster's site port,
// shows the sample site with its styles, follows a link clicked inside the frame (the bridge each
// served page carries), goes back, and the prices page's script fills its table with fetch().
// Run after `npm run build`: timeout 300 sh scripts/in-netns.sh node --test test/e2e/site-element-sw.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inNamespace, launchChromium, openConnected } from './harness.js';
import { collectErrors, run, withTimeout } from './steps.js';

const { createBroadcaster } = await import(new URL('../../dist/broadcaster/server.js', import.meta.url).href);
let broadcaster, browser;

before(async () => {
  [broadcaster, browser] = await Promise.all([
    createBroadcaster({ port: 0, sitePort: 0, host: inNamespace ? '0.0.0.0' : '127.0.0.1' }),
    launchChromium(),
  ]);
});

after(async () => {
  await browser?.close().catch(() => {});
  await broadcaster?.close();
});

/** The frame showing site path `path` (a Service Worker URL ending in it), once its bridge ran. */
async function siteFrame(page, path) {
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find((f) => f.url().includes('/dist/rtc-site/') && new URL(f.url()).pathname.endsWith(`/${path}`));
    const at = frame && await frame.evaluate(() => window.rtcSite?.path ?? null).catch(() => null);
    if (at === path) return frame;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no frame shows ${path}`);
}

const shown = (page, href) => withTimeout(page.waitForSelector(`rtc-site[state="shown"][page="${href}"]`, { timeout: 20000 }), 21000, `shows ${href}`);

test('the master page on localhost browses its site through the Service Worker', { timeout: 120000 }, async () => {
  const { page } = await openConnected(browser, `http://127.0.0.1:${broadcaster.port}/demo/site-master.html`, 'rtc-master');
  const errors = collectErrors(page);
  await run(page, () => document.getElementById('load-sample').click());
  await withTimeout(page.waitForFunction(() => /Loaded 13 files/.test(document.getElementById('load-status').textContent), null, { timeout: 60000 }), 61000, 'sample site loaded');
  await run(page, () => document.querySelector('rtc-site').go('index.html'));
  await shown(page, 'index.html');
  assert.equal(await run(page, () => document.querySelector('rtc-site').serving), 'service-worker');
  // 404s while the sample site was still arriving (the page shown before its CSS) are expected: count from here.
  errors.length = 0;
  const home = await siteFrame(page, 'index.html');
  assert.equal(await home.evaluate(() => document.compatMode), 'CSS1Compat', 'the bridge kept the page in standards mode');
  assert.equal(await home.evaluate(() => getComputedStyle(document.querySelector('h1')).color), 'rgb(196, 30, 58)');
  assert.equal(await home.evaluate(async () => { const img = document.querySelector('img.logo'); await img.decode(); return img.naturalWidth > 0; }), true);

  // A link clicked inside the frame: the element follows it, and Back returns.
  await withTimeout(home.click('a[href="prices.html"]'), 15000, 'click prices');
  await shown(page, 'prices.html');
  const prices = await siteFrame(page, 'prices.html');
  await withTimeout(prices.waitForFunction(() => document.querySelectorAll('table tbody tr').length > 0, null, { timeout: 15000 }), 16000, 'prices table filled by fetch()');
  await run(page, () => document.querySelector('rtc-site').back());
  await shown(page, 'index.html');
  assert.deepEqual(errors.map((e) => e.message).filter((m) => !/favicon/.test(m)), []);
});
