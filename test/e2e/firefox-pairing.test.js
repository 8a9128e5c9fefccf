// Pairing without a broadcaster across browsers, end to end: demo/pairing.html (signaling="manual")
// served by a plain static server (no WebSocket anywhere), one page in the system Chromium
// (playwright-core), the other in Debian's firefox-esr (puppeteer-core over WebDriver BiDi). The
// tokens are carried as a person would: the offer read from the slave page's panel and typed into the
// master's, the answer read there and typed back into the slave's, then the buttons clicked. Both
// tokens are also decoded here in Node (dist/gadgets/signaling/token.js) and checked against the SDP
// the browser that made them holds: Firefox's SDP (a UDP and a TCP host candidate, its own
// a=max-message-size) must reduce to a token the other browser can connect with. Then, for real: a
// post from the slave is in the master's IndexedDB, an allDocs query answers as on the master, and a
// 300 KiB attachment goes up and reads back byte-identical on both ends. Both directions: a Firefox
// slave with a Chromium master, and a Chromium slave with a Firefox master.
// Run after `npm run build`: timeout 300 sh scripts/in-netns.sh node --test test/e2e/firefox-pairing.test.js
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeToken } from '../../dist/gadgets/signaling/token.js';
import { sdpFingerprint } from '../../dist/gadgets/signaling/sdp.js';
import { inNamespace, lanAddress, startStaticServer } from './harness.js';
import { attachmentBase64, closeAll, collectErrors, closeQuietly, rawDocuments, run, sha256, startAll, uploadBase64, withTimeout } from './steps.js';
import { randomBytes } from '../shared/seeded-random.js';

const ATTACHMENT_BYTES = 300 * 1024;

// ---------------------------------------------------------------- helpers (Node side)

/** `address port` of the host candidates of an SDP with transport `transport` (udp or tcp). */
function sdpHostCandidates(sdp, transport) {
  return sdp.split(/\r?\n/)
    .filter((l) => l.startsWith('a=candidate:'))
    .map((l) => l.slice('a=candidate:'.length).split(/\s+/))
    .filter((f) => f[1] === '1' && f[2].toLowerCase() === transport && f[7] === 'host')
    .map((f) => `${f[4]} ${f[5]}`);
}

/** What a browser's own SDP says, in one line for the log. */
function sdpSummary(sdp) {
  const lines = sdp.split(/\r?\n/);
  const pick = (name) => lines.filter((l) => l.startsWith(`a=${name}:`)).map((l) => l.slice(name.length + 3));
  return JSON.stringify({
    udp: sdpHostCandidates(sdp, 'udp'),
    tcp: sdpHostCandidates(sdp, 'tcp'),
    fingerprint: pick('fingerprint').map((f) => f.split(' ')[0]),
    setup: pick('setup'),
    sctpPort: pick('sctp-port'),
    maxMessageSize: pick('max-message-size'),
  });
}

/**
 * What a connection takes from a remote description, comparable across browsers (Firefox
 * re-serialises the remote description it is given: other line order, `a=sendrecv` added).
 */
function sdpEssentials(sdp) {
  const lines = sdp.split(/\r?\n/);
  const one = (name) => lines.find((l) => l.startsWith(`a=${name}:`))?.slice(name.length + 3).trim() ?? null;
  return {
    fingerprint: sdpFingerprint(sdp),
    ufrag: one('ice-ufrag'),
    pwd: one('ice-pwd'),
    setup: one('setup'),
    mid: one('mid'),
    sctpPort: one('sctp-port'),
    maxMessageSize: one('max-message-size'),
    udp: sdpHostCandidates(sdp, 'udp').sort(),
  };
}

// ---------------------------------------------------------------- helpers (page side)

/** Init script for every page: keeps its RTCPeerConnections, WebSockets and rtc-error events. */
function recordPage() {
  window.__pcs = [];
  window.__sockets = [];
  window.__errors = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url, ...rest) {
      super(url, ...rest);
      window.__sockets.push(String(url));
    }
  };
  document.addEventListener('rtc-error', (e) => window.__errors.push(`${e.target.id}: ${e.detail.error.message}`));
}

