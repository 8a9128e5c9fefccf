// Page side of the benchmark, loaded by bench/pages/master.html and slave.html next to the shipped
// bundle (dist/rtc-gadgets.js). It drives our elements and, in the same pages, the baselines:
// raw RTCPeerConnection/RTCDataChannel signalled through the same broadcaster, raw IndexedDB and
// Dexie. Everything is timed with performance.now() here and returned as JSON to the runner
// through page.evaluate (window.B). Never shipped.
import Dexie from '/dexie/dexie.mjs';
import * as Scale from './scale.js';
import * as Feed from './feed.js';
import * as Backup from './backup.js';
import { SIGNAL, req, startMaster, within } from './common.js';
import { randomBytes } from '/test-shared/seeded-random.js';

/** Rooms: ours (the elements) and the raw baseline's, on the same broadcaster. */
export const ROOM = 'bench';
export const RAW_ROOM = 'bench-raw';
/** Database name of our master: IndexedDB `rtc:bench`. */
export const DATABASE = 'bench';

const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Errors seen in this page (rtc-error events, unhandled rejections), for the runner's checks. */
const errors = [];
addEventListener('unhandledrejection', (e) => errors.push(`unhandledrejection: ${e.reason?.message ?? e.reason}`));
addEventListener('error', (e) => errors.push(`error: ${e.message}`));
document.addEventListener('rtc-error', (e) => errors.push(`rtc-error: ${e.detail?.error?.message ?? e.detail?.error}`));

// ---------------------------------------------------------------------------------------------
// Documents of about 200 bytes (as JSON), deterministic.

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
const CITIES = ['Lille', 'Lyon', 'Nantes', 'Rennes', 'Dakar', 'Lagos', 'Quito', 'Hanoi', 'Osaka', 'Perth'];

function makeDoc(i) {
  const w = (k) => WORDS[(i * 7 + k * 3) % WORDS.length];
  return {
    title: `Record ${i} ${w(1)} ${w(2)}`,
    first: w(3),
    last: `${w(4)}son`,
    city: CITIES[i % CITIES.length],
    year: 1950 + (i % 70),
    score: (i * 37) % 1000,
    tags: [w(5), w(6)],
    note: `${w(7)} ${w(8)} ${w(9)} ${w(10)} ${w(11)} ${w(12)} ${w(13)} ${w(14)}`,
  };
}

/** `n` `{ id, doc }` pairs with ids `<prefix>-<i>`. */
export function makeDocs(n, prefix, start = 0) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { id: `${prefix}-${start + i}`, doc: makeDoc(start + i) };
  return out;
}

export const docBytes = () => JSON.stringify(makeDoc(12345)).length;

// ---------------------------------------------------------------------------------------------
// Raw signaling through the same broadcaster (protocol v1, README "Signaling protocol").

class RawSignal {
  constructor(ws) {
    this.ws = ws;
    this.queue = [];
    this.waiters = [];
    this.listener = null;
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (this.listener) {
        this.listener(m);
        return;
      }
      const i = this.waiters.findIndex((w) => w.accept(m));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
      else this.queue.push(m);
    };
  }

  static open(url) {
    return within(new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(new RawSignal(ws));
      ws.onerror = () => reject(new Error(`cannot reach ${url}`));
    }), 5000, 'raw signaling socket');
  }

  send(m) {
    this.ws.send(JSON.stringify({ v: 1, ...m }));
  }

  next(accept, ms, what) {
    const i = this.queue.findIndex(accept);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    return within(new Promise((resolve) => this.waiters.push({ accept, resolve })), ms, what);
  }

  close() {
    this.ws.onmessage = null;
    this.ws.close(1000, 'done');
  }
}

/** Adds remote candidates once the remote description is set (they may arrive before). */
function candidateSink(pc) {
  const early = [];
  let ready = false;
  return {
    add(c) {
      if (ready) pc.addIceCandidate(c).catch(() => {});
      else early.push(c);
    },
    ready() {
      ready = true;
      for (const c of early.splice(0)) pc.addIceCandidate(c).catch(() => {});
    },
  };
}

