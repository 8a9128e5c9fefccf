/**
 * Reading session descriptions: the SDP (RFC 8866) that JSEP (RFC 8829) writes for a data
 * channel, its host candidates (RFC 8839), and the DTLS certificate fingerprint it carries
 * (RFC 8122 `a=fingerprint`), which pairing tokens (`token.ts`) keep and the admission
 * handshake (`channel/handshake.ts`) binds. DOM-free apart from the two helpers at the end,
 * which read an RTCPeerConnection.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** The non-empty lines of an SDP, trimmed (CRLF or LF). */
export function sdpLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

/** The value of the first `a=<name>:` line (media level wins over session level), or null. */
export function sdpAttribute(lines: string[], name: string): string | null {
  const prefix = `a=${name}:`;
  const mIndex = lines.findIndex((l) => l.startsWith('m='));
  const media = mIndex >= 0 ? lines.slice(mIndex) : lines;
  const session = mIndex >= 0 ? lines.slice(0, mIndex) : [];
  for (const part of [media, session]) {
    const line = part.find((l) => l.startsWith(prefix));
    if (line !== undefined) return line.slice(prefix.length).trim();
  }
  return null;
}

/**
 * The DTLS fingerprint of an SDP, normalised to `sha-256 AB:CD:…` (upper-case hex).
 * @returns null when there is none.
 */
export function sdpFingerprint(sdp: string): string | null {
  const value = sdpAttribute(sdpLines(sdp), 'fingerprint');
  if (!value) return null;
  const [algorithm, hex] = value.split(/\s+/);
  if (!algorithm || !hex) return null;
  return `${algorithm.toLowerCase()} ${hex.toUpperCase()}`;
}

/** `AB:CD:…`: bytes as upper-case hex pairs joined by colons, as `a=fingerprint` writes them. */
export function fingerprintHex(bytes: Uint8Array): string {
  return bytesToHex(bytes).toUpperCase().replace(/(..)(?=.)/g, '$1:');
}

/** SHA-256 of a DER certificate in `a=fingerprint` form (`sha-256 AB:CD:…`). */
export function certificateFingerprint(der: ArrayBuffer | Uint8Array): string {
  return `sha-256 ${fingerprintHex(sha256(der instanceof Uint8Array ? der : new Uint8Array(der)))}`;
}

/** Host candidates of an SDP's lines (UDP, component 1 only), best (highest priority) first. */
export function hostCandidates(lines: string[]): { address: string; port: number }[] {
  const found: { address: string; port: number; priority: number }[] = [];
  for (const line of lines) {
    if (!line.startsWith('a=candidate:')) continue;
    const f = line.slice('a=candidate:'.length).split(/\s+/);
    // foundation component transport priority address port "typ" type …
    if (f.length < 8 || f[1] !== '1' || f[2]!.toLowerCase() !== 'udp' || f[6] !== 'typ' || f[7] !== 'host') continue;
    const port = Number(f[5]);
    const priority = Number(f[3]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
    if (found.some((c) => c.address === f[4] && c.port === port)) continue;
    found.push({ address: f[4]!, port, priority: Number.isFinite(priority) ? priority : 0 });
  }
  found.sort((a, b) => b.priority - a.priority); // stable: ties keep the SDP's order
  return found.map(({ address, port }) => ({ address, port }));
}

/** The DTLS fingerprints of both ends of `pc`, read from its descriptions (`sha-256 AB:…`; '' when missing). */
export function descriptionFingerprints(pc: RTCPeerConnection, localRole: 'master' | 'slave'): { masterFingerprint: string; slaveFingerprint: string } {
  const local = sdpFingerprint(pc.localDescription?.sdp ?? '') ?? '';
  const remote = sdpFingerprint(pc.remoteDescription?.sdp ?? '') ?? '';
  return localRole === 'master'
    ? { masterFingerprint: local, slaveFingerprint: remote }
    : { masterFingerprint: remote, slaveFingerprint: local };
}

/**
 * Whether the peer's DTLS certificate (RTCDtlsTransport.getRemoteCertificates, SHA-256 of the
 * DER) is the one whose fingerprint its offer or answer carried. DTLS already refuses a
 * certificate that does not match the remote description; this makes the promise explicit
 * where the browser exposes the certificate (Chromium does).
 * @returns false on a mismatch; true when it matches or cannot be checked here (no certificate
 *   exposed, or a fingerprint other than SHA-256: the check is then DTLS's own).
 */
export function remoteCertificateMatches(pc: RTCPeerConnection): boolean {
  const expected = sdpFingerprint(pc.remoteDescription?.sdp ?? '');
  const transport = pc.sctp?.transport as (RTCDtlsTransport & { getRemoteCertificates?: () => ArrayBuffer[] }) | undefined;
  if (!transport || typeof transport.getRemoteCertificates !== 'function') return true;
  const certificates = transport.getRemoteCertificates();
  if (certificates.length === 0) return true;
  if (!expected || !expected.startsWith('sha-256 ')) return true; // only SHA-256 is computed here
  return certificateFingerprint(certificates[0]!) === expected;
}
