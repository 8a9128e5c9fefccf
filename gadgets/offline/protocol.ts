/**
 * What the offline pages' Service Worker (gadgets/offline/sw.ts) and `<rtc-offline>`
 * (gadgets/offline/rtc-offline.ts) share: the build's manifest, the cache names, the one message
 * between them, and which requests the worker answers (README "Pages that work offline").
 */

/**
 * Written by the build into the first line of `dist/offline/sw.js` (scripts/offline-worker.js).
 * `version`: `<package version>+<8 hex digits>`, the digits from the SHA-256 of the worker's code and
 * of every precached file, so any change to them is a new version. `files`: the precached files, as
 * paths from the folder holding `demo/` and `dist/` (`demo/slave.html`, `dist/rtc-gadgets.js`).
 */
export interface OfflineManifest {
  version: string;
  files: string[];
}

/** Cache Storage names of this worker: the prefix, then the version. Other names are never touched. */
export const CACHE_PREFIX = 'rtc-offline:';

/** The message `<rtc-offline>` posts to the worker, with a MessagePort for the {@link OfflineReply}. */
export const VERSION_MESSAGE = 'rtc-offline:version';

/** The worker's answer: the version it holds, and whether it served this page from its cache. */
export interface OfflineReply {
  type: typeof VERSION_MESSAGE;
  version: string;
  fromCache: boolean;
}

/**
 * `<rtc-site>`'s Service Worker serves sites under this path (issue 17): this worker never answers
 * there, even if a scope or a precache list were to cover it.
 */
export const SITE_PREFIX = '/__rtc-site__/';

/**
 * The key a request is looked up by: its URL without query string or fragment (`slave.html?room=x`
 * is the precached `slave.html`), or null when this worker must let the request through untouched:
 * not a GET, another origin, under {@link SITE_PREFIX}, or not a precached file (the broadcaster's
 * `/info.json`, `/qr`, `/signal`, pages that are not precached).
 * @param precached absolute URLs (no query string) of the precached files.
 */
export function precacheKey(method: string, url: string, origin: string, precached: ReadonlySet<string>): string | null {
  if (method !== 'GET') return null;
  const parsed = new URL(url);
  if (parsed.origin !== origin || parsed.pathname.startsWith(SITE_PREFIX)) return null;
  const key = parsed.origin + parsed.pathname;
  return precached.has(key) ? key : null;
}
