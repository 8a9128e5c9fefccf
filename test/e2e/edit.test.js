// Editing records on the demo pages, end to end: the broadcaster process, demo/master.html and two
// demo/slave.html pages (each its own browser context, so its own "device"), real WebRTC data
// channels, the master's real IndexedDB. Slave A edits a record with the keyboard; slave B changes
// the record A has open, and A is told instead of overwriting it; B deletes a record after the
// confirmation, and it goes from every page.
// Run after `npm run build`: timeout 300 sh scripts/in-netns.sh node --test test/e2e/edit.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openConnected, startBroadcaster } from './harness.js';
import { closeAll } from './steps.js';

/** The broadcaster, Chromium, and the three demo pages (each `{ page, … }` from openConnected). */
let broadcaster, browser, master, slaveA, slaveB;

before(async () => {
  [broadcaster, browser] = await Promise.all([startBroadcaster(), launchChromium()]);
});

after(() => closeAll({ server: broadcaster, chromium: browser }));

const form = (page) => page.locator('rtc-query-form');
const dialog = (page) => page.locator('rtc-query-form dialog.editor');
const cells = (page, id) => page.locator(`rtc-query-form tbody tr[data-id="${id}"] td`).allTextContents().then((c) => c.slice(1));
/** The name of the focused input in the form's shadow root, or the text of the focused button. */
const focused = (page) => page.evaluate(() => {
  const el = document.querySelector('rtc-query-form').shadowRoot.activeElement;
  return el ? el.getAttribute('name') ?? el.getAttribute('aria-label') ?? el.textContent.trim() : null;
});

test('the demo pages open and list the master\'s records', async () => {
  master = await openConnected(browser, `${broadcaster.origin}/demo/master.html`, 'rtc-master');
  await master.page.evaluate(async () => {
    const db = document.getElementById('db');
    await db.put('ada', { first: 'Ada', last: 'Byron', born: 1815 });
    await db.put('grace', { first: 'Grace', last: 'Hopper' });
  });
  slaveA = await openConnected(browser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
  slaveB = await openConnected(browser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
  for (const { page } of [master, slaveA, slaveB]) await page.locator('rtc-query-form tbody tr[data-id="ada"]').waitFor({ timeout: 10000 });
});

test('slave A edits a record with the keyboard; the others show it, and the field it does not list is kept', async () => {
  const page = slaveA.page;
  await form(page).getByRole('button', { name: 'Edit record ada' }).focus();
  await page.keyboard.press('Enter');
  await dialog(page).waitFor();
  assert.equal(await focused(page), 'first');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'last');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('Lovelace');
  await page.keyboard.press('Enter');
  await dialog(page).waitFor({ state: 'detached' });
  await form(page).getByText('Saved record ada').waitFor();
  assert.equal(await focused(page), 'Edit record ada');
  for (const other of [master, slaveB]) {
    await other.page.waitForFunction(() => document.querySelector('rtc-query-form').shadowRoot.querySelector('tr[data-id="ada"]')?.textContent.includes('Lovelace'), null, { timeout: 5000 });
  }
  assert.deepEqual(await cells(slaveB.page, 'ada'), ['Ada', 'Lovelace']);
  assert.deepEqual(await master.page.evaluate(() => document.getElementById('db').get('ada')), { first: 'Ada', last: 'Lovelace', born: 1815 });
});

test('slave B changes the record slave A has open: A is told, and saves nothing over it', async () => {
  await form(slaveA.page).getByRole('button', { name: 'Edit record grace' }).click();
  await dialog(slaveA.page).waitFor();
  await dialog(slaveA.page).getByRole('textbox', { name: 'first' }).fill('Amazing Grace');
  await slaveA.page.waitForTimeout(300); // A's watch of the open record starts
  await form(slaveB.page).getByRole('button', { name: 'Edit record grace' }).click();
  await dialog(slaveB.page).getByRole('textbox', { name: 'last' }).fill('Murray Hopper');
  await dialog(slaveB.page).getByRole('button', { name: 'Save' }).click();
  await dialog(slaveB.page).waitFor({ state: 'detached' });
  const alert = dialog(slaveA.page).getByRole('alert');
  await alert.waitFor({ timeout: 5000 });
  assert.match(await alert.textContent(), /Changed on another device/);
  await dialog(slaveA.page).getByRole('button', { name: 'Save', exact: true }).click();
  await slaveA.page.waitForTimeout(500);
  assert.equal(await dialog(slaveA.page).count(), 1, 'Save is refused while the conflict stands');
  assert.deepEqual(await master.page.evaluate(() => document.getElementById('db').get('grace')), { first: 'Grace', last: 'Murray Hopper' });
  await dialog(slaveA.page).getByRole('button', { name: 'Load their version' }).click();
  assert.equal(await dialog(slaveA.page).getByRole('textbox', { name: 'last' }).inputValue(), 'Murray Hopper');
  assert.equal(await dialog(slaveA.page).getByRole('textbox', { name: 'first' }).inputValue(), 'Grace');
  await slaveA.page.keyboard.press('Escape');
  await dialog(slaveA.page).waitFor({ state: 'detached' });
  assert.equal(await focused(slaveA.page), 'Edit record grace');
});

test('slave B deletes a record after the confirmation; it goes from every page', async () => {
  const page = slaveB.page;
  await form(page).getByRole('button', { name: 'Edit record grace' }).click();
  await dialog(page).getByRole('button', { name: 'Delete…' }).click();
  assert.equal(await focused(page), 'Keep it');
  await dialog(page).getByRole('button', { name: 'Delete record' }).click();
  await dialog(page).waitFor({ state: 'detached' });
  await form(page).getByText('Deleted record grace').waitFor();
  for (const { page: p } of [master, slaveA, slaveB]) await p.locator('rtc-query-form tbody tr[data-id="grace"]').waitFor({ state: 'detached', timeout: 5000 });
  const status = await master.page.evaluate(() => document.getElementById('db').get('grace').then(() => 200, (e) => e.status_code));
  assert.equal(status, 404);
});
