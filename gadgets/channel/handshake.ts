/**
 * The admission step run on a freshly opened data channel, before the master hands it to
 * `serveRpc` and the slave to `RpcClient.attach`: with a room `secret`, each side proves it knows
 * the secret without sending it, bound to this very DTLS connection.
 *
 * ```
 * master → slave   {v:1, type:'hello', nonce?}       nonce (32 random bytes, hex) iff the master has a secret
 * slave → master   {v:1, type:'proof', mac, nonce, name?}  only after a hello with a nonce; nonce: the slave's own;
 *                                                    name: the slave's device name (optional: older slaves send none)
 * master → slave   {v:1, type:'welcome', mac?, bundles?, names?, heartbeat?}  admitted; mac present iff the master has a secret;
 *                                                    bundles: the master reads bundled messages (framed-channel.ts);
 *                                                    names: it takes `name` messages;
 *                                                    heartbeat: it answers `ping` (heartbeat.ts)
 *   or             {v:1, type:'error', id:null, error:{name, message, status_code:403}}, then the master
 *                                                    closes the channel
 * slave → master   {v:1, type:'name', name}          after a welcome with names, when the proof did not carry
 *                                                    the name (no secret), and whenever the name changes
 * slave's mac  = HMAC-SHA256(secret, "rtc-gadgets/1 slave\n"  + master nonce + "\n" + F)
 * master's mac = HMAC-SHA256(secret, "rtc-gadgets/1 master\n" + slave nonce  + "\n" + F)
 * F = master's DTLS fingerprint + "\n" + slave's DTLS fingerprint (a=fingerprint, "sha-256 AB:…")
 * ```
 * Binding the fingerprints means a proof made for one connection is worthless on another: a
 * broadcaster (or anyone relaying the offer and answer) that put itself in the middle holds two
 * DTLS connections with other fingerprints, and cannot forward a proof. The slave checks the
 * master's mac too, so a slave with a secret only ever talks to a master that knows it.
 *
 * HMAC comes from @noble/hashes: `crypto.subtle` is missing on LAN pages served over plain http
 * (docs/architecture.md "Design rules"); `crypto.getRandomValues` is there.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { RtcError, toErrorShape } from '../errors.js';
import type { FramedChannel } from './framed-channel.js';

/**
 * A refusal: the master turned the slave away (wrong or missing room secret), or a peer could
 * not prove who it is. `status_code` 403. Trying again with the same secret cannot help.
 */
export class AdmissionError extends RtcError {
  constructor(message: string) {
    super(message, 403);
    this.name = 'AdmissionError';
  }
}

/** Longest device name, in characters (code points), once cleaned by {@link cleanName}. */
export const MAX_NAME_LENGTH = 64;

/** Longest raw name looked at: a longer one is cut first, so a hostile slave's megabyte costs nothing. */
const MAX_RAW_NAME = 1024;

/**
 * A device name as a master shows it, or null when there is nothing usable: `raw` must be a
 * string; runs of white space (line breaks, tabs) become one space, then control characters
 * (Unicode Cc: C0, DEL, C1), lone surrogates, the zero-width space and the bidirectional marks,
 * overrides and isolates (U+200B, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, which could make
 * a name display as another) are removed (the joiners U+200C/U+200D stay: scripts and emoji
 * need them), the ends are trimmed, and the result is cut to
 * {@link MAX_NAME_LENGTH} code points (never inside a surrogate pair).
 * @returns the cleaned name (1–64 characters), or null for a non-string or an empty result.
 */
