// Page side of the backup metrics (bench/run.js `backupMetric`): a master and a slave of their own
// (room and database `bench-backup`), the database seeded with documents and one large attachment;
// ours: the slave's `exportDatabase` and `importDatabase` (replace) over the data channel, the whole
// path (build, transfer, check, write). The baselines, in the master page, over the same stores:
// a raw read of every document (getAll batches) and every chunk (one get each), and a raw write of
// the same documents and chunks into the same stores. Never shipped.
import { SIGNAL, req, startMaster, within } from './common.js';
import { randomBytes } from '/test-shared/seeded-random.js';

const ROOM = 'bench-backup';
const MiB = 2 ** 20;
const now = () => performance.now();
let master = null;
let slave = null;
let file = null;

/** Master page: its `<rtc-master>` of room and database `bench-backup`. */
export async function backupMasterStart() {
  master = await startMaster('backup-master', { room: ROOM, database: ROOM }, 'backup master joins');
}

/** Slave page: an `<rtc-slave>` of room `bench-backup`, connected. */
export async function backupSlaveStart() {
  slave = document.createElement('rtc-slave');
  slave.setAttribute('room', ROOM);
  slave.setAttribute('signaling', SIGNAL);
  slave.setAttribute('timeout', '600000');
  document.body.append(slave);
  await within(new Promise((resolve) => {
    const check = () => (slave.state === 'connected' ? resolve() : setTimeout(check, 10));
    check();
  }), 20000, 'backup slave connects');
}

const docOf = (i) => ({ name: `Place ${i}`, country: ['FR', 'SN', 'NG', 'EC', 'VN', 'JP'][i % 6], population: (i * 7919) % 1000000, lat: (i % 180) - 90, lon: (i % 360) - 180, note: `record ${i} of the backup bench` });

/** Master page: `n` documents and one `mb` MiB attachment (pseudo-random bytes). @returns the bytes stored. */
export async function backupSeed(n, mb) {
  for (let at = 0; at < n; at += 10000) {
    await master.bulkPut(Array.from({ length: Math.min(10000, n - at) }, (_, k) => ({ id: `place-${String(at + k).padStart(7, '0')}`, doc: docOf(at + k) })));
  }
  const one = new Blob([randomBytes(MiB, 20261204)]);
  await master.put('big', { title: 'backup bench' });
  await master.putAttachment('big', 'big.bin', new Blob(Array(mb).fill(one), { type: 'application/octet-stream' }));
  return { documents: n + 1, attachmentBytes: mb * MiB };
}

/** The master's own database, raw (its current version: no upgrade). */
const openRaw = () => req(indexedDB.open(`rtc:${ROOM}`));

const done = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = resolve;
  tx.onabort = tx.onerror = () => reject(tx.error);
});

/** Master page, baseline: raw read of every document (getAll, 2,000 a time) and every chunk (a get each) of `rtc:bench-backup`. */
export async function backupRawRead() {
  const db = await openRaw();
  const t0 = now();
  let bytes = 0;
  let after = null;
  for (;;) {
    const tx = db.transaction('documents');
    const batch = await req(tx.objectStore('documents').getAll(after === null ? null : IDBKeyRange.lowerBound(after, true), 2000));
    if (batch.length === 0) break;
    after = batch[batch.length - 1].id;
    for (const r of batch) bytes += JSON.stringify({ id: r.id, doc: r.doc }).length + 1;
  }
  const keys = await req(db.transaction('chunks').objectStore('chunks').getAllKeys());
  for (const key of keys) bytes += (await req(db.transaction('chunks').objectStore('chunks').get(key))).data.byteLength;
  const ms = now() - t0;
  db.close();
  return { ms, bytes };
}

/**
 * Master page, baseline: raw write of the same documents (2,000 per transaction) and chunks (8 per
 * transaction) into the master's own stores, emptied first (untimed). A second database would need
 * twice the space, more than an incognito context's quota allows at 1 GiB; the import that follows
 * replaces everything anyway.
 */
export async function backupRawWrite(n, mb) {
  const db = await openRaw();
  const clear = db.transaction(['documents', 'attachments', 'chunks'], 'readwrite');
  for (const store of ['documents', 'attachments', 'chunks']) clear.objectStore(store).clear();
  await done(clear);
  const part = randomBytes(MiB, 20261204);
  const t0 = now();
  for (let at = 0; at < n; at += 2000) {
    const tx = db.transaction('documents', 'readwrite');
    for (let i = at; i < Math.min(n, at + 2000); i++) tx.objectStore('documents').put({ id: `place-${String(i).padStart(7, '0')}`, doc: docOf(i) });
    await done(tx);
  }
  const half = MiB / 2;
  for (let index = 0; index < mb * 2; index += 8) {
    const tx = db.transaction('chunks', 'readwrite');
    for (let k = index; k < Math.min(mb * 2, index + 8); k++) tx.objectStore('chunks').put({ id: 'big', name: 'big.bin', index: k, data: part.slice((k % 2) * half, (k % 2 + 1) * half).buffer });
    await done(tx);
  }
  const ms = now() - t0;
  db.close();
  return { ms };
}

/** Slave page: `exportDatabase()` from the master over the data channel; keeps the file for the import. */
export async function backupExport() {
  const t0 = now();
  file = await slave.exportDatabase();
  return { ms: now() - t0, bytes: file.size };
}

/** Slave page: `importDatabase(file, { mode: 'replace' })` into the master over the data channel. */
export async function backupImport() {
  const phases = {};
  const t0 = now();
  const result = await slave.importDatabase(file, {
    mode: 'replace',
    onProgress: (_l, _t, phase) => {
      phases[phase] ??= now() - t0;
    },
  });
  return { ms: now() - t0, bytes: file.size, documents: result.documents, phases };
}

/** Slave page: drops the file it holds. */
export function backupForget() {
  file = null;
}
