// End to end across browsers, for real: the broadcaster process, a Chromium master page (system
// Chromium, playwright-core) and a Firefox slave page (Debian's firefox-esr, puppeteer-core over
// WebDriver BiDi), connected over a real WebRTC data channel signalled through the broadcaster
// (trickle ICE). The Firefox slave writes, queries, gets a 404, uploads and downloads a 300 KiB
// attachment (more than one 256 KiB data-channel message) and rides out a master reload; every result
// is checked on the master page, documents straight from its IndexedDB. Then the reverse: a Firefox
// master and a Chromium slave. Firefox missing is a failure that says what to install, not a skip.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { lanAddress, inNamespace, startBroadcaster } from './harness.js';
import { attachmentBase64, closeAll, collectErrors, rawDocuments, run, sha256, startAll, uploadBase64, withTimeout } from './steps.js';
import { randomBytes } from '../shared/seeded-random.js';

const KiB = 1024;
const ATTACHMENT_BYTES = 300 * KiB;

// ---------------------------------------------------------------- helpers (Node side)

/** Waits for the element's reflected state (same call in playwright and puppeteer). */
function waitState(page, tag, state, ms = 20000) {
  return withTimeout(page.waitForSelector(`${tag}[state="${state}"]`, { timeout: ms }), ms + 1000, `${tag} ${state}`);
}

/** Polls `fn` in the page every 50 ms until it returns something truthy, which it resolves with. */
async function until(page, fn, arg, ms, label) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await run(page, fn, arg, label, Math.max(1000, deadline - Date.now()));
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${label}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Fruit rows for the sort/limit query, with ties on price so the second sort key matters. */
const fruit = Array.from({ length: 40 }, (_, i) => ({
  kind: i % 4 === 3 ? 'vegetable' : 'fruit',
  name: `item-${String((i * 17) % 40).padStart(2, '0')}`,
  price: (i * 7) % 11,
  batch: 'sort',
}));

// ---------------------------------------------------------------- helpers (page side)

/** Init script for every page: keeps its RTCPeerConnections and the signaling frames it sends. */
function recordWebRtc() {
  window.__pcs = [];
  window.__signals = [];
  window.__states = [];
  document.addEventListener('rtc-state-change', (e) => {
    window.__states.push([Math.round(performance.now()), e.target.localName, e.detail.state]);
  });
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
  // Sizes of the data-channel messages it sends, while `__recordSends` is set.
  window.__sent = [];
  const encoder = new TextEncoder();
  const channelSend = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    if (window.__recordSends) {
      window.__sent.push(typeof data === 'string' ? ['text', encoder.encode(data).length] : ['binary', data.byteLength ?? data.size]);
    }
    return channelSend.call(this, data);
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === 'string') {
      try { window.__signals.push(JSON.parse(data)); } catch {}
    }
    return send.call(this, data);
  };
}

/** In a page: what its connected peer connection says about itself (ICE, SCTP, sent candidates). */
async function connectionFacts() {
  const pcs = window.__pcs.filter((p) => p.connectionState === 'connected');
  const pc = pcs[pcs.length - 1];
  if (!pc) return { connected: 0 };
  const stats = [];
  (await pc.getStats()).forEach((s) => stats.push(s));
  const byId = new Map(stats.map((s) => [s.id, s]));
  const address = (s) => s && (s.address ?? s.ipAddress);
  return {
    connected: pcs.length,
    userAgent: navigator.userAgent,
    maxMessageSize: pc.sctp ? pc.sctp.maxMessageSize : null,
    localCandidates: stats.filter((s) => s.type === 'local-candidate').map(address),
    succeededPairs: stats
      .filter((s) => s.type === 'candidate-pair' && s.state === 'succeeded')
      .map((p) => [address(byId.get(p.localCandidateId)), address(byId.get(p.remoteCandidateId))]),
    candidatesSent: window.__signals.filter((m) => m.type === 'candidate').map((m) => m.candidate && m.candidate.candidate),
  };
}

/** In a page: starts (true) or stops (false) recording data-channel sends; stopping returns them. */
function recordSends(on) {
  window.__recordSends = on;
  if (on) window.__sent = [];
  return on ? null : window.__sent.splice(0);
}

