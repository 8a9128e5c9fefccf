/**
 * The master's side of the protocol (`envelope.ts`): validates each request (envelope shape,
 * method known and allowed, arguments) and runs it on the database, then answers on the same
 * channel. A bad request gets an error envelope (400/403/501) and the channel stays open.
 * Each slave is held to its limits (`limits.ts`): past one it gets 429 or 413, and a slave that
 * persists, floods or leaves too many messages unfinished is told why and disconnected.
 */
import { RtcError, toErrorShape } from '../errors.js';
import { METHODS, ROUTES, isMethodName } from '../methods.js';
import type { Database } from '../storage/database.js';
import { PROTOCOL_VERSION, idOf, parseMasterInbound, type RequestEnvelope } from './envelope.js';
import type { FramedChannel } from './framed-channel.js';
import { TransferServer } from './transfers.js';
import { FeedServer } from './feed-server.js';
import { SlaveGuard, TOO_MANY_REQUESTS, type SlaveLimits } from './limits.js';
import { penalizeAbuse } from './proof-limiter.js';
import { shortRequestStarted } from '../storage/slicer.js';

export interface RpcServerOptions {
  database: Database;
  /** Methods slaves may call. */
  allow: ReadonlySet<string>;
  /** This slave's limits; missing ones take their defaults (limits.ts `DEFAULT_LIMITS`). */
  limits?: Partial<SlaveLimits>;
  /** Told about every failed request (for `rtc-error` on the master element). */
  onRequestError?: (error: RtcError, request: RequestEnvelope | null) => void;
  /** Told the bytes stored of each attachment this slave uploads: `(id, name, stored, total)`. */
  onUploadProgress?: (id: string, name: string, stored: number, total: number) => void;
  /** Told once, with the reason, when the slave is disconnected for abuse (its channel is then closed). */
  onDisconnect?: (reason: string) => void;
}

/** Answers that count as strikes: what a well-behaved client does not send (a 404 or 409 is normal life). */
const STRIKES = new Set([400, 403, 413, 501]);

/** Requests that open an upload (`maxOpenUploads`). */
const OPENS_UPLOAD = new Set(['attachmentOpen', 'backupOpen']);

/**
 * Serves `channel` until it closes.
 * @returns a function that stops serving (answers already started still go out).
 */
export function serveRpc(channel: FramedChannel, options: RpcServerOptions): () => void {
  let stopped = false;
  // Requests being worked on, so a slave's `cancel` (its timeout fired) stops a long scan.
  const running = new Map<number, AbortController>();
  // A query's answer (thousands of rows) is serialized in slices (sliced-json.ts): another slave's
  // request does not wait behind it.
  const reply = (message: unknown, large = false): void => {
    if (!stopped) (large ? channel.sendSliced(message) : channel.send(message)).catch(() => {}); // a closed channel: the slave re-sends
  };
  const fail = (id: number | null, error: RtcError, request: RequestEnvelope | null): void => {
    options.onRequestError?.(error, request);
    reply({ v: PROTOCOL_VERSION, type: 'error', id, error: toErrorShape(error) });
  };
  const stop = (): void => {
    stopped = true;
    transfers.stop();
    feed.stop();
    for (const controller of running.values()) controller.abort();
  };
  // Abuse: the reason goes out as an error envelope (id null, 429), then the channel closes.
  const guard = new SlaveGuard(options.limits ?? {}, (reason) => {
    const error = new RtcError(`Disconnected: ${reason}`, TOO_MANY_REQUESTS);
    options.onRequestError?.(error, null);
    const told = channel.send({ v: PROTOCOL_VERSION, type: 'error', id: null, error: toErrorShape(error) });
    stop();
    penalizeAbuse(channel); // its next admission waits (proof-limiter.ts)
    options.onDisconnect?.(reason);
    void told.catch(() => {}).finally(() => channel.close());
  });
  // A malformed message is a strike; only the first ones of a window are answered.
  const refuse = (id: number | null, error: RtcError, request: RequestEnvelope | null): void => {
    if (guard.strike()) fail(id, error, request);
  };
  channel.onError = (error) => refuse(null, error, null);
  channel.onAbuse = (reason) => guard.abuse(reason);
  const transfers = new TransferServer(channel, options.database.attachments, options.onUploadProgress);
  channel.onData = (frame) => transfers.data(frame);
  const feed = new FeedServer(channel, options.database);
  channel.onMessage = (message) => {
    if (stopped) return;
    const bytes = channel.lastMessageBytes;
    let request: RequestEnvelope;
    try {
      const parsed = parseMasterInbound(message);
      if (parsed.type === 'cancel') {
        running.get(parsed.id)?.abort();
        return;
      }
      request = parsed;
    } catch (e) {
      refuse(idOf(message), e as RtcError, null);
      return;
    }
    const query = request.method === 'allDocs';
    const refusal = guard.admit(bytes, channel.queuedBytes, { query, upload: OPENS_UPLOAD.has(request.method) }, transfers.openUploads);
    if (refusal) {
      if (!guard.disconnected) fail(request.id, refusal, request);
      return;
    }
    const controller = new AbortController();
    running.set(request.id, controller);
    // A short request makes running scans rest between slices until it is answered (slicer.ts).
    const served = query ? null : shortRequestStarted();
    guard.run(bytes, query, () => run(options, request, controller.signal, transfers, feed, guard.limits.maxQueryMs)).then(
      (result) => reply({ v: PROTOCOL_VERSION, type: 'response', id: request.id, result }, query),
      (e: unknown) => {
        const error = e instanceof RtcError ? e : new RtcError(String((e as Error)?.message ?? e), 500);
        if (STRIKES.has(error.status_code)) refuse(request.id, error, request);
        else fail(request.id, error, request);
      },
    ).finally(() => {
      served?.();
      if (running.get(request.id) === controller) running.delete(request.id);
    });
  };
  return stop;
}

/**
 * Runs one request as the method table (methods.ts) says: 501 for a name it does not know (an
 * own name only: `constructor` is unknown), 400 for a transfer method called under its own name,
 * 403 outside `allow`, 400 for a wrong argument count or a bad argument.
 */
async function run(options: RpcServerOptions, request: RequestEnvelope, signal: AbortSignal, transfers: TransferServer, feed: FeedServer, queryMs: number): Promise<unknown> {
  const { method, args } = request;
  const route = ROUTES.get(method);
  if (!route) {
    if (isMethodName(method)) {
      const wire = Object.keys(METHODS[method].requests).join('/');
      throw new RtcError(`Bad request: '${method}' goes over the data channel as ${wire} (transfers.ts)`, 400);
    }
    throw new RtcError(`Capacity '${method}' is not implemented on 'rtc'`, 501);
  }
  if (!options.allow.has(route.method)) throw new RtcError(`Method '${route.method}' is not allowed`, 403);
  const [min, max] = route.arity;
  if (args.length < min || args.length > max) {
    throw new RtcError(`Bad request: '${method}' takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`, 400);
  }
  const write = route.writes ? { requestKey: request.key } : {};
  return route.serve({ db: options.database, transfers, feed, signal, write, queryMs }, args);
}
