/**
 * The master's side of the protocol (`envelope.ts`): validates each request (envelope shape,
 * method known and allowed, arguments) and runs it on the database, then answers on the same
 * channel. A bad request gets an error envelope (400/403/501) and the channel stays open.
 */
import type { AllDocsOptions, BulkEntry, Doc, MethodName } from '../api.js';
import { ALL_METHODS, WRITE_METHODS } from '../api.js';
import { RtcError, toErrorShape } from '../errors.js';
import type { Database } from '../storage/database.js';
import { PROTOCOL_VERSION, idOf, parseMasterInbound, type RequestEnvelope } from './envelope.js';
import type { FramedChannel } from './framed-channel.js';
import { TransferServer } from './transfers.js';

const KNOWN = new Set<string>(ALL_METHODS);
const WRITES = new Set<string>(WRITE_METHODS);

/** Expected argument counts (min, max) per method. */
const ARITY: Record<MethodName, [number, number]> = {
  get: [1, 1],
  allDocs: [0, 1],
  post: [1, 1],
  put: [2, 2],
  remove: [1, 1],
  bulkPut: [1, 1],
  allAttachments: [1, 1],
  removeAttachment: [2, 2],
  // These two travel as the requests below (transfers.ts), never under their own name.
  putAttachment: [4, 4],
  getAttachment: [2, 2],
};

/** The attachment requests of transfers.ts: the method `allow` must name, and their arity (min, max). */
const TRANSFER_METHODS: Record<string, [MethodName, number, number]> = {
  attachmentOpen: ['putAttachment', 4, 4],
  attachmentCommit: ['putAttachment', 3, 4],
  attachmentInfo: ['getAttachment', 2, 2],
  attachmentRead: ['getAttachment', 5, 5],
};

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
    run(options, request, controller.signal, transfers).then(
      (result) => reply({ v: PROTOCOL_VERSION, type: 'response', id: request.id, result }),
      (e: unknown) => fail(request.id, e instanceof RtcError ? e : new RtcError(String((e as Error)?.message ?? e), 500), request),
    ).finally(() => running.delete(request.id));
  };
  return () => {
    stopped = true;
    transfers.stop();
    for (const controller of running.values()) controller.abort();
  };
}

async function run(options: RpcServerOptions, request: RequestEnvelope, signal: AbortSignal, transfers: TransferServer): Promise<unknown> {
  const { method, args } = request;
  const transfer = TRANSFER_METHODS[method];
  if (transfer) {
    if (!options.allow.has(transfer[0])) throw new RtcError(`Method '${transfer[0]}' is not allowed`, 403);
    if (args.length < transfer[1] || args.length > transfer[2]) {
      throw new RtcError(`Bad request: '${method}' takes ${transfer[1] === transfer[2] ? transfer[1] : `${transfer[1]} to ${transfer[2]}`} argument(s), got ${args.length}`, 400);
    }
    return transfers.call(method, args, signal);
  }
  if (method === 'putAttachment' || method === 'getAttachment') {
    throw new RtcError(`Bad request: '${method}' goes over the data channel as attachmentOpen/attachmentRead (transfers.ts)`, 400);
  }
  if (!KNOWN.has(method)) throw new RtcError(`Capacity '${method}' is not implemented on 'rtc'`, 501);
  if (!options.allow.has(method)) throw new RtcError(`Method '${method}' is not allowed`, 403);
  const [min, max] = ARITY[method as MethodName];
  if (args.length < min || args.length > max) {
    throw new RtcError(`Bad request: '${method}' takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`, 400);
  }
  const db = options.database;
  const write = WRITES.has(method) ? { requestKey: request.key } : {};
  switch (method as MethodName) {
    case 'get':
      return db.get(args[0] as string);
    case 'allDocs':
      return db.allDocs((args[0] ?? {}) as AllDocsOptions, { signal });
    case 'post':
      return db.post(args[0] as Doc, write);
    case 'put':
      return db.put(args[0] as string, args[1] as Doc, write);
    case 'remove':
      return db.remove(args[0] as string, write);
    case 'bulkPut':
      return db.bulkPut(args[0] as BulkEntry[], write);
    case 'allAttachments':
    case 'removeAttachment':
      return transfers.call(method, args, signal);
  }
  throw new RtcError(`Capacity '${method}' is not implemented on 'rtc'`, 501);
}