/** Page errors other than the expected "master went away" reports during a reload. */
const unexpected = (errors) => errors.filter((e) => !/Lost the master|reconnecting/.test(e.message)).map((e) => e.message);

// ---------------------------------------------------------------- the checks, for either direction

/**
 * The checks run the same way whichever browser plays which part: `pair()` gives the pages
 * `{ master, slave }` (playwright or puppeteer pages: only evaluate, waitForSelector and reload are used).
 */
function databaseChecks(label, pair) {
  test(`${label}: post and put from the slave land in the master's IndexedDB`, { timeout: 60000 }, async () => {
    const { master, slave } = pair();
    const docs = [
      { title: 'plain', n: 1 },
      { title: 'unicode Zürich ✓ 🦊 — 漢字', nested: { list: [1, 'two', null, true], deep: { x: -0.5 } } },
      { title: 'empty strings', a: '', b: [] },
    ];
    const written = await run(slave, async (docs) => {
      const db = document.getElementById('db');
      const posted = await Promise.all(docs.map((d) => db.post(d)));
      const put = await db.put('cross-put-1', { title: 'put', v: 1 });
      const replaced = await db.put('cross-put-1', { title: 'put', v: 2 });
      return { posted, put, replaced };
    }, docs, 'post and put');
    assert.equal(written.posted.length, 3);
    for (const id of written.posted) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual([written.put, written.replaced], ['cross-put-1', 'cross-put-1']);
    const raw = await run(master, rawDocuments, { database: 'rtc:default', ids: [...written.posted, 'cross-put-1'] }, 'raw IndexedDB read');
    assert.deepEqual(raw.docs, [...docs, { title: 'put', v: 2 }]);
    // The master's own API agrees, and the slave reads back what it wrote.
    assert.deepEqual(await run(master, (id) => document.getElementById('db').get(id), written.posted[1]), docs[1]);
    assert.deepEqual(await run(slave, (id) => document.getElementById('db').get(id), written.posted[1]), docs[1]);
  });

  test(`${label}: documents over one data-channel message travel both ways, framed`, { timeout: 60000 }, async () => {
    const { master, slave } = pair();
    // ~250 KiB fits one 256 KiB message as text; ~400 KiB (and 3-byte UTF-8 characters) must be cut into frames.
    const under = { title: 'under', body: 'u'.repeat(250 * KiB) };
    const over = { title: 'over', body: 'o'.repeat(300 * KiB) + '€'.repeat(40 * KiB) };
    await run(slave, async ([a, b]) => {
      const db = document.getElementById('db');
      await db.put('cross-big-under', a);
      await db.put('cross-big-over', b);
    }, [under, over], 'put large documents');
    const raw = await run(master, rawDocuments, { database: 'rtc:default', ids: ['cross-big-under', 'cross-big-over'] }, 'raw IndexedDB read');
    assert.ok(raw.docs[0] && raw.docs[1], 'both large documents are stored');
    assert.equal(raw.docs[0].body.length, under.body.length);
    assert.equal(raw.docs[1].body, over.body);
    // And back from the master to the slave.
    const back = await run(slave, async () => {
      const db = document.getElementById('db');
      return [await db.get('cross-big-under'), await db.get('cross-big-over')];
    }, undefined, 'get large documents');
    assert.deepEqual(back, [under, over]);
  });

  test(`${label}: a message of exactly 262,144 bytes goes as one text message, a byte more as frames, both ways`, { timeout: 60000 }, async () => {
    const { master, slave } = pair();
    const LIMIT = 262144;
    const big = (sent) => sent.filter(([, size]) => size > 1000);
    /** Adjusts a body length until `send(n)` sends exactly one text message of LIMIT bytes. */
    async function fit(send) {
      let n = LIMIT - 300;
      for (let i = 0; i < 6; i++) {
        const sent = big(await send(n));
        if (sent.length === 1 && sent[0][0] === 'text') {
          if (sent[0][1] === LIMIT) return n;
          n += LIMIT - sent[0][1];
        } else {
          n -= 8; // framed: the envelope grew (a longer request id); back off and measure again
        }
      }
      throw new Error('could not make a message of exactly 262,144 bytes');
    }
    // Slave → master: a put request.
    const putBody = async (n) => {
      await run(slave, recordSends, true);
      await run(slave, (n) => document.getElementById('db').put('cross-edge-put', { body: 'p'.repeat(n) }), n, 'edge put');
      return run(slave, recordSends, false);
    };
    const nPut = await fit(putBody);
    const overPut = big(await putBody(nPut + 1));
    assert.ok(overPut.length >= 2 && overPut.every(([kind]) => kind === 'binary'), `a longer put goes as frames: ${JSON.stringify(overPut)}`);
    const stored = await run(master, rawDocuments, { database: 'rtc:default', ids: ['cross-edge-put'] });
    assert.equal(stored.docs[0].body, 'p'.repeat(nPut + 1));
    // Master → slave: the answer to a get.
    const getBody = async (n) => {
      await run(slave, (n) => document.getElementById('db').put('cross-edge-get', { body: 'g'.repeat(n) }), n, 'edge put');
      await run(master, recordSends, true);
      const length = await run(slave, async () => (await document.getElementById('db').get('cross-edge-get')).body.length, undefined, 'edge get');
      assert.equal(length, n);
      return run(master, recordSends, false);
    };
    const nGet = await fit(getBody);
    const overGet = big(await getBody(nGet + 1));
    assert.ok(overGet.length >= 2 && overGet.every(([kind]) => kind === 'binary'), `a longer answer goes as frames: ${JSON.stringify(overGet)}`);
    console.log(`# ${label}: 262,144-byte text messages both ways; bodies ${nPut} (put) and ${nGet} (get answer)`);
  });

  test(`${label}: allDocs with query, sort_on, limit and select_list from the slave`, { timeout: 60000 }, async () => {
    const { slave } = pair();
    const ids = await run(slave, (rows) => Promise.all(rows.map((r) => document.getElementById('db').post(r))), fruit, 'post fruit');
    const idOf = new Map(fruit.map((f, i) => [f, ids[i]]));
    const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    const cases = [
      {
        options: { query: 'batch:"sort" AND kind:"fruit"', sort_on: [['price', 'descending'], ['name', 'ascending']], limit: [3, 7], select_list: ['name', 'price'] },
        want: fruit.filter((f) => f.kind === 'fruit').sort((a, b) => b.price - a.price || cmp(a.name, b.name)).slice(3, 10),
        values: (f) => ({ name: f.name, price: f.price }),
      },
      {
        options: { query: 'batch:sort', sort_on: [['name', 'ascending']], limit: [0, 5] },
        want: [...fruit].sort((a, b) => cmp(a.name, b.name)).slice(0, 5),
      },
      {
        options: { query: 'batch:sort AND price:>=8', sort_on: [['price', 'ascending'], ['name', 'descending']], limit: [2] },
        want: fruit.filter((f) => f.price >= 8).sort((a, b) => a.price - b.price || cmp(b.name, a.name)).slice(2), // jIO: [n] skips n
      },
    ];
    for (const c of cases) {
      assert.ok(c.want.length > 0);
      const result = await run(slave, (o) => document.getElementById('db').allDocs(o), c.options, 'allDocs');
      assert.deepEqual(result.data.rows.map((r) => r.id), c.want.map((f) => idOf.get(f)), JSON.stringify(c.options));
      assert.equal(result.data.total_rows, c.want.length);
      if (c.values) assert.deepEqual(result.data.rows.map((r) => r.value), c.want.map(c.values));
    }
  });

  test(`${label}: a get of a missing id rejects with 404, and the channel stays usable`, { timeout: 60000 }, async () => {
    const { slave } = pair();
    const got = await run(slave, async () => {
      const db = document.getElementById('db');
      const outcome = (p) => p.then(() => ({ resolved: true }), (e) => ({ status_code: e.status_code, message: e.message, isError: e instanceof Error }));
      return [await outcome(db.get('no-such-id')), await outcome(db.allDocs({ query: 'a:(' })), await db.get('cross-put-1')];
    }, undefined, 'errors');
    assert.equal(got[0].status_code, 404);
    assert.equal(got[0].isError, true);
    assert.match(got[0].message, /no-such-id/);
    assert.equal(got[1].status_code, 400);
    assert.deepEqual(got[2], { title: 'put', v: 2 });
  });

  test(`${label}: a 300 KiB attachment goes up from the slave and reads back byte-identical`, { timeout: 60000 }, async () => {
    const { master, slave } = pair();
    const bytes = Buffer.from(randomBytes(ATTACHMENT_BYTES, 20261124));
    const t0 = Date.now();
    await run(slave, recordSends, true);
    const progress = await run(slave, uploadBase64, { id: 'cross-files', name: 'blob.bin', base64: bytes.toString('base64') }, 'upload');
    const uploadMs = Date.now() - t0;
    // The bytes went as binary messages, none over the 256 KiB the peer accepts.
    const checkFrames = (sent, what) => {
      const binary = sent.filter(([kind]) => kind === 'binary');
      assert.ok(binary.length >= 2, `${what}: several binary messages`);
      assert.ok(binary.every(([, size]) => size <= 262144), `${what}: each at most 262,144 bytes`);
      assert.ok(binary.reduce((sum, [, size]) => sum + size, 0) >= ATTACHMENT_BYTES, `${what}: all the bytes`);
    };
    checkFrames(await run(slave, recordSends, false), 'upload');
    assert.ok(progress.length > 0, 'rtc-progress fired');
    assert.deepEqual(progress[progress.length - 1], [ATTACHMENT_BYTES, ATTACHMENT_BYTES]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] > progress[i - 1][0], 'progress only grows');
    // On the master: listed with the length and the digest computed here, and the same bytes.
    const listed = await run(master, () => document.getElementById('db').allAttachments('cross-files'));
    assert.deepEqual(listed['blob.bin'], { content_type: 'application/octet-stream', length: ATTACHMENT_BYTES, digest: sha256(bytes) });
    const onMaster = Buffer.from(await run(master, attachmentBase64, { id: 'cross-files', name: 'blob.bin' }, 'master read'), 'base64');
    assert.ok(onMaster.equals(bytes), 'the master holds the same bytes');
    // Back down to the slave, whole and a range across the 256 KiB mark.
    const t1 = Date.now();
    await run(master, recordSends, true);
    const onSlave = Buffer.from(await run(slave, attachmentBase64, { id: 'cross-files', name: 'blob.bin' }, 'slave read'), 'base64');
    const downloadMs = Date.now() - t1;
    checkFrames(await run(master, recordSends, false), 'download');
    assert.ok(onSlave.equals(bytes), 'the slave reads back the same bytes');
    const range = Buffer.from(await run(slave, attachmentBase64, { id: 'cross-files', name: 'blob.bin', start: 262000, end: 263500 }, 'range read'), 'base64');
    assert.ok(range.equals(bytes.subarray(262000, 263500)), 'a range reads back the same bytes');
    console.log(`# ${label}: 300 KiB up in ${uploadMs} ms (${progress.length} progress events), down in ${downloadMs} ms`);
  });

  test(`${label}: after the master page reloads the slave reconnects, and writes sent meanwhile apply once`, { timeout: 90000 }, async () => {
    const { master, slave } = pair();
    const before = (await run(master, rawDocuments, { database: 'rtc:default', ids: [] })).count;
    // The slave puts a document the moment it sees the master go (state `connecting`): that request
    // waits, and is sent to the reloaded master once the slave is connected again.
    await run(slave, () => {
      const db = document.getElementById('db');
      window.__away = { put: null };
      const onState = (e) => {
        if (e.detail.state !== 'connecting') return;
        db.removeEventListener('rtc-state-change', onState);
        window.__away.sentAfter = [e.detail.previous, e.detail.state];
        db.put('cross-while-away', { title: 'sent while the master was away' }).then(
          (id) => { window.__away.put = { id, at: performance.now() }; },
          (e) => { window.__away.put = { error: `${e.status_code} ${e.message}` }; },
        );
      };
      db.addEventListener('rtc-state-change', onState);
    }, undefined, 'arm the put');
    const states = await run(slave, () => window.__states.length);
    // Another write leaves as the reload starts: it may reach the old page, or be re-sent; either way once.
    const reloaded = withTimeout(master.reload(), 30000, 'master reload');
    const early = run(slave, () => document.getElementById('db').post({ title: 'sent as the master reloads', marker: 'early' }), undefined, 'early post', 60000);
    early.catch(() => {}); // awaited below; not an unhandled rejection if a step before fails
    try {
      await reloaded;
      await waitState(master, 'rtc-master', 'connected');
      const t0 = Date.now();
      await until(slave, () => window.__away.put && document.getElementById('db').state === 'connected', undefined, 30000, 'the put sent while away is answered');
      console.log(`# ${label}: slave reconnected, put answered ${Date.now() - t0} ms after the reloaded master was connected`);
    } finally {
      console.log(`# ${label}: slave states ${JSON.stringify(await run(slave, (n) => window.__states.slice(n), states).catch((e) => e.message))}`);
    }
    const away = await run(slave, () => window.__away);
    assert.deepEqual(away.sentAfter, ['connected', 'connecting']);
    assert.deepEqual(away.put.id, 'cross-while-away', JSON.stringify(away.put));
    const earlyId = await early;
    const raw = await run(master, rawDocuments, { database: 'rtc:default', ids: [earlyId, 'cross-while-away'] });
    assert.deepEqual(raw.docs, [{ title: 'sent as the master reloads', marker: 'early' }, { title: 'sent while the master was away' }]);
    assert.equal(raw.count, before + 2, 'each write applied once');
    const found = await run(slave, () => document.getElementById('db').allDocs({ query: 'marker:early' }));
    assert.deepEqual(found.data.rows.map((r) => r.id), [earlyId]);
    // Everything written before the reload is still served.
    assert.deepEqual(await run(slave, () => document.getElementById('db').get('cross-put-1')), { title: 'put', v: 2 });
  });
}

