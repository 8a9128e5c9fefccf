/** Timing of the sessions' retry loops (`session.ts`): how long to wait before the next attempt. */

/** Waits `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Retry delay after `failures` consecutive failures, ms: 250 ms doubling up to 5 s (0 or 1
 * failure: 250 ms). A master that reloads is back within a second; a broadcaster that is down
 * costs one attempt every 5 s.
 */
export function backoff(failures: number): number {
  return Math.min(5000, 250 * 2 ** Math.max(0, failures - 1));
}
