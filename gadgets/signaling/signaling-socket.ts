/**
 * A WebSocket to the broadcaster speaking the signaling protocol of `messages.ts`: JSON frames,
 * server messages parsed and handed to `onMessage`, one `onClose` when the socket ends for any
 * reason. DOM-free (WebSocket only).
 */
import type { ClientMessage, ServerMessage } from './messages.js';
import { SIGNALING_PATH } from './messages.js';

/** How long to wait for the WebSocket to open, ms. */
export const SOCKET_OPEN_TIMEOUT_MS = 5000;

/** The default signaling URL for a page: `ws(s)://<page host>/signal`. */
export function defaultSignalingUrl(location: { protocol: string; host: string } = globalThis.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${SIGNALING_PATH}`;
}

export class SignalingSocket {
  onMessage: (message: ServerMessage) => void = () => {};
  onClose: (reason: string) => void = () => {};
  private readonly ws: WebSocket;
  private closed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(e.data) as ServerMessage;
      } catch {
        return; // the broadcaster only sends JSON; anything else is ignored
      }
      if (message && typeof message === 'object' && message.v === 1) this.onMessage(message);
    };
    ws.onclose = (e: CloseEvent) => this.finish(e.reason || `closed (${e.code})`);
  }

  /**
   * Opens a socket to `url`.
   * @throws Error when it cannot connect within `timeoutMs` (message names the URL).
   */
  static connect(url: string, timeoutMs = SOCKET_OPEN_TIMEOUT_MS): Promise<SignalingSocket> {
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(url);
      } catch (e) {
        reject(new Error(`Bad signaling URL ${url}: ${(e as Error).message}`));
        return;
      }
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`Cannot reach the broadcaster at ${url} (timed out)`));
      }, timeoutMs);
      ws.onopen = () => {
        clearTimeout(timer);
        resolve(new SignalingSocket(ws));
      };
      ws.onerror = () => {
        clearTimeout(timer);
        reject(new Error(`Cannot reach the broadcaster at ${url}`));
      };
    });
  }

  /** True until the socket closes. */
  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a message; a closed socket drops it silently (its `onClose` already fired). */
  send(message: ClientMessage): void {
    if (this.isOpen) this.ws.send(JSON.stringify(message));
  }

  close(): void {
    this.ws.onmessage = null;
    this.ws.close(1000, 'done');
    this.finish('closed by this page');
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(reason);
  }
}
