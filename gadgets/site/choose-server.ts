/**
 * Picks how `<rtc-site>` serves a site (docs/site.md "Two ways to serve"): from a list of
 * factories, the Service Worker first where the page is a secure context, else the blob path.
 */
import type { SiteFileSource, SiteServer } from './types.js';
import { startBlobServer } from './blob-server.js';
import { startServiceWorkerServer } from './sw/index.js';
import { bridgeSource } from './bridge.js';
import { SITE_ORIGIN } from './resolve.js';
import { RtcError } from '../errors.js';

/** The `serve` attribute of `<rtc-site>`: `auto` (default), or one way only. */
export type ServeMode = 'auto' | 'blob' | 'service-worker';

/** One way of serving, as `chooseSiteServer` sees it. */
export interface SiteServerFactory {
  readonly kind: SiteServer['kind'];
  /** Whether it can work only in a secure context (a Service Worker: HTTPS or localhost). */
  readonly needsSecureContext: boolean;
  /** Starts serving `source`; resolves `null` when this way cannot serve here. */
  start(source: SiteFileSource): Promise<SiteServer | null>;
}

/** The Service Worker path (docs/site.md "The Service Worker path"): resolves null where it cannot serve. */
const serviceWorkerFactory: SiteServerFactory = {
  kind: 'service-worker',
  needsSecureContext: true,
  start: (source) => startServiceWorkerServer(source, {
    // The bridge tells the element of links, forms and titles (its history); the worker answers fetch() itself.
    pagePrefix: (path) => `<script>${bridgeSource({ path, search: '', hash: '', site: SITE_ORIGIN, interceptFetch: false })}</script>`,
  }),
};

/** The ways known, in order of preference: the Service Worker first, then Blob URLs. */
export const siteServerFactories: SiteServerFactory[] = [
  serviceWorkerFactory,
  { kind: 'blob', needsSecureContext: false, start: startBlobServer },
];

/**
 * Starts the first way that can serve `source`: with `mode` `auto`, every factory in order (those
 * that need a secure context only when `secure`); otherwise only the factories of that kind.
 * Rejects with RtcError 501 when none could (`service-worker` asked for on a plain-http page).
 */
export async function chooseSiteServer(
  source: SiteFileSource,
  mode: ServeMode = 'auto',
  factories: readonly SiteServerFactory[] = siteServerFactories,
  secure: boolean = globalThis.isSecureContext ?? false,
): Promise<SiteServer> {
  for (const factory of factories) {
    if (mode !== 'auto' && factory.kind !== mode) continue;
    if (factory.needsSecureContext && !secure) continue;
    const server = await factory.start(source);
    if (server) return server;
  }
  throw new RtcError(mode === 'service-worker'
    ? 'No Service Worker can serve the site here: the page is not a secure context (HTTPS or localhost)'
    : `No way to serve the site here (serve="${mode}")`, 501);
}
