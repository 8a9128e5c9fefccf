// Page side of the changes-feed metrics (bench/run.js, `change delivery`, `watch throughput`,
// `changes store cost`): watches on slaves and the arrival time of each change, and in the
// master page the raw-IndexedDB cost of the `changes` store on a 10k bulk write. Merged into
// window.B by bench.js. Never shipped.
import { req } from './common.js';
import { makeDocs, slaveAt } from './bench.js';

const now = () => performance.now();

/** Per watching slave index: waiters by document id, stop function, results received. */
const watches = new Map();

/** Slave `i` watches from now (`since: 'now'`) and listens to its `rtc-change` events. */
export async function feedWatch(i) {
  const el = slaveAt(i);
  if (watches.has(i)) return;
  const w = { waiters: new Map(), received: 0, stop: null, onEvent: null };
  w.onEvent = (e) => {
    for (const c of e.detail.results) {
      w.received++;
      const resolve = w.waiters.get(c.id);
      if (resolve) {
        w.waiters.delete(c.id);
        resolve(now());
      }
    }
  };
  el.addEventListener('rtc-change', w.onEvent);
  w.stop = el.watch({ since: 'now' }, () => {});
  watches.set(i, w);
  // The element's watch does not say when the master registered it: a subscription is one round
  // trip and a seq read; 300 ms leaves room for it.
  await new Promise((resolve) => setTimeout(resolve, 300));
}

/** Slaves `0 … count − 1` watch (see feedWatch). */
export async function feedWatchMany(count) {
  for (let i = 0; i < count; i++) await feedWatch(i);
}

/** Stops every watch of this page. @returns the results they received in all. */
export function feedUnwatchAll() {
  let received = 0;
  for (const [i, w] of watches) {
    w.stop();
    slaveAt(i).removeEventListener('rtc-change', w.onEvent);
    received += w.received;
  }
  watches.clear();
  return received;
}

/** Results received so far by the watches of this page. */
export const feedReceived = () => [...watches.values()].reduce((n, w) => n + w.received, 0);

/**
 * Change delivery: `n` sequential `put`s from slave `a`, each timed from the call to the
 * `rtc-change` on slave `b` (watching) that carries it. @returns ms each.
 */
export async function feedDelivery(a, b, n, prefix) {
  const w = watches.get(b);
  if (!w) throw new Error(`slave ${b} is not watching`);
  const docs = makeDocs(n, prefix);
  const out = new Array(n);
  for (let k = 0; k < n; k++) {
    const { id, doc } = docs[k];
    const arrived = new Promise((resolve) => w.waiters.set(id, resolve));
    const t0 = now();
    await slaveAt(a).put(id, doc);
    out[k] = (await arrived) - t0;
  }
  return out;
}

let costDb = null;
/** `bench-feed-cost`: a `documents` store and a `changes` store laid out as the master's. */
async function costStore() {
  if (!costDb) {
    const open = indexedDB.open('bench-feed-cost', 4);
    open.onupgradeneeded = () => {
      for (const name of [...open.result.objectStoreNames]) open.result.deleteObjectStore(name);
      open.result.createObjectStore('documents', { keyPath: 'id' });
      open.result.createObjectStore('changes', { keyPath: 'last' });
      // For comparison only: the earlier layout, one `{ id, seq }` per document with a `seq` index.
      open.result.createObjectStore('changes-per-doc', { keyPath: 'id' }).createIndex('seq', 'seq');
    };
    costDb = await req(open);
  }
  return costDb;
}

/**
 * A 10k-style bulk write in one raw readwrite transaction, as the master's `bulkPut` does it:
 * the records `{ id, doc }` put in `documents`, and with `withChanges` also what the changes feed
 * adds (storage/change-blocks.ts `addBlock`): the highest key read with a key cursor, then one
 * block `{ last, ids }` put in `changes`, in the same transaction. `store: 'changes-per-doc'`
 * does what the earlier layout did instead: a `seq` index cursor and one `{ id, seq }` per
 * document. @returns docs/s.
 */
export async function feedStoreCost(n, prefix, withChanges, store = 'changes') {
  const db = await costStore();
  const docs = makeDocs(n, prefix);
  const t0 = now();
  const tx = db.transaction(withChanges ? ['documents', store] : ['documents'], 'readwrite');
  const documents = tx.objectStore('documents');
  for (const r of docs) documents.put(r);
  if (withChanges) {
    const changes = tx.objectStore(store);
    const perDoc = store === 'changes-per-doc';
    const last = perDoc ? changes.index('seq').openKeyCursor(null, 'prev') : changes.openKeyCursor(null, 'prev');
    last.onsuccess = () => {
      let seq = last.result?.key ?? 0;
      if (perDoc) for (const r of docs) changes.put({ id: r.id, seq: ++seq });
      else changes.put({ last: seq + docs.length, ids: docs.map((r) => r.id) });
      tx.commit();
    };
  } else tx.commit();
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error ?? new Error('aborted'));
  });
  const ms = now() - t0;
  return { ms, perSecond: n / (ms / 1000) };
}
