/**
 * The broadcaster: one HTTP server that serves the package's `demo/` and `dist/` to the LAN and
 * relays WebRTC signaling (protocol v1, `gadgets/signaling/messages.ts`) over WebSockets at `/signal`.
 * `GET /info.json` says where it can be reached (for the master page's QR code of the slave page).
 *
 * It never crashes on input: every handler is wrapped, every frame validated and bounded, frames on
 * closed sockets are ignored.
 */

import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TextDecoder } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';

import {
  CLOSE_REPLACED,
  CLOSE_TRY_AGAIN_LATER,
  DEFAULT_PING_INTERVAL,
  MAX_CLIENTS,
  MAX_CLIENTS_PER_ROOM,
  MAX_FRAME_BYTES,
  MAX_PAYLOAD_BYTES,
  RATE_LIMIT_PER_SECOND,
  SIGNALING_PATH,
  SIGNALING_VERSION,
  SignalingError,
  parseClientMessage,
} from '../gadgets/signaling/messages.js';
import type {
  ClientMessage,
  ClientMessageType,
  ErrorCode,
  Role,
  ServerMessage,
} from '../gadgets/signaling/messages.js';
import { httpUrl, isLoopbackHost, listenAddresses } from './addresses.js';
import { Rooms } from './rooms.js';
import { sendStatus, serveStatic } from './static.js';

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
  /** Frames per second allowed per socket, also the burst size; 0 disables the limit. Default 200. */
  rateLimit?: number;
  /** Most clients at once. Default 4096. */
  maxClients?: number;
  /** Most members of one room. Default 1024. */
  maxClientsPerRoom?: number;
  /** Receives one line per notable event (joins, leaves, drops, internal errors). Default: silent. */
  log?: (line: string) => void;
}

/** The body of `GET /info.json`. */
export interface BroadcasterInfo {
  /** Format version. */
  v: 1;
  /** `http://ADDR:PORT/` for loopback and every LAN address (as `Broadcaster.urls`). */
  urls: string[];
  /** The same without loopback addresses: what other devices can open. */
  lanUrls: string[];
  /** The demo master page, on this machine. */
  masterPage: string;
  /** The demo slave page, on the first LAN address (loopback when there is none). */
  slavePage: string;
  /** Path of the signaling WebSocket. */
  signaling: string;
}

/** What `/info.json` answers for a broadcaster reachable at `urls`. */
export function broadcasterInfo(urls: readonly string[]): BroadcasterInfo {
  const lanUrls = urls.filter((url) => !isLoopbackHost(new URL(url).hostname.replace(/^\[|\]$/g, '')));
  const local = urls.find((url) => !lanUrls.includes(url)) ?? urls[0] ?? '';
  const lan = lanUrls[0] ?? local;
  return {
    v: 1,
    urls: [...urls],
    lanUrls,
    masterPage: local ? new URL('/demo/master.html', local).href : '',
    slavePage: lan ? new URL('/demo/slave.html', lan).href : '',
    signaling: SIGNALING_PATH,
  };
}

export interface Broadcaster {
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** The address bound. */
  readonly host: string;
  /** The folder served. */
  readonly root: string;
  /** `http://ADDR:PORT/` for loopback and every LAN address (or only `host` when it is specific). */
  readonly urls: string[];
  /** Number of connected WebSocket clients. */
  readonly clientCount: number;
  /** Closes every WebSocket (code 1001) and the HTTP server. */
  close(): Promise<void>;
}

/** A socket whose peer does not read gets dropped once this much is queued for it. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * The package root: the folder above `broadcaster/`, which is the folder holding `package.json`
 * (`broadcaster/..` from the sources, `dist/broadcaster/../..` once compiled).
 */
export function packageRoot(moduleUrl: string = import.meta.url): string {
  const here = path.dirname(fileURLToPath(moduleUrl));
  const candidates = [path.resolve(here, '..'), path.resolve(here, '..', '..')];
  return candidates.find((dir) => existsSync(path.join(dir, 'package.json'))) ?? candidates[0]!;
}

