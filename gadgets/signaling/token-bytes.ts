/**
 * The bytes of a compact pairing token (layout in token.ts) and their text: a writer and a reader
 * of its fields (ICE characters packed 6 bits each, RFC 8839's ice-char alphabet), and Crockford
 * base32 from `@scure/base`. DOM-free.
 */
import { base32crockford } from '@scure/base';
import { RtcError } from '../errors.js';

/** A character of a typed Crockford base32 token: its alphabet, any case, and O, I, L (read as 0, 1, 1). */
const CROCKFORD_TYPED = /^[0-9A-TV-Z]$/i;
/** RFC 8839 ice-char: what ICE usernames and passwords are made of, in the order tokens pack them. */
const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function bad(message: string): RtcError {
  return new RtcError(message, 400);
}

/** True when `s` is a non-empty run of ICE characters (what a token can pack). */
export function isIceChars(s: string): boolean {
  for (const c of s) if (!ICE_CHARS.includes(c)) return false;
  return s.length > 0;
}

/** Token bytes as text: Crockford base32, upper case, no padding. */
export function toBase32(bytes: Uint8Array): string {
  return base32crockford.encode(bytes);
}

/** Writes a token's bytes: bytes, big-endian uint16, raw runs, LEB128 varints, packed ICE characters. */
export class TokenWriter {
  private readonly bytes: number[] = [];
  byte(b: number): void {
    this.bytes.push(b & 0xff);
  }
  uint16(n: number): void {
    this.byte(n >> 8);
    this.byte(n);
  }
  raw(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.byte(b[i]!);
  }
  varint(n: number): void {
    do {
      const low = n % 128;
      n = Math.floor(n / 128);
      this.byte(n > 0 ? low | 0x80 : low);
    } while (n > 0);
  }
  iceChars(s: string): void {
    this.byte(s.length);
    let acc = 0;
    let bits = 0;
    for (const c of s) {
      acc = (acc << 6) | ICE_CHARS.indexOf(c);
      bits += 6;
      while (bits >= 8) {
        bits -= 8;
        this.byte(acc >> bits);
        acc &= (1 << bits) - 1;
      }
    }
    if (bits > 0) this.byte(acc << (8 - bits));
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/**
 * Reads a token's bytes back; every read past the end, or a malformed varint or ICE credential, throws
 * RtcError 400 with a message for the person who typed the token.
 */
export class TokenReader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.at >= this.bytes.length) throw bad('Token is too short: part of it is missing');
    return this.bytes[this.at++]!;
  }
  uint16(): number {
    return (this.byte() << 8) | this.byte();
  }
  raw(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw bad('Token is too short: part of it is missing');
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return n;
      scale *= 128;
    }
    throw bad('Token is malformed (bad number)');
  }
  iceChars(): string {
    const n = this.byte();
    if (n === 0) throw bad('Token is malformed (empty ICE credential)');
    const packed = this.raw(Math.ceil((n * 6) / 8));
    let s = '';
    let acc = 0;
    let bits = 0;
    let i = 0;
    while (s.length < n) {
      if (bits < 6) {
        acc = (acc << 8) | packed[i++]!;
        bits += 8;
      }
      bits -= 6;
      s += ICE_CHARS[(acc >> bits) & 63];
      acc &= (1 << bits) - 1;
    }
    return s;
  }
}

/**
 * Bytes of a typed token. Crockford's decoder (`@scure/base`) already reads any case and `O` as
 * 0, `I`/`L` as 1; the characters are checked here first so that the message names the one that
 * cannot be in a token, and its padding errors (a cut or mistyped last character) read as such.
 */
export function fromBase32(text: string): Uint8Array {
  for (const c of text) {
    if (!CROCKFORD_TYPED.test(c)) throw bad(`Token has a character that cannot be in a token: "${c}"`);
  }
  try {
    return base32crockford.decode(text);
  } catch {
    throw bad('Token is mistyped or incomplete (it does not end where a token can): copy it again');
  }
}
