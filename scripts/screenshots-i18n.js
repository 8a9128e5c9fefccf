// The demo pages in each language and colour scheme, on a desktop and a 360 px wide phone
// (README "Theme and languages"): starts the broadcaster, fills the master's database through a
// slave, then writes <page>-<lang>-<scheme>-<width>.png to the folder given. After `npm run build`:
//   sh scripts/in-netns.sh node scripts/screenshots-i18n.js /tmp/shots
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openConnected, startBroadcaster } from '../test/e2e/harness.js';

const out = process.argv[2] || 'screenshots';
// The master page is the one opened first (a second master of the room would be refused): its
// language and scheme are switched in place (<html lang>, emulated media).
const pages = (process.env.PAGES || 'master,slave,pairing,chat,files,index').split(',');
mkdirSync(out, { recursive: true });
const broadcaster = await startBroadcaster();
const browser = await launchChromium();
try {
  const master = await openConnected(browser, `${broadcaster.origin}/demo/master.html`, 'rtc-master');
  const chatMaster = await openConnected(browser, `${broadcaster.origin}/demo/chat-master.html`, 'rtc-master');
  const filler = await openConnected(browser, `${broadcaster.lanOrigin}/demo/slave.html?lang=en`, 'rtc-slave');
  const form = filler.page.locator('rtc-query-form');
  for (const [first, last] of [['Ada', 'Lovelace'], ['Grace', 'Hopper'], ['Alan', 'Turing']]) {
    await form.getByRole('textbox', { name: 'first' }).fill(first);
    await form.getByRole('textbox', { name: 'last' }).fill(last);
    await form.getByRole('button', { name: 'Add record' }).click();
    await form.getByText('Created record').waitFor();
  }
  for (const lang of ['en', 'fr', 'zh-Hans']) {
    for (const colorScheme of ['light', 'dark']) {
      for (const width of [1100, 360]) {
        const context = await browser.newContext({ colorScheme, viewport: { width, height: 800 }, locale: 'en-US' });
        if (pages.includes('master')) {
          await master.page.emulateMedia({ colorScheme });
          await master.page.setViewportSize({ width, height: 800 });
          await master.page.evaluate((code) => { globalThis.document.documentElement.lang = code; }, lang);
          await master.page.waitForTimeout(800);
          await master.page.screenshot({ path: join(out, `master-${lang}-${colorScheme}-${width}.png`), fullPage: true });
        }
        for (const name of pages.filter((p) => p !== 'master')) {
          const page = await context.newPage();
          await page.goto(`${broadcaster.lanOrigin}/demo/${name === 'index' ? '' : `${name}.html`}?lang=${lang}`);
          if (name === 'slave' || name === 'chat' || name === 'files') await page.waitForSelector('rtc-slave[state="connected"]', { timeout: 20000 }).catch(() => {});
          await page.waitForTimeout(name === 'pairing' ? 2500 : 1200);
          await page.screenshot({ path: join(out, `${name}-${lang}-${colorScheme}-${width}.png`), fullPage: true });
          await page.close();
        }
        await context.close();
      }
    }
  }
  await master.context.close();
  await chatMaster.context.close();
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await broadcaster.stop();
}
