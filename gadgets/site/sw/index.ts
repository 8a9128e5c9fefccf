/**
 * The Service Worker path of `<rtc-site>` (docs/site.md, "The Service Worker path"): on a secure
 * context, a Service Worker on a second origin (the *site origin*) serves the site's URL space, so
 * the site's pages, media ranges and `fetch()` calls are answered from the host page's
 * {@link SiteFileSource}.
 *
 * Why a second origin: Chromium and Firefox do not let a Service Worker control a frame sandboxed
 * without `allow-same-origin` (nor a document sandboxed by a CSP header): its navigation is not
 * intercepted, or its subresources are not. So the site frame keeps `allow-same-origin`
 * ({@link SW_FRAME_SANDBOX}) and gets its isolation from the other origin instead.
 */
import type { SiteFileSource, SiteServer } from '../types.js';
import { withPagePrefix } from './page-prefix.js';
import { RELAY_PAGE } from './protocol.js';
import type { ConnectReply, ReadMessage, ReadReply } from './protocol.js';

export { parseRange, rangeBounds } from './range.js';
export type { ByteRange } from './range.js';

/**
 * The `sandbox` of a frame served by the Service Worker path. `allow-same-origin` is required (a
 * sandboxed opaque origin is never controlled by a Service Worker) and is safe because the frame's
 * origin is the site origin, never the host page's.
 */
export const SW_FRAME_SANDBOX = 'allow-scripts allow-forms allow-popups allow-same-origin';

export interface ServiceWorkerServerOptions {
  /**
   * The site origin (`https://host:port`): another origin than the page's, serving the folder
   * `folder` of the package's dist/ (the relay page and the Service Worker). Default: the page's
   * host at the broadcaster's site port (`sitePort` of its `/info.json`, `rtc-broadcaster
   * --site-port N`); without one, on a loopback page, the other loopback name (`127.0.0.1` ↔
   * `localhost`, same port); else none, and the function resolves null.
   */
  origin?: string;
  /** Path of the folder holding rtc-site-relay.html and rtc-site-sw.js on the site origin. Default `/dist/`. */
  folder?: string;
  /** Element the hidden relay frame is appended to. Default `document.body`. */
  container?: Element;
  /** Most milliseconds to wait for the Service Worker to be active. Default 10000. */
  timeout?: number;
  /** HTML put before every HTML page served (`<rtc-site>`'s bridge script), given its site path. Default none. */
  pagePrefix?: (path: string) => string;
}

/** The other loopback name of `location`'s origin (`127.0.0.1` ↔ `localhost`), or null. */
export function defaultSiteOrigin(location: { protocol: string; hostname: string; port: string }): string | null {
  const other: Record<string, string> = { '127.0.0.1': 'localhost', localhost: '127.0.0.1', '[::1]': '127.0.0.1' };
  const name = other[location.hostname];
  return name ? `${location.protocol}//${name}${location.port ? `:${location.port}` : ''}` : null;
}

/** The page's host at the broadcaster's site port (its `/info.json`), or null. */
async function sitePortOrigin(): Promise<string | null> {
  try {
    const response = await fetch(new URL('/info.json', location.href), { cache: 'no-store' });
    const info = (await response.json()) as { sitePort?: unknown };
    const port = info.sitePort;
    return typeof port === 'number' && Number.isInteger(port) ? `${location.protocol}//${location.hostname}:${port}` : null;
  } catch {
    return null;
  }
}

/**
 * Start serving `source` through the Service Worker of the site origin. Resolves with a
 * {@link SiteServer} (`kind` `'service-worker'`; `urlFor('a/b.html?q')` →
 * `<origin><folder>rtc-site/<key>/a/b.html?q`, the key random per call, so several sites and tabs
 * never mix), or null when no Service Worker can serve: not a secure context, no
 * `navigator.serviceWorker`, no site origin, or the relay or registration failed or timed out.
 * Never rejects. `dispose()` removes the relay frame: the site's URLs then answer 503.
 */
export async function startServiceWorkerServer(source: SiteFileSource, options: ServiceWorkerServerOptions = {}): Promise<SiteServer | null> {
  if (!globalThis.isSecureContext || !('serviceWorker' in navigator)) return null;
  const origin = options.origin ?? (await sitePortOrigin()) ?? defaultSiteOrigin(location);
  if (!origin || origin === location.origin) return null;
  const key = randomKey();
  const relayUrl = new URL(`${options.folder ?? '/dist/'}${RELAY_PAGE}?key=${key}`, origin);
  const frame = document.createElement('iframe');
  frame.src = relayUrl.href;
  frame.hidden = true;
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  const channel = new MessageChannel();
  const timeout = options.timeout ?? 10_000;
  const reply = new Promise<ConnectReply>((resolve) => {
    const timer = setTimeout(() => resolve({ type: 'failed', message: 'timed out' }), timeout);
    channel.port1.onmessage = (e: MessageEvent<ConnectReply>) => {
      clearTimeout(timer);
      resolve(e.data);
    };
    frame.addEventListener('load', () => {
      frame.contentWindow?.postMessage({ type: 'rtc-site-connect' }, relayUrl.origin, [channel.port2]);
    }, { once: true });
  });
  (options.container ?? document.body).append(frame);
  const ready = await reply;
  if (ready.type !== 'ready') {
    channel.port1.close();
    frame.remove();
    return null;
  }
  const served = options.pagePrefix ? withPagePrefix(source, options.pagePrefix) : source;
  channel.port1.onmessage = (e: MessageEvent<ReadMessage>) => answer(served, e.data, e.ports[0]);
  const base = `${ready.scope}${key}/`;
  return {
    kind: 'service-worker',
    sandbox: SW_FRAME_SANDBOX,
    urlFor: (path: string) => Promise.resolve(base + path.replace(/^\/+/, '')),
    dispose() {
      channel.port1.close();
      frame.remove();
    },
  };
}

/** Read through `source` and answer on `port` (a Blob crosses to the Service Worker as is). */
function answer(source: SiteFileSource, message: ReadMessage, port: MessagePort | undefined): void {
  if (!port || message?.type !== 'read') return;
  source.read(message.path, message.range).then(
    (response) => port.postMessage(response satisfies ReadReply),
    (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies ReadReply),
  ).finally(() => port.close());
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
