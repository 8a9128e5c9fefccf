// The pages of the hostile-slave scenarios, shared by test/e2e/hostile-slave.test.js and
// bench/sections/hostile.js: a master with a room secret and an allow-list, a legitimate slave
// (the project's <rtc-slave>) that keeps reading, and the raw hostile page (hostile-page.js),
// each in a browser context of its own.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SECRET = 'correct horse battery staple';
export const ALLOW = 'get,allDocs,put';
const rawScript = readFileSync(fileURLToPath(new URL('./hostile-page.js', import.meta.url)), 'utf8');

/**
 * A page of its own on `origin` with `html` as its body: the demo index (a real page of the origin,
 * which local network access checks require of a page that reaches the broadcaster), its body
 * replaced, the bundle imported when `bundle`.
 */
async function ownPage(browser, origin, html, bundle) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  let crashed = false;
  page.on('crash', () => (crashed = true));
  await page.goto(`${origin}/demo/index.html`);
  await page.evaluate(async ({ html, bundle }) => {
    if (bundle) await import('/dist/rtc-gadgets.js');
    document.body.innerHTML = html;
  }, { html, bundle });
  return { context, page, errors, crashed: () => crashed };
}

/** The master: database `room`, `secret`, `allow`; resolves once it holds the room. */
export async function openMaster(broadcaster, browser, room) {
  const html = `<rtc-master id="db" database="${room}" room="${room}" secret="${SECRET}" allow="${ALLOW}"></rtc-master>`;
  const p = await ownPage(browser, broadcaster.origin, html, true);
  await p.page.waitForSelector('rtc-master[state="connected"]', { state: 'attached', timeout: 20000 });
  return p;
}

/** A legitimate slave of `room` (the project's element, with the secret), connected. */
export async function openLegitSlave(broadcaster, browser, room) {
  const html = `<rtc-slave id="db" room="${room}" secret="${SECRET}" timeout="60000"></rtc-slave>`;
  const p = await ownPage(browser, broadcaster.lanOrigin, html, true);
  await p.page.waitForSelector('rtc-slave[state="connected"]', { state: 'attached', timeout: 20000 });
  return p;
}

/** The raw hostile page (`window.H`, hostile-page.js) on the loopback origin (a secure context: crypto.subtle). */
export async function openRaw(broadcaster, browser) {
  const p = await ownPage(browser, broadcaster.origin, '<p>raw</p>', false);
  await p.page.addScriptTag({ content: rawScript });
  return p;
}

/** Runs in the legit slave's page: starts sequential `get`s of `ids` in a loop (a probe of latency). */
export function startProbe(ids) {
  const db = document.getElementById('db');
  const probe = { times: [], errors: [], stop: false };
  window.__probe = probe;
  (async () => {
    for (let k = 0; !probe.stop; k++) {
      const t0 = performance.now();
      try {
        await db.get(ids[k % ids.length]);
        probe.times.push(performance.now() - t0);
      } catch (e) {
        probe.errors.push(`${e.status_code} ${e.message}`);
      }
    }
  })();
}

/** Runs in the legit slave's page: stops the probe once it has 20 answers (or 10 s). @returns its `{ times, errors }`. */
export async function stopProbe() {
  const end = performance.now() + 10000;
  while (window.__probe.times.length + window.__probe.errors.length < 20 && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
  window.__probe.stop = true;
  return { times: window.__probe.times, errors: window.__probe.errors };
}