function opened(channel, ms) {
  if (channel.readyState === 'open') return Promise.resolve();
  return within(new Promise((resolve, reject) => {
    channel.onopen = () => resolve();
    channel.onclose = () => reject(new Error('raw channel closed before it opened'));
  }), ms, 'raw channel open');
}

const PING = JSON.stringify({ v: 1, type: 'ping', id: 1, pad: 'x'.repeat(40) }); // 80 bytes

function pingOnce(channel) {
  return new Promise((resolve) => {
    channel.onmessage = () => resolve();
    channel.send(PING);
  });
}

/**
 * Master page: joins `room` (RAW_ROOM by default) as master and answers every offer with a channel
 * that echoes text messages (pings) and counts binary ones: after a `blast` announcement
 * `{ type: 'blast', bytes }`, it answers `blast-done` once that many bytes have arrived.
 */
const rawMasterStates = new Map();
export async function rawMasterStart(room = RAW_ROOM) {
  if (rawMasterStates.has(room)) return;
  const sig = await RawSignal.open(SIGNAL);
  sig.send({ type: 'join', room, role: 'master' });
  await sig.next((m) => m.type === 'joined', 5000, 'raw master join');
  const peers = new Map();
  sig.listener = async (m) => {
    if (m.type === 'offer') {
      peers.get(m.from)?.pc.close();
      const pc = new RTCPeerConnection({ iceServers: [] });
      const ch = pc.createDataChannel('raw', { negotiated: true, id: 0, ordered: true });
      ch.binaryType = 'arraybuffer';
      let blast = null;
      ch.onmessage = (e) => {
        if (typeof e.data !== 'string') {
          if (!blast) return;
          blast.got += e.data.byteLength;
          if (blast.got >= blast.bytes) {
            blast = null;
            ch.send(BLAST_DONE);
          }
          return;
        }
        if (e.data.startsWith(BLAST_PREFIX)) blast = { bytes: JSON.parse(e.data).bytes, got: 0 };
        else ch.send(e.data); // echo
      };
      const sink = candidateSink(pc);
      peers.set(m.from, { pc, sink });
      pc.onicecandidate = (e) => {
        if (e.candidate) sig.send({ type: 'candidate', to: m.from, candidate: e.candidate.toJSON() });
      };
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === 'closed' || pc.connectionState === 'failed') pc.close();
      };
      ch.onclose = () => {
        pc.close();
        if (peers.get(m.from)?.pc === pc) peers.delete(m.from);
      };
      await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
      sink.ready();
      await pc.setLocalDescription(await pc.createAnswer());
      sig.send({ type: 'answer', to: m.from, sdp: pc.localDescription.sdp });
    } else if (m.type === 'candidate') {
      peers.get(m.from)?.sink.add(m.candidate);
    }
  };
  rawMasterStates.set(room, { sig, peers });
}

const BLAST_PREFIX = '{"v":1,"type":"blast"';
const BLAST_DONE = JSON.stringify({ v: 1, type: 'blast-done' });

/** Slave page: raw connections kept open (for pings). */
const rawConns = [];

/**
 * The raw baseline of connect: WebSocket to the broadcaster, join, trickle-ICE offer, answer,
 * negotiated channel open, one 80-byte ping echoed (the raw "first answered request").
 */
export async function rawConnect(keep = false, room = RAW_ROOM) {
  const t0 = now();
  rec(0, 'raw connect started');
  const sig = await RawSignal.open(SIGNAL);
  sig.send({ type: 'join', room, role: 'slave' });
  const joined = await sig.next((m) => m.type === 'joined' || m.type === 'error', 5000, 'raw slave join');
  if (joined.type === 'error' || !joined.master) throw new Error(`raw join: ${JSON.stringify(joined)}`);
  const tJoined = now();
  const pc = new RTCPeerConnection({ iceServers: [] });
  const ch = pc.createDataChannel('raw', { negotiated: true, id: 0, ordered: true });
  const sink = candidateSink(pc);
  pc.onicecandidate = (e) => {
    if (e.candidate) sig.send({ type: 'candidate', candidate: e.candidate.toJSON() });
  };
  sig.listener = (m) => {
    if (m.type === 'candidate') sink.add(m.candidate);
    else if (m.type === 'answer') pc.setRemoteDescription({ type: 'answer', sdp: m.sdp }).then(() => sink.ready());
  };
  await pc.setLocalDescription(await pc.createOffer());
  sig.send({ type: 'offer', sdp: pc.localDescription.sdp });
  await opened(ch, 10000);
  const tOpen = now();
  await within(pingOnce(ch), 5000, 'raw first ping');
  const t1 = now();
  rec(0, 'raw first ping answered');
  sig.close();
  const conn = { pc, ch };
  if (keep) rawConns.push(conn);
  else {
    ch.close();
    pc.close();
  }
  return { ms: t1 - t0, joinMs: tJoined - t0, openMs: tOpen - t0, index: keep ? rawConns.length - 1 : null };
}

