/**
 * The broadcaster's HTTPS certificate (README "HTTPS on the LAN"): with `--https`, a self-signed
 * certificate for `localhost`, the loopback addresses and the machine's LAN addresses, made with the
 * `selfsigned` package (an ECDSA P-256 key, SHA-256 signature, 397 days: under the 398-day cap Apple
 * platforms put on server certificates) and kept in a per-user folder (`certificateDir`) so that the
 * next start reuses it and phones that accepted it once are not asked again. It is made anew only when
 * missing, unreadable, expiring within 30 days, or not covering an address the machine now has.
 * With `--cert`/`--key`, the user's own PEM files instead.
 *
 * The fingerprint shown (terminal banner, `/info.json`, the `/qr` page) is the SHA-256 of the
 * certificate's DER encoding, as browsers show it in their certificate viewers.
 */

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

import { generate } from 'selfsigned';

/** The certificate and key the HTTPS server uses (PEM). */
export interface TlsIdentity {
  cert: string;
  key: string;
  /** SHA-256 of the certificate (DER), upper-case hex pairs joined by `:`. */
  fingerprint: string;
  /** Where the certificate came from: generated now, reused from `dir`, or the user's own files. */
  source: 'generated' | 'reused' | 'given';
  /** The PEM certificate's path. */
  certPath: string;
}

/** File names inside `certificateDir()`. */
export const CERT_FILE = 'broadcaster-cert.pem';
export const KEY_FILE = 'broadcaster-key.pem';
/** Validity of a generated certificate, days. */
export const CERT_DAYS = 397;
/** A certificate expiring sooner than this is made anew, ms. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** A certificate problem the CLI reports in one line (bad files, key not matching). */
export class TlsError extends Error {}

/**
 * The per-user folder where the generated certificate is kept: `$XDG_CONFIG_HOME/rtc-gadgets` (else
 * `~/.config/rtc-gadgets`) on Linux and others, `~/Library/Application Support/rtc-gadgets` on
 * macOS, `%APPDATA%\rtc-gadgets` on Windows.
 */
export function certificateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'rtc-gadgets');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'rtc-gadgets');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'rtc-gadgets');
}

/** SHA-256 fingerprint of a PEM certificate, `AB:CD:…`. @throws {TlsError} when it is not one. */
export function fingerprintOf(certPem: string): string {
  try {
    return new X509Certificate(certPem).fingerprint256;
  } catch (error) {
    throw new TlsError(`not a PEM certificate: ${(error as Error).message}`);
  }
}

/** The names a certificate for `addresses` must cover: localhost, loopback and each address. */
function wantedNames(addresses: readonly string[]): { dns: string[]; ips: string[] } {
  const ips = [...new Set(['127.0.0.1', '::1', ...addresses.map((a) => a.replace(/^\[|\]$/g, ''))])];
  return { dns: ['localhost'], ips };
}

/** Whether `cert` is valid for a year-ish more and covers every wanted name. */
function stillGood(cert: X509Certificate, addresses: readonly string[], now: number): boolean {
  if (Date.parse(cert.validTo) - now < RENEW_BEFORE_MS || Date.parse(cert.validFrom) > now) return false;
  const { dns, ips } = wantedNames(addresses);
  return dns.every((name) => cert.checkHost(name) !== undefined) && ips.every((ip) => cert.checkIP(ip) !== undefined);
}

/**
 * The `--cert`/`--key` pair, checked: both readable PEM, and the key the certificate's.
 * @throws {TlsError} naming the file at fault.
 */
export function loadGivenIdentity(certPath: string, keyPath: string): TlsIdentity {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new TlsError(`cannot read the ${what} ${file}: ${(error as Error).message}`);
    }
  };
  const cert = read(certPath, 'certificate');
  const key = read(keyPath, 'key');
  const fingerprint = fingerprintOf(cert);
  let matches: boolean;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (error) {
    throw new TlsError(`${keyPath} is not a PEM private key: ${(error as Error).message}`);
  }
  if (!matches) throw new TlsError(`${keyPath} is not the key of the certificate ${certPath}`);
  return { cert, key, fingerprint, source: 'given', certPath: path.resolve(certPath) };
}

/**
 * The certificate kept in `dir` when still good for `addresses`, else a new one generated and
 * written there (the folder made with mode 0700, the key with 0600, both replaced atomically).
 * @param addresses the LAN addresses the broadcaster is reached at (loopback is always added).
 * @throws {TlsError} when `dir` cannot be written.
 */
export async function loadOrCreateIdentity(dir: string, addresses: readonly string[], now = Date.now()): Promise<TlsIdentity> {
  const certPath = path.join(dir, CERT_FILE);
  const keyPath = path.join(dir, KEY_FILE);
  let previousIps: string[] = [];
  if (existsSync(certPath) && existsSync(keyPath)) {
    try {
      const given = loadGivenIdentity(certPath, keyPath);
      const cert = new X509Certificate(given.cert);
      if (stillGood(cert, addresses, now)) return { ...given, source: 'reused' };
      previousIps = [...(cert.subjectAltName ?? '').matchAll(/IP Address:([0-9A-Fa-f:.]+)/g)].map((m) => m[1]!)
        .filter((ip) => !ip.startsWith('127.') && ip !== '0:0:0:0:0:0:0:1');
    } catch {
      // unreadable or mismatched: made anew below
    }
  }
  // The previous certificate's addresses are kept (the last 16), so that a laptop moving between
  // networks and back does not make a new certificate, and phones ask again, at every move.
  const { dns, ips } = wantedNames([...previousIps.slice(-16), ...addresses]);
  const notBeforeDate = new Date(now - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'rtc-gadgets broadcaster' }, { name: 'organizationName', value: 'rtc-gadgets' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + CERT_DAYS * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...dns.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const [file, text, mode] of [[keyPath, pems.private, 0o600], [certPath, pems.cert, 0o644]] as const) {
      writeFileSync(`${file}.tmp`, text, { mode });
      renameSync(`${file}.tmp`, file);
    }
  } catch (error) {
    throw new TlsError(`cannot keep the certificate in ${dir}: ${(error as Error).message}`);
  }
  return { cert: pems.cert, key: pems.private, fingerprint: fingerprintOf(pems.cert), source: 'generated', certPath };
}
