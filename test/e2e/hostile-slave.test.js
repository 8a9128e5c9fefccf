// End to end, for real: a hostile slave on the LAN (issue 14 items 2, 3 and 7). The broadcaster, a
// master with a room secret and an allow-list, a legitimate slave (the project's element) that keeps
// reading, and a raw page without any of the project's code that speaks the documented protocol
// (test/e2e/hostile-page.js: its own WebSocket, RTCPeerConnection and handshake). The raw slave
// skips, replays and guesses proofs, calls every method outside `allow`, sends garbage of every kind
// (seeded), floods requests, leaves fragments unfinished, runs an expensive query and sends 200,000
// tiny binary messages. Throughout, the master never throws, its data and prototypes stay intact, the
// legitimate slave's gets all succeed (their p95 is printed; bench/sections/hostile.js compares it
// with idle), and each abuse ends with the reason told and the channel closed. Last, with the master's
// quota cut, big writes of both slaves during a request flood get 507 and leave nothing (item 5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, startBroadcaster } from './harness.js';
import { closeQuietly, rawDocuments, run } from './steps.js';
import { seededRandom } from '../shared/seeded-random.js';
import { SECRET, openLegitSlave, openMaster, openRaw, startProbe, stopProbe } from './hostile-pages.js';

const ROOM = 'hostile';
const SEED = 14;
/** Tiny messages of the flood (the 200,000; HOSTILE_FLOOD=1000000 to look further). */
const FLOOD = Number(process.env.HOSTILE_FLOOD ?? 200000);
let broadcaster, browser, master, slave, raw, signal;

before(async () => {
  [broadcaster, browser] = await Promise.all([startBroadcaster(), launchChromium()]);
  signal = `ws://127.0.0.1:${broadcaster.port}/signal`;
  master = await openMaster(broadcaster, browser, ROOM);
  // The master origin's quota cut to 7 MiB from the start (as test/e2e/quota.test.js; set later, the
  // browser kept the quota it had): room for everything here but the full-disk test's big writes.
  const cdp = await master.context.newCDPSession(master.page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: broadcaster.origin, quotaSize: 7 * 1024 * 1024 });
  slave = await openLegitSlave(broadcaster, browser, ROOM);
  await run(slave.page, async () => {
    const db = document.getElementById('db');
    for (let k = 0; k < 50; k++) await db.put(`doc-${k}`, { k, title: `document ${k}` });
  });
  raw = await openRaw(broadcaster, browser);
});

after(async () => {
  await closeQuietly('browser', () => browser?.close() ?? Promise.resolve());
  await broadcaster?.stop();
});

const ids = Array.from({ length: 50 }, (_, k) => `doc-${k}`);
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;

/** Runs `attack` in the raw page while the legit slave reads; its gets must all succeed. */
async function underAttack(label, attack, arg, ms = 60000) {
  await run(slave.page, startProbe, ids);
  let result;
  try {
    result = await run(raw.page, attack, arg, label, ms);
  } finally {
    const probe = await run(slave.page, stopProbe);
    console.log(`# ${label}: the legit slave's get p95 ${p95(probe.times).toFixed(1)} ms over ${probe.times.length} gets`);
    assert.deepEqual(probe.errors, [], `${label}: the legit slave's gets failed`);
    assert.ok(probe.times.length > 0, `${label}: the legit slave got no answer at all`);
  }
  return result;
}

/** The master is intact: no uncaught error, no polluted prototype, the documents as written. */
async function assertMasterIntact(label) {
  assert.equal(master.crashed(), false, `${label}: the master's renderer crashed`);
  assert.deepEqual(master.errors.map((e) => e.message), [], `${label}: uncaught errors in the master`);
  const check = await run(master.page, async () => {
    const db = document.getElementById('db');
    const rows = await db.allDocs({ select_list: ['k'] });
    return { polluted: ({}).polluted ?? Object.prototype.polluted ?? null, count: rows.data.total_rows, k7: (await db.get('doc-7')).k };
  });
  assert.deepEqual(check, { polluted: null, count: 50, k7: 7 }, label);
}

