/**
 * The broadcaster's WebSocket endpoint at `/signal`: accepts sockets (up to `maxClients`, then 503
 * and close 1013), runs each frame through the rate limiter (`rate-limit.ts`), the decoder
 * (`frames.ts`) and the dispatcher (`dispatch.ts`), and frees a client's room slot when its socket
 * closes.
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';

import { CLOSE_TRY_AGAIN_LATER, MAX_PAYLOAD_BYTES } from '../gadgets/signaling/messages.js';
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

export class SignalingEndpoint {
  /** Connected clients (not those refused for capacity). */
  readonly clients = new Set<Client>();
  private readonly dispatcher: Dispatcher;
  private readonly wss: WebSocketServer;

  constructor(private readonly options: SignalingOptions) {
    this.dispatcher = new Dispatcher(options.maxClientsPerRoom, options.log);
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

  /** Completes a WebSocket upgrade at the signaling path (the HTTP side checked the path). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => guard(this.options.log, 'connection', () => this.accept(ws)));
  }

  /** Forgets a client whose socket closed or was terminated; idempotent. */
  drop(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    this.clients.delete(client);
    this.dispatcher.leave(client);
  }

  private accept(ws: WebSocket): void {
    const { log, rateLimit, rateBurst, maxClients } = this.options;
    const client = new Client(ws, new RateLimiter(rateLimit, rateBurst), log);
    ws.on('error', (error) => log(`socket error: ${error.message}`));
    ws.on('close', () => guard(log, 'close', () => this.drop(client)));
    if (this.clients.size >= maxClients) {
      client.sendError(503, `server is full (${maxClients} clients)`);
      ws.close(CLOSE_TRY_AGAIN_LATER, 'server full');
      return;
    }
    this.clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => guard(log, 'message', () => this.receive(client, data, isBinary)));
  }

  private receive(client: Client, data: RawData, isBinary: boolean): void {
    if (client.closed || client.ws.readyState !== WebSocket.OPEN) return;
    client.alive = true;
    if (!client.limiter.take()) {
      if (client.limiter.shouldNotify()) {
        client.sendError(429, `over ${this.options.rateLimit} frames per second: frames dropped`);
      }
      return;
    }
    const frame = decodeFrame(data, isBinary);
    if (frame.ok) this.dispatcher.dispatch(client, frame.message);
    else client.sendError(frame.error.code, frame.error.message, frame.error.ref);
  }
}
