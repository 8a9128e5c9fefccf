/**
 * The method table: every database method, declared once. Each entry says whether the method
 * writes, the names of its parameters, the requests the master serves for it (their arity,
 * argument checks and local run on the master's `Database`) and how a slave's client sends it.
 * Everything else derives from it: the master's dispatch (channel/rpc-server.ts), the slave's
 * client (channel/remote-database.ts), the `allow` list with its 403/501 answers, the elements'
 * forwarding (elements/database-element.ts) and the RenderJS wrapper's methods (`METHOD_PARAMS`
 * on the bundle's `RtcGadgets` namespace). Adding a method: its signature in `DatabaseApi`
 * (api.ts), one entry here, and its storage code.
 *
 * A plain method travels as one request under its own name with its own arguments. The two
 * attachment transfers travel as other requests (channel/transfers.ts, the master's side, and
 * channel/transfer-client.ts, the slave's): `putAttachment` as `attachmentOpen` and
 * `attachmentCommit`, `getAttachment` as `attachmentInfo` and `attachmentRead`; `allow` names
 * the method for all of them.
 */
import type { AttachmentInfo, DatabaseApi, Doc, MethodName } from './api.js';
import { RtcError } from './errors.js';
import type { Database } from './storage/database.js';
import type { WriteOptions } from './storage/write-log.js';
import {
  attachmentRange, validateAllDocsOptions, validateAttachmentMeta, validateAttachmentName, validateBulk, validateDoc, validateId,
} from './storage/validate.js';
import { validateChangesOptions } from './storage/changes-feed.js';
import { parseSubscribe, subscriptionId, type FeedServer } from './channel/feed-server.js';
import type { RpcClient } from './channel/rpc-client.js';
import { downloadAttachment, uploadAttachment } from './channel/transfer-client.js';
import { isTransfer, type TransferServer } from './channel/transfers.js';
import { downloadBackup, uploadBackup } from './channel/backup-transfer.js';

export type { MethodName };
type Args<M extends MethodName> = Parameters<DatabaseApi[M]>;
type Result<M extends MethodName> = ReturnType<DatabaseApi[M]>;

/** What a request runs with on the master. */
export interface ServeContext {
  db: Database;
  /** The attachment transfers of this slave's channel. */
  transfers: TransferServer;
  /** The changes-feed subscriptions of this slave's channel. */
  feed: FeedServer;
  /** Aborted when the slave cancels the request (its timeout fired) or the channel stops. */
  signal: AbortSignal;
  /** Most main-thread time a query may take, ms (channel/limits.ts); none when absent (the master's own calls). */
  queryMs?: number;
  /** `{ requestKey }` (the idempotency key) for a write, `{}` for a read. */
  write: WriteOptions;
}

/** One request the master serves. */
export interface RequestSpec {
  /** Accepted argument counts, `[min, max]`. */
  readonly arity: readonly [number, number];
  /** Checks the arguments (RtcError 400 on a bad one) and runs the request on the master. */
  serve(ctx: ServeContext, args: unknown[]): Promise<unknown>;
}

/** One database method. */
export interface MethodSpec<M extends MethodName> {
  /** Writes carry an idempotency key; `READ_METHODS`/`WRITE_METHODS` split on it. */
  readonly writes: boolean;
  /** Its parameter names (`?`: optional); the RenderJS wrapper checks a leading `id`. */
  readonly params: readonly string[];
  /** The requests the master serves for it, by wire name (`allow` names the method for each). */
  readonly requests: Readonly<Record<string, RequestSpec>>;
  /** The slave's call: checks the arguments locally, then sends the request(s). */
  remote(rpc: RpcClient, ...args: Args<M>): Result<M>;
}

/** Its arguments as a tuple (a rest parameter keeps the element types). */
const tuple = <T extends unknown[]>(...items: T): T => items;

function docId(x: unknown, method: string): string {
  validateId(x, method);
  return x;
}

function attachmentName(x: unknown, method: string): string {
  validateAttachmentName(x, method);
  return x;
}

function docValue(x: unknown, method: string): Doc {
  validateDoc(x, method);
  return x;
}

/** A transfer id. @throws RtcError 400 when `x` is not one. */
function transferId(x: unknown): number {
  if (!isTransfer(x)) throw new RtcError('Bad request: transfer must be a positive integer', 400);
  return x;
}

