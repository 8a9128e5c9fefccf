/**
 * `GET /qr`: a page to show on the master's screen, for phones to scan. It holds the slave page's
 * address on each LAN address as a link and a QR code (the first one large), and over HTTPS the
 * certificate's SHA-256 fingerprint, so that a person can compare it with what the phone's browser
 * shows before accepting the certificate (README "HTTPS on the LAN"). Self-contained: inline SVG
 * (encoded by `qr`) and inline CSS, no script.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';

import encodeQR from 'qr';

import type { BroadcasterInfo } from './info.js';
import { sendStatus } from './static.js';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The fingerprint in four lines of eight byte pairs, easier to compare than one long line. */
export function fingerprintLines(fingerprint: string): string[] {
  const pairs = fingerprint.split(':');
  const lines: string[] = [];
  for (let i = 0; i < pairs.length; i += 8) lines.push(pairs.slice(i, i + 8).join(':'));
  return lines;
}

/** The page's HTML for `info` (the slave page on each LAN address, else on loopback). */
export function qrPageHtml(info: BroadcasterInfo): string {
  const bases = info.lanUrls.length > 0 ? info.lanUrls : info.urls.slice(0, 1);
  const pages = bases.map((base) => new URL('/demo/slave.html', base).href);
  const [first, ...others] = pages;
  const qr = first ? encodeQR(first, 'svg', { ecc: 'medium', border: 2 }).replace('<svg ', '<svg role="img" aria-label="QR code of the slave page address" class="qr" ') : '';
  const fingerprint = info.fingerprint
    ? `<section aria-labelledby="fp">
  <h2 id="fp">Certificate fingerprint (SHA-256)</h2>
  <p>The first time, the phone warns that the connection is not private: this broadcaster made its own
    certificate. Open the certificate details in the warning and check that its SHA-256 fingerprint is this one, then
    choose <em>Advanced</em> › <em>Proceed</em> (Chrome) or <em>Show Details</em> › <em>visit this website</em> (Safari).</p>
  <pre class="fingerprint">${fingerprintLines(info.fingerprint).map(escapeHtml).join('\n')}</pre>
</section>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scan to open the slave page · rtc-gadgets</title>
<link rel="icon" href="data:,">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 40rem; color: #1f2328; background: #fff; }
  h1 { font-size: 1.5rem; margin: 0 0 0.5rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
  .qr { display: block; width: min(20rem, 100%); height: auto; margin: 1rem 0; border: 1px solid #d0d7de; }
  a { color: #0969da; word-break: break-all; }
  .fingerprint { font: 1rem/1.6 ui-monospace, monospace; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.75rem; overflow-x: auto; }
</style>
</head>
<body>
<h1>Scan to open the slave page</h1>
<p>On a phone or another computer of this network, scan the code or type the address:</p>
${first ? `<p><a href="${escapeHtml(first)}">${escapeHtml(first)}</a></p>\n${qr}` : '<p>No address to show.</p>'}
${others.length > 0 ? `<p>Other addresses of this machine:</p>\n<ul>${others.map((page) => `<li><a href="${escapeHtml(page)}">${escapeHtml(page)}</a></li>`).join('')}</ul>` : ''}
${fingerprint}
</body>
</html>
`;
}

/** Answers `GET`/`HEAD /qr` (no-cache: the addresses may change); 405 otherwise. */
export function sendQrPage(info: BroadcasterInfo, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendStatus(res, 405, { Allow: 'GET, HEAD' });
    return;
  }
  const body = qrPageHtml(info);
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