test('skipped, replayed and guessed proofs get 403 and never an answer; refusals are rate-limited per address', async () => {
  const out = await run(raw.page, async ({ signal, room, secret }) => {
    const H = window.H;
    const get = JSON.stringify({ v: 1, type: 'request', id: 1, method: 'get', args: ['doc-1'] });
    const attempt = async (prove) => {
      const i = await H.connect(signal, room);
      const hello = await H.next(i, (m) => m.type === 'hello', 40000);
      const proof = await prove(i, hello.m.nonce);
      if (proof) H.send(i, JSON.stringify(proof));
      H.send(i, get); // pipelined behind the proof: must never be answered
      const refusal = await H.next(i, (m) => m.type === 'error', 10000);
      await H.next(i, () => false, 500);
      return { i, helloAt: hello.at, refusal: refusal?.m ?? null, refusedAt: refusal?.at ?? null, rest: H.inbox(i), closed: H.info(i).closedAt > 0 };
    };
    const skipped = await attempt(() => null);
    // A correct proof, kept to replay it on another connection.
    let kept = null;
    const admitted = await H.connect(signal, room);
    const hello = await H.next(admitted, (m) => m.type === 'hello', 40000);
    kept = { v: 1, type: 'proof', mac: await H.mac(admitted, secret, hello.m.nonce), nonce: 'cd'.repeat(32) };
    H.send(admitted, JSON.stringify(kept));
    const welcome = await H.next(admitted, (m) => m.type === 'welcome', 10000);
    H.close(admitted);
    const replayed = await attempt(() => kept);
    const guessed = await attempt(async () => ({ v: 1, type: 'proof', mac: 'ef'.repeat(32), nonce: 'ab'.repeat(32) }));
    const guessedAgain = await attempt(async (i, nonce) => ({ v: 1, type: 'proof', mac: await H.mac(i, 'Tr0ub4dor&3', nonce), nonce: 'ab'.repeat(32) }));
    return { skipped, welcome: !!welcome, replayed, guessed, guessedAgain };
  }, { signal, room: ROOM, secret: SECRET }, 'admission attacks', 90000);
  assert.equal(out.welcome, true, 'the correct proof is admitted');
  for (const name of ['skipped', 'replayed', 'guessed', 'guessedAgain']) {
    const a = out[name];
    assert.equal(a.refusal?.error?.status_code, 403, `${name}: ${JSON.stringify(a.refusal)}`);
    assert.equal(a.refusal.id, null);
    assert.deepEqual(a.rest, [], `${name}: nothing but the refusal`);
    assert.equal(a.closed, true, `${name}: the master closed the channel`);
  }
  // Each refusal doubles the next wait of this address, from 1 s.
  const waits = [out.guessed.helloAt - out.replayed.refusedAt, out.guessedAgain.helloAt - out.guessed.refusedAt];
  console.log(`# waits before the next hello after a refusal: ${waits.map((w) => w.toFixed(0)).join(' ms, ')} ms`);
  assert.ok(waits[0] >= 900, `a guess waits about 1 s after a refusal, waited ${waits[0]} ms`);
  assert.ok(waits[1] >= 1900, `the next about 2 s, waited ${waits[1]} ms`);
  await assertMasterIntact('admission attacks');
});

test('allow covers every request of every method; unknown names, constructor included, get 501', async () => {
  const denied = [
    'post', 'remove', 'bulkPut', 'changes', 'changesSubscribe', 'changesUnsubscribe', 'allAttachments', 'attachmentInfo',
    'attachmentRead', 'attachmentOpen', 'attachmentCommit', 'removeAttachment', 'backupExport', 'backupRead', 'backupRelease',
    'backupOpen', 'backupImport',
  ];
  const unknown = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf', 'repair', 'getAttachment', 'putAttachment'];
  const out = await run(raw.page, async ({ signal, room, secret, names }) => {
    const i = await window.H.admitted(signal, room, secret);
    names.forEach((method, k) => window.H.send(i, JSON.stringify({ v: 1, type: 'request', id: k + 1, method, args: ['doc-1', 'x', 0, 1, 2] })));
    const answers = [];
    for (let k = 0; k < names.length; k++) answers.push((await window.H.next(i, (m) => m.id === k + 1, 10000))?.m ?? null);
    window.H.close(i);
    return answers;
  }, { signal, room: ROOM, secret: SECRET, names: [...denied, ...unknown] }, 'allow', 60000);
  out.slice(0, denied.length).forEach((a, k) => {
    assert.equal(a?.error?.status_code, 403, `${denied[k]}: ${JSON.stringify(a)}`);
  });
  out.slice(denied.length).forEach((a, k) => {
    const expected = unknown[k] === 'getAttachment' || unknown[k] === 'putAttachment' ? 400 : 501;
    assert.equal(a?.error?.status_code, expected, `${unknown[k]}: ${JSON.stringify(a)}`);
  });
  await assertMasterIntact('allow');
});

