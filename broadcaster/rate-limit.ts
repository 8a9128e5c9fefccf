/**
 * Per-socket rate limiting of the broadcaster: a token bucket of `burst` frames refilled at
 * `perSecond` frames per second (defaults `RATE_LIMIT_BURST` and `RATE_LIMIT_PER_SECOND` of
 * `gadgets/signaling/messages.ts`), and the throttle that answers at most one dropped frame per
 * second with error 429.
 *
 * Pure: time comes in as an argument (ms, e.g. `Date.now()`), so tests can drive it.
 */

/** Token bucket; `perSecond === 0` disables it (every frame passes). */
export class RateLimiter {
  private tokens: number;
  private refilledAt: number;
  private noticeAt = -Infinity;

  /**
   * @param perSecond frames per second refilled; 0 disables the limit.
   * @param burst most frames accepted at once (the bucket's size), at least 1.
   * @param now the current time, ms.
   */
  constructor(readonly perSecond: number, readonly burst: number, now: number = Date.now()) {
    this.tokens = burst;
    this.refilledAt = now;
  }

  /** Takes one token for a frame arriving at `now` (ms); false when the frame must be dropped. */
  take(now: number = Date.now()): boolean {
    if (this.perSecond === 0) return true;
    if (this.available(now) < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens in the bucket at `now` (ms), after refilling; `burst` when the limit is disabled. */
  available(now: number = Date.now()): number {
    if (this.perSecond === 0) return this.burst;
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    this.refilledAt = now;
    return this.tokens;
  }

  /** Whether a dropped frame at `now` (ms) should be answered with a 429: once per second at most. */
  shouldNotify(now: number = Date.now()): boolean {
    if (now - this.noticeAt < 1000) return false;
    this.noticeAt = now;
    return true;
  }
}
