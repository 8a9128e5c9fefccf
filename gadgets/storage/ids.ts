/**
 * Random ids. `crypto.randomUUID()` is missing outside secure contexts (LAN pages over plain
 * http, docs/architecture.md "Design rules"), so ids come from `crypto.getRandomValues`, which
 * works everywhere.
 */
import { bytesToHex } from '@noble/hashes/utils.js';

/** A random RFC 4122 version-4 UUID, `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx` (lower-case hex). */
export function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = bytesToHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
