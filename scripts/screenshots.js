// Looks at the demo as a person would: starts the broadcaster, opens the master page and a
// slave page (desktop and phone sizes), creates and searches records, reloads the master, and
// writes PNG screenshots to the folder given (default ./screenshots). Run after `npm run build`:
//   sh scripts/in-netns.sh node scripts/screenshots.js /tmp/shots
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openConnected, startBroadcaster } from '../test/e2e/harness.js';

const out = process.argv[2] || 'screenshots';
mkdirSync(out, { recursive: true });
const broadcaster = await startBroadcaster();
const browser = await launchChromium();
try {
  const gallery = await (await browser.newContext()).newPage();
  await gallery.goto(`${broadcaster.origin}/`);
  await gallery.screenshot({ path: join(out, 'gallery.png'), fullPage: true });

  const master = await openConnected(browser, `${broadcaster.origin}/demo/master.html`, 'rtc-master');
  await master.page.setViewportSize({ width: 1100, height: 800 });
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const slave = await phone.newPage();
  await slave.goto(`${broadcaster.lanOrigin}/demo/slave.html`);
  await slave.waitForSelector('rtc-slave[state="connected"]');
  const form = slave.locator('rtc-query-form');
  for (const [first, last] of [['Ada', 'Lovelace'], ['Grace', 'Hopper'], ['Alan', 'Turing'], ['Katherine', 'Johnson']]) {
    await form.getByRole('textbox', { name: 'first' }).fill(first);
    await form.getByRole('textbox', { name: 'last' }).fill(last);
    await form.getByRole('button', { name: 'Add record' }).click();
    await form.getByText(new RegExp(`Created record`)).waitFor();
  }
  await slave.screenshot({ path: join(out, 'slave-phone.png'), fullPage: true });
  await form.getByRole('searchbox', { name: 'Search' }).fill('a');
  await form.getByRole('button', { name: 'Search' }).click();
  await form.getByRole('button', { name: 'Sort by last' }).click();
  await slave.waitForTimeout(300);
  await slave.screenshot({ path: join(out, 'slave-phone-sorted.png'), fullPage: true });
  await form.getByRole('searchbox', { name: 'Search' }).fill('first:(');
  await form.getByRole('button', { name: 'Search' }).click();
  await slave.waitForTimeout(300);
  await slave.screenshot({ path: join(out, 'slave-phone-error.png'), fullPage: true });

  await master.page.locator('rtc-query-form').getByRole('button', { name: 'Search' }).click();
  await master.page.waitForTimeout(300);
  await master.page.screenshot({ path: join(out, 'master.png'), fullPage: true });
  await master.page.reload();
  await slave.waitForSelector('rtc-slave[state="connected"]');
  await master.page.waitForTimeout(500);
  await master.page.screenshot({ path: join(out, 'master-after-reload.png'), fullPage: true });
  await slave.screenshot({ path: join(out, 'slave-after-master-reload.png'), fullPage: true });
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await broadcaster.stop();
}
