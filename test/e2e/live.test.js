// Live data end to end, for real: the broadcaster process, demo/master.html and two demo/slave.html
// pages (each in its own browser context, so its own "device"), real WebRTC data channels and the
// master's real IndexedDB. The pages' query forms are `live`: slave A adds a record through its
// form as a person would, and slave B and the master show it with no click, while a person on
// slave B keeps typing in the search box. Then the master page reloads and it still works.
// Run after `npm run build`: timeout 300 sh scripts/in-netns.sh node --test test/e2e/live.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openConnected, startBroadcaster } from './harness.js';
import { closeAll } from './steps.js';

let broadcaster;
let browser;
let master;
let slaveA;
let slaveB;

before(async () => {
  broadcaster = await startBroadcaster();
  browser = await launchChromium();
});

after(() => closeAll({ server: broadcaster, chromium: browser }));

/** The form's row showing `last`, in a page (playwright locators pierce shadow roots). */
const rowOf = (page, last) => page.locator('rtc-query-form tbody tr').filter({ hasText: last });

/**
 * Adds a record through a page's form: types in the labelled inputs and presses "Add record".
 * @returns Date.now() just before the click.
 */
async function addThroughForm(page, first, last) {
  const form = page.locator('rtc-query-form');
  await form.getByRole('textbox', { name: 'first' }).fill(first);
  await form.getByRole('textbox', { name: 'last' }).fill(last);
  const clicked = Date.now();
  await form.getByRole('button', { name: 'Add record' }).click();
  await form.getByText('Created record').waitFor({ timeout: 10000 });
  return clicked;
}

test('a master and two slaves open the demo pages, whose forms are live', async () => {
  master = await openConnected(browser, `${broadcaster.origin}/demo/master.html`, 'rtc-master');
  slaveA = await openConnected(browser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
  slaveB = await openConnected(browser, `${broadcaster.lanOrigin}/demo/slave.html`, 'rtc-slave');
  for (const { page } of [master, slaveA, slaveB]) {
    assert.equal(await page.locator('rtc-query-form[live]').count(), 1);
    await page.locator('rtc-query-form caption').getByText('live').waitFor({ timeout: 5000 });
  }
  await master.page.waitForFunction(() => document.getElementById('db').peers.filter((p) => p.state === 'connected').length === 2);
});

test('slave A adds a record through its form; slave B and the master show it with no click', async () => {
  // On slave B a person is typing a search, not submitted: it must keep its text, caret and focus.
  const search = slaveB.page.locator('rtc-query-form').getByRole('searchbox', { name: 'Search' });
  await search.click();
  await search.pressSequentially('Love');
  const clicked = await addThroughForm(slaveA.page, 'Ada', 'Lovelace');
  await Promise.all([rowOf(slaveB.page, 'Lovelace').waitFor({ timeout: 5000 }), rowOf(master.page, 'Lovelace').waitFor({ timeout: 5000 })]);
  console.log(`# slave B and the master showed slave A's record within ${Date.now() - clicked} ms of the click (150 ms of it the debounce; playwright's polling included)`);
  assert.deepEqual(await rowOf(slaveB.page, 'Lovelace').locator('td').allTextContents().then((c) => c.slice(1)), ['Ada', 'Lovelace']);
  // The new row is highlighted on B.
  assert.match(await rowOf(slaveB.page, 'Lovelace').getAttribute('class'), /^changed-[01]$/);
  const focus = await slaveB.page.evaluate(() => {
    const root = document.querySelector('rtc-query-form').shadowRoot;
    const input = root.querySelector('input[name=q]');
    return { focused: root.activeElement === input, value: input.value, caret: input.selectionStart };
  });
  assert.deepEqual(focus, { focused: true, value: 'Love', caret: 4 });
  // The person goes on typing where they were.
  await slaveB.page.keyboard.type('lace');
  assert.equal(await search.inputValue(), 'Lovelace');
});

test('records from the master and from slave B reach the others live too', async () => {
  await addThroughForm(master.page, 'Grace', 'Hopper');
  await addThroughForm(slaveB.page, 'Alan', 'Turing');
  for (const { page } of [master, slaveA, slaveB]) {
    await rowOf(page, 'Hopper').waitFor({ timeout: 5000 });
    await rowOf(page, 'Turing').waitFor({ timeout: 5000 });
  }
});

test('after the master page reloads, a record from slave A still reaches slave B with no click', async () => {
  await master.page.reload();
  await master.page.waitForSelector('rtc-master[state="connected"]', { timeout: 15000 });
  await Promise.all([slaveA, slaveB].map(({ page }) => page.waitForSelector('rtc-slave[state="connected"]', { timeout: 20000 })));
  await addThroughForm(slaveA.page, 'Katherine', 'Johnson');
  await rowOf(slaveB.page, 'Johnson').waitFor({ timeout: 10000 });
  await rowOf(master.page, 'Johnson').waitFor({ timeout: 10000 });
  const unexpected = [...master.errors, ...slaveA.errors, ...slaveB.errors].map((e) => e.message).filter((m) => !/Lost the master|reconnecting/.test(m));
  assert.deepEqual(unexpected, []);
});
