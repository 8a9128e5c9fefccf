/**
 * The time slices of a query's work on the main thread (query-runner.ts): a scan yields to other
 * tasks (other slaves' requests) between slices, checks its cancel signal and sums its time
 * against a slave's budget (channel/limits.ts).
 */
import { RtcError } from '../errors.js';

/** Target main-thread time per scan batch, ms: other requests wait at most about this long. */
export const SCAN_SLICE_MS = 4;
/** Main-thread time per slice of a scan of the cache, ms: no batch to deserialize, so a slice can be short (another slave's request waits less). */
export const MEMORY_SLICE_MS = 1;

/** Extra options of a query run: `signal` stops a scan between slices (rejects 504). */
export interface RunOptions {
  signal?: AbortSignal;
  /** Most main-thread time the matching may take, ms (rejects 413 past it). Default: no limit. */
  maxMs?: number;
  /**
   * The caller serializes the answer before anything can change it (a slave's answer: rpc-server.ts),
   * so rows may share the scan cache's documents instead of being copied (the cache replaces a
   * document on a write, never changes one in place: scan-cache.ts). Default false.
   */
  serialized?: boolean;
}

/**
 * The time slices of one query's matching: `due()` after each document, `pause()` when due
 * (yields, then checks the cancel signal and the time budget).
 */
export class Slicer {
  private sliceStart = performance.now();
  private busy = 0;
  /** @param slice ms of main-thread time per slice. */
  constructor(private readonly run: RunOptions, private readonly slice = SCAN_SLICE_MS) {}

  /** Whether this slice has run its time. */
  due(): boolean {
    return performance.now() - this.sliceStart >= this.slice;
  }

  /** Ends the slice (its time counts), lets other tasks run (and rests while short requests are served), starts the next one. */
  async pause(): Promise<void> {
    this.idle();
    await yieldAndRest();
    this.resume();
  }

  /** Counts the slice's time before an await on IndexedDB (its waiting is not ours). */
  idle(): void {
    this.busy += performance.now() - this.sliceStart;
    const max = this.run.maxMs;
    if (max !== undefined && this.busy > max) throw new RtcError(`Query too expensive: over ${max} ms of the master's time`, 413);
  }

  /** Starts a slice after an await. @throws RtcError 504 when the query was cancelled meanwhile. */
  resume(): void {
    if (this.run.signal?.aborted) throw new RtcError('Query cancelled: the request timed out', 504);
    this.sliceStart = performance.now();
  }
}

/**
 * Lets other tasks (other slaves' requests, rendering) run: a background-priority task of the
 * Prioritized Task Scheduling API (WICG `scheduler.postTask`), which runs only once no task of
 * normal priority (a data-channel message, an IndexedDB result) is waiting, so a long query takes
 * the time others leave; where that API is missing, a message-channel task, which, unlike a
 * nested setTimeout(0), is not clamped to 4 ms.
 */
const scheduler = (globalThis as { scheduler?: { postTask?: (fn: () => void, options: { priority: string }) => Promise<void> } }).scheduler;
const yieldChannel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
const yieldQueue: (() => void)[] = [];
if (yieldChannel) yieldChannel.port1.onmessage = () => yieldQueue.shift()?.();
export const yieldToOthers = (): Promise<void> =>
  new Promise((resolve) => {
    if (scheduler?.postTask) {
      void scheduler.postTask(resolve, { priority: 'background' });
      return;
    }
    if (!yieldChannel) {
      setTimeout(resolve, 0);
      return;
    }
    yieldQueue.push(resolve);
    yieldChannel.port2.postMessage(0);
  });


/** Longest rest of a slice while short requests are in flight, ms: a scan keeps at least 1 ms in 1 + this. */
export const MAX_REST_MS = 3;
let shortRequests = 0;
let restWaiters: (() => void)[] = [];

/**
 * Marks a short request (a `get`, a write: not a query) as being served on this master, until
 * the returned function is called (once its answer is handed to the channel: rpc-server.ts).
 * While any is, query slices rest (`yieldAndRest`): the request's IndexedDB read and its data
 * channel's network thread get the CPU a scan would otherwise spin on (bench `slave scan:
 * fairness`; on 2 cores a busy main thread delays them by a scheduler time slice).
 */
export function shortRequestStarted(): () => void {
  shortRequests++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--shortRequests > 0) return;
    const waiters = restWaiters;
    restWaiters = [];
    for (const wake of waiters) wake();
  };
}

/**
 * `yieldToOthers`, then, while short requests are in flight, a rest of at most `MAX_REST_MS`
 * (ends as soon as none is): what a slice of a scan or of an answer's serialization does between
 * slices.
 */
export async function yieldAndRest(): Promise<void> {
  await yieldToOthers();
  if (shortRequests === 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(wake, MAX_REST_MS);
    function wake(): void {
      clearTimeout(timer);
      restWaiters = restWaiters.filter((w) => w !== wake);
      resolve();
    }
    restWaiters.push(wake);
  });
}
