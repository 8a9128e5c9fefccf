/**
 * Per-slave limits on the master (docs/protocol.md "Limits"): a slave is untrusted code on the
 * LAN, so what it may hold of the master is bounded, and one that keeps pushing past a bound is
 * disconnected with a reason. `serveRpc` (rpc-server.ts) keeps one {@link SlaveGuard} per channel.
 *
 * - requests accepted and not yet answered: at most `maxInFlight`, the next gets 429;
 * - of those, at most `maxRunning` run at the database at once (the rest wait their turn, in
 *   order), and at most `maxQueries` of them are `allDocs` queries: a slave's pipelined flood
 *   then queues behind its own requests, never in front of another slave's;
 * - bytes held for the slave (its requests not yet answered, plus answers queued for it on the
 *   channel): while over `maxQueuedBytes`, a new request gets 429;
 * - uploads open at once (attachments and backups): at most `maxOpenUploads`, the next 429;
 * - the master's main-thread time of one query: at most `maxQueryMs`, then 413 (query-runner.ts),
 *   and a query request of at most `maxQueryBytes` (compiling one is a block), else 413;
 * - refusals and malformed messages count as strikes: over `maxStrikes` within `strikeWindowMs`,
 *   the slave is disconnected. Only the first `maxErrorReplies` of a window are answered;
 * - more than `maxMessagesPerSecond` small messages in a second is a flood: disconnected at once
 *   (the FramedChannel meters it: reassembly.ts).
 */
import { RtcError } from '../errors.js';

export interface SlaveLimits {
  /** Requests accepted and not yet answered; the next gets 429. Default 4096. */
  maxInFlight: number;
  /** Requests running at the database at once; later ones wait in order. Default 32. */
  maxRunning: number;
  /** `allDocs` queries running at once; later ones wait in order. Default 1. */
  maxQueries: number;
  /** Bytes of unanswered requests and queued answers; while over, new requests get 429. Default 128 MiB. */
  maxQueuedBytes: number;
  /** Uploads (attachment or backup) open at once; the next gets 429. Default 8. */
  maxOpenUploads: number;
  /** Main-thread time one query may take, ms; past it the query fails with 413. Default 20,000. */
  maxQueryMs: number;
  /**
   * Largest `allDocs` request, bytes: a longer one gets 413. Compiling a query is one block of
   * main-thread time, in proportion to its length (gadgets/query/: about 1 ms per KiB, measured
   * on the CI machine), and other slaves wait that long. Default 8 KiB.
   */
  maxQueryBytes: number;
  /** Strikes (refusals, malformed messages) in one window before the slave is disconnected. Default 1000. */
  maxStrikes: number;
  /** The strike window, ms. Default 10,000. */
  strikeWindowMs: number;
  /** Error replies per strike window; later bad messages are dropped without an answer. Default 200. */
  maxErrorReplies: number;
  /** Small (under 1 KiB) messages per second before the slave floods and is disconnected. Default 10,000. */
  maxMessagesPerSecond: number;
}

/** The defaults (README "Threat model and limits"). */
export const DEFAULT_LIMITS: Readonly<SlaveLimits> = Object.freeze({
  maxInFlight: 4096,
  maxRunning: 32,
  maxQueries: 1,
  maxQueuedBytes: 128 * 1024 * 1024,
  maxOpenUploads: 8,
  maxQueryMs: 20000,
  maxQueryBytes: 8 * 1024,
  maxStrikes: 1000,
  strikeWindowMs: 10000,
  maxErrorReplies: 200,
  maxMessagesPerSecond: 10000,
});

/** The status of a refusal for being over a limit (RFC 6585 Too Many Requests). */
export const TOO_MANY_REQUESTS = 429;

/** `partial` over the defaults; a missing or non-positive value keeps its default. */
export function resolveLimits(partial: Partial<SlaveLimits> = {}): SlaveLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(out) as (keyof SlaveLimits)[]) {
    const v = partial[key];
    if (typeof v === 'number' && v > 0) out[key] = v;
  }
  return out;
}