/** Seeded garbage of every kind the issue lists, as `{ text }` or `{ bytes }` messages. */
function garbage() {
  const random = seededRandom(SEED);
  const deep = '['.repeat(100000) + ']'.repeat(100000);
  const req = (id, method, args) => JSON.stringify({ v: 1, type: 'request', id, method, args });
  const texts = [
    'not json', '{"v":1', '42', 'null', '"a string"', '[1,[2,[3]]]', deep, `{"v":1,"type":"request","id":3,"method":"get","args":${deep}}`,
    '{"v":2,"type":"request","id":4,"method":"get","args":["doc-1"]}', '{"v":1,"type":"request","id":"5","method":"get","args":["doc-1"]}',
    '{"v":1,"type":"request","id":6,"method":7,"args":["doc-1"]}', '{"v":1,"type":"request","id":7,"method":"get","args":"doc-1"}',
    req(2 ** 60, 'get', ['doc-1']), req(8, 'get', [{ __proto__: { polluted: 1 } }]),
    '{"v":1,"type":"request","id":9,"method":"put","args":["doc-1",{"__proto__":{"polluted":1}}],"__proto__":{"polluted":1}}',
    req(10, 'put', ['x'.repeat(250 * 1024), {}]), req(11, 'get', ['y'.repeat(250 * 1024)]),
    '{"v":1,"type":"cancel","id":424242}', '{"v":1,"type":"progress","transfer":1,"stored":5}',
    req(12, 'allDocs', [{ query: '('.repeat(10000) + 'k:1' + ')'.repeat(10000) }]),
    req(13, 'allDocs', [{ query: `title:"${'%_'.repeat(3000)}x"` }]),
    JSON.stringify([{ v: 1, type: 'request', id: 14, method: 'get', args: ['doc-2'] }, 'junk', 7, null, { v: 1 }]),
  ];
  const out = texts.map((text) => ({ text }));
  // Data frames (kind 3) for transfers that do not exist, malformed frames, random bytes.
  out.push({ bytes: [1, 3, 0, 0, 16, 146, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3] }, { bytes: [1, 9, 9] }, { bytes: [2, 2, 0, 0, 0, 1, 0, 0, 123] });
  for (let k = 0; k < 40; k++) out.push({ bytes: Array.from({ length: 1 + (random.next() % 200) }, () => random.next() & 255) });
  for (let k = 0; k < 40; k++) out.push({ text: String.fromCharCode(...Array.from({ length: 1 + (random.next() % 100) }, () => 32 + (random.next() % 95))) });
  return out;
}

test('garbage of every kind changes nothing; a slave that persists is told why and disconnected', async () => {
  const messages = garbage();
  const out = await underAttack('garbage', async ({ signal, room, secret, messages }) => {
    const i = await window.H.admitted(signal, room, secret);
    for (const m of messages) window.H.send(i, m.text ?? m);
    await window.H.next(i, () => false, 2000);
    const answered = window.H.inbox(i);
    const before = window.H.info(i).closedAt;
    // Persisting: 1,100 more bad messages (the limit is 1,000 refusals in 10 s).
    for (let k = 0; k < 1100; k++) window.H.send(i, `garbage ${k}`);
    const bye = await window.H.next(i, (m) => m.type === 'error' && m.id === null && m.error?.status_code === 429, 15000);
    await window.H.next(i, () => false, 1000);
    return { answered, closedBefore: before, bye: bye?.m ?? null, closed: window.H.info(i).closedAt > 0 };
  }, { signal, room: ROOM, secret: SECRET, messages }).catch((e) => {
    throw new Error(`${e.message}`);
  });
  assert.equal(out.closedBefore, 0, 'not disconnected for the first garbage');
  const byId = (id) => out.answered.find((m) => m.id === id)?.error?.status_code;
  assert.equal(byId(4), 400);
  assert.equal(byId(7), 400);
  assert.equal(out.answered.find((m) => m.id === 14)?.type, 'response', 'the valid member of a garbage bundle is served');
  assert.equal(out.bye?.error.message, 'Disconnected: over 1000 refused or malformed messages in 10 s');
  assert.equal(out.closed, true);
  await assertMasterIntact('garbage');
});

