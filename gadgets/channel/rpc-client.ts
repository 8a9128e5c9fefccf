/**
 * The slave's side of the protocol (`envelope.ts`): numbered requests, answers matched by id,
 * a timeout per request (504), and survival of a lost channel. While no channel is attached,
 * requests wait; when a new one is attached (the master came back) every request still
 * unanswered is sent again, with the same id and idempotency key, so the master answers a
 * write it already applied from memory instead of applying it twice (storage/database.ts).
 */
import { RtcError, fromErrorShape } from '../errors.js';
import { PROTOCOL_VERSION, parseSlaveInbound, type ProgressEnvelope, type PushEnvelope, type RequestEnvelope } from './envelope.js';
import type { FramedChannel } from './framed-channel.js';
import type { DataFrame } from './frames.js';
import type { ErrorShape } from '../errors.js';

/** What a transfer (transfer-client.ts) hears: upload acknowledgements and download bytes. */
export interface TransferListener {
  /** `message`: the whole progress envelope (a backup's carries `total` and `phase`, backup-transfer.ts). */
  progress?: (stored: number, error?: ErrorShape, message?: ProgressEnvelope) => void;
  data?: (frame: DataFrame) => void;
}
import { uuid } from '../storage/ids.js';

interface Pending {
  request: RequestEnvelope;
  deadline: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class RpcClient {
  /** Per-request timeout, ms. */
  timeout: number;
  /** Random per client: idempotency keys are `<session>:<id>`. */
  readonly session = uuid();
  private nextId = 1;
  private channel: FramedChannel | null = null;
  /** In id order, which is also deadline order while the timeout is unchanged. */
  private readonly pending = new Map<number, Pending>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = 0;
  private nextTransfer = 1;
  private readonly transfers = new Map<number, TransferListener>();
  private readonly channelWatchers = new Set<() => void>();
  /** Told every push of the changes feed (channel/feed-client.ts). */
  onPush: ((message: PushEnvelope) => void) | null = null;

  constructor(options: { timeout?: number } = {}) {
    this.timeout = options.timeout ?? 30000;
  }

  /** Number of requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Calls `method(...args)` on the master. `write` adds an idempotency key: `true` a new one,
   * a string that key (the slave's outbox, session/outbox.ts, re-sends a write with its own key).
   * `signal` gives up: the call rejects with its reason and the master is sent `cancel`.
   * @throws RtcError from the master (its status_code), 504 on timeout, 500 when closed.
   */
  call<T>(method: string, args: unknown[], write: boolean | string = false, timeout = this.timeout, signal?: AbortSignal): Promise<T> {
    const id = this.nextId++;
    const request: RequestEnvelope = { v: PROTOCOL_VERSION, type: 'request', id, method, args };
    if (write) request.key = typeof write === 'string' ? write : `${this.session}:${id}`;
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      this.pending.set(id, { request, deadline: performance.now() + timeout, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
      if (this.channel) this.transmit(this.channel, request);
      signal?.addEventListener('abort', () => this.cancel(id, signal.reason as Error), { once: true });
    });
  }

  /** Rejects request `id` (still unanswered) with `error` and tells the master to stop working on it. */
  private cancel(id: number, error: Error): void {
    if (!this.pending.has(id)) return;
    this.settle(id, null, error);
    this.channel?.send({ v: PROTOCOL_VERSION, type: 'cancel', id }).catch(() => {});
  }

  /** The channel in use, or null while there is none. */
  get currentChannel(): FramedChannel | null {
    return this.channel;
  }

  /** A new transfer id (unique for this client) for the binary data frames of one transfer. */
  newTransfer(): number {
    const id = this.nextTransfer;
    this.nextTransfer = (this.nextTransfer % 0xffffffff) + 1;
    return id;
  }

  /** Routes the progress messages and data frames of `transfer` to `listener` until `unlisten`. */
  listen(transfer: number, listener: TransferListener): void {
    this.transfers.set(transfer, listener);
  }

  unlisten(transfer: number): void {
    this.transfers.delete(transfer);
  }

  /** Calls `fn` whenever the channel is attached or detached. @returns unsubscribe. */
  watchChannel(fn: () => void): () => void {
    this.channelWatchers.add(fn);
    return () => this.channelWatchers.delete(fn);
  }

  /** Uses `channel` from now on and re-sends every unanswered request on it. */
  attach(channel: FramedChannel): void {
    this.channel = channel;
    channel.onMessage = (message) => this.receive(message);
    channel.onData = (frame) => this.transfers.get(frame.transfer)?.data?.(frame);
    for (const p of this.pending.values()) this.transmit(channel, p.request);
    for (const fn of [...this.channelWatchers]) fn();
  }

  /** Forgets the current channel (closed); requests wait for the next one or their timeout. */
  detach(): void {
    this.channel = null;
    for (const fn of [...this.channelWatchers]) fn();
  }

  /** Rejects every pending request with `error` (the element was disconnected for good). */
  rejectAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.schedule();
  }

  private transmit(channel: FramedChannel, request: RequestEnvelope): void {
    channel.send(request).catch((e: Error) => {
      // Too large can never succeed; anything else (closed channel) is retried on the next one.
      if ((e as RtcError).status_code === 413) this.settle(request.id, null, e);
    });
  }

  private receive(message: unknown): void {
    const reply = parseSlaveInbound(message);
    if (reply.type === 'progress') {
      this.transfers.get(reply.transfer)?.progress?.(reply.stored, reply.error, reply);
      return;
    }
    if (reply.type === 'changes' || reply.type === 'resync') {
      this.onPush?.(reply);
      return;
    }
    if (reply.id === null) return; // an error about something unreadable; nothing to settle
    if (reply.type === 'response') this.settle(reply.id, reply.result, null);
    else this.settle(reply.id, undefined, fromErrorShape(reply.error));
  }

  private settle(id: number, result: unknown, error: Error | null): void {
    const p = this.pending.get(id);
    if (!p) return; // already timed out, or a duplicate answer to a re-sent request
    this.pending.delete(id);
    if (error) p.reject(error);
    else p.resolve(result);
    this.schedule();
  }

  /**
   * One timer for all requests (no timer per message). Deadlines grow with ids while the timeout
   * is unchanged, so the first pending request is the earliest; a timer that fires early just
   * re-arms itself.
   */
  private schedule(): void {
    const first = this.pending.values().next();
    if (first.done) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    const at = first.value.deadline;
    if (this.timer !== null && this.timerAt <= at) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - performance.now()) + 1);
  }

  private expire(): void {
    this.timer = null;
    const now = performance.now();
    for (const [id, p] of this.pending) {
      if (p.deadline > now) continue;
      this.pending.delete(id);
      p.reject(new RtcError(`Request '${p.request.method}' timed out after ${this.timeout} ms`, 504));
      // Tell the master to stop working on it; harmless if it already finished.
      this.channel?.send({ v: PROTOCOL_VERSION, type: 'cancel', id }).catch(() => {});
    }
    this.schedule();
  }
}
