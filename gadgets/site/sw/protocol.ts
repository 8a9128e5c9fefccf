/**
 * Messages and constants of the Service Worker path (docs/site.md, "The Service Worker path"):
 * host page ⇄ relay frame ⇄ Service Worker. The host page holds the {@link SiteFileSource}; the
 * relay is a hidden frame on the *site origin* (another origin than the host page) that registered
 * the Service Worker; the Service Worker answers the site frame's fetches by asking the relay,
 * which forwards to the host page.
 */
import type { SiteResponse } from '../types.js';

/** File name of the Service Worker script, beside the relay page (built by rollup into dist/). */
export const SW_SCRIPT = 'rtc-site-sw.js';
/** File name of the relay page (dist/rtc-site-relay.html). */
export const RELAY_PAGE = 'rtc-site-relay.html';
/** The site URL space, relative to the relay's folder: `<folder>rtc-site/<key>/<path>`. */
export const SCOPE_DIR = 'rtc-site/';
/** Bytes asked of the host page per read: a media element gets its first bytes after one read. */
export const CHUNK = 128 * 1024;
/** Most bytes answered to an open-ended range (`bytes=N-`): a seek reads only what it plays. */
export const MAX_OPEN_RANGE = 512 * 1024;

/** Host → relay, once: the port the relay forwards reads on. */
export interface ConnectMessage {
  type: 'rtc-site-connect';
}

/** Relay → host on that port: the Service Worker is active (`scope` is the site URL space), or not. */
export type ConnectReply = { type: 'ready'; scope: string } | { type: 'failed'; message: string };

/** Service Worker → relay (→ host): read `path`, bytes `[start, end)`; the answer goes to the transferred port. */
export interface ReadMessage {
  type: 'read';
  key: string;
  path: string;
  range: [number, number];
}

/** Host → Service Worker on the read's port: the {@link SiteResponse}, or why the read failed. */
export type ReadReply = SiteResponse | { error: string };