/** A byte offset or size. @throws RtcError 400 when `x` is not one. */
function byteOffset(x: unknown): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw new RtcError('Bad request: a byte offset must be a non-negative integer', 400);
  return x;
}

/** A restore's mode. @throws RtcError 400 for another one. */
function importMode(x: unknown): 'merge' | 'replace' {
  if (x !== 'merge' && x !== 'replace') throw new RtcError(`importDatabase mode: '${String(x)}' is not 'merge' or 'replace'`, 400);
  return x;
}

/** A request whose arguments `parse` checks and types before `run` gets them. */
function request<A extends unknown[]>(
  arity: [number, number],
  parse: (args: unknown[]) => A,
  run: (ctx: ServeContext, ...args: A) => Promise<unknown>,
): RequestSpec {
  return { arity, serve: async (ctx, args) => run(ctx, ...parse(args)) };
}

/** A method that travels as one request of its own name; `parse` also checks a slave's call before it is sent. */
function plain<M extends MethodName>(name: M, spec: {
  writes: boolean;
  params: string[];
  arity: [number, number];
  parse: (args: unknown[]) => Args<M>;
  run: (ctx: ServeContext, ...args: Args<M>) => Promise<unknown>;
}): MethodSpec<M> {
  const remote = async (rpc: RpcClient, ...args: Args<M>): Promise<unknown> => {
    spec.parse(args);
    return rpc.call(name, args, spec.writes);
  };
  return {
    writes: spec.writes,
    params: spec.params,
    requests: { [name]: request(spec.arity, spec.parse, spec.run) },
    remote: remote as MethodSpec<M>['remote'],
  };
}

/** `spec` with more requests that `allow` names it for. */
function withRequests<M extends MethodName>(spec: MethodSpec<M>, more: Record<string, RequestSpec>): MethodSpec<M> {
  return { ...spec, requests: { ...spec.requests, ...more } };
}