/** `n` sequential 80-byte pings on kept raw connection `i`: round-trip times, ms. */
export async function rawPings(i, n) {
  const { ch } = rawConns[i];
  const out = new Array(n);
  for (let k = 0; k < n; k++) {
    const t0 = now();
    await pingOnce(ch);
    out[k] = now() - t0;
  }
  return out;
}

/** Raw transport ceiling: `n` 80-byte pings echoed, `window` in flight. @returns messages/s. */
export async function rawPipelinedPings(i, n, window) {
  const { ch } = rawConns[i];
  const t0 = now();
  await within(new Promise((resolve) => {
    let sent = 0;
    let got = 0;
    ch.onmessage = () => {
      got++;
      if (got === n) resolve();
      else if (sent < n) {
        ch.send(PING);
        sent++;
      }
    };
    for (; sent < Math.min(window, n); sent++) ch.send(PING);
  }), 60000, 'raw pipelined pings');
  const ms = now() - t0;
  return { ms, perSecond: n / (ms / 1000) };
}

/**
 * Raw transport ceiling of a file transfer: `bytes` sent on kept raw connection `i` as
 * `message`-byte binary messages (one reused ArrayBuffer), paced as a sane sender does: sends
 * while `bufferedAmount` is under `high`, then waits for `bufferedamountlow` (threshold `low`).
 * Timed until the master page reports every byte received. @returns ms and MiB/s.
 */
export async function rawBlast(i, bytes, { message = 65536, high = 4 * 2 ** 20, low = 2 ** 20 } = {}) {
  const { ch } = rawConns[i];
  const buf = new Uint8Array(message);
  for (let k = 0; k < message; k++) buf[k] = (k * 131) & 255;
  const t0 = now();
  await within(new Promise((resolve, reject) => {
    ch.onmessage = (e) => {
      if (e.data === BLAST_DONE) resolve();
    };
    ch.onerror = (e) => reject(new Error(`raw channel error: ${e.error?.message ?? e}`));
    ch.send(JSON.stringify({ v: 1, type: 'blast', bytes }));
    let sent = 0;
    ch.bufferedAmountLowThreshold = low;
    const pump = () => {
      while (sent < bytes && ch.bufferedAmount < high) {
        const n = Math.min(message, bytes - sent);
        ch.send(n === message ? buf : buf.subarray(0, n));
        sent += n;
      }
    };
    ch.onbufferedamountlow = pump;
    pump();
  }), 120000 + bytes / 1000, 'raw blast');
  const ms = now() - t0;
  ch.onbufferedamountlow = null;
  ch.onerror = null;
  return { ms, mibPerSecond: bytes / 2 ** 20 / (ms / 1000) };
}

