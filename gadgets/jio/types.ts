/**
 * The parts of jIO and RSVP that the `rtc` storage uses, typed loosely: jIO is never bundled, the
 * page's own (ERP5's jio.js, or the Node build) is handed in (docs/jio-storage.md).
 */

/** An RSVP.Queue: a promise with `push(onFulfilled, onRejected)`. */
export interface RsvpQueue<T = unknown> extends PromiseLike<T> {
  push<R>(onFulfilled?: (value: T) => R | PromiseLike<R>, onRejected?: (error: unknown) => R | PromiseLike<R>): RsvpQueue<R>;
}

/** The RSVP global (or `jIO.node_env.RSVP` of the Node build). */
export interface RsvpLike {
  Queue: new () => RsvpQueue<undefined>;
}

/** `jIO.util.jIOError`: `new jIOError(message, status_code)`. */
export type JioErrorConstructor = new (message: string, status_code: number) => Error & { status_code: number };

/** A jIO storage made by `createJIO` (its proxy): every method returns an RSVP.Queue. */
export interface JioStorage {
  get(id: string): RsvpQueue<Record<string, unknown>>;
  put(id: string, doc: Record<string, unknown>): RsvpQueue<string>;
  post(doc: Record<string, unknown>): RsvpQueue<string>;
  remove(id: string): RsvpQueue<string>;
  allDocs(options?: Record<string, unknown>): RsvpQueue<{ data: { rows: { id: string; value: Record<string, unknown>; doc?: Record<string, unknown> }[]; total_rows: number } }>;
  repair(...args: unknown[]): RsvpQueue<unknown>;
  hasCapacity(name: string): boolean;
  putAttachment(id: string, name: string, blob: Blob | string): RsvpQueue<unknown>;
  getAttachment(id: string, name: string, options?: Record<string, unknown>): RsvpQueue<unknown>;
  removeAttachment(id: string, name: string): RsvpQueue<unknown>;
  allAttachments(id: string): RsvpQueue<Record<string, unknown>>;
}

/** The jIO global. `node_env` is the Node build's own window (its Blob and RSVP). */
export interface JioLike {
  addStorage(type: string, constructor: new (spec: Record<string, unknown>) => object): void;
  createJIO(spec: Record<string, unknown>): JioStorage;
  util: { jIOError: JioErrorConstructor };
  node_env?: { Blob?: typeof Blob; RSVP?: RsvpLike };
  __storage_types?: Record<string, unknown>;
}
