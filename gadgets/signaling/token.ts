/**
 * Compact pairing tokens for manual signaling (`signaling="manual"`): a LAN offer or answer
 * reduced to what a data channel needs, small enough for one easily scanned QR code and short
 * enough to type, and the valid SDP rebuilt from it on the other side. DOM-free.
 *
 * What a data channel needs from an SDP (RFC 8829 JSEP, RFC 8841 SCTP-over-DTLS, RFC 8839 ICE):
 * the ICE username fragment and password, the DTLS certificate fingerprint (SHA-256), the DTLS
 * role (`a=setup`), the host candidates (IPv4, IPv6 and `<uuid>.local` mDNS names, UDP only;
 * there is no STUN on the LAN), and the SCTP port and largest message size. Everything else
 * (session ids, codecs, `a=extmap`, candidate foundations and priorities) is rebuilt.
 *
 * Binary layout, version 1 (then Crockford base32, upper case, so that a QR code stores it in
 * its compact alphanumeric mode and a person can type it: case, `O`/`0` and `I`/`L`/`1` do not
 * matter, and spaces or dashes between groups are ignored):
 * ```
 * byte     (version << 4) | kind        kind 0 = offer (setup actpass), 1 = answer (setup active),
 *                                       2 = answer (setup passive)
 * byte     flags                         bit 0: mid other than "0" follows; bit 1: SCTP port other
 *                                        than 5000 follows; bit 2: a=max-message-size other than
 *                                        262144 follows; bit 3: no a=max-message-size
 * ice      ice-ufrag, then ice-pwd:      count byte n, then the n ice-chars (RFC 8839: the base64
 *                                        alphabet) packed 6 bits each, ceil(6n / 8) bytes
 * 32 bytes SHA-256 DTLS fingerprint
 * [mid]    length byte + UTF-8           if flag bit 0
 * [port]   uint16                        if flag bit 1
 * [size]   unsigned LEB128 varint        if flag bit 2
 * byte     candidate count, then each:   byte kind (0 IPv4 + 4 bytes, 1 IPv6 + 16 bytes,
 *                                        2 `<uuid>.local` + 16 bytes, 3 other host name: length
 *                                        byte + ASCII), then the port as uint16
 * 2 bytes  check: the first two bytes of SHA-256 of everything before (catches typing mistakes)
 * ```
 * A Chromium offer with one IPv4 candidate is 67 bytes, 108 characters; with one mDNS name
 * instead (Chromium's default on a LAN), 127 characters; with an IPv4 and an IPv6 one, 138
 * characters. Each is one QR code of version 5 or 6 (37 or 41 modules a side).
 *
 * A token carries the peer's DTLS fingerprint and ICE password: it is a pairing secret. Whoever
 * swaps it in transit can put themselves between the two browsers, so carry it over a path you
 * trust (the screen, a QR code, typing), and do not publish it. See the README.
 *
 * A full SDP (as text, or the JSON `{ type, sdp }` of cjb/serverless-webrtc) is accepted
 * wherever a token is, and `encodeToken` falls back to it when an SDP cannot be reduced (a
 * fingerprint other than SHA-256, an offer that is not `actpass`).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { RtcError } from '../errors.js';
import { fingerprintHex, hostCandidates, sdpAttribute as attribute, sdpFingerprint, sdpLines } from './sdp.js';
import { ipv4Bytes, ipv6Bytes, ipv6Text } from './ip-address.js';
import { fromBase32, isIceChars, toBase32, TokenReader, TokenWriter } from './token-bytes.js';

export type TokenKind = 'offer' | 'answer';

/** What a token says, decoded (for display and checks). */
export interface TokenInfo {
  kind: TokenKind;
  /** `sha-256 AB:CD:…` in upper-case hex, as in `a=fingerprint`. */
  fingerprint: string;
  /** `address port` of each host candidate, best first. */
  candidates: { address: string; port: number }[];
  /** The rebuilt (or, for a full SDP, the given) session description. */
  sdp: string;
  /** True when the text was a full SDP rather than a compact token. */
  full: boolean;
}