/** A counting semaphore served in arrival order. */
class Turns {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  async take(): Promise<void> {
    if (this.busy < this.size) {
      this.busy++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next(); // the turn passes on: busy stays
    else this.busy--;
  }
}

/** One slave's account on the master. */
export class SlaveGuard {
  readonly limits: SlaveLimits;
  private inFlight = 0;
  private heldBytes = 0;
  private readonly running: Turns;
  private readonly queries: Turns;
  private windowStart = 0;
  private strikes = 0;
  private replies = 0;
  private gone = false;

  /**
   * @param onAbuse called once, with the reason, when the slave passes `maxStrikes` (the caller
   *   tells the slave and closes its channel).
   */
  constructor(limits: Partial<SlaveLimits>, private readonly onAbuse: (reason: string) => void) {
    this.limits = resolveLimits(limits);
    this.running = new Turns(this.limits.maxRunning);
    this.queries = new Turns(this.limits.maxQueries);
  }

  /** Requests accepted and not yet answered. */
  get pending(): number {
    return this.inFlight;
  }

  /**
   * Checks a new request of `bytes` (its share of the message that carried it) against the
   * limits, with `queuedBytes` of answers waiting on the channel and `openUploads` open; `kind`:
   * whether it is a query (`allDocs`) or opens an upload.
   * @returns null when accepted (call {@link run}, then it counts until settled), else the 429 or 413 to answer.
   */
  admit(bytes: number, queuedBytes: number, kind: { query: boolean; upload: boolean }, openUploads: number): RtcError | null {
    const l = this.limits;
    let refusal: RtcError | null = null;
    if (kind.query && bytes > l.maxQueryBytes) {
      refusal = new RtcError(`Query too large: ${bytes} bytes, over ${l.maxQueryBytes}`, 413);
    } else if (this.inFlight >= l.maxInFlight) {
      refusal = new RtcError(`Too many requests: ${l.maxInFlight} already in flight from this slave`, TOO_MANY_REQUESTS);
    } else if (this.heldBytes + queuedBytes + bytes > l.maxQueuedBytes) {
      refusal = new RtcError(`Too many requests: over ${l.maxQueuedBytes} bytes queued for this slave`, TOO_MANY_REQUESTS);
    } else if (kind.upload && openUploads >= l.maxOpenUploads) {
      refusal = new RtcError(`Too many requests: ${l.maxOpenUploads} uploads already open from this slave`, TOO_MANY_REQUESTS);
    }
    if (refusal) this.strike();
    return refusal;
  }

  /** Runs an admitted request when its turn comes (a query also waits for a query turn). */
  async run<T>(bytes: number, query: boolean, work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.heldBytes += bytes;
    try {
      if (query) await this.queries.take();
      await this.running.take();
      try {
        return await work();
      } finally {
        this.running.give();
        if (query) this.queries.give();
      }
    } finally {
      this.inFlight--;
      this.heldBytes -= bytes;
    }
  }

  /**
   * Counts one strike (a refusal, a malformed message). @returns whether it may still be answered
   * (within `maxErrorReplies` of this window).
   */
  strike(): boolean {
    const now = Date.now();
    if (now - this.windowStart > this.limits.strikeWindowMs) {
      this.windowStart = now;
      this.strikes = 0;
      this.replies = 0;
    }
    this.strikes++;
    if (this.strikes > this.limits.maxStrikes) this.abuse(`over ${this.limits.maxStrikes} refused or malformed messages in ${this.limits.strikeWindowMs / 1000} s`);
    return !this.gone && ++this.replies <= this.limits.maxErrorReplies;
  }

  /** Gives up on the slave now, with `reason` (once). */
  abuse(reason: string): void {
    if (this.gone) return;
    this.gone = true;
    this.onAbuse(reason);
  }

  /** Whether the slave was disconnected. */
  get disconnected(): boolean {
    return this.gone;
  }
}
