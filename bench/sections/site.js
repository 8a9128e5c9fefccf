// <rtc-site> (issue 17, item 7): time to the first contentful paint of a 1 MB page browsed through
// <rtc-site> on a slave (blob path: the page and its resources read from the master over the data
// channel, rewritten, shown in the sandboxed frame), against the same page loaded from the
// broadcaster over HTTP into a frame of the same slave page, with the same sandbox. Goal ≤ 2×.
// Both sides are measured alternately (ABAB…) in the same run: from the navigation being asked for
// in the slave page to the frame's first rendered frame after parsing (both as epoch milliseconds,
// performance.timeOrigin + time, so the two documents' clocks agree).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchChromium, openConnected } from '../../test/e2e/harness.js';
import { fmt, summary } from '../lib/stats.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const REPS = 7;

/**
 * The page's first script: reports its first paint to the page holding the frame. Chromium gives
 * no paint-timing entries in a frame with an opaque origin (a sandbox without allow-same-origin),
 * so the first paint is taken as the first frame rendered after parsing: a task queued from the
 * first animation frame after DOMContentLoaded (rendering waits for the stylesheets).
 */
const REPORT_FCP = `<script>document.addEventListener('DOMContentLoaded', () => requestAnimationFrame(() => setTimeout(() => parent.postMessage({ benchFcp: performance.timeOrigin + performance.now() }, '*'))));</script>`;

/**
 * Writes the bench site into dist/bench-site/ (dist/ is build output, served by the broadcaster):
 * the sample site's stylesheets and images, and an index.html of about 1 MB (a long price list).
 * @returns {Promise<{ files: string[], bytes: number }>}
 */
async function writeBenchSite() {
  const dir = `${root}dist/bench-site/`;
  const files = ['css/site.css', 'css/theme.css', 'img/logo.png', 'img/field.png', 'img/field@2x.png', 'img/pattern.png'];
  await mkdir(`${dir}css`, { recursive: true });
  await mkdir(`${dir}img`, { recursive: true });
  for (const f of files) await copyFile(`${root}demo/sample-site/${f}`, dir + f);
  const rows = [];
  for (let i = 0; rows.join('').length < 900_000; i++) {
    rows.push(`<tr><td>Item ${i} — spare part for pump model ${i % 37}, with notes on fitting and care</td><td>piece</td><td class="num">KES ${(i * 37) % 9000}.00</td></tr>\n`);
  }
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">${REPORT_FCP}<title>Bench page</title>
<link rel="stylesheet" href="css/site.css"></head><body><header class="top"><img class="logo" src="img/logo.png" width="48" height="48" alt="">
<nav><a href="index.html">Home</a></nav></header><main><h1>Price list</h1>
<img class="photo" src="img/field.png" srcset="img/field.png 1x, img/field@2x.png 2x" width="480" height="270" alt="">
<table><tbody>${rows.join('')}</tbody></table></main></body></html>`;
  await writeFile(`${dir}index.html`, html);
  const { statSync } = await import('node:fs');
  const bytes = ['index.html', ...files].reduce((n, f) => n + statSync(dir + f).size, 0);
  return { files: ['index.html', ...files], bytes };
}

/** In the slave page: loads `url` in a new sandboxed frame; resolves with ms to its first paint. */
function httpFirstPaint(url) {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    frame.setAttribute('sandbox', 'allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox');
    // In view: Chromium does not render a cross-origin frame that is off screen (no animation frames).
    frame.style.cssText = 'position:fixed;left:0;top:0;width:800px;height:600px;border:0;z-index:9';
    const t0 = performance.timeOrigin + performance.now();
    const timer = setTimeout(() => reject(new Error('no first paint in 30 s')), 30000);
    const onMessage = (e) => {
      if (e.source !== frame.contentWindow || !e.data?.benchFcp) return;
      window.removeEventListener('message', onMessage);
      clearTimeout(timer);
      frame.remove();
      resolve(e.data.benchFcp - t0);
    };
    window.addEventListener('message', onMessage);
    frame.src = url;
    document.body.append(frame);
  });
}

/** In the slave page: `<rtc-site>` goes to `href`; resolves with ms to the first paint in its frame. */
function siteFirstPaint(href) {
  return new Promise((resolve, reject) => {
    const site = document.querySelector('rtc-site');
    const t0 = performance.timeOrigin + performance.now();
    const timer = setTimeout(() => reject(new Error('no first paint in 30 s')), 30000);
    const onMessage = (e) => {
      if (!e.data?.benchFcp) return;
      window.removeEventListener('message', onMessage);
      clearTimeout(timer);
      resolve(e.data.benchFcp - t0);
    };
    window.addEventListener('message', onMessage);
    void site.go(href);
  });
}

/**
 * The metric `site first paint 1 MB` in the shape bench/run.js prints.
 * @param broadcaster the bench's broadcaster (test/e2e/harness.js `startBroadcaster`).
 */
export async function siteMetric(broadcaster) {
  const site = await writeBenchSite();
  const browser = await launchChromium();
  try {
    const master = await openConnected(browser, `${broadcaster.origin}/demo/site-master.html`, 'rtc-master');
    await master.page.evaluate(async (files) => {
      const db = document.getElementById('db');
      await db.put('bench', {});
      for (const name of files) await db.putAttachment('bench', name, await (await fetch(`/dist/bench-site/${name}`)).blob());
    }, site.files);
    const slave = await openConnected(browser, `${broadcaster.lanOrigin}/demo/site.html?room=site&doc=bench`, 'rtc-slave');
    await slave.page.waitForSelector('rtc-site[state="shown"]', { timeout: 30000 });
    const httpUrl = (i) => `${broadcaster.lanOrigin}/dist/bench-site/index.html?r=${i}`;
    await slave.page.evaluate(siteFirstPaint, 'index.html?r=warm');
    await slave.page.evaluate(httpFirstPaint, httpUrl('warm'));
    const ours = [];
    const baseline = [];
    for (let i = 0; i < REPS; i++) {
      ours.push(await slave.page.evaluate(siteFirstPaint, `index.html?r=${i}`));
      baseline.push(await slave.page.evaluate(httpFirstPaint, httpUrl(i)));
    }
    const o = summary(ours);
    const b = summary(baseline);
    return {
      name: 'site first paint 1 MB',
      unit: 'ms',
      goal: '≤2×',
      baselineName: 'HTTP from the broadcaster',
      ours: o,
      baseline: b,
      ratio: o.median / b.median,
      passed: o.median / b.median <= 2,
      samples: { ours, baseline },
      notes: [`${site.files.length} files, ${fmt(site.bytes / 1e6)} MB; <rtc-site> on a slave (blob path, data channel) vs a frame loading the same page over HTTP; ${REPS} reps each, alternated`],
    };
  } finally {
    await browser.close().catch(() => {});
  }
}
