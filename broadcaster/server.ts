/**
 * The broadcaster: one HTTP (or, with `tls`, HTTPS) server that serves the package's `demo/` and `dist/` to the LAN and
 * relays WebRTC signaling (protocol v1, `gadgets/signaling/messages.ts`) over WebSockets at `/signal`.
 * `GET /info.json` says where it can be reached (for the master page's QR code of the slave page).
 *
 * This module wires the parts: `routes.ts` (HTTP: info, redirects, static files), `signaling.ts`
 * (the WebSocket endpoint: `rate-limit.ts`, `frames.ts`, `dispatch.ts` over `rooms.ts`) and
 * `keepalive.ts`. It never crashes on input: every handler is wrapped, every frame validated and
 * bounded, frames on closed sockets are ignored.
 */

import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  DEFAULT_PING_INTERVAL,
  MAX_CLIENTS,
  MAX_CLIENTS_PER_ROOM,
  RATE_LIMIT_BURST,
  RATE_LIMIT_PER_SECOND,
} from '../gadgets/signaling/messages.js';
import { httpUrl, listenAddresses } from './addresses.js';
import { broadcasterInfo } from './info.js';
import { startKeepalive } from './keepalive.js';
import { sharePort } from './https-port.js';
import { guard } from './log.js';
import type { Log } from './log.js';
import { routes } from './routes.js';
import { SignalingEndpoint } from './signaling.js';
import { fingerprintOf } from './tls.js';

export { broadcasterInfo } from './info.js';
export type { BroadcasterInfo } from './info.js';

export interface BroadcasterOptions {
  /** TCP port; 0 picks a free one. Default 9999. */
  port?: number;
  /** Address to bind. Default `0.0.0.0` (every IPv4 interface). */
  host?: string;
  /** Folder holding `demo/` and `dist/`. Default: the package root, found from this module's URL. */
  root?: string;
  /** Interval of WebSocket pings, ms; a client that did not pong since the previous ping is
   * dropped. Default 30000. */
  pingInterval?: number;
  /** Frames per second refilled per socket (token bucket); 0 disables the limit. Default 200
   * (`RATE_LIMIT_PER_SECOND`). */
  rateLimit?: number;
  /** Most frames a socket may send at once: the token bucket's size, at least 1. Default 200
   * (`RATE_LIMIT_BURST`). */
  rateBurst?: number;
  /** Most clients at once. Default 4096. */
  maxClients?: number;
  /** Most members of one room. Default 1024. */
  maxClientsPerRoom?: number;
  /** Serve HTTPS (and wss) with this PEM certificate and key (`tls.ts`); default plain http. */
  tls?: { cert: string; key: string };
  /** A second port serving the same routes: the *site origin* of `<rtc-site>`'s Service Worker path
   * (docs/site.md), another origin than the pages' on the same address, so a site shown from the
   * master never shares an origin with the page showing it. Told in `/info.json` (`sitePort`).
   * Default: none. */
  sitePort?: number;
  /** Receives one line per notable event (joins, leaves, drops, internal errors). Default: silent. */
  log?: Log;
}

export interface Broadcaster {
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** The address bound. */
  readonly host: string;
  /** The folder served. */
  readonly root: string;
  /** `http://ADDR:PORT/` (`https://` with `tls`) for loopback and every LAN address, best first
   * (or only `host` when it is specific). */
  readonly urls: string[];
  /** Whether it serves HTTPS and wss. */
  readonly secure: boolean;
  /** SHA-256 fingerprint of the certificate (`AB:CD:…`), or null over plain http. */
  readonly fingerprint: string | null;
  /** The site port actually bound (`sitePort` option), or undefined. */
  readonly sitePort: number | undefined;
  /** Number of connected WebSocket clients. */
  readonly clientCount: number;
  /** Closes every WebSocket (code 1001) and the HTTP server. */
  close(): Promise<void>;
}

/**
 * The package root: the folder above `broadcaster/`, which is the folder holding `package.json`
 * (`broadcaster/..` from the sources, `dist/broadcaster/../..` once compiled).
 */
export function packageRoot(moduleUrl: string = import.meta.url): string {
  const here = path.dirname(fileURLToPath(moduleUrl));
  const candidates = [path.resolve(here, '..'), path.resolve(here, '..', '..')];
  return candidates.find((dir) => existsSync(path.join(dir, 'package.json'))) ?? candidates[0]!;
}

