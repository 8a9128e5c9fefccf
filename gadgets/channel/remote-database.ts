/**
 * The database API of a slave: every call goes to the master over the data channel through an
 * `RpcClient`, as the method table (methods.ts) says: the arguments are checked here first with
 * the master's own rules, so an obviously bad call fails at once with 400 instead of after a
 * round trip; writes carry an idempotency key; attachments travel as transfers (transfer-client.ts).
 */
import type { ChangesResult, DatabaseApi, Watchable, WatchOptions } from '../api.js';
import { FeedClient } from './feed-client.js';
import { callRemote, installMethods } from '../methods.js';
import type { RpcClient } from './rpc-client.js';

// The methods come from the table (installMethods below); this gives them their types.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface RemoteDatabase extends DatabaseApi {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class RemoteDatabase implements DatabaseApi, Watchable {
  /** @param rpc the slave's client; its channel may come and go (requests wait and are re-sent). */
  constructor(readonly rpc: RpcClient) {}

  /**
   * `watch({ since = 'now', query, include_docs }, onChange)` → stop: a subscription on the master
   * (feed-client.ts), resumed after reconnects from the last seq delivered.
   */
  watch(options: WatchOptions, onChange: (batch: ChangesResult) => void): () => void {
    return FeedClient.of(this.rpc).watch(options, onChange);
  }
}

installMethods(RemoteDatabase.prototype, (name) => function (this: RemoteDatabase, ...args: unknown[]) {
  return callRemote(this.rpc, name, args);
});
