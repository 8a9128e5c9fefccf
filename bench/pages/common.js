// What both bench page modules (bench.js, scale.js) use: the broadcaster's address, hard
// timeouts, IndexedDB requests as promises, and starting a master element.

/** The broadcaster's signaling URL (ws://HOST:PORT/signal), from the page's `?signal=`. */
export const SIGNAL = new URLSearchParams(location.search).get('signal');

/** Rejects after `ms` with a message naming `what` (every step of the bench has a hard timeout). */
export function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** An IDBRequest as a promise of its result. */
export function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/**
 * Adds `<rtc-master id signaling=SIGNAL ...attributes>` to the page and resolves once it holds its
 * room and its database is open (within 10 s, else rejects naming `what`).
 * @returns the element.
 */
export async function startMaster(id, attributes, what) {
  const master = document.createElement('rtc-master');
  master.id = id;
  for (const [name, value] of Object.entries(attributes)) master.setAttribute(name, value);
  master.setAttribute('signaling', SIGNAL);
  document.body.append(master);
  await within(new Promise((resolve) => {
    const check = () => (master.state === 'connected' ? resolve() : setTimeout(check, 5));
    check();
  }), 10000, what);
  await master.get('none').catch(() => {}); // opens (and indexes) the database
  return master;
}
