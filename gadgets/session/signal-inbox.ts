/**
 * A slave's view of its signaling socket while it connects (`slave-session.ts`): each message
 * is awaited for one condition at a time (joined, a master present, the answer), and the
 * master's trickled ICE candidates go aside as they come.
 */
import type { SignalingSocket } from '../signaling/signaling-socket.js';
import type { ServerMessage } from '../signaling/messages.js';
import type { CandidateJSON } from '../channel/trickle.js';

/** Messages from the socket, awaited one condition at a time; the master's ICE candidates aside. */
export class SignalInbox {
  private waiter: { accept: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void } | null = null;
  private failure: ((e: Error) => void) | null = null;
  closedReason: string | null = null;
  /** Where the master's trickled candidates go (dropped until set). */
  onCandidate: ((candidate: CandidateJSON | null) => void) | null = null;

  constructor(socket: SignalingSocket) {
    socket.onMessage = (m) => {
      if (m.type === 'candidate') {
        this.onCandidate?.(m.candidate);
        return;
      }
      if (this.waiter && this.waiter.accept(m)) {
        const w = this.waiter;
        this.waiter = null;
        this.failure = null;
        w.resolve(m);
      }
    };
    socket.onClose = (reason) => {
      this.closedReason = reason;
      this.failure?.(new Error(`Broadcaster connection closed: ${reason}`));
    };
  }

  /** The next message that `accept` takes; rejects on close or after `timeoutMs` (0 = none). */
  next(accept: (m: ServerMessage) => boolean, timeoutMs = 0): Promise<ServerMessage> {
    if (this.closedReason !== null) return Promise.reject(new Error(`Broadcaster connection closed: ${this.closedReason}`));
    return new Promise((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => fail(new Error(`No answer from the master within ${timeoutMs} ms`)), timeoutMs) : null;
      const fail = (e: Error): void => {
        if (timer) clearTimeout(timer);
        this.waiter = null;
        this.failure = null;
        reject(e);
      };
      this.failure = fail;
      this.waiter = {
        accept,
        resolve: (m) => {
          if (timer) clearTimeout(timer);
          resolve(m);
        },
      };
    });
  }
}
