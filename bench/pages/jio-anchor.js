// The jIO anchor (issue 15 item 2), loaded on demand by the cities master page: the real jIO 3.45
// (node_modules/jio/dist/jio-latest-node.js, the npm package's only build) run in the page through
// a small CommonJS shim, its `query` storage over a sub-storage in jIO's IndexedDB layout, and the
// same `allDocs` calls on our indexed master in the same page.
//
// The npm package ships no browser IndexedDB storage, so the sub-storage here (`jio-idb`) is ours,
// written to behave as jIO 3.45's `indexeddb` storage does on this path: database `jio:<name>`, object store `metadata` (keyPath `_id`, index `_id`) of `{ _id, doc }`
// records; capacities `list` and `include`; every call opens the database, and `buildQuery` walks
// the `_id` index with a cursor in one readonly transaction, collecting `{ id, value: {}, doc }`.
// jIO's QueryStorage then runs jIO's own QueryFactory over those rows (filter, sort_on, limit,
// select_list) — everything timed is jIO's code but that cursor walk.

let jIO = null;

/**
 * Evaluates jIO's Node build in the page. The shim: `module`/`exports`; `require` for the Node
 * modules of its XMLHttpRequest polyfill (never used here: only its user-agent string is built at
 * load); a `process` with what that string and RSVP read; a `global` of its own, so the polyfill
 * does not replace the page's XMLHttpRequest.
 */
async function loadJio() {
  if (jIO) return jIO;
  const source = await (await fetch('/jio/jio-latest-node.js')).text();
  const module = { exports: {} };
  const nodeModules = { os: { type: () => 'Browser', arch: () => '' }, http: {}, https: {}, url: {} };
  const require = (name) => nodeModules[name] ?? {};
  const process = { versions: { node: '', v8: '' }, nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)) };
  new Function('module', 'exports', 'require', 'process', 'global', source)(module, module.exports, require, process, {});
  jIO = module.exports;
  jIO.addStorage('jio-idb', JioIdbStorage);
  return jIO;
}

const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

function openJioDatabase(name) {
  const open = indexedDB.open(name);
  open.onupgradeneeded = () => {
    const db = open.result;
    db.createObjectStore('metadata', { keyPath: '_id' }).createIndex('_id', '_id', { unique: true });
    db.createObjectStore('attachment', { keyPath: '_key_path' }).createIndex('_id', '_id', { unique: false });
    const blob = db.createObjectStore('blob', { keyPath: '_key_path' });
    blob.createIndex('_id_attachment', ['_id', '_attachment'], { unique: false });
    blob.createIndex('_id', '_id', { unique: false });
  };
  return request(open);
}

/** A jIO storage over jIO's IndexedDB layout (see the module comment). */
function JioIdbStorage(spec) {
  this._name = `jio:${spec.database}`;
}
JioIdbStorage.prototype.hasCapacity = (name) => name === 'list' || name === 'include';
JioIdbStorage.prototype.get = async function get(id) {
  const db = await openJioDatabase(this._name);
  try {
    const record = await request(db.transaction('metadata', 'readonly').objectStore('metadata').get(id));
    if (!record) throw new jIO.util.jIOError(`IndexedDB: cannot find object '${id}' in the 'metadata' store`, 404);
    return record.doc;
  } finally {
    db.close();
  }
};
JioIdbStorage.prototype.buildQuery = async function buildQuery(options) {
  const db = await openJioDatabase(this._name);
  try {
    const index = db.transaction('metadata', 'readonly').objectStore('metadata').index('_id');
    const rows = [];
    const include = options.include_docs === true;
    await new Promise((resolve, reject) => {
      const cursor = include ? index.openCursor() : index.openKeyCursor();
      cursor.onerror = () => reject(cursor.error);
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) {
          resolve();
          return;
        }
        rows.push(include ? { id: c.key, value: {}, doc: c.value.doc } : { id: c.key, value: {} });
        c.continue();
      };
    });
    return rows;
  } finally {
    db.close();
  }
};

let cities = [];
/** The cities, as the runner sends them to every cities page. @returns how many. */
export function anchorSetCities(json) {
  cities = JSON.parse(json);
  return cities.length;
}

/**
 * Writes every city into jIO's layout, database `jio:<name>`, ids `city-<k>` as the cities master
 * holds them; records `{ _id, doc }` as jIO's indexeddb storage `put` writes them, 10,000 per
 * transaction (a load, not a measurement). @returns `{ ms, count }`.
 */
export async function anchorLoad(name) {
  await loadJio();
  await request(indexedDB.deleteDatabase(`jio:${name}`));
  const db = await openJioDatabase(`jio:${name}`);
  const t0 = performance.now();
  try {
    for (let start = 0; start < cities.length; start += 10000) {
      const tx = db.transaction('metadata', 'readwrite');
      const store = tx.objectStore('metadata');
      for (let k = start; k < Math.min(cities.length, start + 10000); k++) store.put({ _id: `city-${k}`, doc: cities[k] });
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
    }
    const count = await request(db.transaction('metadata', 'readonly').objectStore('metadata').count());
    return { ms: performance.now() - t0, count };
  } finally {
    db.close();
  }
}

/** Deletes jIO's database `jio:<name>`. */
export async function anchorDrop(name) {
  await request(indexedDB.deleteDatabase(`jio:${name}`));
}

const copy = (options) => JSON.parse(JSON.stringify(options)); // QueryStorage pushes `__id` into select_list

/** `times` sequential `allDocs(options)` on `storage`. @returns `{ ms: [...], ids }` (ids of the last call's rows). */
async function timeQueries(storage, times, options) {
  const ms = [];
  let ids = [];
  for (let k = 0; k < times; k++) {
    const t0 = performance.now();
    const result = await storage.allDocs(copy(options));
    ms.push(performance.now() - t0);
    ids = result.data.rows.map((row) => row.id);
  }
  return { ms, ids };
}

/** `times` sequential `allDocs(options)` on `jIO.createJIO({ type: 'query', sub_storage: { type: 'jio-idb', database: name } })`. */
export async function anchorJioQueries(name, times, options) {
  const storage = (await loadJio()).createJIO({ type: 'query', sub_storage: { type: 'jio-idb', database: name } });
  return timeQueries(storage, times, options);
}

/** `times` sequential `allDocs(options)` on this page's master element `#<id>`. */
export function anchorOursQueries(id, times, options) {
  return timeQueries(document.getElementById(id), times, options);
}
