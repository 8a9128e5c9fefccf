/**
 * The Service Worker of the pages that work offline (README "Pages that work offline"), built by
 * rollup to `dist/offline/sw.js` (a classic script) and registered by `<rtc-offline>`.
 *
 * - install: caches every file of the build's manifest (`RTC_OFFLINE_MANIFEST`, the script's first
 *   line) in `rtc-offline:<version>`, fetched past the HTTP cache; a file that fails fails the
 *   install, so the previous version stays whole. Then it takes over at once (`skipWaiting`).
 * - activate: deletes the other `rtc-offline:` caches (the version it replaces) and controls the open
 *   pages (`clients.claim`), whose `<rtc-offline>` then says "Updated to version …".
 * - fetch: only GETs of precached files (gadgets/offline/protocol.ts `precacheKey`); everything
 *   else, `/__rtc-site__/` included, goes to the network untouched. Network first, so a page online
 *   is always the server's latest; the cached copy when the network fails or takes more than
 *   {@link NETWORK_MS} (a broadcaster gone from the LAN may never answer); then, for {@link OFFLINE_MS}
 *   or until a page loads from the network again, the pages' other files come from the cache first,
 *   so that they do not each wait again.
 * - message: answers `<rtc-offline>` with its version and whether the page came from the cache.
 */
import { CACHE_PREFIX, VERSION_MESSAGE, precacheKey, type OfflineManifest, type OfflineReply } from './protocol.js';

/** The few Service Worker types used here (lib.dom, which gadgets/ compiles with, has none of them). */
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  readonly resultingClientId: string;
  respondWith(response: Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
  readonly source: { readonly id: string; postMessage(message: unknown): void } | null;
  readonly ports: readonly MessagePort[];
}
interface WorkerScope {
  readonly location: Location;
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: ExtendableMessageEvent) => void): void;
}

declare const RTC_OFFLINE_MANIFEST: OfflineManifest;

/** How long a request may wait for the network before the cached copy answers, ms. */
const NETWORK_MS = 3000;
/** After a network failure, how long precached files come from the cache first, ms. */
const OFFLINE_MS = 30_000;

const scope = self as unknown as WorkerScope;
const { version, files } = RTC_OFFLINE_MANIFEST;
const cacheName = CACHE_PREFIX + version;
// The script is dist/offline/sw.js: the folder holding demo/ and dist/ is two levels up.
const base = new URL('../../', scope.location.href);
const urls = files.map((file) => new URL(file, base).href);
const precached = new Set(urls);
/** Pages (client ids) this worker answered from the cache. */
const fromCache = new Set<string>();
let offlineUntil = 0;

scope.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(cacheName);
    await cache.addAll(urls.map((url) => new Request(url, { cache: 'reload' })));
    await scope.skipWaiting();
  })());
});

scope.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== cacheName).map((name) => caches.delete(name)));
    await scope.clients.claim();
  })());
});

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  const key = precacheKey(request.method, request.url, scope.location.origin, precached);
  if (key) event.respondWith(answer(event, key));
});

scope.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown } | null;
  if (data?.type !== VERSION_MESSAGE) return;
  const reply: OfflineReply = { type: VERSION_MESSAGE, version, fromCache: event.source ? fromCache.has(event.source.id) : false };
  (event.ports[0] ?? event.source)?.postMessage(reply);
});

/** The network's response within NETWORK_MS, else the cached copy; the network's error when neither. */
async function answer(event: FetchEvent, key: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  // A page always asks the network first: it is how the worker learns that the server is back.
  if (event.request.mode !== 'navigate' && Date.now() < offlineUntil) {
    const hit = await cache.match(key);
    if (hit) return served(event, hit);
  }
  try {
    const response = await Promise.race([
      fetch(event.request),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the network is too slow')), NETWORK_MS)),
    ]);
    offlineUntil = 0;
    return response;
  } catch (error) {
    offlineUntil = Date.now() + OFFLINE_MS;
    const hit = await cache.match(key);
    if (!hit) throw error;
    return served(event, hit);
  }
}

function served(event: FetchEvent, response: Response): Response {
  if (event.request.mode === 'navigate' && event.resultingClientId) {
    if (fromCache.size > 100) fromCache.clear();
    fromCache.add(event.resultingClientId);
  }
  return response;
}
