/**
 * The data-channel protocol, version 1: the request/response envelopes exchanged by a slave and
 * its master (an evolution of the 2016 tutorial's `jio_query`/`jio_response`,
 * docs/jio-compatibility.md "The 2016 design", with its lessons: a version field, explicit error
 * objects, an allow-list, cancellation).
 *
 * ```
 * slave → master  {v:1, type:'request',  id, method, args, key?}   key: idempotency key of a write
 * master → slave  {v:1, type:'response', id, result}
 * master → slave  {v:1, type:'error',    id, error: {name, message, status_code}}   id null: unparsable request
 * slave → master  {v:1, type:'cancel',   id}                         the slave gave up (timeout)
 * master → slave  {v:1, type:'progress', transfer, stored, error?}   bytes of an upload stored so far
 * master → slave  {v:1, type:'changes',  sub, results, last_seq}    a batch of a subscribed watch
 * master → slave  {v:1, type:'resync',   sub, last_seq}             too far behind: read `changes`, subscribe again
 *                 (a backup's also carries total and phase: backup-transfer.ts)
 * ```
 * Attachment bytes travel as binary data frames (`frames.ts`, kind 3) tagged with a transfer id
 * the slave picks; see `transfers.ts` for the requests of an upload and a download.
 * `id` is a positive integer unique per slave; `args` is the jIO argument list.
 */
import type { ChangeRow } from '../api.js';
import { RtcError, type ErrorShape } from '../errors.js';

export const PROTOCOL_VERSION = 1;

export interface RequestEnvelope {
  v: 1;
  type: 'request';
  id: number;
  method: string;
  args: unknown[];
  key?: string;
}
export interface ResponseEnvelope {
  v: 1;
  type: 'response';
  id: number;
  result: unknown;
}
export interface ErrorEnvelope {
  v: 1;
  type: 'error';
  id: number | null;
  error: ErrorShape;
}
export interface CancelEnvelope {
  v: 1;
  type: 'cancel';
  id: number;
}
export interface ProgressEnvelope {
  v: 1;
  type: 'progress';
  transfer: number;
  stored: number;
  error?: ErrorShape;
  total?: number;
  phase?: string;
}
/** A push of the changes feed to a subscribed slave (channel/feed-server.ts). */
export interface ChangesEnvelope {
  v: 1;
  type: 'changes';
  sub: number;
  results: ChangeRow[];
  last_seq: number;
}
export interface ResyncEnvelope {
  v: 1;
  type: 'resync';
  sub: number;
  last_seq: number;
}
export type PushEnvelope = ChangesEnvelope | ResyncEnvelope;
export type Envelope = PushEnvelope | ProgressEnvelope | RequestEnvelope | ResponseEnvelope | ErrorEnvelope | CancelEnvelope;

/** Longest accepted idempotency key. */
const MAX_KEY_LENGTH = 128;

function isId(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
}

/** The request id of a message if it has a usable one, else null (to address an error reply). */
export function idOf(message: unknown): number | null {
  return message && typeof message === 'object' && isId((message as { id?: unknown }).id)
    ? (message as { id: number }).id
    : null;
}

/**
 * Checks a message received by a master.
 * @returns the request or cancel envelope.
 * @throws RtcError 400 naming what is wrong (not an object, version, type, id, method, args, key).
 */
export function parseMasterInbound(message: unknown): RequestEnvelope | CancelEnvelope {
  if (!message || typeof message !== 'object' || Array.isArray(message)) {
    throw new RtcError('Bad request: a message must be a JSON object', 400);
  }
  const m = message as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) throw new RtcError(`Bad request: unsupported protocol version ${JSON.stringify(m.v)}`, 400);
  if (!isId(m.id)) throw new RtcError('Bad request: id must be a positive integer', 400);
  if (m.type === 'cancel') return m as unknown as CancelEnvelope;
  if (m.type !== 'request') throw new RtcError(`Bad request: unknown message type ${JSON.stringify(m.type)}`, 400);
  if (typeof m.method !== 'string' || m.method === '') throw new RtcError('Bad request: method must be a non empty string', 400);
  if (!Array.isArray(m.args)) throw new RtcError('Bad request: args must be an array', 400);
  if (m.key !== undefined && (typeof m.key !== 'string' || m.key === '' || m.key.length > MAX_KEY_LENGTH)) {
    throw new RtcError('Bad request: key must be a non empty string of at most 128 characters', 400);
  }
  return m as unknown as RequestEnvelope;
}

/**
 * Checks a message received by a slave.
 * @throws RtcError 400 when it is not a response or error envelope of version 1.
 */
export function parseSlaveInbound(message: unknown): ResponseEnvelope | ErrorEnvelope | ProgressEnvelope | PushEnvelope {
  const m = (message && typeof message === 'object' ? message : {}) as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) throw new RtcError(`Unsupported protocol version ${JSON.stringify(m.v)}`, 400);
  if (m.type === 'progress' && typeof m.transfer === 'number' && typeof m.stored === 'number') return m as unknown as ProgressEnvelope;
  if ((m.type === 'changes' || m.type === 'resync') && isId(m.sub) && typeof m.last_seq === 'number') {
    if (m.type === 'resync' || Array.isArray(m.results)) return m as unknown as PushEnvelope;
  }
  if (m.type === 'response' && isId(m.id)) return m as unknown as ResponseEnvelope;
  if (m.type === 'error' && (m.id === null || isId(m.id)) && m.error && typeof m.error === 'object') {
    return m as unknown as ErrorEnvelope;
  }
  throw new RtcError('Malformed reply from the master', 400);
}
