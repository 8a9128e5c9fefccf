/**
 * What every session shares (broadcaster or manual, master or slave), written once here: whether
 * it runs (`start`, `stop`), its connection state (the listener hears each change exactly once),
 * the retry loop that reconnects with backoff, and refusal (the other side will not have this
 * one: stop trying, reject what waits, state `error`, report). Each session says only what
 * starting, one attempt, interrupting and releasing mean for it.
 */
import type { RtcError } from '../errors.js';
import { AdmissionError } from '../channel/handshake.js';
import { backoff, delay } from './retry.js';
import type { ConnectionState, SessionListener } from './types.js';

/** How one attempt of a retry loop ended, once the connection it made is gone. */
export interface AttemptEnd {
  /** It connected before it ended: the next attempt waits only the first backoff step. */
  connected: boolean;
  /** What to report about the loss; null for nothing (stopped, or already reported). */
  lost: Error | null;
}

export abstract class Session {
  /** `disconnected`, `connecting`, `connected` or `error`. */
  state: ConnectionState = 'disconnected';
  /** Set when the other side refused this session (403, wrong room secret): it stops trying until `start()`. */
  refused: RtcError | null = null;
  /** Between `start()` and `stop()` or a refusal. */
  protected running = false;
  private loop: Promise<void> | null = null;

  constructor(protected readonly listener: Pick<SessionListener, 'stateChanged' | 'error'>) {}

  /** Starts: connects (or gets ready to pair) and keeps at it until `stop()`. Nothing when running. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.refused = null;
    this.begin();
  }

  /** Stops: interrupts what is under way, waits for the retry loop, releases what is held, `disconnected`. */
  async stop(): Promise<void> {
    this.running = false;
    this.interrupt();
    await this.loop;
    await this.release();
    this.setState('disconnected');
  }

  /**
   * The page is going away (`pagehide`, called by the session controller): tells the other side
   * at once (`farewell`, channel/heartbeat.ts `bye`) and stops retrying, synchronously. What is
   * held stays as it is (the page is being torn down); `stop()` and `start()` work afterwards
   * (a page restored from the back/forward cache restarts).
   */
  goodbye(): void {
    if (!this.running) return;
    this.running = false;
    this.farewell();
  }

  /** What `goodbye()` says to the other side: bye on each channel, and for a master, leaving the broadcaster. */
  protected farewell(): void {}

  /** What `start()` does once `running` is set: typically `retry(...)`. */
  protected abstract begin(): void;

  /** Called first by `stop()`: closes what an attempt waits on (sockets, connections) so it ends now. */
  protected interrupt(): void {}

  /** Called by `stop()` once the retry loop ended: closes and rejects what the session still holds. */
  protected async release(): Promise<void> {}

  /** Rejects the requests waiting for the other side with `error` (slaves; a master has none). */
  protected rejectPending(_error: Error): void {}

  /** Moves to `state`, telling the listener `(state, previous)`; nothing when it is the same. */
  protected setState(state: ConnectionState): void {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this.listener.stateChanged(state, previous);
  }

  /** Tells the listener about `e` (anything thrown; a non-Error becomes one). */
  protected report(e: unknown): void {
    this.listener.error(e instanceof Error ? e : new Error(String(e)));
  }

  /** The other side refused this session: trying again cannot help (until `start()`), so stop, reject what waits, `error`, report. */
  protected refuse(error: RtcError): void {
    this.running = false;
    this.refused = error;
    this.rejectPending(error);
    this.setState('error');
    this.report(error);
  }

  /**
   * Runs `attempt` again and again until `stop()` or a refusal, each time from `connecting`.
   * An attempt resolves once the connection it made is gone, and throws when it could not make
   * one: the error is reported (an AdmissionError is a refusal, see `refuse`). Between attempts
   * it waits `backoff(failures)`, `failures` counting attempts that failed since the last one
   * that connected.
   */
  protected retry(attempt: () => Promise<AttemptEnd>): void {
    this.loop = this.retryLoop(attempt);
  }

  private async retryLoop(attempt: () => Promise<AttemptEnd>): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.setState('connecting');
      try {
        const end = await attempt();
        if (!this.running) break;
        failures = end.connected ? 1 : failures + 1; // even a reloading peer needs a moment to come back
        if (end.lost) this.report(end.lost);
      } catch (e) {
        if (!this.running) break;
        if (e instanceof AdmissionError) {
          this.refuse(e);
          break;
        }
        failures++;
        this.report(e);
      }
      if (this.running) await delay(backoff(failures));
    }
  }
}
