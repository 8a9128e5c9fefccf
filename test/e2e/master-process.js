// A master page in a Chromium of its own, on a profile on disk, that can be SIGKILLed as a power
// cut would stop it: used by the crash test (test/e2e/crash.test.js) and the liveness bench
// (bench/sections/liveness.js).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { chromiumArgs } from './harness.js';

/**
 * Starts Chromium on `profile` (a directory) in a process group of its own (so one signal reaches
 * every process of it), opens `url` over CDP (after `prepare(page)`, e.g. init scripts) and
 * resolves once `rtc-master` is in its room.
 * @returns {Promise<{ child, browser, page, errors: Error[] }>}
 * @throws when Chromium does not start within 30 s or the master does not connect within 30 s.
 */
export async function launchMasterProcess(profile, url, prepare = async () => {}) {
  const child = spawn(process.env.CHROME_PATH || '/usr/bin/chromium', [
    ...chromiumArgs, '--headless=new', `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank',
  ], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Chromium did not print its DevTools endpoint')), 30000);
    createInterface({ input: child.stderr }).on('line', (line) => {
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`Chromium exited ${code}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  const page = await browser.contexts()[0].newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await prepare(page);
  await page.goto(url);
  await page.waitForSelector('rtc-master[state="connected"]', { timeout: 30000 });
  return { child, browser, page, errors };
}

/** SIGKILLs every process of a master's browser at once, and waits until it is gone. */
export async function killMasterProcess({ child, browser }) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGKILL');
  await exited;
  await browser.close().catch(() => undefined);
  // The renderers and utilities of the group die with it; give the kernel a moment to reap them.
  await new Promise((r) => setTimeout(r, 300));
}

/**
 * In a slave page (`page.evaluate(startWriting, k)`): posts `{ slave: k, n, at }` one after the
 * other, 5 ms apart, forever; each acknowledged write goes to `window.__acked` as `{ n, id, t }`
 * (`t`: Date.now() at the acknowledgement), each failure's message to `window.__errors`.
 */
export function startWriting(slave) {
  window.__acked = [];
  window.__errors = [];
  const db = document.getElementById('db');
  void (async () => {
    for (let n = 0; ; n++) {
      try {
        const id = await db.post({ slave, n, at: Date.now() });
        window.__acked.push({ n, id, t: Date.now() });
      } catch (e) {
        window.__errors.push(String(e.message ?? e));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
}

/**
 * How long after `killedAt` (ms since the epoch) every slave was writing again: the latest of the
 * slaves' first acknowledgements after the kill (a reply already on the wire as the master died
 * is not one: 50 ms of grace), from each slave's `window.__acked` (`acked`: one list per slave).
 * The pages and this process share the machine's clock. Null while a slave has none yet.
 */
export function slavesBack(acked, killedAt) {
  const firsts = acked.map((list) => list.find((a) => a.t > killedAt + 50));
  return firsts.every(Boolean) ? Math.max(...firsts.map((a) => a.t - killedAt)) : null;
}