export const TOKEN_VERSION = 1;
/** Most candidates carried (a machine with more interfaces keeps the best ones). */
export const MAX_TOKEN_CANDIDATES = 12;
/** Longest text accepted by `decodeToken` (a full SDP of a data channel is about 1 KB). */
export const MAX_TOKEN_TEXT = 32 * 1024;

const KINDS = [
  { kind: 'offer', setup: 'actpass' },
  { kind: 'answer', setup: 'active' },
  { kind: 'answer', setup: 'passive' },
] as const;
/** Chromium's and Safari's a=max-message-size, left out of tokens. */
const DEFAULT_MAX_MESSAGE_SIZE = 262144;
const CAND_IPV4 = 0;
const CAND_IPV6 = 1;
const CAND_MDNS = 2;
const CAND_NAME = 3;
const UUID_LOCAL = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\.local$/i;

/** The parts of a data-channel SDP a token keeps. */
interface Essentials {
  kind: TokenKind;
  setup: 'actpass' | 'active' | 'passive';
  ufrag: string;
  pwd: string;
  fingerprint: Uint8Array;
  mid: string;
  sctpPort: number;
  maxMessageSize: number | null;
  candidates: { address: string; port: number }[];
}

function bad(message: string): RtcError {
  return new RtcError(message, 400);
}

// ---------------------------------------------------------------- SDP reading

/** Reads what a token keeps from an SDP; null when the SDP cannot be reduced. */
function essentials(kind: TokenKind, sdp: string): Essentials | null {
  const lines = sdpLines(sdp);
  const mLines = lines.filter((l) => l.startsWith('m='));
  if (mLines.length !== 1 || !/^m=application \d+ (UDP\/)?DTLS\/SCTP webrtc-datachannel$/.test(mLines[0]!)) return null;
  const ufrag = attribute(lines, 'ice-ufrag');
  const pwd = attribute(lines, 'ice-pwd');
  const setup = attribute(lines, 'setup');
  const fp = sdpFingerprint(sdp);
  if (!ufrag || !pwd || !fp || !setup) return null;
  if (!isIceChars(ufrag) || !isIceChars(pwd) || ufrag.length > 255 || pwd.length > 255) return null;
  if (kind === 'offer' ? setup !== 'actpass' : setup !== 'active' && setup !== 'passive') return null;
  const [algorithm, hex] = fp.split(' ');
  if (algorithm !== 'sha-256' || !/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(hex!)) return null;
  const fingerprint = hexToBytes(hex!.replace(/:/g, ''));
  const mid = attribute(lines, 'mid') ?? '0';
  const sctpPort = Number(attribute(lines, 'sctp-port') ?? '5000');
  const size = attribute(lines, 'max-message-size');
  const maxMessageSize = size === null ? null : Number(size);
  if (!Number.isInteger(sctpPort) || sctpPort < 1 || sctpPort > 65535) return null;
  if (maxMessageSize !== null && !(Number.isSafeInteger(maxMessageSize) && maxMessageSize >= 0)) return null;
  if (new TextEncoder().encode(mid).length > 255) return null;
  return {
    kind,
    setup: setup as Essentials['setup'],
    ufrag,
    pwd,
    fingerprint,
    mid,
    sctpPort,
    maxMessageSize,
    candidates: hostCandidates(lines).slice(0, MAX_TOKEN_CANDIDATES),
  };
}

// ---------------------------------------------------------------- SDP writing