export function cleanName(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.slice(0, MAX_RAW_NAME)
    .replace(/\s+/gu, ' ')
    .replace(/[\p{Cc}\p{Cs}\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu, '')
    .trim();
  const name = [...text].slice(0, MAX_NAME_LENGTH).join('').trim();
  return name === '' ? null : name;
}

/** The message a slave sends when its name changes (and after a welcome without a proof). */
export function nameMessage(name: string): { v: 1; type: 'name'; name: string } {
  return { v: 1, type: 'name', name };
}

/** True for a `{v:1, type:'name'}` message (its name may still be unusable: see {@link cleanName}). */
export function isNameMessage(message: unknown): message is { v: 1; type: 'name'; name: unknown } {
  const m = message as { v?: unknown; type?: unknown } | null;
  return !!m && typeof m === 'object' && m.v === 1 && m.type === 'name';
}

/** How long either side waits for the other's next handshake message, ms. */
export const HANDSHAKE_TIMEOUT_MS = 10000;

export interface HandshakeOptions {
  /** The room secret; '' for none. */
  secret: string;
  /** The master's DTLS fingerprint (`sha-256 AB:CD:…`), from its SDP. */
  masterFingerprint: string;
  /** The slave's DTLS fingerprint, from its SDP. */
  slaveFingerprint: string;
  /** Default {@link HANDSHAKE_TIMEOUT_MS}. */
  timeoutMs?: number;
}

export interface JoinOptions extends HandshakeOptions {
  /**
   * The slave's device name, told to the master (in the proof, else in a `name` message right
   * after a welcome that says `names`); undefined: none (as slaves before device names).
   */
  name?: string;
  /** Told whether the master's welcome says it answers pings (`heartbeat`, channel/heartbeat.ts). */
  heartbeat?: (supported: boolean) => void;
}

const encoder = new TextEncoder();

function nonce(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** HMAC-SHA256 of the handshake transcript, hex. */
export function handshakeMac(secret: string, role: 'slave' | 'master', peerNonce: string, masterFingerprint: string, slaveFingerprint: string): string {
  const message = `rtc-gadgets/1 ${role}\n${peerNonce}\n${masterFingerprint}\n${slaveFingerprint}`;
  return bytesToHex(hmac(sha256, encoder.encode(secret), encoder.encode(message)));
}

/** Compares two strings in time that depends only on their lengths. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function isHex64(x: unknown): x is string {
  return typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);
}

/**
 * Waits for the next message on `channel`, for at most `timeoutMs`.
 * @throws RtcError 504 on timeout, 500 when the channel closes first.
 */
function nextMessage(channel: FramedChannel, timeoutMs: number, waitingFor: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      channel.onMessage = () => {};
      channel.onClose = () => {};
      channel.onError = () => {};
    };
    const timer = setTimeout(() => {
      done();
      reject(new RtcError(`Handshake: no ${waitingFor} within ${timeoutMs} ms`, 504));
    }, timeoutMs);
    channel.onMessage = (message) => {
      done();
      resolve(message && typeof message === 'object' && !Array.isArray(message) ? message as Record<string, unknown> : {});
    };
    channel.onError = () => {
      done();
      resolve({}); // unreadable: treated as a wrong message
    };
    channel.onClose = () => {
      done();
      reject(new RtcError(`Handshake: the channel closed while waiting for ${waitingFor}`, 500));
    };
    if (channel.isClosed) channel.onClose();
  });
}

/**
 * The master's side. Resolves once the slave is admitted (its channel can go to `serveRpc`),
 * with the name its proof carried, cleaned (`cleanName`): null without a secret (the name then
 * comes in a `name` message, read by the caller), or when the slave sent none or an unusable one.
 * @throws AdmissionError (403) when the slave is refused (wrong or missing proof, or none in
 *   time): the 403 error envelope has then been queued on `channel`, and the caller closes the
 *   channel. RtcError 500 when the channel closed first.
 */
