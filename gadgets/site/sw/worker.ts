/**
 * The Service Worker of the site URL space (docs/site.md, "The Service Worker path"). Built by
 * rollup as a classic script, dist/rtc-site-sw.js, and registered by the relay page beside it with
 * the scope `rtc-site/`. A fetch of `<scope><key>/<path>` is answered by asking the relay frame
 * whose URL carries `?key=<key>` (a window client of this origin), which forwards the read to the
 * host page holding that site's file source. Ranges are answered 206 in reads of {@link CHUNK}
 * bytes streamed as they arrive, an open-ended range capped at {@link MAX_OPEN_RANGE}.
 */
import { CHUNK, MAX_OPEN_RANGE, RELAY_PAGE } from './protocol.js';
import type { ReadMessage, ReadReply } from './protocol.js';
import { parseRange, rangeBounds } from './range.js';
import type { SiteResponse } from '../types.js';

// The Service Worker globals this script uses (the project compiles with the DOM lib only).
interface SwClient {
  id: string;
  url: string;
  postMessage(message: unknown, transfer: Transferable[]): void;
}
interface SwEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface SwFetchEvent extends SwEvent {
  request: Request;
  clientId: string;
  respondWith(r: Promise<Response>): void;
}
interface SwGlobal {
  registration: { scope: string };
  clients: {
    get(id: string): Promise<SwClient | undefined>;
    matchAll(o: { type: 'window'; includeUncontrolled: boolean }): Promise<SwClient[]>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: string, listener: (e: SwEvent) => void): void;
}

const sw = self as unknown as SwGlobal;
/** How long the host page may take to answer one read before the frame gets a 504. */
const READ_TIMEOUT = 30_000;

sw.addEventListener('install', (e) => e.waitUntil(sw.skipWaiting()));
sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));
sw.addEventListener('fetch', (e) => {
  const event = e as SwFetchEvent;
  const target = siteTarget(event.request.url);
  if (target) event.respondWith(serve(event, target.key, target.path).catch((error: unknown) => page(502, 'Bad gateway', String(error))));
});

/** `{ key, path }` for a URL inside the scope (`<scope><key>/<path>`), else null. */
function siteTarget(url: string): { key: string; path: string } | null {
  const scope = sw.registration.scope;
  if (!url.startsWith(scope)) return null;
  const rest = new URL(url).pathname.slice(new URL(scope).pathname.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return { key: rest, path: '' };
  return { key: rest.slice(0, slash), path: rest.slice(slash + 1) };
}

async function serve(event: SwFetchEvent, key: string, path: string): Promise<Response> {
  const { request } = event;
  if (request.method !== 'GET' && request.method !== 'HEAD') return page(405, 'Method not allowed', 'A site from the master is read-only.');
  // A site's page may fetch only its own files: a subresource asked by a frame of another key is refused.
  if (event.clientId) {
    const client = await sw.clients.get(event.clientId);
    const from = client ? siteTarget(client.url) : null;
    if (from && from.key !== key) return page(403, 'Forbidden', 'A site cannot read the files of another site.');
  }
  const relay = await findRelay(key);
  if (!relay) {
    return page(503, 'Site unavailable', 'The page that served this site was closed or reloaded. Open the site again from that page.');
  }
  const read = (range: [number, number]): Promise<SiteResponse> => ask(relay, { type: 'read', key, path, range });
  const wanted = parseRange(request.headers.get('range'));
  // A suffix range needs the size first.
  const start = wanted && 'start' in wanted ? wanted.start : 0;
  const explicitEnd = wanted && 'last' in wanted && wanted.last !== undefined ? wanted.last + 1 : Infinity;
  let first = await read([start, Math.min(start + CHUNK, explicitEnd)]);
  if (first.status === 404) return respond(first.body, 404, first.contentType, {});
  const size = first.size;
  const bounds = wanted ? rangeBounds(wanted, size, MAX_OPEN_RANGE) : size === 0 ? null : [0, size] as [number, number];
  if (!bounds) {
    if (!wanted) return respond(new Blob([]), 200, first.contentType, { 'Content-Length': '0' });
    return respond(new Blob([]), 416, first.contentType, { 'Content-Range': `bytes */${size}` });
  }
  const [from, end] = bounds;
  if (first.status !== 206 || first.range?.[0] !== from) first = await read([from, Math.min(from + CHUNK, end)]);
  const headers: Record<string, string> = { 'Content-Length': String(end - from) };
  if (wanted) headers['Content-Range'] = `bytes ${from}-${end - 1}/${size}`;
  const status = wanted ? 206 : 200;
  if (request.method === 'HEAD') return respond(null, status, first.contentType, headers);
  const firstEnd = first.range?.[1] ?? end;
  if (firstEnd >= end) return respond(first.body.slice(0, end - from), status, first.contentType, headers);
  return respond(streamFrom(first.body, firstEnd, end, read), status, first.contentType, headers);
}

/** The rest of a range as a stream: one read of {@link CHUNK} bytes when the consumer wants more. */
function streamFrom(head: Blob, at: number, end: number, read: (r: [number, number]) => Promise<SiteResponse>): ReadableStream<Uint8Array> {
  let pos = at;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new Uint8Array(await head.arrayBuffer()));
    },
    async pull(controller) {
      if (pos >= end) {
        controller.close();
        return;
      }
      const part = await read([pos, Math.min(pos + CHUNK, end)]);
      if (part.status !== 206 || !part.range || part.range[0] !== pos) throw new Error(`read at ${pos} answered ${part.status}`);
      pos = part.range[1];
      controller.enqueue(new Uint8Array(await part.body.arrayBuffer()));
      if (pos >= end) controller.close();
    },
  }, { highWaterMark: 1 });
}

/** The relay frame that serves `key`: a window of this origin whose URL is `…/rtc-site-relay.html?key=<key>`. */
async function findRelay(key: string): Promise<SwClient | undefined> {
  const all = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  return all.find((client) => {
    const url = new URL(client.url);
    return url.pathname.endsWith(`/${RELAY_PAGE}`) && url.searchParams.get('key') === key;
  });
}

/** One read through the relay; rejects when the host answers an error or not within {@link READ_TIMEOUT}. */
function ask(relay: SwClient, message: ReadMessage): Promise<SiteResponse> {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      reject(new Error('the host page did not answer'));
    }, READ_TIMEOUT);
    channel.port1.onmessage = (e: MessageEvent<ReadReply>) => {
      clearTimeout(timer);
      channel.port1.close();
      if ('error' in e.data) reject(new Error(e.data.error));
      else resolve(e.data);
    };
    relay.postMessage(message, [channel.port2]);
  });
}

function respond(body: BodyInit | null, status: number, contentType: string, headers: Record<string, string>): Response {
  return new Response(body, {
    status,
    headers: {
      'Content-Type': contentType,
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    },
  });
}

/** A small HTML page for an error the frame shows (503 when the host page went away). */
function page(status: number, title: string, text: string): Response {
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title>`
    + `<body style="font:16px system-ui,sans-serif;margin:2em"><h1>${status} ${title}</h1><p>${text}</p>`;
  return respond(new Blob([html]), status, 'text/html;charset=utf-8', {});
}
