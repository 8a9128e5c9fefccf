/**
 * The slave's side of the changes feed (docs/protocol.md "Changes feed"; the master's side is
 * feed-server.ts). Each `watch` is a subscription numbered by the slave: it sends
 * `changesSubscribe [sub, since, {query?, include_docs?}]`, and the master pushes batches
 * (`type: 'changes'`). Each watch remembers the last seq it delivered and the last seq the master
 * examined for it; a change at or below the last delivered seq is dropped, so a watcher never sees
 * a seq twice or out of order. Whenever the RPC client gets a new channel (a reconnect, a master
 * reload) every watch subscribes again from its last seq. On `resync` (it fell too far behind) it
 * reads `changes` pages from its last seq, then subscribes again.
 */
import type { ChangesResult, WatchOptions } from '../api.js';
import type { PushEnvelope } from './envelope.js';
import type { RpcClient } from './rpc-client.js';

/** Results per `changes` page read on a resync. */
export const RESYNC_PAGE = 500;

interface SlaveWatch {
  options: WatchOptions;
  onChange: (batch: ChangesResult) => void;
  /** The last seq delivered to `onChange` (-1: none yet, and `since` was 'now'). */
  delivered: number;
  /** The last seq the master examined for this watch, where a re-subscription starts (-1: 'now'). */
  cursor: number;
  /** Reading pages after a `resync`: pushes wait for the new subscription. */
  resyncing: boolean;
}

const clients = new WeakMap<RpcClient, FeedClient>();

/** The watches sent over one `RpcClient` (one per client: `FeedClient.of`). */
export class FeedClient {
  private readonly watches = new Map<number, SlaveWatch>();
  private nextSub = 1;

  private constructor(private readonly rpc: RpcClient) {
    rpc.onPush = (m) => this.receive(m);
    rpc.watchChannel(() => {
      if (rpc.currentChannel) for (const sub of this.watches.keys()) this.subscribe(sub);
    });
  }

  /** The feed client of `rpc`, made on first use. */
  static of(rpc: RpcClient): FeedClient {
    let client = clients.get(rpc);
    if (!client) clients.set(rpc, (client = new FeedClient(rpc)));
    return client;
  }

  /**
   * `watch({ since = 'now', query, include_docs }, onChange)` on the master → stop. Options are
   * checked by the caller (the element) and again by the master.
   */
  watch(options: WatchOptions, onChange: (batch: ChangesResult) => void): () => void {
    const sub = this.nextSub++;
    const since = options.since === undefined || options.since === 'now' ? -1 : options.since;
    this.watches.set(sub, { options, onChange, delivered: since, cursor: since, resyncing: false });
    this.subscribe(sub);
    return () => {
      if (!this.watches.delete(sub)) return;
      if (this.rpc.currentChannel) this.rpc.call('changesUnsubscribe', [sub]).catch(() => {});
    };
  }

  /** Sends the subscription of `sub` from its cursor; a failure waits for the next channel. */
  private subscribe(sub: number): void {
    const w = this.watches.get(sub);
    if (!w) return;
    const extra: Record<string, unknown> = {};
    if (w.options.query !== undefined) extra.query = w.options.query;
    if (w.options.include_docs !== undefined) extra.include_docs = w.options.include_docs;
    this.rpc.call<{ last_seq: number }>('changesSubscribe', [sub, w.cursor < 0 ? 'now' : w.cursor, extra]).then((r) => {
      if (w.cursor < 0) w.cursor = r.last_seq;
      if (w.delivered < 0) w.delivered = r.last_seq;
    }, () => {
      // Timed out or the channel went: the next channel subscribes again.
    });
  }

  private receive(m: PushEnvelope): void {
    const w = this.watches.get(m.sub);
    if (!w || w.resyncing) return;
    if (m.type === 'resync') {
      void this.resync(m.sub, w);
      return;
    }
    this.deliver(w, { results: m.results, last_seq: m.last_seq });
  }

  /** Hands on the changes after the last delivered seq, and moves the cursor on. */
  private deliver(w: SlaveWatch, batch: ChangesResult): void {
    const results = batch.results.filter((c) => c.seq > w.delivered);
    w.cursor = Math.max(w.cursor, batch.last_seq);
    if (results.length === 0) return;
    w.delivered = results[results.length - 1]!.seq;
    w.onChange({ results, last_seq: batch.last_seq });
  }

  /** Reads `changes` pages from the cursor until the end, then subscribes again. */
  private async resync(sub: number, w: SlaveWatch): Promise<void> {
    w.resyncing = true;
    try {
      for (;;) {
        const options: Record<string, unknown> = { since: Math.max(0, w.cursor), limit: RESYNC_PAGE };
        if (w.options.query !== undefined) options.query = w.options.query;
        if (w.options.include_docs !== undefined) options.include_docs = w.options.include_docs;
        const page = await this.rpc.call<ChangesResult>('changes', [options]);
        if (this.watches.get(sub) !== w) return;
        this.deliver(w, page);
        if (page.results.length < RESYNC_PAGE) break;
      }
    } catch {
      // The channel went: its successor subscribes again from the cursor.
    } finally {
      w.resyncing = false;
    }
    this.subscribe(sub);
  }
}
