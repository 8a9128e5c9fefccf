// Pairing without a broadcaster, end to end: demo/pairing.html in separate browser contexts served
// by a plain static server (no signaling anywhere), the tokens carried between the pages as a person
// would (read the text shown, type it into the other page, click), real WebRTC, the master's real
// IndexedDB. Then the QR codes: screenshot, decode with jsqr, pair with what was decoded. Then the
// room secret through the broadcaster: a wrong secret gets 403, the right one is served.
// Run after `npm run build`: sh scripts/in-netns.sh node --test test/e2e/pairing.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { inNamespace, lanAddress, launchChromium, startBroadcaster, startStaticServer } from './harness.js';

let server;
let port;
let browser;
const contexts = [];

before(async () => {
  server = await startStaticServer();
  port = server.port;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens demo/pairing.html in a fresh context (`host` 127.0.0.1 or the LAN address). */
async function openPairingPage(host, viewport = { width: 1200, height: 900 }) {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  const problems = [];
  page.consoleLines = []; // for failure messages
  page.on('pageerror', (e) => problems.push(e));
  page.on('console', (m) => {
    page.consoleLines.push(m.text().slice(0, 300));
    if (m.type() === 'error') problems.push(new Error(m.text()));
  });
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(`http://${host}:${port}/demo/pairing.html`);
  // Every rtc-error of both panes, for the failure messages.
  await page.evaluate(() => {
    window.rtcErrors = [];
    document.addEventListener('rtc-error', (e) => window.rtcErrors.push(`${e.target.id}: ${e.detail.error.message}`));
  });
  return { context, page, problems, sockets, master: page.locator('rtc-master'), slave: page.locator('rtc-slave') };
}

/** The token shown in a read-only box, as a person reads it (groups of four). */
async function shownToken(pane, label) {
  const box = pane.getByRole('textbox', { name: label, exact: true });
  await box.waitFor();
  await assert.doesNotReject(box.evaluate((el) => {
    if (!el.readOnly) throw new Error('not read-only');
  }));
  return box.inputValue();
}

/** Pairs the slave pane of `s` with the master pane of `m` by reading and typing tokens. */
async function pairByTyping(m, s) {
  const offer = await shownToken(s.slave, 'Offer token');
  assert.match(offer, /^([0-9A-Z]{1,4} )*[0-9A-Z]{1,4}$/, `offer as shown: ${offer}`);
  const offerBox = m.master.getByRole('textbox', { name: 'Offer token from the slave' });
  await offerBox.click();
  await offerBox.pressSequentially(offer.toLowerCase()); // typed, in lower case: case does not matter
  await m.master.getByRole('button', { name: 'Create answer' }).click();
  const answer = await shownToken(m.master, 'Answer token');
  const answerBox = s.slave.getByRole('textbox', { name: 'Answer token from the master' });
  await answerBox.click();
  await answerBox.pressSequentially(answer);
  await s.slave.getByRole('button', { name: 'Connect' }).click();
  await waitConnected(m, s);
  return { offer, answer };
}

/** What both pages went through, for failure messages. */
async function diagnose(m, s) {
  const state = (page) => page.evaluate(() => ({
    errors: window.rtcErrors,
    peers: document.getElementById('master').peers,
    slave: document.getElementById('slave').state,
  })).catch((e) => e.message);
  return `master page: ${JSON.stringify(await state(m.page))}\nslave page: ${JSON.stringify(await state(s.page))}\nslave console:\n${s.page.consoleLines.join('\n')}\nmaster console:\n${m.page.consoleLines.join('\n')}`;
}

/** Waits for the slave pane of `s` to be connected; says what went wrong otherwise. */
async function waitConnected(m, s) {
  try {
    await s.page.waitForSelector('rtc-slave[state="connected"]', { timeout: 20000 });
  } catch (e) {
    throw new Error(`${e.message}\nslave alerts: ${await s.slave.getByRole('alert').allTextContents()}\n${await diagnose(m, s)}`, { cause: e });
  }
}

/** Decodes the QR code `locator` shows (a screenshot, as a phone camera would see the screen). */
async function readQr(locator) {
  const png = PNG.sync.read(await locator.screenshot());
  const found = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  assert.ok(found, 'the QR code could not be decoded');
  return found.data;
}

const call = (page, id, method, ...args) => page.evaluate(([i, m, a]) => document.getElementById(i)[m](...a), [id, method, args]);
const statusOf = (page, id) => page.evaluate((i) => document.getElementById(i).allDocs().then(() => 'ok', (e) => e.status_code), id);

let first; // { m, s } of the first pairing, reused by the next tests

test('two browser contexts pair with no broadcaster: tokens read on one page and typed on the other', async () => {
  const m = await openPairingPage('127.0.0.1');
  const s = await openPairingPage(lanAddress);
  if (inNamespace) {
    // The slave is on a LAN address over plain http: no secure context, no crypto.subtle, no camera.
    assert.equal(await s.page.evaluate(() => isSecureContext), false);
    assert.equal(await s.slave.getByRole('button', { name: 'Scan QR code' }).count(), 0);
  }
  const t0 = Date.now();
  const { offer, answer } = await pairByTyping(m, s);
  console.log(`# paired by typing in ${Date.now() - t0} ms; offer ${offer.replace(/ /g, '').length} characters, answer ${answer.replace(/ /g, '').length}`);
  await m.master.getByText(/is connected/).waitFor();
  const peers = await m.page.evaluate(() => document.getElementById('master').peers);
  assert.equal(peers.length, 1);
  assert.equal(peers[0].state, 'connected');
  // No broadcaster was involved: no WebSocket at all, and the static server has no /signal.
  assert.deepEqual([...m.sockets, ...s.sockets], []);
  // The slave pane now says it is paired; the status says so in words.
  await s.slave.getByText('Connected to the master over WebRTC').waitFor();
  await s.page.waitForFunction(() => /Connected\s+manual pairing/.test(document.querySelector('rtc-status[for="slave"]').shadowRoot.textContent));
  first = { m, s };
});

test('after pairing, the database API works as over the broadcaster', async () => {
  const { m, s } = first;
  const docs = Array.from({ length: 30 }, (_, i) => ({ first: `First${i}`, last: i % 2 ? 'Odd' : 'Even', n: i }));
  const ids = await s.page.evaluate((list) => Promise.all(list.map((d) => document.getElementById('slave').post(d))), docs);
  assert.equal(new Set(ids).size, 30);
  const local = await m.page.evaluate(() => document.getElementById('master').allDocs({ query: 'last:Odd', sort_on: [['n', 'descending']], limit: [0, 3], select_list: ['n'] }));
  const remote = await call(s.page, 'slave', 'allDocs', { query: 'last:Odd', sort_on: [['n', 'descending']], limit: [0, 3], select_list: ['n'] });
  assert.deepEqual(remote, local);
  assert.deepEqual(remote.data.rows.map((r) => r.value.n), [29, 27, 25]);
  assert.deepEqual(await call(s.page, 'slave', 'get', ids[4]), docs[4]);
  const missing = await s.page.evaluate(() => document.getElementById('slave').get('nope').then(() => 'found', (e) => e.status_code));
  assert.equal(missing, 404);
  // The query form, as a person uses it, on the slave; the master finds the record.
  const form = s.page.locator('rtc-query-form[for="slave"]');
  await form.getByRole('textbox', { name: 'first' }).fill('Grace');
  await form.getByRole('textbox', { name: 'last' }).fill('Hopper');
  await form.getByRole('button', { name: 'Add record' }).click();
  await form.getByText(/Created record/).waitFor();
  const found = await m.page.evaluate(() => document.getElementById('master').allDocs({ query: 'last:Hopper', include_docs: true }));
  assert.equal(found.data.rows.length, 1);
  assert.equal(found.data.rows[0].doc.first, 'Grace');
  assert.deepEqual(s.problems, []);
});

test('a master pairs a second slave after the first, and both are served', async () => {
  const { m } = first;
  const s2 = await openPairingPage(lanAddress, { width: 390, height: 844 });
  await pairByTyping(m, s2);
  await m.page.waitForFunction(() => document.getElementById('master').peers.filter((p) => p.state === 'connected').length === 2);
  const total = await s2.page.evaluate(() => document.getElementById('slave').allDocs().then((r) => r.data.total_rows));
  assert.equal(total, 31);
  assert.equal(await statusOf(first.s.page, 'slave'), 'ok');
  await s2.context.close();
  await m.page.waitForFunction(() => document.getElementById('master').peers.length === 1);
});

test('a mistyped or wrong-kind token is refused in place, and the right one still works', async () => {
  const m = await openPairingPage('127.0.0.1');
  const s = await openPairingPage(lanAddress);
  const offer = await shownToken(s.slave, 'Offer token');
  const box = m.master.getByRole('textbox', { name: 'Offer token from the slave' });
  // One character changed: the check characters catch it.
  const chars = offer.split('');
  const at = chars.findIndex((c, i) => i > 10 && c !== ' ');
  chars[at] = chars[at] === 'A' ? 'B' : 'A';
  await box.fill(chars.join(''));
  await m.master.getByRole('button', { name: 'Create answer' }).click();
  await m.master.getByRole('alert').filter({ hasText: /mistyped or incomplete/ }).waitFor();
  // The slave's own offer pasted as the answer.
  await s.slave.getByRole('textbox', { name: 'Answer token from the master' }).fill(offer);
  await s.slave.getByRole('button', { name: 'Connect' }).click();
  await s.slave.getByRole('alert').filter({ hasText: /offer token, not an answer/ }).waitFor();
  // Then done right.
  await box.fill(offer);
  await m.master.getByRole('button', { name: 'Create answer' }).click();
  const answer = await shownToken(m.master, 'Answer token');
  await s.slave.getByRole('textbox', { name: 'Answer token from the master' }).fill(answer);
  await s.slave.getByRole('button', { name: 'Connect' }).click();
  await waitConnected(m, s);
  await m.context.close();
  await s.context.close();
});

test('QR round trip: the offer and answer QR codes decode to the tokens, and pairing with them works', async () => {
  const m = await openPairingPage('127.0.0.1');
  const s = await openPairingPage(lanAddress, { width: 390, height: 844 });
  const offerShown = await shownToken(s.slave, 'Offer token');
  const offerScanned = await readQr(s.slave.getByRole('img', { name: 'QR code of the offer token' }));
  assert.equal(offerScanned, offerShown.replace(/ /g, ''));
  await m.master.getByRole('textbox', { name: 'Offer token from the slave' }).fill(offerScanned);
  await m.master.getByRole('button', { name: 'Create answer' }).click();
  const answerShown = await shownToken(m.master, 'Answer token');
  const answerScanned = await readQr(m.master.getByRole('img', { name: 'QR code of the answer token' }));
  assert.equal(answerScanned, answerShown.replace(/ /g, ''));
  // The script API takes the scanned token as it is.
  const accepted = await s.page.evaluate((token) => document.getElementById('slave').acceptAnswer(token).then(() => 'ok', (e) => e.message), answerScanned);
  assert.equal(accepted, 'ok', await diagnose(m, s));
  assert.equal(await s.page.evaluate(() => document.getElementById('slave').state), 'connected');
  const id = await call(s.page, 'slave', 'post', { via: 'qr' });
  assert.deepEqual(await call(m.page, 'master', 'get', id), { via: 'qr' });
  await m.context.close();
  await s.context.close();
});

test('the script API pairs too: createOffer, acceptOffer, acceptAnswer', async () => {
  const m = await openPairingPage('127.0.0.1');
  const s = await openPairingPage(lanAddress);
  const offer = await s.page.evaluate(() => document.getElementById('slave').createOffer());
  // createOffer returns the offer already shown, not a new one.
  assert.equal(offer, (await shownToken(s.slave, 'Offer token')).replace(/ /g, ''));
  const answer = await m.page.evaluate((t) => document.getElementById('master').acceptOffer(t), offer);
  const accepted = await s.page.evaluate((t) => document.getElementById('slave').acceptAnswer(t).then(() => 'ok', (e) => e.message), answer);
  assert.equal(accepted, 'ok', await diagnose(m, s));
  assert.equal(await statusOf(s.page, 'slave'), 'ok');
  const wrongMode = await m.page.evaluate(() => {
    const el = document.createElement('rtc-slave');
    el.setAttribute('no-autoconnect', '');
    document.body.append(el);
    return el.createOffer().then(() => 'made', (e) => e.status_code);
  });
  assert.equal(wrongMode, 400);
  await m.context.close();
  await s.context.close();
});

// ------------------------------------------------------------ room secret, through the broadcaster

/** A page of the broadcaster's origin whose body is `html` (the bundle loaded from /dist/). */
async function pageWith(origin, html) {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.consoleLines = []; // for failure messages
  page.on('console', (m) => page.consoleLines.push(m.text().slice(0, 300)));
  await page.goto(`${origin}/demo/`);
  await page.setContent(`<!doctype html><html lang="en"><head><script type="module" src="/dist/rtc-gadgets.js"></script></head><body>${html}</body></html>`);
  return page;
}

test('room secret through the broadcaster: a wrong secret is refused with 403, the right one is served', async () => {
  const broadcaster = await startBroadcaster();
  try {
    const master = await pageWith(broadcaster.origin, `<rtc-master id="db" database="secret-e2e" room="vault" secret="open sesame">
      <rtc-status for="db"></rtc-status></rtc-master>`);
    await master.waitForSelector('rtc-master[state="connected"]', { state: 'attached', timeout: 20000 });
    // Its status sends phones to the broadcaster's slave page, in this room.
    const link = master.locator('rtc-status').getByRole('link');
    await link.waitFor({ timeout: 10000 });
    const href = new URL(await link.getAttribute('href'));
    assert.equal(`${href.pathname}${href.search}`, '/demo/slave.html?room=vault');
    const viaLink = await (await browser.newContext()).newPage();
    contexts.push(viaLink.context());
    await viaLink.goto(href.href);
    assert.equal(await viaLink.evaluate(() => document.getElementById('db').room), 'vault', 'a slave page opened from the link joins that room');
    await viaLink.context().close();
    await master.evaluate(() => {
      window.errors = [];
      document.getElementById('db').addEventListener('rtc-error', (e) => window.errors.push({ message: e.detail.error.message, code: e.detail.error.status_code }));
    });

    for (const secret of ['wrong', '']) {
      const slave = await pageWith(broadcaster.lanOrigin, `<rtc-slave id="db" room="vault" secret="${secret}" timeout="5000"></rtc-slave>`);
      await slave.waitForSelector('rtc-slave[state="error"]', { state: 'attached', timeout: 20000 });
      const refused = await slave.evaluate(async () => {
        const db = document.getElementById('db');
        const code = (p) => p.then(() => 'resolved', (e) => e.status_code);
        return { get: await code(db.get('x')), post: await code(db.post({ stolen: true })), last: db.lastError?.status_code };
      });
      assert.deepEqual(refused, { get: 403, post: 403, last: 403 }, `secret "${secret}"`);
      await slave.context().close();
    }
    const masterSaw = await master.evaluate(() => window.errors);
    assert.equal(masterSaw.filter((e) => e.code === 403 && /Refused slave/.test(e.message)).length, 2, JSON.stringify(masterSaw));
    assert.equal(await master.evaluate(() => document.getElementById('db').allDocs().then((r) => r.data.total_rows)), 0);
    await master.waitForFunction(() => document.getElementById('db').peers.length === 0);

    const slave = await pageWith(broadcaster.lanOrigin, `<rtc-slave id="db" room="vault" secret="open sesame"></rtc-slave>`);
    try {
      await slave.waitForSelector('rtc-slave[state="connected"]', { state: 'attached', timeout: 20000 });
    } catch (e) {
      throw new Error(`${e.message}\nslave console:\n${slave.consoleLines.join('\n')}\nmaster console:\n${master.consoleLines.join('\n')}`, { cause: e });
    }
    const id = await slave.evaluate(() => document.getElementById('db').post({ admitted: true }));
    assert.deepEqual(await master.evaluate((i) => document.getElementById('db').get(i), id), { admitted: true });
    assert.equal(await master.evaluate(() => document.getElementById('db').peers.filter((p) => p.state === 'connected').length), 1);

    // The master's status shows where slaves go: the LAN slave page the broadcaster printed
    // (although the master page is on 127.0.0.1), in this master's room, as a link and a QR code.
    const status = master.locator('rtc-status');
    const printed = broadcaster.output.find((line) => line.startsWith('Slave page: '))?.slice('Slave page: '.length);
    assert.ok(printed, broadcaster.output.join('\n'));
    if (inNamespace) assert.doesNotMatch(printed, /127\.0\.0\.1/);
    const slaveUrl = `${printed}?room=vault`;
    await status.getByRole('link', { name: slaveUrl }).waitFor();
    assert.equal(await readQr(status.getByRole('img', { name: /QR code of the slave page address/ })), slaveUrl);
  } finally {
    await broadcaster.stop();
  }
});

test('close the contexts', async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => {})));
});
