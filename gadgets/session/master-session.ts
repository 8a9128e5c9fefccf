/**
 * What a master does with a broadcaster, without the DOM: holds its room on the broadcaster
 * (rejoining when the socket drops) and passes each slave's offer to the core (`master-core.ts`:
 * the IndexedDB database, one RTCPeerConnection and data channel per slave, admission with the
 * room secret, `serveRpc`), then sends the answer back. The element's controller turns its
 * callbacks into properties and events.
 */
import { RtcError } from '../errors.js';
import { SignalingSocket } from '../signaling/signaling-socket.js';
import type { ServerMessage } from '../signaling/messages.js';
import { uuid } from '../storage/ids.js';
import { MasterSessionBase } from './master-base.js';
import type { AttemptEnd } from './session.js';
import type { SessionListener } from './types.js';

export { MAX_PEERS } from './master-core.js';

/** How long a slave's data channel may take to open after the answer, ms. */
export const PEER_OPEN_TIMEOUT_MS = 15000;

export interface MasterSessionOptions {
  database: string;
  /** Keys to index in IndexedDB. */
  indexes?: readonly string[];
  room: string;
  signaling: string;
  allow: ReadonlySet<string>;
  /** Room secret slaves must prove they know (`channel/handshake.ts`); '' for none. */
  secret?: string;
}

export class MasterSession extends MasterSessionBase {
  private socket: SignalingSocket | null = null;

  constructor(private readonly options: MasterSessionOptions, listener: SessionListener) {
    super({ database: options.database, indexes: options.indexes, allow: options.allow, secret: options.secret }, listener);
  }

  /** Joins the room and serves slaves, rejoining with backoff whenever the socket drops. */
  protected begin(): void {
    this.retry(() => this.serveRoom());
  }

  protected override interrupt(): void {
    this.socket?.close();
  }

  /** Says bye to every slave, and leaves the room (the broadcaster tells waiting slaves at once). */
  protected override farewell(): void {
    super.farewell();
    this.socket?.close();
  }

  /** One attempt: opens the database, joins, and serves until the socket drops. */
  private async serveRoom(): Promise<AttemptEnd> {
    await this.database();
    const socket = await SignalingSocket.connect(this.options.signaling);
    if (!this.running) {
      socket.close();
      return { connected: false, lost: null };
    }
    this.socket = socket;
    const closed = new Promise<string>((resolve) => (socket.onClose = resolve));
    socket.onMessage = (m) => this.handleSignal(socket, m);
    socket.send({ v: 1, type: 'join', room: this.options.room, role: 'master', token: masterToken(this.options.room) });
    const reason = await closed;
    this.socket = null;
    // After a 409 (`error`), the refusal was reported already.
    return { connected: this.state === 'connected', lost: this.state === 'error' ? null : new RtcError(`Lost the broadcaster: ${reason}`, 500) };
  }

  private handleSignal(socket: SignalingSocket, message: ServerMessage): void {
    switch (message.type) {
      case 'joined':
        this.setState('connected');
        break;
      case 'offer':
        void this.answer(socket, message.from, message.sdp);
        break;
      case 'candidate':
        this.core.addCandidate(message.from, message.candidate);
        break;
      case 'error': {
        // A candidate for a slave that has left the broadcaster (its channel is open, or it
        // gave up): nothing to do, and nothing to report.
        if (message.ref === 'candidate' && message.code === 404) break;
        const error = new RtcError(`Broadcaster: ${message.message}`, message.code);
        if (message.code === 409) {
          // Another master holds the room: say so, and keep trying in case it goes away.
          this.setState('error');
          socket.close();
        }
        this.listener.error(error);
        break;
      }
      default:
        break; // slave-left is not needed: a slave closes its socket once its channel is open
    }
  }

  /** Answers one slave's offer through the broadcaster; the core then serves its data channel. */
  private async answer(socket: SignalingSocket, from: string, sdp: string): Promise<void> {
    try {
      // Trickle ICE (channel/trickle.ts): the answer leaves at once, each candidate right after.
      const answer = await this.core.answerOffer(from, sdp, PEER_OPEN_TIMEOUT_MS, {
        send: (candidate) => socket.send({ v: 1, type: 'candidate', to: from, candidate }),
      });
      socket.send({ v: 1, type: 'answer', to: from, sdp: answer.sdp });
      answer.sent();
    } catch (e) {
      this.report(e);
    }
  }
}

/**
 * The token that lets this tab take its room back after a reload (the broadcaster replaces a
 * master presenting the same token instead of answering 409). Kept in sessionStorage, which
 * survives a reload of the same tab but is not shared with other tabs.
 */
function masterToken(room: string): string {
  const key = `rtc-gadgets:master-token:${room}`;
  try {
    let token = sessionStorage.getItem(key);
    if (!token) {
      token = uuid();
      sessionStorage.setItem(key, token);
    }
    return token;
  } catch {
    return uuid(); // storage disabled: still works, only without the fast takeover
  }
}