/** The table. Its order is `ALL_METHODS`'s: the reads, then the writes. */
export const METHODS: { readonly [M in MethodName]: MethodSpec<M> } = {
  get: plain('get', {
    writes: false,
    params: ['id'],
    arity: [1, 1],
    parse: (a) => tuple(docId(a[0], 'get')),
    run: (ctx, id) => ctx.db.get(id),
  }),
  allDocs: {
    ...plain('allDocs', {
      writes: false,
      params: ['options?'],
      arity: [0, 1],
      parse: (a) => {
        const options = a[0] ?? {};
        validateAllDocsOptions(options);
        return tuple(options);
      },
      run: (ctx, options) => ctx.db.allDocs(options, { signal: ctx.signal, maxMs: ctx.queryMs, serialized: true }),
    }),
    // `{ signal }` stays on the slave: aborting it cancels the request on the master (rpc-client.ts).
    remote: async (rpc, options, run) => {
      validateAllDocsOptions(options ?? {});
      return rpc.call('allDocs', options === undefined ? [] : [options], false, rpc.timeout, run?.signal);
    },
  },
  getAttachment: {
    writes: false,
    params: ['id', 'name', 'options?'],
    requests: {
      attachmentInfo: request(
        [2, 2],
        (a) => tuple(docId(a[0], 'getAttachment'), attachmentName(a[1], 'getAttachment')),
        async (ctx, id, name): Promise<AttachmentInfo> => {
          const r = await ctx.db.attachmentInfo(id, name);
          return { content_type: r.content_type, length: r.length, digest: r.digest };
        },
      ),
      // [id, name, from, to, transfer]: the bytes [from, to) as data frames of `transfer`.
      attachmentRead: request(
        [5, 5],
        (a) => {
          const transfer = transferId(a[4]);
          const id = docId(a[0], 'getAttachment');
          const name = attachmentName(a[1], 'getAttachment');
          // Checks both offsets; the attachment's length clamps them when it is read.
          const [from, to] = attachmentRange(Number.MAX_SAFE_INTEGER, a[2], a[3]);
          return tuple(id, name, from, to, transfer);
        },
        (ctx, ...args) => ctx.transfers.read(args, ctx.signal),
      ),
    },
    remote: downloadAttachment,
  },
  allAttachments: plain('allAttachments', {
    writes: false,
    params: ['id'],
    arity: [1, 1],
    parse: (a) => tuple(docId(a[0], 'allAttachments')),
    run: (ctx, id) => ctx.db.allAttachments(id),
  }),
  changes: withRequests(plain('changes', {
    writes: false,
    params: ['options?'],
    arity: [0, 1],
    parse: (a) => {
      const options = a[0] ?? {};
      validateChangesOptions(options);
      return tuple(options);
    },
    run: (ctx, options) => ctx.db.changes(options),
  }), {
    // A slave's watch (channel/feed-client.ts, channel/feed-server.ts): [sub, since, {query?, include_docs?}] → {last_seq}.
    changesSubscribe: request([2, 3], parseSubscribe, (ctx, ...args) => ctx.feed.subscribe(...args)),
    // [sub]
    changesUnsubscribe: request([1, 1], (a) => tuple(subscriptionId(a[0])), async (ctx, sub) => ctx.feed.unsubscribe(sub)),
  }),
  exportDatabase: {
    writes: false,
    params: ['options?'],
    requests: {
      // [transfer] → {size, name}; progress messages while the ZIP is built (channel/backup-transfer.ts).
      backupExport: request([1, 1], (a) => tuple(transferId(a[0])), (ctx, transfer) => ctx.transfers.backups.export(ctx.db, transfer, ctx.signal)),
      // [transfer, from, to, data]: the bytes [from, to) as data frames of `data`.
      backupRead: request(
        [4, 4],
        (a) => tuple(transferId(a[0]), byteOffset(a[1]), byteOffset(a[2]), transferId(a[3])),
        (ctx, transfer, from, to, data) => ctx.transfers.backups.read(transfer, from, to, data, ctx.signal),
      ),
      backupRelease: request([1, 1], (a) => tuple(transferId(a[0])), async (ctx, transfer) => ctx.transfers.backups.release(transfer)),
    },
    remote: downloadBackup,
  },
  post: plain('post', {
    writes: true,
    params: ['doc'],
    arity: [1, 1],
    parse: (a) => tuple(docValue(a[0], 'post')),
    run: (ctx, doc) => ctx.db.post(doc, ctx.write),
  }),
  put: plain('put', {
    writes: true,
    params: ['id', 'doc'],
    arity: [2, 2],
    parse: (a) => tuple(docId(a[0], 'put'), docValue(a[1], 'put')),
    run: (ctx, id, doc) => ctx.db.put(id, doc, ctx.write),
  }),
  remove: plain('remove', {
    writes: true,
    params: ['id'],
    arity: [1, 1],
    parse: (a) => tuple(docId(a[0], 'remove')),
    run: (ctx, id) => ctx.db.remove(id, ctx.write),
  }),
  bulkPut: plain('bulkPut', {
    writes: true,
    params: ['entries'],
    arity: [1, 1],
    parse: (a) => {
      validateBulk(a[0], Infinity); // the master's own limit (413) is the database's
      return tuple(a[0]);
    },
    run: (ctx, entries) => ctx.db.bulkPut(entries, ctx.write),
  }),
  putAttachment: {
    writes: true,
    params: ['id', 'name', 'blob', 'options?'],
    requests: {
      // [id, name, {content_type, length, digest}, transfer] → {stored, chunk_size}
      attachmentOpen: request(
        [4, 4],
        (a) => {
          const transfer = transferId(a[3]);
          const id = docId(a[0], 'putAttachment');
          const name = attachmentName(a[1], 'putAttachment');
          const meta = a[2];
          validateAttachmentMeta(meta);
          return tuple(id, name, meta, transfer);
        },
        (ctx, ...args) => ctx.transfers.open(...args),
      ),
      // [id, name, transfer, digest?]: an unknown transfer or no digest commits what is stored.
      attachmentCommit: request(
        [3, 4],
        (a) => tuple(
          docId(a[0], 'putAttachment'),
          attachmentName(a[1], 'putAttachment'),
          isTransfer(a[2]) ? a[2] : null,
          typeof a[3] === 'string' ? a[3] : null,
        ),
        (ctx, ...args) => ctx.transfers.commit(...args),
      ),
    },
    remote: uploadAttachment,
  },
  removeAttachment: plain('removeAttachment', {
    writes: true,
    params: ['id', 'name'],
    arity: [2, 2],
    parse: (a) => tuple(docId(a[0], 'removeAttachment'), attachmentName(a[1], 'removeAttachment')),
    run: async (ctx, id, name) => {
      await ctx.transfers.stopUpload(id, name); // an upload of it still running stops (409)
      return ctx.db.removeAttachment(id, name);
    },
  }),
  importDatabase: {
    writes: true,
    params: ['file', 'options?'],
    requests: {
      // [size, transfer]: opens the receiver of the ZIP's data frames.
      backupOpen: request([2, 2], (a) => tuple(byteOffset(a[0]), transferId(a[1])), async (ctx, size, transfer) => ctx.transfers.backups.open(size, transfer)),
      // [transfer, mode] → the import's result, once every byte is in.
      backupImport: request(
        [2, 2],
        (a) => tuple(transferId(a[0]), importMode(a[1])),
        (ctx, transfer, mode) => ctx.transfers.backups.import(ctx.db, transfer, mode, ctx.signal),
      ),
    },
    remote: uploadBackup,
  },
};

