/**
 * One TCP port for HTTPS and a plain-http redirect to it: a person who types `192.168.1.20:9999` (which
 * browsers open as `http://`) gets a redirect to `https://192.168.1.20:9999/` instead of an empty
 * answer. The first byte of each connection decides: 0x16 (a TLS handshake record, RFC 8446 §5.1) goes
 * to the HTTPS server, anything else to a small http server that answers 307 (not cached: the same port
 * may serve plain http on another day) for GET and HEAD, 400 otherwise. The byte is put back before the
 * chosen server reads (`TLSSocket` takes buffered bytes first, Node's `_tls_wrap.js` `initRead`).
 */

import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import type { Server as TcpServer } from 'node:net';

/** A connection that sends nothing for this long, before its first byte, is dropped, ms. */
export const FIRST_BYTE_TIMEOUT_MS = 10_000;
/** TLS record content type `handshake`: the first byte of a ClientHello. */
const TLS_HANDSHAKE = 0x16;

/** A `Host` header fit to redirect to: a name or address and a port, nothing else. */
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;

/**
 * The TCP server to listen on, handing each connection to `https` or to the redirect server.
 * @returns `listener` (listen and close it, count its connections) and `plain` (the redirect server,
 * whose connections `closeAllConnections` ends).
 */
export function sharePort(https: HttpsServer): { listener: TcpServer; plain: HttpServer } {
  const plain = createHttpServer((req, res) => {
    const host = req.headers.host ?? '';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !HOST.test(host)) {
      const body = 'This port speaks HTTPS: open the https:// address.\n';
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
      res.end(body);
      return;
    }
    const target = req.url?.startsWith('/') ? req.url : '/';
    res.writeHead(307, { Location: `https://${host}${target}`, 'Cache-Control': 'no-store', 'Content-Length': 0, Connection: 'close' });
    res.end();
  });
  plain.on('clientError', (_error, socket) => socket.destroy());
  const listener = createTcpServer((socket) => {
    socket.on('error', () => {});
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(chunk);
      (chunk[0] === TLS_HANDSHAKE ? https : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  return { listener, plain };
}