/** In a page: each RTCPeerConnection's descriptions and states (for checks and failure messages). */
function peerConnections() {
  return window.__pcs.map((pc) => ({
    local: pc.localDescription && { type: pc.localDescription.type, sdp: pc.localDescription.sdp },
    remote: pc.remoteDescription && { type: pc.remoteDescription.type, sdp: pc.remoteDescription.sdp },
    connection: pc.connectionState,
    ice: pc.iceConnectionState,
    maxMessageSize: pc.sctp ? pc.sctp.maxMessageSize : null,
  }));
}

// ---------------------------------------------------------------- the pairing panel, per browser

/**
 * The pairing panel as a person uses it, in either browser: `read` the token a read-only box shows,
 * `type` into an entry box (found by its label), `press` a button (found by its text). `host` is
 * `rtc-master` or `rtc-slave` (each panel is an `<rtc-pairing-panel>` in its host's shadow root).
 */
const chromiumPanel = {
  async read(page, host, label) {
    const box = page.locator(host).getByRole('textbox', { name: label, exact: true });
    await box.waitFor({ timeout: 20000 });
    assert.equal(await box.evaluate((el) => el.readOnly), true, `${label} is read-only`);
    return box.inputValue({ timeout: 5000 });
  },
  async type(page, host, label, text) {
    const box = page.locator(host).getByRole('textbox', { name: label, exact: true });
    await box.click({ timeout: 10000 });
    await box.pressSequentially(text, { timeout: 20000 });
  },
  async press(page, host, name) {
    await page.locator(host).getByRole('button', { name, exact: true }).click({ timeout: 10000 });
  },
};

/** The same with puppeteer (Firefox over BiDi): the elements found in the panel's shadow root by label or text. */
const firefoxPanel = {
  async find(page, host, what, text) {
    const handle = await page.waitForFunction(([hostName, kind, wanted]) => {
      const root = document.querySelector(hostName)?.shadowRoot?.querySelector('rtc-pairing-panel')?.shadowRoot;
      if (!root) return null;
      if (kind === 'textbox') return [...root.querySelectorAll('textarea')].find((t) => t.labels[0]?.textContent.trim() === wanted) ?? null;
      return [...root.querySelectorAll('button')].find((b) => b.textContent.trim() === wanted && !b.disabled) ?? null;
    }, { timeout: 20000, polling: 100 }, [host, what, text]);
    const element = handle.asElement();
    assert.ok(element, `${host}: ${what} "${text}"`);
    return element;
  },
  async read(page, host, label) {
    const box = await this.find(page, host, 'textbox', label);
    const { readOnly, value } = await withTimeout(box.evaluate((el) => ({ readOnly: el.readOnly, value: el.value })), 5000, `read ${label}`);
    assert.equal(readOnly, true, `${label} is read-only`);
    return value;
  },
  async type(page, host, label, text) {
    const box = await this.find(page, host, 'textbox', label);
    await withTimeout(box.click(), 10000, `click ${label}`);
    await withTimeout(box.type(text), 30000, `type into ${label}`);
    const typed = await box.evaluate((el) => el.value);
    assert.equal(typed, text, `${label} holds what was typed`);
  },
  async press(page, host, name) {
    const button = await this.find(page, host, 'button', name);
    await withTimeout(button.click(), 10000, `press ${name}`);
  },
};

// ---------------------------------------------------------------- browsers and pages

let server;
let chromium;
let firefox;

before(async () => {
  let error;
  ({ server, chromium, firefox, error } = await startAll(startStaticServer));
  if (error) throw error;
});

after(() => closeAll({ server, chromium, firefox }));

/** demo/pairing.html in a fresh Chromium context. */
async function openChromium(origin) {
  const context = await chromium.newContext();
  await context.addInitScript(recordPage);
  const page = await context.newPage();
  const errors = collectErrors(page);
  await withTimeout(page.goto(`${origin}/demo/pairing.html`), 20000, 'Chromium pairing page');
  return { browser: 'Chromium', context, page, errors, panel: chromiumPanel, close: () => context.close() };
}