test('a request flood gets 429 past 4,096 in flight, and the rest are served', async () => {
  // 5,000 in one go: at most 904 refusals, under the 1,000 strikes that would disconnect it.
  const out = await underAttack('request flood', async ({ signal, room, secret }) => {
    const i = await window.H.admitted(signal, room, secret);
    const N = 5000;
    for (let k = 0; k < N; k += 500) {
      const bundle = Array.from({ length: 500 }, (_, j) => ({ v: 1, type: 'request', id: k + j + 1, method: 'get', args: [`doc-${(k + j) % 50}`] }));
      window.H.send(i, JSON.stringify(bundle));
    }
    const seen = new Map();
    const end = performance.now() + 60000;
    while (seen.size < N && performance.now() < end) {
      const x = await window.H.next(i, (m) => typeof m.id === 'number', 5000);
      if (!x) break;
      seen.set(x.m.id, x.m.type === 'response' ? 200 : x.m.error.status_code);
    }
    window.H.close(i);
    const counts = {};
    for (const s of seen.values()) counts[s] = (counts[s] ?? 0) + 1;
    return counts;
  }, { signal, room: ROOM, secret: SECRET }, 90000);
  console.log(`# request flood answers: ${JSON.stringify(out)}`);
  assert.ok(out[429] > 0, 'some requests past the limit got 429');
  assert.equal((out[200] ?? 0) + out[429], 5000, 'every request was answered, served or refused');
  assert.ok(out[200] >= 4096);
  await assertMasterIntact('request flood');
});

test('unfinished fragments are bounded; the slave that leaves thousands is disconnected', async () => {
  const out = await underAttack('unfinished fragments', async ({ signal, room, secret }) => {
    const i = await window.H.admitted(signal, room, secret);
    for (let n = 1; n <= 5000; n++) window.H.send(i, { bytes: [1, 1, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, 0, 0, 32] });
    const bye = await window.H.next(i, (m) => m.id === null && m.error?.status_code === 429, 15000);
    await window.H.next(i, () => false, 500);
    return { bye: bye?.m ?? null, closed: window.H.info(i).closedAt > 0 };
  }, { signal, room: ROOM, secret: SECRET });
  assert.equal(out.bye?.error.message, 'Disconnected: over 4096 messages left unfinished');
  assert.equal(out.closed, true);
  await assertMasterIntact('unfinished fragments');
});

test('an expensive query is sliced and bounded: too large gets 413, a large one runs while others are served', async () => {
  const out = await underAttack('expensive query', async ({ signal, room, secret }) => {
    const i = await window.H.admitted(signal, room, secret);
    const or = (n) => Array.from({ length: n }, (_, k) => `title:"%zz${k}%"`).join(' OR ');
    window.H.send(i, JSON.stringify({ v: 1, type: 'request', id: 1, method: 'allDocs', args: [{ query: or(2500) }] }));
    window.H.send(i, JSON.stringify({ v: 1, type: 'request', id: 2, method: 'allDocs', args: [{ query: or(350) }] }));
    const a = await window.H.next(i, (m) => m.id === 1, 30000);
    const b = await window.H.next(i, (m) => m.id === 2, 60000);
    window.H.close(i);
    return { tooLarge: a?.m ?? null, large: b?.m ?? null };
  }, { signal, room: ROOM, secret: SECRET }, 90000);
  assert.equal(out.tooLarge?.error?.status_code, 413, JSON.stringify(out.tooLarge));
  assert.match(out.tooLarge.error.message, /^Query too large: \d+ bytes, over 8192$/);
  assert.equal(out.large?.type, 'response', JSON.stringify(out.large)?.slice(0, 300));
  assert.equal(out.large.result.data.total_rows, 0);
  await assertMasterIntact('expensive query');
});

