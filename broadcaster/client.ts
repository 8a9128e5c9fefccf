/**
 * One WebSocket client of the broadcaster: its server-assigned id, liveness, rate limiter, and how
 * frames reach it (JSON text frames, dropped once the socket is closed, the socket terminated when
 * its peer stops reading).
 */

import { WebSocket } from 'ws';

import { SIGNALING_VERSION } from '../gadgets/signaling/messages.js';
import type { ClientMessageType, ErrorCode, ServerMessage } from '../gadgets/signaling/messages.js';
import type { SocketBudget } from './budget.js';
import type { Log } from './log.js';
import type { RateLimiter } from './rate-limit.js';

/** A socket whose peer does not read gets dropped once this much is queued for it, bytes. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export class Client {
  /** Server-assigned at each join; '' while in no room. */
  id = '';
  /** Whether a frame or pong arrived since the last keepalive ping. */
  alive = true;
  /** Set once the socket closed (or was dropped): nothing is sent any more. */
  closed = false;
  /** Set once this socket cost its address a strike (`budget.ts`): one per socket. */
  struck = false;

  /**
   * @param address the peer's address (normalized, `budget.ts`), '' when unknown.
   * @param budget its malformed and overflow budgets (`budget.ts`).
   */
  constructor(readonly ws: WebSocket, readonly limiter: RateLimiter, private readonly log: Log,
    readonly address = '', readonly budget?: SocketBudget) {}

  /** Sends `message` as one JSON text frame; a no-op once closed. */
  send(message: ServerMessage): void {
    const { ws } = this;
    if (this.closed || ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log(`dropping client ${this.id || '(not joined)'}: it does not read its frames`);
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message), (error) => {
      if (error) this.log(`send failed: ${error.message}`);
    });
  }

  /** Sends an `error` frame; `ref` names the message type it answers, when there is one. */
  sendError(code: ErrorCode, message: string, ref?: ClientMessageType): void {
    this.send(ref === undefined
      ? { v: SIGNALING_VERSION, type: 'error', code, message }
      : { v: SIGNALING_VERSION, type: 'error', code, message, ref });
  }
}
