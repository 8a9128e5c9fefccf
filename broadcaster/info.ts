/**
 * `GET /info.json`: where the broadcaster can be reached, for the master page's `<rtc-status>` (its
 * link and QR code of the slave page). Readable from any page (CORS `*`).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';

import { SIGNALING_PATH } from '../gadgets/signaling/messages.js';
import { isLoopbackHost } from './addresses.js';
import { sendStatus } from './static.js';

/** Path of the QR page (`qr-page.ts`). */
export const QR_PAGE_PATH = '/qr';

/** The body of `GET /info.json`. */
export interface BroadcasterInfo {
  /** Format version. */
  v: 1;
  /** `http://ADDR:PORT/` for loopback and every LAN address (as `Broadcaster.urls`). */
  urls: string[];
  /** The same without loopback addresses, best first (`addresses.ts` ranks them): what other
   * devices can open. */
  lanUrls: string[];
  /** The demo master page, on this machine. */
  masterPage: string;
  /** The demo slave page, on the first LAN address (loopback when there is none). */
  slavePage: string;
  /** Path of the signaling WebSocket. */
  signaling: string;
  /** Over HTTPS only: the page showing the slave page's QR code and the certificate's fingerprint,
   * on the first LAN address (`qr-page.ts`; it is served over plain http too). */
  qrPage?: string;
  /** With `--site-port`: the port of the site origin (`<rtc-site>`'s Service Worker path, docs/site.md). */
  sitePort?: number;
  /** Over HTTPS only: the SHA-256 fingerprint of the certificate, `AB:CD:…` (`tls.ts`). */
  fingerprint?: string;
}

/**
 * What `/info.json` answers for a broadcaster reachable at `urls` (loopback and LAN, best first),
 * with its certificate's `fingerprint` over HTTPS and its `sitePort` when it has one.
 */
export function broadcasterInfo(urls: readonly string[], fingerprint: string | null = null, sitePort?: number): BroadcasterInfo {
  const lanUrls = urls.filter((url) => !isLoopbackHost(new URL(url).hostname.replace(/^\[|\]$/g, '')));
  const local = urls.find((url) => !lanUrls.includes(url)) ?? urls[0] ?? '';
  const lan = lanUrls[0] ?? local;
  const info: BroadcasterInfo = {
    v: 1,
    urls: [...urls],
    lanUrls,
    masterPage: local ? new URL('/demo/master.html', local).href : '',
    slavePage: lan ? new URL('/demo/slave.html', lan).href : '',
    signaling: SIGNALING_PATH,
  };
  if (sitePort !== undefined) info.sitePort = sitePort;
  if (fingerprint) {
    info.qrPage = lan ? new URL(QR_PAGE_PATH, lan).href : '';
    info.fingerprint = fingerprint;
  }
  return info;
}

/** Answers `GET`/`HEAD /info.json` with `info` as indented JSON (no-cache, CORS `*`); 405 otherwise. */
export function sendInfo(info: BroadcasterInfo, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendStatus(res, 405, { Allow: 'GET, HEAD' });
    return;
  }
  const body = `${JSON.stringify(info, null, 2)}\n`;
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Access-Control-Allow-Origin': '*',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
