/**
 * A small jIO storage for the tests' WebDAV remote: one JSON file per document (`<id>.json`,
 * the id URI-encoded) in one WebDAV collection, listed with one PROPFIND. Written for these tests
 * because npm `jio`'s Node build (the only jIO on npm) leaves out jIO's own `dav` storage (it needs
 * DOMParser). It follows jIO's storage interface as the `rtc` storage does (RSVP queues, jIOError
 * with status_code), so jIO's `replicate` drives it as it drives `dav` or `erp5`.
 * Description: `{ type: 'webdav-json', url: 'http://host:port/collection/', timeout?: ms }`; a
 * request unanswered after `timeout` (default 30 s) fails, as on a link that dropped mid-request.
 *
 * @returns {string} a classic script that registers it with the page's jIO
 */
export function webdavJsonStorageScript() {
  return `(${register.toString()})(window.jIO, window.RSVP);`;
}

/* global DOMParser, AbortSignal, URL, fetch */
/**
 * @param {any} jIO the page's jIO
 * @param {any} RSVP the page's RSVP
 */
function register(jIO, RSVP) {
  const { jIOError } = jIO.util;
  const fileOf = (/** @type {string} */ id) => `${encodeURIComponent(id)}.json`;

  /**
   * fetch, with a network failure or a timeout as a jIOError 0 (what jIO's ajax rejects with has status 0 too).
   * @param {string} url @param {RequestInit} init @param {string} what @param {number} timeout
   */
  async function request(url, init, what, timeout) {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(timeout) });
    } catch (error) {
      throw new jIOError(`${what}: the remote is unreachable (${String(/** @type {Error} */ (error).message)})`, 0);
    }
  }
  /** @param {Response} response @param {string} what @returns {never} */
  function fail(response, what) {
    throw new jIOError(`${what}: HTTP ${response.status}`, response.status);
  }

  /** @param {{ url: string, timeout?: number }} spec */
  function WebdavJsonStorage(spec) {
    if (typeof spec.url !== 'string' || !spec.url.endsWith('/')) throw new jIOError("webdav-json: 'url' must be a collection URL ending with /", 400);
    this._url = spec.url;
    this._timeout = spec.timeout ?? 30000;
  }
  const queue = (/** @type {() => unknown} */ fn) => new RSVP.Queue().push(fn);
  WebdavJsonStorage.prototype.get = function (/** @type {string} */ id) {
    return queue(async () => {
      const response = await request(this._url + fileOf(id), {}, `get ${id}`, this._timeout);
      if (response.status === 404) throw new jIOError(`Cannot find document: ${id}`, 404);
      if (!response.ok) fail(response, `get ${id}`);
      return response.json();
    });
  };
  WebdavJsonStorage.prototype.put = function (/** @type {string} */ id, /** @type {object} */ doc) {
    return queue(async () => {
      const put = () => request(this._url + fileOf(id), { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(doc) }, `put ${id}`, this._timeout);
      let response = await put();
      if (response.status === 404 || response.status === 409) {
        // The collection does not exist yet: make it, once.
        await request(this._url, { method: 'MKCOL' }, 'MKCOL', this._timeout);
        response = await put();
      }
      if (!response.ok) fail(response, `put ${id}`);
      return id;
    });
  };
  WebdavJsonStorage.prototype.remove = function (/** @type {string} */ id) {
    return queue(async () => {
      const response = await request(this._url + fileOf(id), { method: 'DELETE' }, `remove ${id}`, this._timeout);
      if (response.status === 404) throw new jIOError(`Cannot find document: ${id}`, 404);
      if (!response.ok) fail(response, `remove ${id}`);
      return id;
    });
  };
  WebdavJsonStorage.prototype.hasCapacity = (/** @type {string} */ name) => name === 'list';
  WebdavJsonStorage.prototype.buildQuery = function () {
    return queue(async () => {
      const response = await request(this._url, { method: 'PROPFIND', headers: { Depth: '1' } }, 'list', this._timeout);
      if (response.status === 404) return [];
      if (response.status !== 207) fail(response, 'list');
      const xml = new DOMParser().parseFromString(await response.text(), 'application/xml');
      const rows = [];
      for (const href of xml.getElementsByTagNameNS('DAV:', 'href')) {
        const name = decodeURIComponent(new URL(href.textContent ?? '', this._url).pathname.split('/').pop() ?? '');
        if (name.endsWith('.json')) rows.push({ id: name.slice(0, -5), value: {} });
      }
      return rows;
    });
  };
  WebdavJsonStorage.prototype.repair = () => new RSVP.Queue();
  WebdavJsonStorage.prototype.allAttachments = function (/** @type {string} */ id) {
    return this.get(id).push(() => ({}));
  };
  jIO.addStorage('webdav-json', WebdavJsonStorage);
}
