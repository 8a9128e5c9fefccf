// A master tab in the background keeps serving. Chromium throttles the timers of a hidden tab: one
// wake-up a second at once, and after a grace period (5 minutes by default) chained timers wake up
// once a minute ("intensive wake-up throttling"). Here the grace period is cut to 10 s with the
// feature's own parameters, and a timer chain in the master page proves the throttling is in
// force. Meanwhile a slave's requests must keep their normal round trip (nothing on the request
// path waits for a timer), and after a broadcaster restart the master must be back in its room
// long before a once-a-minute timer would have fired.
//
// The master runs in puppeteer-core's Chromium: playwright emulates focus and keeps every page
// visible, puppeteer lets a page go hidden behind another tab. Its default flags that turn
// background throttling off are dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, launchChromium, openConnected, startBroadcaster } from './harness.js';
import { closeQuietly, run, withTimeout } from './steps.js';

/** Grace period before intensive throttling, s (the Chromium feature's parameters). */
const GRACE_S = 10;
const THROTTLING = `--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/${GRACE_S}/grace_period_seconds_loaded/${GRACE_S}`;
/** A gap this long in a chain of 250 ms timers means intensive throttling (basic throttling: 1 s), ms. */
const THROTTLED_GAP_MS = 10000;
/** Bound on one round trip: far above a normal one (milliseconds), far below a throttled wake-up (a minute), ms. */
const ROUND_TRIP_BOUND_MS = 1000;

let broadcaster;
let masterBrowser;
let master;
let slaveBrowser;
let slave;
let docId;

/** In a slave page: `n` gets of `id` one after the other, each one's round trip in ms. */
async function roundTrips({ id, n }) {
  const db = document.getElementById('db');
  const times = [];
  for (let k = 0; k < n; k++) {
    const t = performance.now();
    await db.get(id);
    times.push(performance.now() - t);
  }
  return times;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The longest gap between the master page's sampling timers since `since` (its performance.now()), ms. */
const longestGap = (since = 0) => run(master, (t) => window.__longestGap(t), since, 'longest timer gap');

/**
 * Polls `fn` in the master page from here until it returns true (within `ms`): a waitForFunction
 * would poll with the page's own timers or animation frames, which a hidden page throttles.
 */
async function untilMaster(fn, ms, label) {
  const deadline = Date.now() + ms;
  while (!await run(master, fn, undefined, label)) {
    assert.ok(Date.now() < deadline, `timed out after ${ms} ms: ${label}`);
    await sleep(100);
  }
}

/**
 * Waits until the master's timers show intensive throttling (a gap of THROTTLED_GAP_MS since now):
 * the grace period is over and nothing (no open data channel: Chromium exempts a page using
 * WebRTC) keeps it off. @returns how long it took, ms.
 */
async function untilThrottled(label) {
  const since = await run(master, () => performance.now());
  const started = Date.now();
  while (await longestGap(since) < THROTTLED_GAP_MS) {
    assert.ok(Date.now() - started < (GRACE_S + 75) * 1000, `${label}: no intensive throttling, longest timer gap ${Math.round(await longestGap(since))} ms`);
    await sleep(1000);
  }
  return Date.now() - started;
}

before(async () => {
  broadcaster = await startBroadcaster();
  masterBrowser = await withTimeout(puppeteer.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [...chromiumArgs, THROTTLING],
    ignoreDefaultArgs: ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
  }), 30000, 'launching the master Chromium');
  [master] = await masterBrowser.pages();
  await master.goto(`${broadcaster.origin}/demo/master.html`);
  await master.waitForSelector('rtc-master[state="connected"]', { timeout: 30000 });
  // A 250 ms timer chain shows what the master page's timers get.
  await run(master, () => {
    const ticks = [performance.now()];
    const tick = () => {
      ticks.push(performance.now());
      setTimeout(tick, 250);
    };
    setTimeout(tick, 250);
    window.__longestGap = (since) => {
      const after = [since, ...ticks.filter((t) => t >= since), performance.now()];
      return Math.max(0, ...after.slice(1).map((t, k) => t - after[k]));
    };
  });
  // Hidden behind another tab of its window.
  const cover = await masterBrowser.newPage();
  await cover.bringToFront();
  assert.equal(await run(master, () => document.visibilityState), 'hidden');
  slaveBrowser = await launchChromium();
});

after(async () => {
  if (masterBrowser) await closeQuietly('master Chromium', () => masterBrowser.close(), () => masterBrowser.process()?.kill('SIGKILL'));
  if (slaveBrowser) await closeQuietly('slave Chromium', () => slaveBrowser.close());
  if (broadcaster) await closeQuietly('broadcaster', () => broadcaster.stop(), () => broadcaster.child.kill('SIGKILL'));
});

test('a hidden master under intensive wake-up throttling takes a slave and answers at its normal round trip', { timeout: 150000 }, async () => {
  const waited = await untilThrottled('hidden master without slaves');
  const t = Date.now();
  slave = await openConnected(slaveBrowser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
  const joined = Date.now() - t;
  docId = await run(slave.page, () => document.getElementById('db').post({ note: 'hidden master' }));
  const hidden = await run(slave.page, roundTrips, { id: docId, n: 40 });
  // The same with the page visible again, for comparison.
  await master.bringToFront();
  const visible = await run(slave.page, roundTrips, { id: docId, n: 40 });
  const cover = (await masterBrowser.pages()).find((p) => p !== master);
  await cover.bringToFront();
  const again = await run(slave.page, roundTrips, { id: docId, n: 40 });
  console.log(`# intensive throttling after ${waited} ms hidden; a slave joined the throttled master in ${joined} ms; ` +
    `get round trip median: hidden ${median(hidden).toFixed(1)} ms (max ${Math.max(...hidden).toFixed(1)}), ` +
    `visible ${median(visible).toFixed(1)} ms, hidden again ${median(again).toFixed(1)} ms (max ${Math.max(...again).toFixed(1)})`);
  assert.ok(Math.max(...hidden, ...again) < ROUND_TRIP_BOUND_MS, `a round trip waited for a throttled timer: ${Math.max(...hidden, ...again)} ms`);
});

test('a hidden, throttled master is back in its room soon after a broadcaster restart', { timeout: 150000 }, async () => {
  // Without a slave (its open data channel exempts the page), intensive throttling comes back.
  await slave.context.close();
  await untilMaster(() => document.getElementById('db').peers.length === 0, 10000, 'the slave leaves the peer list');
  await untilThrottled('hidden master whose slave left');
  const { port } = broadcaster;
  await broadcaster.stop();
  await untilMaster(() => document.getElementById('db').state !== 'connected', 15000, 'the master loses the broadcaster');
  await sleep(3000); // a restart takes a moment: the master's attempts fail meanwhile
  const since = await run(master, () => performance.now());
  broadcaster = await startBroadcaster(port);
  const restarted = Date.now();
  await untilMaster(() => document.getElementById('db').state === 'connected', 90000, 'the master is back in its room');
  const back = Date.now() - restarted;
  const gap = await longestGap(since);
  console.log(`# the hidden master was back in its room ${back} ms after the broadcaster restarted (longest timer gap meanwhile ${Math.round(gap)} ms)`);
  // Within the master's longest retry backoff (5 s) plus a one-second wake-up, not a once-a-minute one.
  assert.ok(back < 15000, `back only after ${back} ms`);
  // A new slave reaches it through the new broadcaster.
  const late = await openConnected(slaveBrowser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
  const doc = await run(late.page, (id) => document.getElementById('db').get(id), docId);
  assert.equal(doc.note, 'hidden master');
});