/** demo/pairing.html in a fresh Firefox user context (its own IndexedDB). */
async function openFirefox(origin) {
  const context = await withTimeout(firefox.createBrowserContext(), 20000, 'Firefox context');
  const page = await withTimeout(context.newPage(), 20000, 'Firefox page');
  const errors = collectErrors(page);
  await withTimeout(page.evaluateOnNewDocument(recordPage), 10000, 'Firefox init script');
  await withTimeout(page.goto(`${origin}/demo/pairing.html`, { timeout: 20000 }), 21000, 'Firefox pairing page');
  return { browser: 'Firefox', context, page, errors, panel: firefoxPanel, close: () => context.close() };
}

/** What both pages went through, for failure messages (with every SDP, given and rebuilt). */
async function diagnose(m, s) {
  const state = (side) => run(side.page, () => ({
    errors: window.__errors,
    peers: document.getElementById('master').peers,
    slave: document.getElementById('slave').state,
    alerts: [...document.querySelectorAll('rtc-master, rtc-slave')].flatMap((el) => [...(el.shadowRoot.querySelector('rtc-pairing-panel')?.shadowRoot?.querySelectorAll('[role=alert]') ?? [])].map((a) => `${el.id}: ${a.textContent.trim()}`)),
  }), undefined, 'diagnose', 5000).catch((e) => e.message);
  const pcs = (side) => run(side.page, peerConnections, undefined, 'peer connections', 5000).catch((e) => e.message);
  return [
    `master page (${m.browser}): ${JSON.stringify(await state(m))}`,
    `slave page (${s.browser}): ${JSON.stringify(await state(s))}`,
    `master page peer connections: ${JSON.stringify(await pcs(m), null, 1)}`,
    `slave page peer connections: ${JSON.stringify(await pcs(s), null, 1)}`,
    `page errors: ${JSON.stringify([...m.errors, ...s.errors].map((e) => e.message))}`,
  ].join('\n');
}

/** Page errors other than reports of a slave page's own (unpaired) pane going away on close. */
const unexpected = (errors) => errors.map((e) => e.message).filter((m) => !/Lost the master/.test(m));

// ---------------------------------------------------------------- the checks, for either direction

/**
 * Pairs the slave pane of one page with the master pane of another by tokens only, then checks the
 * database over that channel. `open` gives `{ master, slave }` (see openChromium / openFirefox).
 */
