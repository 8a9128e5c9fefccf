/**
 * What both slave sessions (broadcaster and manual) share: the RPC client that carries their
 * requests to the master (it keeps them across reconnections), and what stopping or a refusal
 * does to the requests still waiting.
 */
import { RtcError } from '../errors.js';
import { RpcClient } from '../channel/rpc-client.js';
import { Session } from './session.js';
import type { SessionListener } from './types.js';

export abstract class SlaveSessionBase extends Session {
  /** Requests to the master; they wait for a channel (up to their timeout) while there is none. */
  readonly rpc: RpcClient;

  /** @param timeout per-request timeout, ms (validated by the element). */
  constructor(timeout: number, listener: Pick<SessionListener, 'stateChanged' | 'error'>) {
    super(listener);
    this.rpc = new RpcClient({ timeout });
  }

  protected override rejectPending(error: Error): void {
    this.rpc.rejectAll(error);
  }

  /** Requests still waiting reject with 500. */
  protected override async release(): Promise<void> {
    this.rpc.rejectAll(new RtcError('Disconnected from the master', 500));
  }
}