test(`a flood of ${FLOOD} tiny binary messages: the flooding slave is closed, the master lives on`, async () => {
  const out = await underAttack(`${FLOOD} tiny messages`, async ({ signal, room, secret, n }) => {
    const i = await window.H.admitted(signal, room, secret);
    const t0 = performance.now();
    const sent = await window.H.blast(i, n, 1);
    const bye = await window.H.next(i, (m) => m.id === null && m.error?.status_code === 429, 20000);
    const end = performance.now() + 30000;
    while (!window.H.info(i).closedAt && performance.now() < end) await new Promise((r) => setTimeout(r, 50));
    return { sent, ms: performance.now() - t0, bye: bye?.m ?? null, closed: window.H.info(i).closedAt > 0 };
  }, { signal, room: ROOM, secret: SECRET, n: FLOOD }, 120000 + FLOOD / 5);
  console.log(`# flood: ${out.sent} messages handed to the channel in ${out.ms.toFixed(0)} ms; closed: ${out.closed}`);
  // One-byte messages are malformed frames too: the refusal limit may fire before the flood meter.
  assert.match(out.bye?.error.message ?? '', /^Disconnected: (message flood: over 10000 small messages in one second|over 1000 refused or malformed messages in 10 s)$/);
  assert.equal(out.closed, true);
  await assertMasterIntact('flood');
});

/** In a page: `size` characters of hex from random bytes (IndexedDB compresses large values: these do not shrink). */
function incompressible(size) {
  const bytes = new Uint8Array(size / 2);
  for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

test('a full disk under a hostile load: the big writes get 507, nothing of them stays, the rest is served', async () => {
  for (const p of [slave, raw]) await p.page.evaluate(`window.H_incompressible = ${incompressible}`);
  const legitPut = run(slave.page, async () => {
    try {
      await document.getElementById('db').put('big-legit', { text: window.H_incompressible(10 * 1024 * 1024) });
      return null;
    } catch (e) {
      return { status: e.status_code, message: e.message };
    }
  }, undefined, 'legit big put', 60000);
  const out = await underAttack('full disk', async ({ signal, room, secret }) => {
    const i = await window.H.admitted(signal, room, secret);
    // A request flood of gets, then a 10 MiB document (framed), then more gets behind it.
    const gets = (from) => JSON.stringify(Array.from({ length: 500 }, (_, k) => ({ v: 1, type: 'request', id: from + k, method: 'get', args: [`doc-${k % 50}`] })));
    for (let k = 0; k < 4; k++) window.H.send(i, gets(1000 + 500 * k));
    window.H.sendLarge(i, { v: 1, type: 'request', id: 1, method: 'put', args: ['big-raw', { text: window.H_incompressible(10 * 1024 * 1024) }] });
    for (let k = 4; k < 8; k++) window.H.send(i, gets(1000 + 500 * k));
    const put = await window.H.next(i, (m) => m.id === 1, 60000);
    let served = 0;
    for (;;) {
      const x = await window.H.next(i, (m) => m.id >= 1000 && m.type === 'response', 3000);
      if (!x) break;
      served++;
    }
    window.H.close(i);
    return { put: put?.m ?? null, served };
  }, { signal, room: ROOM, secret: SECRET }, 120000);
  const legit = await legitPut;
  assert.equal(out.put?.error?.status_code, 507, JSON.stringify(out.put)?.slice(0, 300));
  assert.match(out.put.error.message, /^Insufficient storage: /);
  assert.equal(out.served, 4000, 'every get of the flood was served');
  assert.equal(legit?.status, 507, JSON.stringify(legit));
  const stored = await run(master.page, rawDocuments, { database: `rtc:${ROOM}`, ids: ['big-raw', 'big-legit'] });
  assert.deepEqual(stored, { docs: [null, null], count: 50 }, 'nothing of the failed writes is stored');
  await assertMasterIntact('full disk');
});