class Client {
  /** Server-assigned at each join; '' while in no room. */
  id = '';
  alive = true;
  closed = false;
  tokens: number;
  refilledAt = Date.now();
  limitNoticeAt = 0;
  constructor(readonly ws: WebSocket, burst: number) {
    this.tokens = burst;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function checkOptions(options: BroadcasterOptions): void {
  const { port, pingInterval, rateLimit, maxClients, maxClientsPerRoom } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new RangeError(`port must be an integer 0-65535, not ${String(port)}`);
  }
  if (pingInterval !== undefined && !(Number.isFinite(pingInterval) && pingInterval >= 10)) {
    throw new RangeError(`pingInterval must be at least 10 ms, not ${String(pingInterval)}`);
  }
  for (const [name, value] of [['rateLimit', rateLimit], ['maxClients', maxClients], ['maxClientsPerRoom', maxClientsPerRoom]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new RangeError(`${name} must be a non-negative integer, not ${String(value)}`);
    }
  }
}

/** Starts a broadcaster; resolves once it listens. */
export async function createBroadcaster(options: BroadcasterOptions = {}): Promise<Broadcaster> {
  checkOptions(options);
  const host = options.host ?? '0.0.0.0';
  const root = path.resolve(options.root ?? packageRoot());
  const pingInterval = options.pingInterval ?? DEFAULT_PING_INTERVAL;
  const rateLimit = options.rateLimit ?? RATE_LIMIT_PER_SECOND;
  const maxClients = options.maxClients ?? MAX_CLIENTS;
  const log = options.log ?? (() => {});

  const clients = new Set<Client>();
  const ids = new Set<string>();
  const rooms = new Rooms<Client>(options.maxClientsPerRoom ?? MAX_CLIENTS_PER_ROOM);
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  function guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      log(`internal error in ${what}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    }
  }

  function send(client: Client, message: ServerMessage): void {
    const { ws } = client;
    if (client.closed || ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      log(`dropping client ${client.id || '(not joined)'}: it does not read its frames`);
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message), (error) => {
      if (error) log(`send failed: ${error.message}`);
    });
  }

  function sendError(client: Client, code: ErrorCode, message: string, ref?: ClientMessageType): void {
    send(client, ref === undefined
      ? { v: SIGNALING_VERSION, type: 'error', code, message }
      : { v: SIGNALING_VERSION, type: 'error', code, message, ref });
  }

  function newId(): string {
    let id: string;
    do id = randomBytes(8).toString('hex');
    while (ids.has(id));
    ids.add(id);
    return id;
  }

  /** Token bucket: `rateLimit` frames of burst, refilled at `rateLimit` per second. */
  function takeToken(client: Client): boolean {
    if (rateLimit === 0) return true;
    const now = Date.now();
    client.tokens = Math.min(rateLimit, client.tokens + ((now - client.refilledAt) * rateLimit) / 1000);
    client.refilledAt = now;
    if (client.tokens < 1) return false;
    client.tokens -= 1;
    return true;
  }

  /** Takes `client` out of its room and tells the others. */
  function leaveRoom(client: Client): void {
    const left = rooms.leave(client);
    if (!left) return;
    log(`leave room "${left.room}" ${left.role} ${client.id}`);
    const id = client.id;
    ids.delete(id);
    client.id = '';
    if (left.role === 'master') {
      for (const slave of left.slaves) send(slave, { v: 1, type: 'master', present: false });
    } else if (left.master) {
      send(left.master, { v: 1, type: 'slave-left', id });
    }
  }

  function join(client: Client, room: string, role: Role, token: string | undefined): void {
    if (rooms.membership(client)) {
      sendError(client, 400, `already in room "${rooms.membership(client)!.room}" (send "leave" first)`, 'join');
      return;
    }
    const key = role === 'master' && token !== undefined ? hashToken(token) : undefined;
    const previousId = client.id;
    client.id = newId();
    const result = rooms.join(client, room, role, key);
    if (!result.ok) {
      ids.delete(client.id);
      client.id = previousId;
      sendError(client, result.code, result.message, 'join');
      if (result.code === 503) client.ws.close(CLOSE_TRY_AGAIN_LATER, 'room full');
      return;
    }
    log(`join room "${room}" ${role} ${client.id}`);
    if (result.replaced) {
      const old = result.replaced;
      log(`master ${old.id} of room "${room}" replaced by ${client.id}`);
      ids.delete(old.id);
      old.id = '';
      sendError(old, 409, 'replaced by a new master');
      if (!old.closed) old.ws.close(CLOSE_REPLACED, 'replaced by a new master');
    }
    send(client, { v: 1, type: 'joined', id: client.id, room, role, master: result.room.master !== undefined });
    for (const slave of result.notify) send(slave, { v: 1, type: 'master', present: true });
  }

  function dispatch(client: Client, message: ClientMessage): void {
    if (message.type === 'ping') {
      send(client, { v: 1, type: 'pong' });
      return;
    }
    if (message.type === 'join') {
      join(client, message.room, message.role, message.token);
      return;
    }
    const membership = rooms.membership(client);
    if (!membership) {
      sendError(client, 400, `join a room before sending "${message.type}"`, message.type);
      return;
    }
    const room = rooms.get(membership.room);
    if (!room) {
      // Cannot happen (membership implies the room); answer rather than throw.
      sendError(client, 404, `room "${membership.room}" is gone`, message.type);
      return;
    }
    switch (message.type) {
      case 'leave':
        leaveRoom(client);
        return;
      case 'offer': {
        if (membership.role !== 'slave') {
          sendError(client, 403, 'only slaves send offers', 'offer');
          return;
        }
        if (!room.master) {
          sendError(client, 404, `no master in room "${room.name}"`, 'offer');
          return;
        }
        send(room.master, { v: 1, type: 'offer', from: client.id, sdp: message.sdp });
        return;
      }
      case 'answer': {
        if (membership.role !== 'master') {
          sendError(client, 403, 'only masters send answers', 'answer');
          return;
        }
        const slave = room.slaves.get(message.to);
        if (!slave) {
          sendError(client, 404, `no slave ${JSON.stringify(message.to)} in room "${room.name}"`, 'answer');
          return;
        }
        send(slave, { v: 1, type: 'answer', from: client.id, sdp: message.sdp });
        return;
      }
      case 'candidate': {
        let target: Client | undefined;
        if (membership.role === 'slave') {
          if (!room.master) {
            sendError(client, 404, `no master in room "${room.name}"`, 'candidate');
            return;
          }
          if (message.to !== undefined && message.to !== room.master.id) {
            sendError(client, 404, `${JSON.stringify(message.to)} is not the master of room "${room.name}"`, 'candidate');
            return;
          }
          target = room.master;
        } else {
          if (message.to === undefined) {
            sendError(client, 400, '"candidate" from a master needs "to"', 'candidate');
            return;
          }
          target = room.slaves.get(message.to);
          if (!target) {
            sendError(client, 404, `no slave ${JSON.stringify(message.to)} in room "${room.name}"`, 'candidate');
            return;
          }
        }
        send(target, { v: 1, type: 'candidate', from: client.id, candidate: message.candidate });
        return;
      }
    }
  }

  function onFrame(client: Client, data: RawData, isBinary: boolean): void {
    if (client.closed || client.ws.readyState !== WebSocket.OPEN) return;
    client.alive = true;
    if (!takeToken(client)) {
      const now = Date.now();
      if (now - client.limitNoticeAt >= 1000) {
        client.limitNoticeAt = now;
        sendError(client, 429, `over ${rateLimit} frames per second: frames dropped`);
      }
      return;
    }
    if (isBinary) {
      sendError(client, 400, 'binary frames are not supported: send JSON text');
      return;
    }
    const bytes = toBuffer(data);
    if (bytes.length > MAX_FRAME_BYTES) {
      sendError(client, 413, `frame is over ${MAX_FRAME_BYTES} bytes`);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      sendError(client, 400, 'frame is not valid UTF-8');
      return;
    }
    let message: ClientMessage;
    try {
      message = parseClientMessage(text);
    } catch (error) {
      if (error instanceof SignalingError) sendError(client, error.code, error.message, error.ref);
      else sendError(client, 400, 'malformed frame');
      return;
    }
    dispatch(client, message);
  }

  function onClose(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    clients.delete(client);
    leaveRoom(client);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    // Validated here instead, so that bad UTF-8 gets an error frame rather than a close.
    skipUTF8Validation: true,
  });
  wss.on('error', (error) => log(`WebSocket server error: ${error.message}`));

  wss.on('connection', (ws: WebSocket) => {
    guard('connection', () => {
      const client = new Client(ws, rateLimit);
      ws.on('error', (error) => log(`socket error: ${error.message}`));
      ws.on('close', () => guard('close', () => onClose(client)));
      if (clients.size >= maxClients) {
        sendError(client, 503, `server is full (${maxClients} clients)`);
        ws.close(CLOSE_TRY_AGAIN_LATER, 'server full');
        return;
      }
      clients.add(client);
      ws.on('pong', () => {
        client.alive = true;
      });
      ws.on('message', (data: RawData, isBinary: boolean) => guard('message', () => onFrame(client, data, isBinary)));
    });
  });

  let urls: string[] = [];

  /** `GET /info.json`: where this broadcaster can be reached; readable from any page (CORS). */
  function sendInfo(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendStatus(res, 405, { Allow: 'GET, HEAD' });
      return;
    }
    const body = `${JSON.stringify(broadcasterInfo(urls), null, 2)}\n`;
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Access-Control-Allow-Origin': '*',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.on('error', () => {});
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname === SIGNALING_PATH) {
      sendStatus(res, 426, { Upgrade: 'websocket', Connection: 'Upgrade' });
      return;
    }
    if (pathname === '/info.json') {
      sendInfo(req, res);
      return;
    }
    serveStatic(root, req, res).catch((error: unknown) => {
      log(`static error: ${String(error)}`);
      if (!res.headersSent) sendStatus(res, 500);
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => {});
    guard('upgrade', () => {
      const pathname = (req.url ?? '').split('?')[0];
      if (pathname !== SIGNALING_PATH) {
        const body = `WebSocket connections go to ${SIGNALING_PATH}\n`;
        socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
  });

  server.on('clientError', (_error: Error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const timer = setInterval(() => {
    for (const client of clients) {
      guard('keepalive', () => {
        if (!client.alive) {
          log(`dropping unresponsive client ${client.id || '(not joined)'}`);
          client.ws.terminate();
          onClose(client);
          return;
        }
        client.alive = false;
        if (client.ws.readyState === WebSocket.OPEN) client.ws.ping();
      });
    }
  }, pingInterval);
  timer.unref();

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      clearInterval(timer);
      reject(error);
    };
    server.once('error', onError);
    server.listen(options.port ?? 9999, host, () => {
      server.off('error', onError);
      server.on('error', (error) => log(`HTTP server error: ${error.message}`));
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  urls = listenAddresses(host).map((address) => httpUrl(address, port));
  let closing: Promise<void> | undefined;

  return {
    port,
    host,
    root,
    urls,
    get clientCount() {
      return clients.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        const open = [...clients];
        for (const client of open) {
          guard('shutdown', () => client.ws.close(1001, 'server shutting down'));
        }
        const force = setTimeout(() => {
          for (const client of open) client.ws.terminate();
          server.closeAllConnections?.();
        }, 500);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections?.();
      });
      return closing;
    },
  };
}