/** Asserts what the connected slave and master pages say about their peer connection. */
async function checkConnection(label, masterPage, slavePage, slaveBrowser) {
  // getStats is a snapshot (Chromium caches it briefly): the pair that carries the channel may not be
  // reported as succeeded at the very moment the channel opened. Read again for up to 5 s.
  let m;
  let s;
  for (const end = Date.now() + 5000; ;) {
    [m, s] = await Promise.all([run(masterPage, connectionFacts), run(slavePage, connectionFacts)]);
    if ((m.succeededPairs.length > 0 && s.succeededPairs.length > 0) || Date.now() > end) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`# ${label}: slave ${JSON.stringify({ maxMessageSize: s.maxMessageSize, local: s.localCandidates, pairs: s.succeededPairs, sent: s.candidatesSent })}`);
  console.log(`# ${label}: master ${JSON.stringify({ maxMessageSize: m.maxMessageSize, local: m.localCandidates, pairs: m.succeededPairs, sent: m.candidatesSent })}`);
  assert.equal(s.connected, 1, 'the slave has one connected RTCPeerConnection');
  assert.ok(m.connected >= 1, 'the master has a connected RTCPeerConnection');
  if (slaveBrowser === 'firefox') {
    assert.match(s.userAgent, /Firefox\//);
    assert.doesNotMatch(m.userAgent, /Firefox\//);
  } else {
    assert.match(m.userAgent, /Firefox\//);
    assert.doesNotMatch(s.userAgent, /Firefox\//);
  }
  assert.equal(s.maxMessageSize, 262144);
  assert.equal(m.maxMessageSize, 262144);
  // Trickle ICE through the broadcaster: each side sent its host candidates as `candidate` frames,
  // as plain addresses (mDNS obfuscation is off in both browsers).
  for (const [who, facts] of [['slave', s], ['master', m]]) {
    assert.ok(facts.candidatesSent.length > 0, `${who} trickled candidates`);
    for (const c of facts.candidatesSent) assert.doesNotMatch(c, /\.local\b/, `${who} candidate ${c}`);
    assert.ok(facts.succeededPairs.length > 0, `${who} has a succeeded candidate pair`);
  }
  if (inNamespace) {
    // Traffic stays on the namespace's address. With trickle ICE the peer's checks may arrive before
    // its candidate: Chromium then knows it as a peer-reflexive candidate and reports no address ('').
    const onLan = ([l, r]) => l === lanAddress && (r === lanAddress || r === '');
    assert.ok(s.succeededPairs.some(onLan), `slave pairs ${JSON.stringify(s.succeededPairs)}`);
    assert.ok(m.succeededPairs.some(onLan), `master pairs ${JSON.stringify(m.succeededPairs)}`);
    assert.ok([...s.succeededPairs, ...m.succeededPairs].some(([l, r]) => l === lanAddress && r === lanAddress), 'one side names both ends');
  }
}

// ---------------------------------------------------------------- Chromium master, Firefox slave

describe('Chromium master, Firefox slave', () => {
  let broadcaster;
  let chromium;
  let firefox;
  let master;
  const slave = {};

  before(async () => {
    let error;
    ({ server: broadcaster, chromium, firefox, error } = await startAll(startBroadcaster));
    if (error) throw error;
  });

  after(() => closeAll({ server: broadcaster, chromium, firefox }));

  test('the Firefox slave connects to the Chromium master through the broadcaster', { timeout: 60000 }, async () => {
    const context = await chromium.newContext();
    await context.addInitScript(recordWebRtc);
    const page = await context.newPage();
    master = { context, page, errors: collectErrors(page) };
    await withTimeout(page.goto(`${broadcaster.origin}/demo/master.html`), 20000, 'master page');
    await waitState(page, 'rtc-master', 'connected');

    slave.page = await withTimeout(firefox.newPage(), 20000, 'Firefox page');
    slave.errors = collectErrors(slave.page);
    await withTimeout(slave.page.evaluateOnNewDocument(recordWebRtc), 10000, 'Firefox init script');
    const t0 = Date.now();
    await withTimeout(slave.page.goto(`${broadcaster.lanOrigin}/demo/slave.html`, { timeout: 20000 }), 21000, 'Firefox slave page');
    await waitState(slave.page, 'rtc-slave', 'connected');
    console.log(`# Firefox slave connected ${Date.now() - t0} ms after navigation started`);

    const peers = await run(master.page, () => document.getElementById('db').peers);
    assert.equal(peers.length, 1);
    assert.equal(peers[0].state, 'connected');
    await checkConnection('Chromium master, Firefox slave', master.page, slave.page, 'firefox');
  });

  databaseChecks('Firefox slave', () => ({ master: master.page, slave: slave.page }));

  test('no unexpected errors in either page', () => {
    console.log(`# page errors: ${JSON.stringify([...(slave.errors ?? []), ...(master?.errors ?? [])].map((e) => e.message))}`);
    assert.deepEqual(unexpected(slave.errors ?? []), []);
    assert.deepEqual(unexpected(master?.errors ?? []), []);
  });
});

// ---------------------------------------------------------------- Firefox master, Chromium slave

describe('Firefox master, Chromium slave', () => {
  let broadcaster;
  let chromium;
  let firefox;
  const master = {};
  let slave;

  before(async () => {
    let error;
    ({ server: broadcaster, chromium, firefox, error } = await startAll(startBroadcaster));
    if (error) throw error;
  });

  after(() => closeAll({ server: broadcaster, chromium, firefox }));

  test('a Chromium slave connects to the Firefox master through the broadcaster', { timeout: 60000 }, async () => {
    master.page = await withTimeout(firefox.newPage(), 20000, 'Firefox page');
    master.errors = collectErrors(master.page);
    await withTimeout(master.page.evaluateOnNewDocument(recordWebRtc), 10000, 'Firefox init script');
    await withTimeout(master.page.goto(`${broadcaster.origin}/demo/master.html`, { timeout: 20000 }), 21000, 'Firefox master page');
    await waitState(master.page, 'rtc-master', 'connected');

    const context = await chromium.newContext();
    await context.addInitScript(recordWebRtc);
    const page = await context.newPage();
    slave = { context, page, errors: collectErrors(page) };
    const t0 = Date.now();
    await withTimeout(page.goto(`${broadcaster.lanOrigin}/demo/slave.html`), 20000, 'Chromium slave page');
    await waitState(page, 'rtc-slave', 'connected');
    console.log(`# Chromium slave connected to the Firefox master ${Date.now() - t0} ms after navigation started`);

    const peers = await run(master.page, () => document.getElementById('db').peers);
    assert.equal(peers.length, 1);
    assert.equal(peers[0].state, 'connected');
    await checkConnection('Firefox master, Chromium slave', master.page, slave.page, 'chromium');
  });

  databaseChecks('Firefox master', () => ({ master: master.page, slave: slave.page }));

  test('no unexpected errors in either page', () => {
    console.log(`# page errors: ${JSON.stringify([...(slave?.errors ?? []), ...(master.errors ?? [])].map((e) => e.message))}`);
    assert.deepEqual(unexpected(slave?.errors ?? []), []);
    assert.deepEqual(unexpected(master.errors ?? []), []);
  });
});
