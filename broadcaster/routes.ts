/**
 * HTTP routes of the broadcaster:
 * - `/signal`: WebSocket upgrades only (a plain request gets 426); an upgrade anywhere else gets 400;
 * - `/info.json`: where the broadcaster is reached (`info.ts`);
 * - `/qr`: the slave page's QR code, and the certificate's fingerprint over HTTPS (`qr-page.ts`);
 * - anything else: the package's `demo/` and `dist/`, with the `/` → `/demo/` and folder redirects
 *   (`static.ts`).
 * A malformed request gets a bare 400 and the connection closed.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

import { SIGNALING_PATH } from '../gadgets/signaling/messages.js';
import type { BroadcasterInfo } from './info.js';
import { QR_PAGE_PATH, sendInfo } from './info.js';
import { guard } from './log.js';
import type { Log } from './log.js';
import { sendQrPage } from './qr-page.js';
import { sendStatus, serveStatic } from './static.js';

export interface RoutesOptions {
  /** Folder holding `demo/` and `dist/`. */
  root: string;
  /** The body of `/info.json`, read at each request (the URLs are known only once listening). */
  info: () => BroadcasterInfo;
  /** Completes a WebSocket upgrade at `/signal`. */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  log: Log;
}

function pathnameOf(req: IncomingMessage): string {
  return (req.url ?? '').split('?')[0]!;
}

/** The handlers to attach to a `node:http` server: `request`, `upgrade` and `clientError`. */
export function routes(options: RoutesOptions): {
  request: (req: IncomingMessage, res: ServerResponse) => void;
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  clientError: (error: Error, socket: Duplex) => void;
} {
  const { root, info, upgrade, log } = options;
  return {
    request(req, res) {
      res.on('error', () => {});
      const pathname = pathnameOf(req);
      if (pathname === SIGNALING_PATH) {
        sendStatus(res, 426, { Upgrade: 'websocket', Connection: 'Upgrade' });
        return;
      }
      if (pathname === '/info.json') {
        sendInfo(info(), req, res);
        return;
      }
      if (pathname === QR_PAGE_PATH) {
        sendQrPage(info(), req, res);
        return;
      }
      serveStatic(root, req, res).catch((error: unknown) => {
        log(`static error: ${String(error)}`);
        if (!res.headersSent) sendStatus(res, 500);
        else res.destroy();
      });
    },
    upgrade(req, socket, head) {
      socket.on('error', () => {});
      guard(log, 'upgrade', () => {
        if (pathnameOf(req) !== SIGNALING_PATH) {
          const body = `WebSocket connections go to ${SIGNALING_PATH}\n`;
          socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
          return;
        }
        upgrade(req, socket, head);
      });
    },
    clientError(_error, socket) {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    },
  };
}
