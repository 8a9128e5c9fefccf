/**
 * The broadcaster's log sink and the guard that keeps one handler's bug from crashing the process.
 */

/** Receives one line per notable event (joins, leaves, drops, internal errors). */
export type Log = (line: string) => void;

/**
 * Runs `fn`; anything it throws is logged as `internal error in WHAT: STACK` instead of propagating
 * (event handlers of sockets and timers must never throw into Node's event loop).
 */
export function guard(log: Log, what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    log(`internal error in ${what}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  }
}