export function rawClose() {
  for (const { pc, ch } of rawConns.splice(0)) {
    ch.close();
    pc.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Our elements.

let master = null;

/** Master page: `<rtc-master database=bench room=bench>`, resolved once it holds its room. */
export async function oursMasterStart() {
  if (!master) master = await startMaster('db', { database: DATABASE, room: ROOM }, 'master joins its room');
}

export function masterPeers() {
  return master.peers.map((p) => p.state);
}

/** Slave page: our slaves (elements), by index. */
const slaves = [];

function newSlave() {
  const el = document.createElement('rtc-slave');
  el.setAttribute('no-autoconnect', '');
  el.setAttribute('room', ROOM);
  el.setAttribute('signaling', SIGNAL);
  el.setAttribute('timeout', '180000');
  document.body.append(el);
  return el;
}

/**
 * Our connect: a new `<rtc-slave>`, `connect()` until its first `get(id)` is answered.
 * @returns ms, and the slave's index when `keep` (else it is disconnected and removed).
 */
export async function oursConnect(id, keep = false) {
  const el = newSlave();
  await el.updateComplete;
  const t0 = now();
  rec(0, 'slave connect() called');
  el.connect();
  let tConnected = 0;
  const onState = (e) => {
    if (e.detail.state === 'connected' && !tConnected) tConnected = now();
  };
  el.addEventListener('rtc-state-change', onState);
  try {
    await within(el.get(id), 20000, 'slave connect + first get');
  } catch (e) {
    const state = `slave state ${el.state}, last error ${el.lastError?.message ?? 'none'}`;
    await el.disconnect().catch(() => {});
    el.remove();
    throw new Error(`${e.message} (${state})`, { cause: e });
  }
  const t1 = now();
  rec(0, 'first get answered');
  el.removeEventListener('rtc-state-change', onState);
  if (keep) {
    slaves.push(el);
    return { ms: t1 - t0, openMs: tConnected ? tConnected - t0 : null, index: slaves.length - 1 };
  }
  await within(el.disconnect(), 5000, 'slave disconnect');
  el.remove();
  return { ms: t1 - t0, openMs: tConnected ? tConnected - t0 : null };
}

/** Connects `k` kept slaves, one after the other. @returns their indexes and connect times. */
export async function oursConnectMany(k, id) {
  const out = [];
  for (let i = 0; i < k; i++) {
    try {
      out.push(await oursConnect(id, true));
    } catch (e) {
      // One stalled connect (see the churn metric) is retried once, and reported.
      const again = await oursConnect(id, true);
      out.push({ ...again, retriedAfter: e.message });
    }
  }
  return out;
}

/** Disconnects and removes kept slaves from index `from` on. */
export async function oursDropFrom(from) {
  const gone = slaves.splice(from);
  await within(Promise.all(gone.map((el) => el.disconnect())), 10000, 'disconnect slaves');
  for (const el of gone) el.remove();
}

export const slaveCount = () => slaves.length;
/** Kept slave `i` (feed.js). */
export const slaveAt = (i) => slaves[i];

/** Sequential `get`s from slave `i`: round-trip times, ms. */
export async function oursGets(i, ids) {
  const el = slaves[i];
  const out = new Array(ids.length);
  for (let k = 0; k < ids.length; k++) {
    const t0 = now();
    await el.get(ids[k]);
    out[k] = now() - t0;
  }
  return out;
}

/** Sequential `get`s, one in flight, rotating over the first `count` slaves: RTTs, ms. */
export async function oursGetsRoundRobin(count, ids) {
  const out = new Array(ids.length);
  for (let k = 0; k < ids.length; k++) {
    const t0 = now();
    await slaves[k % count].get(ids[k]);
    out[k] = now() - t0;
  }
  return out;
}

/** Every one of the first `count` slaves runs `perSlave` sequential gets at once. */
export async function oursGetsConcurrent(count, ids, perSlave) {
  const t0 = now();
  const all = await Promise.all(slaves.slice(0, count).map(async (el, s) => {
    const out = [];
    for (let k = 0; k < perSlave; k++) {
      const a = now();
      await el.get(ids[(s * perSlave + k) % ids.length]);
      out.push(now() - a);
    }
    return out;
  }));
  const ms = now() - t0;
  return { ms, rtts: all.flat(), perSecond: (count * perSlave) / (ms / 1000) };
}

/** Runs `op(x)` over `items` with at most `window` in flight. @returns elapsed ms. */
async function windowed(items, window, op) {
  const t0 = now();
  let next = 0;
  const worker = async () => {
    while (next < items.length) await op(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, worker));
  return now() - t0;
}

/** Pipelined `get`s from slave `i`, `window` in flight. @returns gets per second. */
export async function oursPipelined(i, ids, window) {
  const el = slaves[i];
  const ms = await windowed(ids, window, (id) => el.get(id));
  return { ms, perSecond: ids.length / (ms / 1000) };
}

/** 1 write at a time from slave `i`: `put(id, doc)` awaited each. @returns docs per second. */
export async function oursSequentialPuts(i, n, prefix) {
  const el = slaves[i];
  const docs = makeDocs(n, prefix);
  const t0 = now();
  for (const { id, doc } of docs) await el.put(id, doc);
  const ms = now() - t0;
  return { ms, perSecond: n / (ms / 1000) };
}

/**
 * Bulk write from slave `i`: the element's `bulkPut` when it exists (assumed to take
 * `[{ id, doc }]`), else every `post` at once (`Promise.all`, pipelined), labelled so.
 */
export async function oursBulk(i, n, prefix) {
  const el = slaves[i];
  const docs = makeDocs(n, prefix);
  const bulk = typeof el.bulkPut === 'function';
  const t0 = now();
  if (bulk) await el.bulkPut(docs);
  else await Promise.all(docs.map((d) => el.post(d.doc)));
  const ms = now() - t0;
  return { ms, perSecond: n / (ms / 1000), label: bulk ? 'bulkPut(docs)' : 'Promise.all(docs.map(post)) [no bulkPut yet]' };
}

// ---------------------------------------------------------------------------------------------
// Attachments (slave page): a file made of one 1 MiB Blob repeated (Blob parts that refer to the
// same Blob: the page never holds the whole file), uploaded with `putAttachment`.

const MiB = 2 ** 20;
let attachmentBlob = null;

/** Makes the `mb` MiB file the next uploads send (pseudo-random bytes, one 1 MiB part repeated). */
export function attachmentPrepare(mb) {
  const one = new Blob([randomBytes(MiB, 20261204)]);
  attachmentBlob = new Blob(Array(mb).fill(one), { type: 'application/octet-stream' });
  return attachmentBlob.size;
}

/** Slave `i` creates document `id` (attachments need one). */
export async function attachmentDoc(i, id) {
  await slaves[i].put(id, { title: 'bench attachments' });
}

/**
 * Slave `i` uploads the prepared file as attachment `name` of `id`, awaited to the end (the master
 * has stored and verified it). @returns ms, MiB/s, and when the first progress event came (the
 * slave hashes the whole file first) and the stored-bytes rate after it.
 */
export async function oursPutAttachment(i, id, name) {
  const el = slaves[i];
  const bytes = attachmentBlob.size;
  let first = null;
  const onProgress = (e) => {
    if (e.detail.name === name && first === null) first = now();
  };
  el.addEventListener('rtc-progress', onProgress);
  const t0 = now();
  try {
    await el.putAttachment(id, name, attachmentBlob);
  } finally {
    el.removeEventListener('rtc-progress', onProgress);
  }
  const t1 = now();
  const ms = t1 - t0;
  return {
    ms,
    bytes,
    mibPerSecond: bytes / MiB / (ms / 1000),
    hashAndOpenMs: first === null ? null : first - t0,
    afterOpenMibPerSecond: first === null ? null : bytes / MiB / ((t1 - first) / 1000),
  };
}

/** Master page: removes an attachment through the element (no channel involved). */
export async function masterRemoveAttachment(id, name) {
  await master.removeAttachment(id, name);
}

/** Churn: `n` times a new slave connects, gets `id`, disconnects, is removed. */
export async function churn(n, id) {
  const times = [];
  const failures = [];
  for (let k = 0; k < n; k++) {
    try {
      times.push((await oursConnect(id, false)).ms);
    } catch (e) {
      failures.push(String(e?.message ?? e));
      if (failures.length >= 5) break;
    }
  }
  return { times, failures };
}

// ---------------------------------------------------------------------------------------------
// Master page baselines: raw IndexedDB on our own store, raw writes, Dexie.

function txDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('aborted'));
  });
}

