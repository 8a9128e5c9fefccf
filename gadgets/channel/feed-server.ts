/**
 * The master's side of the changes feed on one slave's channel (docs/protocol.md "Changes
 * feed"). A slave's `changesSubscribe [sub, since, {query?, include_docs?}]` starts a watch of
 * the database (storage/changes-feed.ts) whose batches are pushed as
 * `{v:1, type:'changes', sub, results, last_seq}`; `changesUnsubscribe [sub]` stops it, and so
 * does the channel closing. A slave that reads slower than changes come never grows a queue
 * here: a batch counts as unsent until the framed channel has handed it to the data channel
 * (whose own queue is bounded by the framed channel's high-water mark); past
 * {@link MAX_UNSENT_BATCHES} of them the watch stops and the slave gets
 * `{v:1, type:'resync', sub, last_seq}` (the last seq pushed), reads `changes` from its last
 * delivered seq and subscribes again.
 */
import type { ChangesResult, WatchOptions } from '../api.js';
import { RtcError } from '../errors.js';
import type { Database } from '../storage/database.js';
import { validateWatchOptions } from '../storage/changes-feed.js';
import { PROTOCOL_VERSION } from './envelope.js';
import type { FramedChannel } from './framed-channel.js';

/** Batches pushed to one subscription and not yet handed to the data channel, past which it gets `resync`. */
export const MAX_UNSENT_BATCHES = 16;
/** Subscriptions one slave may hold at once. */
export const MAX_SUBSCRIPTIONS = 64;

interface Subscription {
  stop: () => void;
  unsent: number;
  lastPushed: number;
}

/** Checks `changesSubscribe` arguments. @throws RtcError 400. */
export function parseSubscribe(a: unknown[]): [number, number | 'now', WatchOptions] {
  const sub = subscriptionId(a[0]);
  const since = a[1];
  const options = (a[2] ?? {}) as Record<string, unknown>;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || 'since' in options) {
    throw new RtcError('Bad request: changesSubscribe options must be an object of query and include_docs', 400);
  }
  const watch = { ...options, since } as WatchOptions;
  validateWatchOptions(watch);
  return [sub, since as number | 'now', watch];
}

/** A subscription id. @throws RtcError 400. */
export function subscriptionId(x: unknown): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x <= 0) throw new RtcError('Bad request: sub must be a positive integer', 400);
  return x;
}

/** The subscriptions of one slave's channel. */
export class FeedServer {
  private readonly subs = new Map<number, Subscription>();
  private stopped = false;

  constructor(private readonly channel: FramedChannel, private readonly db: Database) {}

  /**
   * Starts (or restarts, under the same `sub`) a watch pushing batches to the slave.
   * @returns `{ last_seq }`: where it starts (`since`, or the current last seq for `'now'`).
   * @throws RtcError 429 over {@link MAX_SUBSCRIPTIONS}, 500 when IndexedDB fails.
   */
  async subscribe(sub: number, since: number | 'now', options: WatchOptions): Promise<{ last_seq: number }> {
    this.unsubscribe(sub);
    if (this.subs.size >= MAX_SUBSCRIPTIONS) throw new RtcError(`Too many subscriptions: at most ${MAX_SUBSCRIPTIONS} per slave`, 429);
    const start = since === 'now' ? await this.db.lastSeq() : since;
    if (this.stopped) return { last_seq: start };
    this.unsubscribe(sub); // a re-subscription that overtook this one while it read the last seq
    const s: Subscription = { stop: () => {}, unsent: 0, lastPushed: start };
    s.stop = this.db.watch({ ...options, since: start }, (batch) => this.push(sub, s, batch));
    this.subs.set(sub, s);
    return { last_seq: start };
  }

  /** Stops subscription `sub` (nothing when there is none). */
  unsubscribe(sub: number): void {
    this.subs.get(sub)?.stop();
    this.subs.delete(sub);
  }

  /** Stops every subscription (the channel closed). */
  stop(): void {
    this.stopped = true;
    for (const sub of [...this.subs.keys()]) this.unsubscribe(sub);
  }

  private push(sub: number, s: Subscription, batch: ChangesResult): void {
    if (this.subs.get(sub) !== s) return;
    if (s.unsent >= MAX_UNSENT_BATCHES) {
      this.unsubscribe(sub);
      this.send({ v: PROTOCOL_VERSION, type: 'resync', sub, last_seq: s.lastPushed });
      return;
    }
    s.unsent++;
    s.lastPushed = batch.last_seq;
    this.channel.send({ v: PROTOCOL_VERSION, type: 'changes', sub, results: batch.results, last_seq: batch.last_seq }).then(
      () => s.unsent--,
      () => this.unsubscribe(sub), // the channel closed: the slave re-subscribes on its next one
    );
  }

  private send(message: unknown): void {
    this.channel.send(message).catch(() => {});
  }
}