function checkOptions(options: BroadcasterOptions): void {
  const { port, sitePort, pingInterval, rateLimit, rateBurst, maxClients, maxClientsPerRoom } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new RangeError(`port must be an integer 0-65535, not ${String(port)}`);
  }
  if (sitePort !== undefined && !(Number.isInteger(sitePort) && sitePort >= 0 && sitePort <= 65535)) {
    throw new RangeError(`sitePort must be an integer 0-65535, not ${String(sitePort)}`);
  }
  if (pingInterval !== undefined && !(Number.isFinite(pingInterval) && pingInterval >= 10)) {
    throw new RangeError(`pingInterval must be at least 10 ms, not ${String(pingInterval)}`);
  }
  for (const [name, value] of [['rateLimit', rateLimit], ['maxClients', maxClients], ['maxClientsPerRoom', maxClientsPerRoom]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new RangeError(`${name} must be a non-negative integer, not ${String(value)}`);
    }
  }
  if (rateBurst !== undefined && !(Number.isInteger(rateBurst) && rateBurst >= 1)) {
    throw new RangeError(`rateBurst must be a positive integer, not ${String(rateBurst)}`);
  }
}

function listen(server: NetServer, port: number, host: string, log: Log): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (error) => log(`HTTP server error: ${error.message}`));
      resolve();
    });
  });
}

/**
 * Starts a broadcaster; resolves once it listens.
 * @throws {RangeError} for a bad option; rejects with the `listen` error (e.g. `EADDRINUSE`).
 */
export async function createBroadcaster(options: BroadcasterOptions = {}): Promise<Broadcaster> {
  checkOptions(options);
  const host = options.host ?? '0.0.0.0';
  const root = path.resolve(options.root ?? packageRoot());
  const log = options.log ?? (() => {});

  const signaling = new SignalingEndpoint({
    rateLimit: options.rateLimit ?? RATE_LIMIT_PER_SECOND,
    rateBurst: options.rateBurst ?? RATE_LIMIT_BURST,
    maxClients: options.maxClients ?? MAX_CLIENTS,
    maxClientsPerRoom: options.maxClientsPerRoom ?? MAX_CLIENTS_PER_ROOM,
    log,
  });
  let urls: string[] = [];
  let sitePort: number | undefined;
  const fingerprint = options.tls ? fingerprintOf(options.tls.cert) : null;
  const handlers = routes({
    root,
    info: () => broadcasterInfo(urls, fingerprint, sitePort),
    upgrade: (req, socket, head) => signaling.upgrade(req, socket, head),
    log,
  });
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handlers.request)
    : createServer(handlers.request);
  server.on('upgrade', handlers.upgrade);
  server.on('clientError', handlers.clientError);
  // Over HTTPS, plain http on the same port is redirected (https-port.ts).
  const shared = options.tls ? sharePort(server as HttpsServer) : null;
  const listener: NetServer = shared?.listener ?? server;
  // A banned address (budget.ts) costs no HTTP or TLS work: its connections are destroyed on accept.
  listener.prependListener('connection', (socket: Socket) => {
    if (signaling.banned(socket.remoteAddress)) socket.destroy();
  });

  await listen(listener, options.port ?? 9999, host, log);
  // The site port hands its connections to the same listener: same routes, TLS and bans.
  const siteListener = options.sitePort === undefined ? null : createNetServer((socket) => listener.emit('connection', socket));
  if (siteListener) {
    await listen(siteListener, options.sitePort!, host, log).catch((error: unknown) => {
      listener.close();
      throw error;
    });
    sitePort = (siteListener.address() as AddressInfo).port;
  }
  const stopKeepalive = startKeepalive(signaling.clients, options.pingInterval ?? DEFAULT_PING_INTERVAL,
    (client) => signaling.drop(client), log);

  const port = (listener.address() as AddressInfo).port;
  urls = listenAddresses(host).map((address) => httpUrl(address, port, '/', options.tls !== undefined));
  let closing: Promise<void> | undefined;

  return {
    port,
    host,
    root,
    urls,
    secure: options.tls !== undefined,
    fingerprint,
    sitePort,
    get clientCount() {
      return signaling.clients.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        stopKeepalive();
        const open = [...signaling.clients];
        for (const client of open) {
          guard(log, 'shutdown', () => client.ws.close(1001, 'server shutting down'));
        }
        const force = setTimeout(() => {
          for (const client of open) client.ws.terminate();
          server.closeAllConnections?.();
          shared?.plain.closeAllConnections();
        }, 500);
        force.unref();
        siteListener?.close();
        listener.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections?.();
        shared?.plain.closeIdleConnections();
      });
      return closing;
    },
  };
}