/** A minimal, valid data-channel SDP (JSEP §5.2 / §5.3) from a token's essentials. */
function buildSdp(e: Essentials): string {
  // A stable session id from the fingerprint (any 63-bit number will do).
  let sessionId = 0;
  for (let i = 0; i < 6; i++) sessionId = sessionId * 256 + e.fingerprint[i]!;
  const lines = [
    'v=0',
    `o=- ${sessionId} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    `a=group:BUNDLE ${e.mid}`,
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
  ];
  e.candidates.forEach((c, i) => {
    // Host type preference 126, local preference by rank, component 1 (RFC 8445 §5.1.2.1).
    const priority = 126 * 2 ** 24 + (65535 - i) * 2 ** 8 + 255;
    lines.push(`a=candidate:${i + 1} 1 udp ${priority} ${c.address} ${c.port} typ host generation 0`);
  });
  lines.push(
    'a=end-of-candidates',
    `a=ice-ufrag:${e.ufrag}`,
    `a=ice-pwd:${e.pwd}`,
    `a=fingerprint:sha-256 ${fingerprintHex(e.fingerprint)}`,
    `a=setup:${e.setup}`,
    `a=mid:${e.mid}`,
    `a=sctp-port:${e.sctpPort}`,
  );
  if (e.maxMessageSize !== null) lines.push(`a=max-message-size:${e.maxMessageSize}`);
  return `${lines.join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------- tokens

function pack(e: Essentials): Uint8Array {
  const w = new TokenWriter();
  const kindIndex = KINDS.findIndex((k) => k.kind === e.kind && k.setup === e.setup);
  w.byte((TOKEN_VERSION << 4) | kindIndex);
  const flags = (e.mid !== '0' ? 1 : 0) | (e.sctpPort !== 5000 ? 2 : 0)
    | (e.maxMessageSize === null ? 8 : e.maxMessageSize !== DEFAULT_MAX_MESSAGE_SIZE ? 4 : 0);
  w.byte(flags);
  w.iceChars(e.ufrag);
  w.iceChars(e.pwd);
  w.raw(e.fingerprint);
  if (flags & 1) {
    const mid = new TextEncoder().encode(e.mid);
    w.byte(mid.length);
    w.raw(mid);
  }
  if (flags & 2) w.uint16(e.sctpPort);
  if (flags & 4) w.varint(e.maxMessageSize!);
  w.byte(e.candidates.length);
  for (const c of e.candidates) {
    const v4 = ipv4Bytes(c.address);
    const v6 = v4 ? null : ipv6Bytes(c.address);
    const mdns = UUID_LOCAL.exec(c.address);
    if (v4) {
      w.byte(CAND_IPV4);
      w.raw(v4);
    } else if (v6) {
      w.byte(CAND_IPV6);
      w.raw(v6);
    } else if (mdns) {
      w.byte(CAND_MDNS);
      w.raw(hexToBytes(mdns.slice(1).join('')));
    } else {
      const name = Array.from(c.address).filter((ch) => ch.charCodeAt(0) < 128).join('').slice(0, 255);
      w.byte(CAND_NAME);
      w.byte(name.length);
      w.raw(Array.from(name, (ch) => ch.charCodeAt(0)));
    }
    w.uint16(c.port);
  }
  const body = w.done();
  const check = sha256(body);
  const out = new Uint8Array(body.length + 2);
  out.set(body);
  out[body.length] = check[0]!;
  out[body.length + 1] = check[1]!;
  return out;
}

function unpack(bytes: Uint8Array): Essentials {
  if (bytes.length < 4) throw bad('Token is too short: part of it is missing');
  const body = bytes.subarray(0, bytes.length - 2);
  const check = sha256(body);
  if (check[0] !== bytes[bytes.length - 2] || check[1] !== bytes[bytes.length - 1]) {
    throw bad('Token is mistyped or incomplete (its check characters do not match): copy it again');
  }
  const r = new TokenReader(body);
  const head = r.byte();
  if (head >> 4 !== TOKEN_VERSION) throw bad(`Token is of version ${head >> 4}; this page reads version ${TOKEN_VERSION}`);
  const k = KINDS[head & 15];
  if (!k) throw bad('Token is malformed (unknown kind)');
  const flags = r.byte();
  const ufrag = r.iceChars();
  const pwd = r.iceChars();
  const fingerprint = r.raw(32);
  const mid = flags & 1 ? new TextDecoder().decode(r.raw(r.byte())) : '0';
  const sctpPort = flags & 2 ? r.uint16() : 5000;
  const maxMessageSize = flags & 8 ? null : flags & 4 ? r.varint() : DEFAULT_MAX_MESSAGE_SIZE;
  const count = r.byte();
  const candidates: { address: string; port: number }[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r.byte();
    let address: string;
    if (kind === CAND_IPV4) address = Array.from(r.raw(4)).join('.');
    else if (kind === CAND_IPV6) address = ipv6Text(r.raw(16));
    else if (kind === CAND_MDNS) {
      const h = bytesToHex(r.raw(16));
      address = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}.local`;
    } else if (kind === CAND_NAME) {
      address = String.fromCharCode(...r.raw(r.byte()));
      if (!/^[A-Za-z0-9.:_-]+$/.test(address)) throw bad('Token is malformed (bad host name)');
    } else throw bad('Token is malformed (unknown address kind)');
    const port = r.uint16();
    if (port === 0) throw bad('Token is malformed (port 0)');
    candidates.push({ address, port });
  }
  if (r.at !== body.length) throw bad('Token is malformed (extra data at the end)');
  if (/[\r\n]/.test(mid)) throw bad('Token is malformed (bad mid)');
  return { kind: k.kind, setup: k.setup, ufrag, pwd, fingerprint, mid, sctpPort, maxMessageSize, candidates };
}

/**
 * The token for a local offer or answer: compact when the SDP allows it, else the full SDP.
 * Call it after gathering (non-trickle), with `pc.localDescription.sdp`.
 */
export function encodeToken(kind: TokenKind, sdp: string): string {
  const e = essentials(kind, sdp);
  if (!e) return sdp.replace(/\r?\n/g, '\r\n');
  return toBase32(pack(e));
}

/**
 * Reads a token (compact, or a full SDP as text or `{ type, sdp }` JSON).
 * @param expected the kind the caller needs; another kind is refused with a message saying so.
 * @throws RtcError 400 with a message meant for the person who pasted it.
 */
export function decodeToken(text: string, expected?: TokenKind): TokenInfo {
  if (typeof text !== 'string') throw bad('A token must be text');
  if (text.length > MAX_TOKEN_TEXT) throw bad(`Token is too long (over ${MAX_TOKEN_TEXT} characters)`);
  const trimmed = text.trim();
  if (trimmed === '') throw bad('The token is empty: paste or type it first');
  let info: TokenInfo;
  if (trimmed.startsWith('{') || /(^|\s)v=0(\s|$)/.test(trimmed)) {
    info = fullSdp(trimmed);
  } else {
    const compact = trimmed.replace(/[\s\-–—.·]+/g, '');
    const e = unpack(fromBase32(compact));
    info = {
      kind: e.kind,
      fingerprint: `sha-256 ${fingerprintHex(e.fingerprint)}`,
      candidates: e.candidates,
      sdp: buildSdp(e),
      full: false,
    };
  }
  if (expected && info.kind !== expected) {
    throw bad(expected === 'answer'
      ? 'This is an offer token, not an answer: paste the answer that the master shows'
      : 'This is an answer token, not an offer: paste the offer that the slave shows');
  }
  return info;
}

function fullSdp(text: string): TokenInfo {
  let sdp = text;
  let kind: TokenKind | null = null;
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw bad('Token looks like JSON but is not valid JSON');
    }
    const p = parsed as { type?: unknown; sdp?: unknown };
    if (typeof p.sdp !== 'string' || (p.type !== 'offer' && p.type !== 'answer')) {
      throw bad('A JSON token needs "type" ("offer" or "answer") and "sdp"');
    }
    sdp = p.sdp;
    kind = p.type;
  }
  sdp = `${sdp.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).join('\r\n')}\r\n`;
  if (!sdp.startsWith('v=0')) throw bad('A full SDP must start with "v=0"');
  const lines = sdpLines(sdp);
  const setup = attribute(lines, 'setup');
  kind ??= setup === 'actpass' ? 'offer' : 'answer';
  const fingerprint = sdpFingerprint(sdp);
  if (!fingerprint) throw bad('This SDP has no a=fingerprint line');
  return { kind, fingerprint, candidates: hostCandidates(lines), sdp, full: true };
}

/** The token in groups of four characters, for reading aloud or typing (decoding ignores spaces). */
export function groupToken(token: string): string {
  if (/\s|v=0/.test(token)) return token; // a full SDP stays as it is
  return token.replace(/(.{4})(?=.)/g, '$1 ');
}