/** Every method a slave may call, by default all of them (`allow` narrows it). */
export const ALL_METHODS = Object.keys(METHODS) as readonly MethodName[];
/** Names of the read methods. */
export const READ_METHODS: readonly MethodName[] = ALL_METHODS.filter((m) => !METHODS[m].writes);
/** Names of the write methods. */
export const WRITE_METHODS: readonly MethodName[] = ALL_METHODS.filter((m) => METHODS[m].writes);
/** Each method's parameter names, for the RenderJS wrapper (renderjs/gadget_rtc_wrapper.js). */
export const METHOD_PARAMS: Readonly<Record<MethodName, readonly string[]>> = Object.fromEntries(
  ALL_METHODS.map((m) => [m, METHODS[m].params]),
) as Record<MethodName, readonly string[]>;

const NAMES: ReadonlySet<string> = new Set(ALL_METHODS);

/** Whether `name` is a method of the table (an own name: `constructor` or `toString` is not). */
export function isMethodName(name: string): name is MethodName {
  return NAMES.has(name);
}

/** A request the master serves, with the method `allow` must name for it. */
export interface Route extends RequestSpec {
  readonly method: MethodName;
  readonly writes: boolean;
}

/** Every request the master serves, by wire name. */
export const ROUTES: ReadonlyMap<string, Route> = new Map(
  ALL_METHODS.flatMap((method) => Object.entries(METHODS[method].requests).map(
    ([wire, spec]): [string, Route] => [wire, { ...spec, method, writes: METHODS[method].writes }],
  )),
);

/**
 * Parses an `allow` attribute (comma-separated method names) into a set; empty means all.
 * @throws RtcError 400 `allow: unknown method '<name>' (known: …)`.
 */
export function parseAllow(allow: string): Set<MethodName> {
  const names = allow.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) return new Set(ALL_METHODS);
  for (const name of names) {
    if (!isMethodName(name)) throw new RtcError(`allow: unknown method '${name}' (known: ${ALL_METHODS.join(', ')})`, 400);
  }
  return new Set(names as MethodName[]);
}

/** Calls method `name` of `api` with `args` (the elements' forwarding). */
export function invoke(api: DatabaseApi, name: MethodName, args: unknown[]): Promise<unknown> {
  return (api[name] as (...a: unknown[]) => Promise<unknown>).apply(api, args);
}

/** Calls method `name` on the master through `rpc`, as the table says (the slave's client). */
export function callRemote(rpc: RpcClient, name: MethodName, args: unknown[]): Promise<unknown> {
  return (METHODS[name].remote as (rpc: RpcClient, ...a: unknown[]) => Promise<unknown>)(rpc, ...args);
}

/**
 * Defines on `prototype` every method of the table it does not define itself (an own property),
 * as `make(name)`: the forwarding of a class that implements `DatabaseApi` by delegation.
 */
export function installMethods(prototype: object, make: (name: MethodName) => (...args: unknown[]) => Promise<unknown>): void {
  for (const name of ALL_METHODS) {
    if (Object.prototype.hasOwnProperty.call(prototype, name)) continue;
    Object.defineProperty(prototype, name, { value: make(name), writable: true, configurable: true });
  }
}
