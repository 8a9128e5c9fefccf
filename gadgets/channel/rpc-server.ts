/**
 * The master's side of the protocol (`envelope.ts`): validates each request (envelope shape,
 * method known and allowed, arguments) and runs it on the database, then answers on the same
 * channel. A bad request gets an error envelope (400/403/501) and the channel stays open.
 */
import { RtcError, toErrorShape } from '../errors.js';
import { METHODS, ROUTES, isMethodName } from '../methods.js';
import type { Database } from '../storage/database.js';
import { PROTOCOL_VERSION, idOf, parseMasterInbound, type RequestEnvelope } from './envelope.js';
import type { FramedChannel } from './framed-channel.js';
import { TransferServer } from './transfers.js';
import { FeedServer } from './feed-server.js';

export interface RpcServerOptions {
  database: Database;
  /** Methods slaves may call. */
  allow: ReadonlySet<string>;
  /** Told about every failed request (for `rtc-error` on the master element). */
  onRequestError?: (error: RtcError, request: RequestEnvelope | null) => void;
  /** Told the bytes stored of each attachment this slave uploads: `(id, name, stored, total)`. */
  onUploadProgress?: (id: string, name: string, stored: number, total: number) => void;
}

/**
 * Serves `channel` until it closes.
 * @returns a function that stops serving (answers already started still go out).
 */
export function serveRpc(channel: FramedChannel, options: RpcServerOptions): () => void {
  let stopped = false;
  // Requests being worked on, so a slave's `cancel` (its timeout fired) stops a long scan.
  const running = new Map<number, AbortController>();
  const reply = (message: unknown): void => {
    if (!stopped) channel.send(message).catch(() => {}); // a closed channel: the slave re-sends
  };
  const fail = (id: number | null, error: RtcError, request: RequestEnvelope | null): void => {
    options.onRequestError?.(error, request);
    reply({ v: PROTOCOL_VERSION, type: 'error', id, error: toErrorShape(error) });
  };
  channel.onError = (error) => fail(null, error, null);
  const transfers = new TransferServer(channel, options.database.attachments, options.onUploadProgress);
  channel.onData = (frame) => transfers.data(frame);
  const feed = new FeedServer(channel, options.database);
  channel.onMessage = (message) => {
    let request: RequestEnvelope;
    try {
      const parsed = parseMasterInbound(message);
      if (parsed.type === 'cancel') {
        running.get(parsed.id)?.abort();
        return;
      }
      request = parsed;
    } catch (e) {
      fail(idOf(message), e as RtcError, null);
      return;
    }
    const controller = new AbortController();
    running.set(request.id, controller);
    run(options, request, controller.signal, transfers, feed).then(
      (result) => reply({ v: PROTOCOL_VERSION, type: 'response', id: request.id, result }),
      (e: unknown) => fail(request.id, e instanceof RtcError ? e : new RtcError(String((e as Error)?.message ?? e), 500), request),
    ).finally(() => running.delete(request.id));
  };
  return () => {
    stopped = true;
    transfers.stop();
    feed.stop();
    for (const controller of running.values()) controller.abort();
  };
}

/**
 * Runs one request as the method table (methods.ts) says: 501 for a name it does not know (an
 * own name only: `constructor` is unknown), 400 for a transfer method called under its own name,
 * 403 outside `allow`, 400 for a wrong argument count or a bad argument.
 */
async function run(options: RpcServerOptions, request: RequestEnvelope, signal: AbortSignal, transfers: TransferServer, feed: FeedServer): Promise<unknown> {
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
  return route.serve({ db: options.database, transfers, feed, signal, write }, args);
}