export async function admitSlave(channel: FramedChannel, options: HandshakeOptions): Promise<{ name: string | null }> {
  const timeoutMs = options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  if (!options.secret) {
    await channel.send({ v: 1, type: 'welcome', bundles: true, names: true, heartbeat: true });
    return { name: null };
  }
  const masterNonce = nonce();
  const reply = nextMessage(channel, timeoutMs, 'proof');
  await channel.send({ v: 1, type: 'hello', nonce: masterNonce });
  let refusal: RtcError;
  try {
    const proof = await reply;
    const expected = handshakeMac(options.secret, 'slave', masterNonce, options.masterFingerprint, options.slaveFingerprint);
    if (proof.v === 1 && proof.type === 'proof' && isHex64(proof.mac) && isHex64(proof.nonce) && sameText(proof.mac, expected)) {
      const mac = handshakeMac(options.secret, 'master', proof.nonce, options.masterFingerprint, options.slaveFingerprint);
      await channel.send({ v: 1, type: 'welcome', mac, bundles: true, names: true, heartbeat: true });
      return { name: cleanName(proof.name) };
    }
    refusal = new AdmissionError('Forbidden: wrong or missing room secret');
  } catch (e) {
    if ((e as RtcError).status_code !== 504) throw e; // the channel closed: nobody to answer
    refusal = new AdmissionError(`Forbidden: no proof of the room secret within ${timeoutMs} ms`);
  }
  // The refused slave gets this error envelope and nothing else.
  channel.send({ v: 1, type: 'error', id: null, error: toErrorShape(refusal) }).catch(() => {});
  throw refusal;
}

/**
 * The slave's side. Resolves once the master admitted it (its channel can go to the RPC client),
 * with what the master said it supports (`bundles`: it reads bundled messages; `names`, only
 * when `options.name` was given: it takes `name` messages, so a later rename can be told).
 * Whether it answers pings (heartbeat.ts) goes to `options.heartbeat`, before this resolves.
 * With `options.name`, the master has been told the name (in the proof, or a `name` message
 * sent before this resolves, so before any request).
 * @throws AdmissionError (403) when the master refused it, or when the slave has a secret and the
 *   master could not prove it knows it; RtcError 500/504 when the channel closed or went silent.
 */
export async function joinMaster(channel: FramedChannel, options: JoinOptions): Promise<{ bundles: boolean; names?: boolean }> {
  const timeoutMs = options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  let message = await nextMessage(channel, timeoutMs, 'greeting from the master');
  let slaveNonce: string | null = null;
  if (message.v === 1 && message.type === 'hello' && isHex64(message.nonce)) {
    slaveNonce = nonce();
    const mac = options.secret
      ? handshakeMac(options.secret, 'slave', message.nonce, options.masterFingerprint, options.slaveFingerprint)
      : '';
    const reply = nextMessage(channel, timeoutMs, 'answer to the proof');
    const named = options.name === undefined ? {} : { name: options.name };
    await channel.send({ v: 1, type: 'proof', mac, nonce: slaveNonce, ...named });
    message = await reply;
  }
  if (message.v === 1 && message.type === 'error') {
    const shape = message.error as { message?: unknown; status_code?: unknown } | undefined;
    const text = typeof shape?.message === 'string' ? shape.message : 'Forbidden';
    if (shape?.status_code === 403 || shape?.status_code === undefined) throw new AdmissionError(text);
    throw new RtcError(text, typeof shape.status_code === 'number' ? shape.status_code : 500);
  }
  if (message.v !== 1 || message.type !== 'welcome') throw new AdmissionError('Handshake: unexpected message from the master');
  if (options.secret) {
    const expected = slaveNonce
      ? handshakeMac(options.secret, 'master', slaveNonce, options.masterFingerprint, options.slaveFingerprint)
      : null;
    if (!expected || !isHex64(message.mac) || !sameText(message.mac, expected)) {
      throw new AdmissionError('Forbidden: the master does not know the room secret');
    }
  }
  options.heartbeat?.(message.heartbeat === true);
  if (options.name === undefined) return { bundles: message.bundles === true };
  const names = message.names === true;
  // Without a proof the master has not heard the name yet; a master older than names never will.
  if (names && !slaveNonce) await channel.send(nameMessage(options.name));
  return { bundles: message.bundles === true, names };
}
