/**
 * Signaling protocol v1 between the browser elements (`<rtc-master>`, `<rtc-slave>`) and the
 * broadcaster's WebSocket endpoint at `/signal`: message types, limits, and the validator the
 * server runs on every client frame.
 *
 * DOM-free and Node-free: browser code imports the types and constants from here, the broadcaster
 * imports `parseClientMessage`.
 *
 * Wire rules (v1):
 * - every frame is one JSON text frame holding an object with `"v": 1` and a string `type`;
 * - a client joins one room as `master` (at most one per room) or `slave`; the server assigns its id;
 * - a slave's `offer` goes only to its room's master; the master's `answer` only to the slave it names;
 *   `candidate`s travel slave → its master, or master → the slave named in `to`; every relayed frame
 *   carries the sender's id in `from`;
 * - a bad frame is answered with an `error` frame and the socket stays open (except: frames over
 *   {@link MAX_PAYLOAD_BYTES} are cut by the server with close code 1009, a master replaced by a new
 *   one with the same token is closed with {@link CLOSE_REPLACED}, a client over a capacity limit gets
 *   a 503 error and is closed with {@link CLOSE_TRY_AGAIN_LATER}, and a socket that keeps sending bad
 *   frames or floods past its budget is closed with 1008: docs/protocol.md "Flood budgets").
 *
 * @module
 */

/** Protocol version: the `v` of every frame. A frame with another `v` gets error 400. */
export const SIGNALING_VERSION = 1;

/** Path of the WebSocket endpoint on the broadcaster (`ws://HOST:PORT/signal`). */
export const SIGNALING_PATH = '/signal';

/** Largest accepted frame, in UTF-8 bytes; a larger frame gets error 413 (socket stays open). */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Hard cap of the WebSocket layer: a frame over 1 MiB closes the socket with code 1009. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Largest `sdp` of an offer or answer, in UTF-8 bytes (error 400 when over). */
export const MAX_SDP_BYTES = 32 * 1024;

/** Largest `candidate`, as JSON in UTF-8 bytes (error 400 when over). */
export const MAX_CANDIDATE_BYTES = 4 * 1024;

/** Deepest nesting accepted inside a `candidate` object (a real one is flat: depth 1). */
export const MAX_CANDIDATE_DEPTH = 4;

/** Room names: 1–64 characters of `[A-Za-z0-9_.-]`. */
export const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Length bounds of a master's `token` (any string, counted in UTF-16 code units). */
export const MIN_TOKEN_LENGTH = 8;
export const MAX_TOKEN_LENGTH = 128;

/** Length bound of a peer id given in `to` (server ids are 16 lowercase hex characters). */
export const MAX_ID_LENGTH = 64;

/** Most clients connected to one broadcaster; the next one gets error 503 and is closed. */
export const MAX_CLIENTS = 4096;

/** Most members (master + slaves) of one room; the next join gets error 503 and is closed. */
export const MAX_CLIENTS_PER_ROOM = 1024;

/**
 * Per-socket rate limit (token bucket): a burst of {@link RATE_LIMIT_BURST} frames, refilled at
 * {@link RATE_LIMIT_PER_SECOND} frames per second. A frame over the limit is dropped; the first
 * dropped frame of each second is answered with error 429. The socket stays open until its flood
 * budget runs out (docs/protocol.md "Flood budgets": then close 1008).
 */
export const RATE_LIMIT_BURST = 200;
export const RATE_LIMIT_PER_SECOND = 200;

/** Default interval of the server's WebSocket pings, ms; a client that did not pong since the
 * previous ping is terminated. Browsers answer pings by themselves. */
export const DEFAULT_PING_INTERVAL = 30_000;

/** Close code sent to a master replaced by a new master joining with the same token. */
export const CLOSE_REPLACED = 4000;

/** Close code (standard "Try Again Later") after a 503 error: server or room full. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** Role of a client in its room. */
export type Role = 'master' | 'slave';

/** Error codes of `error` frames:
 * - 400 malformed frame: not JSON, not an object, missing or wrong `v`, unknown `type`, missing or
 *   invalid fields, binary frame, invalid UTF-8, a message other than `join`/`ping` before joining,
 *   `join` while already in a room;
 * - 403 a message the client's role may not send (`offer` from a master, `answer` from a slave);
 * - 404 unknown peer (`to`) or no master in the room;
 * - 409 master conflict (room taken; or, to the old master, "replaced by a new master");
 * - 413 frame larger than {@link MAX_FRAME_BYTES};
 * - 429 over the rate limit;
 * - 503 server or room full (the socket is then closed). */
export type ErrorCode = 400 | 403 | 404 | 409 | 413 | 429 | 503;

/** Every client → server `type`. */
export const CLIENT_MESSAGE_TYPES = ['join', 'offer', 'answer', 'candidate', 'ping', 'leave'] as const;
export type ClientMessageType = (typeof CLIENT_MESSAGE_TYPES)[number];