let ourDb = null; // a raw connection to `rtc:bench` (the store the master serves)
async function ourStore() {
  if (!ourDb) ourDb = await req(indexedDB.open(`rtc:${DATABASE}`));
  return ourDb;
}

/** Seeds `rtc:bench`'s `documents` store with `n` records `{ id, doc }` in one transaction. */
export async function seedOurs(n, prefix) {
  const db = await ourStore();
  const tx = db.transaction('documents', 'readwrite');
  const store = tx.objectStore('documents');
  for (const r of makeDocs(n, prefix)) store.put(r);
  await txDone(tx);
  return n;
}

/** Direct `store.get` in the master on the same store, one readonly transaction each: ms each. */
export async function directGets(ids) {
  const db = await ourStore();
  const out = new Array(ids.length);
  for (let k = 0; k < ids.length; k++) {
    const t0 = now();
    const r = await req(db.transaction('documents', 'readonly').objectStore('documents').get(ids[k]));
    if (!r) throw new Error(`missing ${ids[k]}`);
    out[k] = now() - t0;
  }
  return out;
}

/** Direct gets in the master, `window` in flight, one readonly transaction each: gets/s. */
export async function directPipelined(ids, window) {
  const db = await ourStore();
  const ms = await windowed(ids, window, (id) => req(db.transaction('documents', 'readonly').objectStore('documents').get(id)));
  return { ms, perSecond: ids.length / (ms / 1000) };
}

