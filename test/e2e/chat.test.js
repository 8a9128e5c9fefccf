// Chat across browsers, end to end: the broadcaster process, demo/chat-master.html in the system
// Chromium, and demo/chat.html as a slave in Chromium (playwright-core) and in Debian's firefox-esr
// (puppeteer-core over WebDriver BiDi), over real WebRTC data channels signalled through the
// broadcaster. Each slave types a message and presses Enter; each sees the other's, with its
// sender's name, and the master's page and IndexedDB hold both. Firefox missing is a failure.
// Run after `npm run build`: timeout 300 sh scripts/in-netns.sh node --test test/e2e/chat.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openConnected, startBroadcaster } from './harness.js';
import { closeAll, collectErrors, rawDocuments, run, startAll, withTimeout } from './steps.js';

let server;
let chromium;
let firefox;
let master;
let chromeSlave;
let firefoxSlave;

before(async () => {
  let error;
  ({ server, chromium, firefox, error } = await startAll(startBroadcaster));
  if (error) throw error;
});

after(() => closeAll({ server, chromium, firefox }));

/** In a page: the messages its chat shows, as `[from, text]`. */
function shownMessages() {
  const root = document.querySelector('rtc-chat').shadowRoot;
  return [...root.querySelectorAll('li.message')].map((li) => [li.querySelector('.from').textContent, li.querySelector('.text').textContent]);
}

/** Polls a page (playwright or puppeteer) until its chat shows `count` messages; resolves with them. */
async function waitForMessages(page, count, label) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const messages = await run(page, shownMessages, undefined, label, 5000);
    if (messages.length >= count) return messages;
    if (Date.now() > deadline) throw new Error(`timed out: ${label} (shows ${JSON.stringify(messages)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** In a page: gives its slave a name (the chat's sender name) and says what the chat will send as. */
function nameSlave(name) {
  const slave = document.getElementById('db');
  slave.name = name;
  return document.querySelector('rtc-chat').senderName;
}

test('a Chromium slave and a Firefox slave open the chat through the broadcaster', { timeout: 90000 }, async () => {
  master = await openConnected(chromium, `${server.origin}/demo/chat-master.html`, 'rtc-master');
  chromeSlave = await openConnected(chromium, `${server.lanOrigin}/demo/chat.html`, 'rtc-slave');
  const context = await withTimeout(firefox.createBrowserContext(), 20000, 'Firefox context');
  const page = await withTimeout(context.newPage(), 20000, 'Firefox page');
  firefoxSlave = { page, errors: collectErrors(page) };
  await withTimeout(page.goto(`${server.lanOrigin}/demo/chat.html`, { timeout: 20000 }), 21000, 'Firefox chat page');
  await withTimeout(page.waitForSelector('rtc-slave[state="connected"]', { timeout: 20000 }), 21000, 'Firefox slave connected');
  assert.equal(await run(chromeSlave.page, nameSlave, 'Chromium tablet'), 'Chromium tablet');
  assert.equal(await run(page, nameSlave, 'Firefox laptop'), 'Firefox laptop');
  // Each chat has read the (empty) history of its channel.
  for (const p of [master.page, chromeSlave.page, page]) {
    await withTimeout(p.waitForFunction(() => /No messages in #general yet/.test(document.querySelector('rtc-chat').shadowRoot.textContent), { timeout: 15000 }), 16000, 'chat loaded');
  }
});

test('each slave types a message and presses Enter; each sees the other\'s with its name', { timeout: 90000 }, async () => {
  // Chromium: the labelled text box, typed into and Enter pressed (playwright pierces shadow roots).
  const box = chromeSlave.page.locator('rtc-chat').getByRole('textbox', { name: 'Message to #general' });
  await box.click();
  await box.pressSequentially('Hello from Chromium <img src=x onerror="window.__xss=1">');
  await box.press('Enter');
  await waitForMessages(firefoxSlave.page, 1, 'Firefox sees Chromium\'s message');
  // Firefox: the same text box, found by its label in the chat's shadow root, typed into for real.
  const handle = await withTimeout(firefoxSlave.page.waitForFunction(() => {
    const root = document.querySelector('rtc-chat').shadowRoot;
    return [...root.querySelectorAll('textarea')].find((t) => t.labels[0]?.textContent.trim() === 'Message to #general') ?? null;
  }, { timeout: 10000, polling: 100 }), 11000, 'Firefox text box');
  const textarea = handle.asElement();
  await withTimeout(textarea.click(), 10000, 'click the Firefox text box');
  await withTimeout(textarea.type('Hello from Firefox'), 20000, 'type in Firefox');
  await withTimeout(firefoxSlave.page.keyboard.press('Enter'), 10000, 'Enter in Firefox');
  const expected = [
    ['Chromium tablet', 'Hello from Chromium <img src=x onerror="window.__xss=1">'],
    ['Firefox laptop', 'Hello from Firefox'],
  ];
  assert.deepEqual(await waitForMessages(chromeSlave.page, 2, 'Chromium sees Firefox\'s message'), expected);
  assert.deepEqual(await waitForMessages(firefoxSlave.page, 2, 'Firefox sees both'), expected);
  assert.deepEqual(await waitForMessages(master.page, 2, 'the master sees both'), expected);
  // The markup stayed text everywhere.
  for (const p of [master.page, chromeSlave.page, firefoxSlave.page]) {
    assert.equal(await run(p, () => [window.__xss, document.querySelector('rtc-chat').shadowRoot.querySelectorAll('img').length].join(), undefined, 'no markup'), ',0');
  }
  // The messages are documents in the master's IndexedDB.
  const ids = await run(master.page, async () => (await document.getElementById('db').allDocs({ query: 'type:chat' })).data.rows.map((r) => r.id));
  const { docs } = await run(master.page, rawDocuments, { database: 'rtc:chat', ids });
  assert.deepEqual(docs.map((d) => [d.from, d.text, d.channel, d.type]).sort(), expected.map(([from, text]) => [from, text, 'general', 'chat']).sort());
  for (const d of docs) assert.match(d.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const unexpected = [...master.errors, ...chromeSlave.errors, ...firefoxSlave.errors].map((e) => e.message);
  assert.deepEqual(unexpected, []);
});