/** DOM-free twin of `RTCIceCandidateInit` (what `RTCIceCandidate.toJSON()` gives). Other members are
 * relayed untouched. */
export interface CandidateInit {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
  [member: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Client → server

/** Join a room. `room`: {@link ROOM_PATTERN}. `token` (masters only, 8–128 chars; ignored for
 * slaves): a master joining with the same token as the room's current master replaces it (the old
 * socket gets error 409 "replaced by a new master" and is closed with {@link CLOSE_REPLACED}); with
 * another token or none it gets error 409 `room "R" already has a master`. Answered by `joined`. */
export interface JoinMessage {
  v: 1;
  type: 'join';
  room: string;
  role: Role;
  token?: string;
}

/** Slave → its room's master. `sdp` ≤ {@link MAX_SDP_BYTES}. Errors: 403 from a master, 404 no
 * master in the room. */
export interface OfferMessage {
  v: 1;
  type: 'offer';
  sdp: string;
}

/** Master → the slave `to` (same room). `sdp` ≤ {@link MAX_SDP_BYTES}. Errors: 403 from a slave,
 * 404 unknown slave. */
export interface AnswerMessage {
  v: 1;
  type: 'answer';
  to: string;
  sdp: string;
}

/** An ICE candidate (`null` = end of candidates), JSON ≤ {@link MAX_CANDIDATE_BYTES}.
 * From a slave: goes to its master (`to` may be omitted; if given it must be the master's id, else
 * 404). From a master: `to` is required (400 without it) and must be a slave of the room (else 404). */
export interface CandidateMessage {
  v: 1;
  type: 'candidate';
  to?: string;
  candidate: CandidateInit | null;
}

/** Answered by `pong`; allowed before joining. */
export interface PingMessage {
  v: 1;
  type: 'ping';
}

/** Leave the room; the socket stays open and may join again (it then gets a new id). No answer. */
export interface LeaveMessage {
  v: 1;
  type: 'leave';
}

export type ClientMessage =
  | JoinMessage
  | OfferMessage
  | AnswerMessage
  | CandidateMessage
  | PingMessage
  | LeaveMessage;

// ---------------------------------------------------------------------------------------------
// Server → client

/** Answer to `join`. `id`: server-assigned (16 hex chars), new at each join. `master`: whether the
 * room has a master now (always true for a master). */
export interface JoinedMessage {
  v: 1;
  type: 'joined';
  id: string;
  room: string;
  role: Role;
  master: boolean;
}

/** To every slave of the room when a master joins (`present: true`, also when it replaces a previous
 * master: restart any negotiation in progress) or leaves (`present: false`). */
export interface MasterMessage {
  v: 1;
  type: 'master';
  present: boolean;
}

/** To the room's master when a slave leaves or its socket closes. */
export interface SlaveLeftMessage {
  v: 1;
  type: 'slave-left';
  id: string;
}

/** A slave's offer, as the master receives it. */
export interface RelayedOfferMessage {
  v: 1;
  type: 'offer';
  from: string;
  sdp: string;
}

/** The master's answer, as the addressed slave receives it. */
export interface RelayedAnswerMessage {
  v: 1;
  type: 'answer';
  from: string;
  sdp: string;
}

/** A candidate, as the receiving peer gets it. */
export interface RelayedCandidateMessage {
  v: 1;
  type: 'candidate';
  from: string;
  candidate: CandidateInit | null;
}

export interface PongMessage {
  v: 1;
  type: 'pong';
}

/** A refused frame. `ref`: the `type` of the refused message when it was a known one. */
export interface ErrorMessage {
  v: 1;
  type: 'error';
  code: ErrorCode;
  message: string;
  ref?: ClientMessageType;
}

export type ServerMessage =
  | JoinedMessage
  | MasterMessage
  | SlaveLeftMessage
  | RelayedOfferMessage
  | RelayedAnswerMessage
  | RelayedCandidateMessage
  | PongMessage
  | ErrorMessage;

// ---------------------------------------------------------------------------------------------
// Validation

/** A refused frame: `code` and `message` become an `error` frame; `ref` is the refused message's
 * type when known. */
export class SignalingError extends Error {
  readonly code: ErrorCode;
  readonly ref: ClientMessageType | undefined;
  constructor(code: ErrorCode, message: string, ref?: ClientMessageType) {
    super(message);
    this.name = 'SignalingError';
    this.code = code;
    this.ref = ref;
  }
}

/** UTF-8 length of a string in bytes (lone surrogates count 3, as encoders replace them by U+FFFD). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function has(obj: Record<string, unknown>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, name);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isClientMessageType(value: unknown): value is ClientMessageType {
  return typeof value === 'string' && (CLIENT_MESSAGE_TYPES as readonly string[]).includes(value);
}

/** Depth of nested objects/arrays, walked iteratively (no recursion on hostile input); stops
 * counting once over `limit`. */
function depthOver(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function field<T>(
  obj: Record<string, unknown>,
  name: string,
  type: ClientMessageType,
  check: (value: unknown) => string | undefined,
): T {
  if (!has(obj, name)) throw new SignalingError(400, `"${type}" needs "${name}"`, type);
  const problem = check(obj[name]);
  if (problem !== undefined) throw new SignalingError(400, `"${type}": "${name}" ${problem}`, type);
  return obj[name] as T;
}

function checkSdp(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, not ${describe(value)}`;
  if (value.length === 0) return 'must not be empty';
  if (utf8ByteLength(value) > MAX_SDP_BYTES) return `is over ${MAX_SDP_BYTES} bytes`;
  return undefined;
}

function checkId(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, not ${describe(value)}`;
  if (value.length === 0 || value.length > MAX_ID_LENGTH) return `must be 1-${MAX_ID_LENGTH} characters`;
  return undefined;
}

function checkCandidate(value: unknown): string | undefined {
  if (value === null) return undefined;
  if (!isPlainObject(value)) return `must be an object or null, not ${describe(value)}`;
  if (depthOver(value, MAX_CANDIDATE_DEPTH)) return `is nested deeper than ${MAX_CANDIDATE_DEPTH}`;
  if (utf8ByteLength(JSON.stringify(value)) > MAX_CANDIDATE_BYTES) {
    return `is over ${MAX_CANDIDATE_BYTES} bytes of JSON`;
  }
  return undefined;
}

/**
 * Parses and validates one client frame.
 *
 * Checks, in order: size (≤ {@link MAX_FRAME_BYTES} UTF-8 bytes, else 413), JSON, a plain object,
 * `v === 1`, a known `type`, then the fields of that type (see each message interface). Unknown extra
 * members are ignored and never relayed. Role rules (403/404/409) are the server's, not checked here.
 *
 * @returns a fresh object holding only the protocol's members.
 * @throws {SignalingError} code 413 for an oversize frame, 400 for anything malformed.
 */
export function parseClientMessage(text: string): ClientMessage {
  if (typeof text !== 'string') throw new SignalingError(400, 'frame must be text');
  // Cheap bound first: a string of n UTF-16 units is at least n UTF-8 bytes.
  if (text.length > MAX_FRAME_BYTES || utf8ByteLength(text) > MAX_FRAME_BYTES) {
    throw new SignalingError(413, `frame is over ${MAX_FRAME_BYTES} bytes`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new SignalingError(400, 'frame is not valid JSON');
  }
  if (!isPlainObject(data)) throw new SignalingError(400, `frame must be a JSON object, not ${describe(data)}`);
  const type = has(data, 'type') ? data.type : undefined;
  const ref = isClientMessageType(type) ? type : undefined;
  if (!has(data, 'v')) throw new SignalingError(400, `missing "v" (protocol version ${SIGNALING_VERSION})`, ref);
  if (data.v !== SIGNALING_VERSION) {
    const shown = typeof data.v === 'number' || typeof data.v === 'string' ? JSON.stringify(data.v).slice(0, 20) : describe(data.v);
    throw new SignalingError(400, `unsupported protocol version ${shown} (this server speaks v${SIGNALING_VERSION})`, ref);
  }
  if (typeof type !== 'string') throw new SignalingError(400, 'missing "type"');
  if (ref === undefined) {
    throw new SignalingError(400, `unknown type ${JSON.stringify(type.slice(0, 32))}`);
  }
  switch (ref) {
    case 'join': {
      const room = field<string>(data, 'room', ref, (value) =>
        typeof value === 'string' && ROOM_PATTERN.test(value) ? undefined : 'must be 1-64 characters of [A-Za-z0-9_.-]');
      const role = field<Role>(data, 'role', ref, (value) =>
        value === 'master' || value === 'slave' ? undefined : 'must be "master" or "slave"');
      const message: JoinMessage = { v: 1, type: 'join', room, role };
      if (has(data, 'token') && data.token !== undefined) {
        const token = field<string>(data, 'token', ref, (value) =>
          typeof value === 'string' && value.length >= MIN_TOKEN_LENGTH && value.length <= MAX_TOKEN_LENGTH
            ? undefined
            : `must be a string of ${MIN_TOKEN_LENGTH}-${MAX_TOKEN_LENGTH} characters`);
        message.token = token;
      }
      return message;
    }
    case 'offer':
      return { v: 1, type: 'offer', sdp: field<string>(data, 'sdp', ref, checkSdp) };
    case 'answer': {
      const to = field<string>(data, 'to', ref, checkId);
      return { v: 1, type: 'answer', to, sdp: field<string>(data, 'sdp', ref, checkSdp) };
    }
    case 'candidate': {
      const candidate = field<CandidateInit | null>(data, 'candidate', ref, checkCandidate);
      const message: CandidateMessage = { v: 1, type: 'candidate', candidate };
      if (has(data, 'to') && data.to !== undefined) message.to = field<string>(data, 'to', ref, checkId);
      return message;
    }
    case 'ping':
      return { v: 1, type: 'ping' };
    case 'leave':
      return { v: 1, type: 'leave' };
  }
}