let rawDb = null;
async function rawStore() {
  if (!rawDb) {
    const open = indexedDB.open('bench-raw', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('docs', { keyPath: 'id' });
    rawDb = await req(open);
  }
  return rawDb;
}

/** Raw loop: one readwrite transaction per put, each awaited to `complete`. @returns docs/s. */
export async function rawPutLoop(n, prefix) {
  const db = await rawStore();
  const docs = makeDocs(n, prefix);
  const t0 = now();
  for (const r of docs) {
    const tx = db.transaction('docs', 'readwrite');
    tx.objectStore('docs').put(r);
    await txDone(tx);
  }
  const ms = now() - t0;
  return { ms, perSecond: n / (ms / 1000) };
}

let dexie = null;
/** Dexie 4 `bulkPut` of the same documents in the master. @returns docs/s. */
export async function dexieBulkPut(n, prefix) {
  if (!dexie) {
    dexie = new Dexie('bench-dexie');
    dexie.version(1).stores({ docs: 'id' });
    await dexie.open();
  }
  const docs = makeDocs(n, prefix);
  const t0 = now();
  await dexie.table('docs').bulkPut(docs);
  const ms = now() - t0;
  return { ms, perSecond: n / (ms / 1000) };
}

/** The master's local API (informational): `get` through the element, sequential. */
export async function masterElementGets(ids) {
  const out = new Array(ids.length);
  for (let k = 0; k < ids.length; k++) {
    const t0 = now();
    await master.get(ids[k]);
    out[k] = now() - t0;
  }
  return out;
}

/** Memory probe helper: holds `mb` MiB of touched memory until `release()`. */
let ballast = null;
export function hold(mb) {
  ballast = new Uint8Array(mb * 1024 * 1024);
  for (let i = 0; i < ballast.length; i += 4096) ballast[i] = 1;
  return ballast.length;
}
export function release() {
  ballast = null;
}

export const pageErrors = () => errors.slice();

// ---------------------------------------------------------------------------------------------
// Diagnostics, only while `instrument()` is on (never during measured repetitions): a timeline of
// the connection steps in this page (epoch ms, comparable across pages), and a what-if that ends
// ICE gathering `earlyGathering` ms after the last host candidate instead of waiting for
// Chromium's own "complete" (the gatheringDone() of our elements then sends the SDP at once).

const Native = { PC: window.RTCPeerConnection, WS: window.WebSocket };
let traceLog = null;
let earlyQuietMs = null;
let pcSeq = 0;
const stamp = () => performance.timeOrigin + performance.now();
const rec = (pc, what) => traceLog?.push({ at: stamp(), pc, what });
const candidatesIn = (sdp) => (sdp.match(/a=candidate/g) || []).length;

class TracedPC extends Native.PC {
  constructor(...args) {
    super(...args);
    const id = ++pcSeq;
    this.traceId = id;
    rec(id, 'RTCPeerConnection created');
    this.addEventListener('icecandidate', (e) => rec(id, e.candidate ? `candidate ${e.candidate.address ?? ''}` : 'candidates end (null)'));
    this.addEventListener('icegatheringstatechange', () => rec(id, `gathering ${this.iceGatheringState}`));
    this.addEventListener('connectionstatechange', () => rec(id, `connection ${this.connectionState}`));
    if (earlyQuietMs !== null) {
      const quiet = earlyQuietMs;
      let timer = null;
      let ended = false;
      this.addEventListener('icecandidate', (e) => {
        if (ended) return;
        clearTimeout(timer);
        if (!e.candidate) {
          ended = true;
          return;
        }
        timer = setTimeout(() => {
          ended = true;
          rec(id, `what-if: gathering ended ${quiet} ms after the last candidate`);
          this.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', { candidate: null }));
        }, quiet);
      });
    }
  }

  async createOffer(...a) {
    const r = await super.createOffer(...a);
    rec(this.traceId, 'createOffer done');
    return r;
  }

  async createAnswer(...a) {
    const r = await super.createAnswer(...a);
    rec(this.traceId, 'createAnswer done');
    return r;
  }

  async setLocalDescription(...a) {
    await super.setLocalDescription(...a);
    rec(this.traceId, 'setLocalDescription done');
  }

  async setRemoteDescription(...a) {
    rec(this.traceId, 'setRemoteDescription called');
    await super.setRemoteDescription(...a);
    rec(this.traceId, 'setRemoteDescription done');
  }

  createDataChannel(...a) {
    const ch = super.createDataChannel(...a);
    const id = this.traceId;
    ch.addEventListener('open', () => rec(id, 'data channel open'));
    let got = false;
    ch.addEventListener('message', () => {
      if (!got) rec(id, 'first data-channel message received');
      got = true;
    });
    const send = ch.send;
    let sent = false;
    ch.send = function (...x) {
      if (!sent) rec(id, 'first data-channel message sent');
      sent = true;
      return send.apply(this, x);
    };
    return ch;
  }
}

class TracedWS extends Native.WS {
  constructor(...args) {
    super(...args);
    rec(0, 'WebSocket created');
    this.addEventListener('open', () => rec(0, 'WebSocket open'));
    this.addEventListener('message', (e) => {
      try {
        const m = JSON.parse(e.data);
        rec(0, `ws received ${m.type}${m.sdp ? ` (${candidatesIn(m.sdp)} candidates)` : ''}`);
      } catch { /* not ours */ }
    });
  }

  send(data) {
    try {
      const m = JSON.parse(data);
      rec(0, `ws sent ${m.type}${m.sdp ? ` (${candidatesIn(m.sdp)} candidates)` : ''}`);
    } catch { /* not JSON */ }
    return super.send(data);
  }
}

/** Turns diagnostics on: `trace` records the timeline, `earlyGathering` (ms) is the what-if. */
export function instrument({ trace = true, earlyGathering = null } = {}) {
  traceLog = trace ? [] : null;
  earlyQuietMs = earlyGathering;
  window.RTCPeerConnection = TracedPC;
  window.WebSocket = TracedWS;
}

/** Restores the native classes. @returns the timeline recorded. */
export function uninstrument() {
  window.RTCPeerConnection = Native.PC;
  window.WebSocket = Native.WS;
  const log = traceLog ?? [];
  traceLog = null;
  earlyQuietMs = null;
  return log;
}

/** Marks an instant in the timeline (epoch ms). */
export function mark(what) {
  rec(0, what);
  return stamp();
}

window.B = {
  SIGNAL, makeDocs, docBytes, sleep,
  rawMasterStart, rawConnect, rawPings, rawClose,
  oursMasterStart, masterPeers, oursConnect, oursConnectMany, oursDropFrom, slaveCount,
  oursGets, oursGetsRoundRobin, oursGetsConcurrent, oursPipelined, oursSequentialPuts, oursBulk, churn,
  rawPipelinedPings, rawBlast, seedOurs, directGets, directPipelined, rawPutLoop, dexieBulkPut, masterElementGets,
  attachmentPrepare, attachmentDoc, oursPutAttachment, masterRemoveAttachment,
  hold, release, pageErrors, instrument, uninstrument, mark,
  ...Object.fromEntries(Object.entries(Scale).filter(([, v]) => typeof v === 'function')),
  ...Object.fromEntries(Object.entries(Feed).filter(([, v]) => typeof v === 'function')),
  ...Object.fromEntries(Object.entries(Backup).filter(([, v]) => typeof v === 'function')),
  masterLastError: () => (master?.lastError ? String(master.lastError.message) : null),
  ready: true,
};