function pairingChecks(label, open) {
  const sides = {};
  let paired = false;
  /** The pages, once paired (later checks fail at once rather than time out when pairing failed). */
  const pages = () => {
    assert.ok(paired, 'not paired: see the first test of this group');
    return sides;
  };

  before(async () => {
    Object.assign(sides, await open());
  });

  after(async () => {
    for (const side of [sides.slave, sides.master]) {
      if (side) await closeQuietly(`${side.browser} page`, () => side.close());
    }
  });

  test(`${label}: pair by typing the offer and answer tokens, no signaling server`, { timeout: 90000 }, async () => {
    const { master: m, slave: s } = sides;
    const t0 = Date.now();
    // 1. The offer, as the slave's panel shows it (groups of four), typed into the master's panel.
    const offerShown = await s.panel.read(s.page, 'rtc-slave', 'Offer token');
    assert.match(offerShown, /^([0-9A-Z]{4} )*[0-9A-Z]{1,4}$/, `the offer is a compact token, not a full SDP: ${offerShown.slice(0, 200)}`);
    const offer = decodeToken(offerShown, 'offer');
    const slavePcs = await run(s.page, peerConnections);
    const slaveOffer = slavePcs.find((p) => p.local?.type === 'offer');
    assert.ok(slaveOffer, 'the slave page made an offer');
    console.log(`# ${label}: ${s.browser} offer SDP ${sdpSummary(slaveOffer.local.sdp)}`);
    assert.equal(offer.fingerprint, sdpFingerprint(slaveOffer.local.sdp), 'the offer token carries the slave\'s fingerprint');
    assert.deepEqual(offer.candidates.map((c) => `${c.address} ${c.port}`).sort(), sdpHostCandidates(slaveOffer.local.sdp, 'udp').sort(),
      'the offer token carries the UDP host candidates, and only those');
    assert.ok(offer.candidates.length > 0);
    if (inNamespace) assert.ok(offer.candidates.some((c) => c.address === lanAddress), JSON.stringify(offer.candidates));

    // Typed in lower case into the master's panel, in the other browser (case does not matter).
    await m.panel.type(m.page, 'rtc-master', 'Offer token from the slave', offerShown.toLowerCase());
    await m.panel.press(m.page, 'rtc-master', 'Create answer');

    // 2. The answer, as the master's panel shows it, typed into the slave's panel.
    const answerShown = await m.panel.read(m.page, 'rtc-master', 'Answer token');
    assert.match(answerShown, /^([0-9A-Z]{4} )*[0-9A-Z]{1,4}$/, `the answer is a compact token, not a full SDP: ${answerShown.slice(0, 200)}`);
    const answer = decodeToken(answerShown, 'answer');
    const masterAnswer = (await run(m.page, peerConnections)).find((p) => p.local?.type === 'answer');
    assert.ok(masterAnswer, 'the master page made an answer');
    console.log(`# ${label}: ${m.browser} answer SDP ${sdpSummary(masterAnswer.local.sdp)}`);
    assert.equal(answer.fingerprint, sdpFingerprint(masterAnswer.local.sdp), 'the answer token carries the master\'s fingerprint');
    assert.deepEqual(answer.candidates.map((c) => `${c.address} ${c.port}`).sort(), sdpHostCandidates(masterAnswer.local.sdp, 'udp').sort());
    // The master's remote description is the SDP rebuilt from the offer token, and that says what
    // the slave's own offer said (all but the TCP candidates).
    assert.deepEqual(sdpEssentials(masterAnswer.remote.sdp), sdpEssentials(offer.sdp));
    assert.deepEqual(sdpEssentials(offer.sdp), sdpEssentials(slaveOffer.local.sdp));

    await s.panel.type(s.page, 'rtc-slave', 'Answer token from the master', answerShown);
    await s.panel.press(s.page, 'rtc-slave', 'Connect');
    try {
      await withTimeout(s.page.waitForSelector('rtc-slave[state="connected"]', { timeout: 20000 }), 21000, 'slave connected');
    } catch (e) {
      throw new Error(`${e.message}\n${await diagnose(m, s)}`, { cause: e });
    }
    const pairMs = Date.now() - t0;
    const compact = (t) => t.replace(/ /g, '').length;
    console.log(`# ${label}: paired by typing in ${pairMs} ms; offer token ${compact(offerShown)} characters `
      + `(${offer.candidates.length} candidates), answer token ${compact(answerShown)} characters (${answer.candidates.length} candidates); `
      + `rebuilt SDPs ${offer.sdp.length} and ${answer.sdp.length} bytes`);

    // Both ends say so: the slave's panel and state, the master's peers, one connected connection each.
    assert.equal(await run(s.page, () => document.getElementById('slave').state), 'connected');
    await withTimeout(m.page.waitForFunction(() => document.getElementById('master').peers.some((p) => p.state === 'connected'), { timeout: 10000 }), 11000, 'master sees the slave');
    const peers = await run(m.page, () => document.getElementById('master').peers);
    assert.equal(peers.length, 1);
    const connected = async (side) => (await run(side.page, peerConnections)).filter((p) => p.connection === 'connected');
    const [mc, sc] = [await connected(m), await connected(s)];
    assert.equal(mc.length, 1, 'one connected RTCPeerConnection on the master page');
    assert.equal(sc.length, 1, 'one connected RTCPeerConnection on the slave page');
    // The slave holds the SDP rebuilt from the answer token, which says what the master's answer said.
    assert.deepEqual(sdpEssentials(sc[0].remote.sdp), sdpEssentials(answer.sdp));
    assert.deepEqual(sdpEssentials(answer.sdp), sdpEssentials(masterAnswer.local.sdp));
    assert.ok(sc[0].maxMessageSize > 0 && mc[0].maxMessageSize > 0);
    console.log(`# ${label}: sctp.maxMessageSize on the master ${mc[0].maxMessageSize}, on the slave ${sc[0].maxMessageSize}`);
    // No signaling at all: not one WebSocket on either page.
    assert.deepEqual([...await run(m.page, () => window.__sockets), ...await run(s.page, () => window.__sockets)], []);
    paired = true;
  });

  test(`${label}: a post from the slave is in the master's IndexedDB`, { timeout: 60000 }, async () => {
    const { master: m, slave: s } = pages();
    const doc = { title: `from a ${s.browser} slave`, unicode: 'Zürich ✓ 🦊 — 漢字', nested: { list: [1, 'two', null, true] } };
    const id = await run(s.page, (d) => document.getElementById('slave').post(d), doc, 'post');
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual((await run(m.page, rawDocuments, { database: 'rtc:pairing', ids: [id] }, 'raw IndexedDB read')).docs, [doc]);
    assert.deepEqual(await run(s.page, (i) => document.getElementById('slave').get(i), id), doc);
  });

  test(`${label}: an allDocs query from the slave answers as on the master`, { timeout: 60000 }, async () => {
    const { master: m, slave: s } = pages();
    const docs = Array.from({ length: 24 }, (_, i) => ({ first: `First${i}`, last: i % 3 ? 'Other' : 'Third', n: i }));
    const ids = await run(s.page, (list) => Promise.all(list.map((d) => document.getElementById('slave').post(d))), docs, 'post 24');
    assert.equal(new Set(ids).size, 24);
    const options = { query: 'last:Third', sort_on: [['n', 'descending']], limit: [1, 3], select_list: ['n', 'first'] };
    const remote = await run(s.page, (o) => document.getElementById('slave').allDocs(o), options, 'slave allDocs');
    const local = await run(m.page, (o) => document.getElementById('master').allDocs(o), options, 'master allDocs');
    assert.deepEqual(remote, local);
    assert.deepEqual(remote.data.rows.map((r) => r.value), [{ n: 18, first: 'First18' }, { n: 15, first: 'First15' }, { n: 12, first: 'First12' }]);
    const total = await run(s.page, () => document.getElementById('slave').allDocs().then((r) => r.data.total_rows));
    assert.equal(total, 25); // these 24 and the post before
  });

  test(`${label}: a 300 KiB attachment goes up from the slave and reads back byte-identical`, { timeout: 60000 }, async () => {
    const { master: m, slave: s } = pages();
    const bytes = Buffer.from(randomBytes(ATTACHMENT_BYTES, 20261204));
    const t0 = Date.now();
    await run(s.page, uploadBase64, { el: 'slave', id: 'token-files', name: 'blob.bin', base64: bytes.toString('base64') }, 'upload');
    const upMs = Date.now() - t0;
    const listed = await run(m.page, () => document.getElementById('master').allAttachments('token-files'));
    assert.deepEqual(listed['blob.bin'], { content_type: 'application/octet-stream', length: ATTACHMENT_BYTES, digest: sha256(bytes) });
    const onMaster = Buffer.from(await run(m.page, attachmentBase64, { el: 'master', id: 'token-files', name: 'blob.bin' }, 'master read'), 'base64');
    assert.ok(onMaster.equals(bytes), 'the master holds the same bytes');
    const t1 = Date.now();
    const onSlave = Buffer.from(await run(s.page, attachmentBase64, { el: 'slave', id: 'token-files', name: 'blob.bin' }, 'slave read'), 'base64');
    const downMs = Date.now() - t1;
    assert.ok(onSlave.equals(bytes), 'the slave reads back the same bytes');
    console.log(`# ${label}: 300 KiB up in ${upMs} ms, down in ${downMs} ms`);
  });

  test(`${label}: no unexpected errors in either page`, () => {
    const { master: m, slave: s } = sides;
    assert.deepEqual(unexpected(m.errors), []);
    assert.deepEqual(unexpected(s.errors), []);
  });
}

/** The master page (`openMaster`) on 127.0.0.1 and the slave page (`openSlave`) on the LAN address; the master closed if the slave fails to open. */
async function openPair(openMaster, openSlave) {
  const master = await openMaster(server.origin);
  const slave = await openSlave(server.lanOrigin).catch(async (e) => {
    await master.close();
    throw e;
  });
  return { master, slave };
}

// The master page on 127.0.0.1, the slave page on the LAN address (no secure context there), as a
// second device would open it.
describe('Chromium master, Firefox slave, paired by tokens', () => {
  pairingChecks('Firefox slave', () => openPair(openChromium, openFirefox));
});

describe('Firefox master, Chromium slave, paired by tokens', () => {
  pairingChecks('Firefox master', () => openPair(openFirefox, openChromium));
});
