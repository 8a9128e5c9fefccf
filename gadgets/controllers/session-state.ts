/**
 * The part every session shares (broadcaster or manual, master or slave): its connection state,
 * and telling the listener of each change exactly once.
 */
import type { ConnectionState } from './types.js';
import type { SessionListener } from './session-controller.js';

export abstract class SessionState {
  /** `disconnected`, `connecting`, `connected` or `error`. */
  state: ConnectionState = 'disconnected';

  constructor(protected readonly listener: Pick<SessionListener, 'stateChanged' | 'error'>) {}

  /** Moves to `state`, telling the listener `(state, previous)`; nothing when it is the same. */
  protected setState(state: ConnectionState): void {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this.listener.stateChanged(state, previous);
  }
}
