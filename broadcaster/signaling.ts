/**
 * The broadcaster's WebSocket endpoint at `/signal`: accepts sockets (up to `maxClients`, and
 * `MAX_SOCKETS_PER_ADDRESS` per address, then 503 and close 1013), runs each frame through the rate
 * limiters (`rate-limit.ts`, per socket and per address), the decoder (`frames.ts`) and the
 * dispatcher (`dispatch.ts`), and frees a client's room slot when its socket closes. A socket over
 * its abuse budgets (`budget.ts`) is closed with 1008 and costs its address a strike.
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';

import { CLOSE_TRY_AGAIN_LATER, MAX_PAYLOAD_BYTES } from '../gadgets/signaling/messages.js';
import { AddressBudgets, CLOSE_POLICY_VIOLATION, MAX_SOCKETS_PER_ADDRESS, SocketBudget, normalizeAddress } from './budget.js';
import { Client } from './client.js';
import { Dispatcher } from './dispatch.js';
import { decodeFrame } from './frames.js';
import { guard } from './log.js';
import type { Log } from './log.js';
import { RateLimiter } from './rate-limit.js';

export interface SignalingOptions {
  /** Frames per second refilled per socket; 0 disables the limit. */
  rateLimit: number;
  /** Most frames a socket may send at once (the token bucket's size). */
  rateBurst: number;
  /** Most clients at once. */
  maxClients: number;
  /** Most members of one room. */
  maxClientsPerRoom: number;
  log: Log;
}

/** How long an expelled socket's peer has to read the close frame before the socket is destroyed, ms. */
const EXPEL_TERMINATE_MS = 1000;

export class SignalingEndpoint {
  /** Connected clients (not those refused for capacity). */
  readonly clients = new Set<Client>();
  private readonly dispatcher: Dispatcher;
  private readonly wss: WebSocketServer;
  private readonly addresses: AddressBudgets;

  constructor(private readonly options: SignalingOptions) {
    this.dispatcher = new Dispatcher(options.maxClientsPerRoom, options.log);
    this.addresses = new AddressBudgets(options.rateLimit, options.rateBurst);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_PAYLOAD_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
      // Validated in frames.ts instead, so that bad UTF-8 gets an error frame rather than a close.
      skipUTF8Validation: true,
    });
    this.wss.on('error', (error) => options.log(`WebSocket server error: ${error.message}`));
  }

  /** Whether connections from `remoteAddress` are to be destroyed on accept (a banned address). */
  banned(remoteAddress: string | undefined): boolean {
    return this.addresses.banned(normalizeAddress(remoteAddress));
  }

  /**
   * Completes a WebSocket upgrade at the signaling path (the HTTP side checked the path), or answers
   * HTTP 429 with `Retry-After` to an address over its upgrade rate or banned.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = normalizeAddress(req.socket.remoteAddress);
    const admission = this.addresses.admit(address);
    if (!admission.ok) {
      const body = `${admission.reason}\n`;
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: ${admission.retryAfter}\r\n` +
        `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => guard(this.options.log, 'connection', () => this.accept(ws, address)));
  }

  /** Forgets a client whose socket closed or was terminated; idempotent. */
  drop(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    this.clients.delete(client);
    this.dispatcher.leave(client);
  }

  private accept(ws: WebSocket, address: string): void {
    const { log, rateLimit, rateBurst, maxClients } = this.options;
    const client = new Client(ws, new RateLimiter(rateLimit, rateBurst), log, address, new SocketBudget(rateLimit));
    ws.on('error', (error: Error & { code?: string }) => {
      log(`socket error: ${error.message}`);
      // A WebSocket protocol violation (ws closes the socket itself): a strike for the address.
      if (error.code?.startsWith('WS_ERR_')) this.strike(client);
    });
    ws.on('close', () => guard(log, 'close', () => this.drop(client)));
    const full = this.clients.size >= maxClients;
    if (full || !this.addresses.attach(address)) {
      client.sendError(503, full ? `server is full (${maxClients} clients)` : `over ${MAX_SOCKETS_PER_ADDRESS} sockets from one address`);
      ws.close(CLOSE_TRY_AGAIN_LATER, 'server full');
      return;
    }
    ws.once('close', () => this.addresses.release(address));
    this.clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => guard(log, 'message', () => this.receive(client, data, isBinary)));
  }

  private receive(client: Client, data: RawData, isBinary: boolean): void {
    if (client.closed || client.ws.readyState !== WebSocket.OPEN) return;
    client.alive = true;
    if (!client.limiter.take() || !this.addresses.takeFrame(client.address)) {
      if (client.budget && !client.budget.droppedFrame()) this.expel(client, 'flooding: too many frames over the rate limit');
      else if (client.limiter.shouldNotify()) {
        client.sendError(429, `over ${this.options.rateLimit} frames per second: frames dropped`);
      }
      return;
    }
    const frame = decodeFrame(data, isBinary);
    if (frame.ok) this.dispatcher.dispatch(client, frame.message);
    else if (client.budget && !client.budget.malformedFrame()) this.expel(client, 'too many malformed frames');
    else client.sendError(frame.error.code, frame.error.message, frame.error.ref);
  }

  /**
   * Closes an abusive socket with 1008 and `reason`, stops reading it at once (so its flood costs no
   * more parsing), terminates it 1 s later (time for its peer to read the close frame: terminating a
   * socket with unread input sends a reset, which can discard what the peer has not read yet), and gives
   * its address a strike.
   */
  private expel(client: Client, reason: string): void {
    const { ws } = client;
    this.options.log(`closing ${client.id || '(not joined)'} from ${client.address}: ${reason}`);
    ws.close(CLOSE_POLICY_VIOLATION, reason);
    ws.pause();
    setTimeout(() => ws.terminate(), EXPEL_TERMINATE_MS).unref();
    this.drop(client);
    this.strike(client);
  }

  private strike(client: Client): void {
    if (client.struck) return;
    client.struck = true;
    if (this.addresses.strike(client.address)) this.options.log(`banning ${client.address}: repeated abuse`);
  }
}
