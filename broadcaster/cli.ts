/**
 * `rtc-broadcaster [--port N] [--host ADDR] [--https | --cert FILE --key FILE] [--site-port N] [--no-qr]`: runs the
 * broadcaster and prints where to reach it. `PORT` and `HOST` in the environment stand for `--port`
 * and `--host` (the flags win).
 *
 * The first stdout line is always `rtc-broadcaster listening on http://HOST:PORT/` (`https://` with
 * `--https` or `--cert`) with the real port (so `--port 0` can be parsed by scripts); then one line
 * per reachable address, each holding `http(s)://ADDR:PORT/`; over HTTPS then
 * `Certificate SHA-256: AB:CD:…`, where the certificate comes from, and the QR page URL (`tls.ts`,
 * `qr-page.ts`); then the master and slave page URLs; then (unless `--no-qr`) the slave page
 * URL as a QR code drawn with block characters (`terminal-qr.ts`), to scan with a phone. Logs go to stderr. Bad
 * arguments print the usage on stderr and exit with code 2; SIGINT/SIGTERM close the server and
 * exit 0.
 */

import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs as parseArgv } from 'node:util';

import { SIGNALING_PATH } from '../gadgets/signaling/messages.js';
import { httpUrl, isWildcardHost, lanAddresses, listenAddresses } from './addresses.js';
import { QR_PAGE_PATH } from './info.js';
import { createBroadcaster } from './server.js';
import type { Broadcaster, BroadcasterOptions } from './server.js';
import { terminalQr } from './terminal-qr.js';
import { TlsError, certificateDir, loadGivenIdentity, loadOrCreateIdentity } from './tls.js';

export const USAGE = `Usage: rtc-broadcaster [--port N] [--host ADDR] [--https | --cert FILE --key FILE] [--no-qr]

Serves the rtc-gadgets demo pages and bundles to the LAN and relays WebRTC signaling
(WebSocket at ${SIGNALING_PATH}).

Options:
  --port N       TCP port, 0 for any free port (default 9999)
  --host ADDR    address to listen on (default 0.0.0.0: every interface)
  --https        serve HTTPS and wss with a self-signed certificate for this machine's
                 addresses, made once and kept in ${certificateDir().replace(homedir(), '~')}
  --cert FILE    serve HTTPS with this PEM certificate (needs --key)
  --key FILE     the PEM private key of --cert
  --site-port N  also listen on port N: the second origin that <rtc-site> serves sites from
                 with a Service Worker (0 for any free port; default: the next port with
                 --https or --cert, none on plain http, where no Service Worker can run)
  --no-qr        do not print the slave page URL as a QR code
  --help         show this help

Environment:
  PORT, HOST     defaults for --port and --host (the flags win)
`;

/** A bad flag or environment variable: the CLI prints its message and the usage, and exits 2. */
export class UsageError extends Error {}

/** How to serve HTTPS: a certificate kept in `certificateDir()`, or the user's own files. */
export type HttpsChoice = { self: true } | { self: false; cert: string; key: string };

export type CliCommand = { help: true } | { help: false; options: BroadcasterOptions; qr: boolean; https?: HttpsChoice };

/** The flags `node:util` `parseArgs` knows; the last three are hidden, for tests. */
const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'site-port': { type: 'string' },
  'no-qr': { type: 'boolean' },
  https: { type: 'boolean' },
  cert: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  'ping-interval': { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-burst': { type: 'string' },
} as const;

type Flag = keyof typeof FLAGS;

function integer(name: string, value: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(value)) throw new UsageError(`${name} needs an integer, not "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}`);
  return n;
}

function hostAddress(name: string, value: string): string {
  if (!/^[A-Za-z0-9.:%_-]{1,255}$/.test(value)) throw new UsageError(`${name}: bad address "${value}"`);
  return value;
}

/**
 * The flags given, as strings (booleans as ''), the last of repeated ones winning. Parsed with
 * `node:util` `parseArgs` in its lenient mode and checked here, so that every mistake gets a message
 * naming the flag as typed.
 * @throws {UsageError} for an unknown flag, a positional argument, a value missing or given to
 * `--no-qr` or `--https`.
 */
function flagValues(argv: readonly string[]): Partial<Record<Flag, string>> {
  const { tokens } = parseArgv({ args: [...argv], options: FLAGS, strict: false, allowPositionals: true, tokens: true });
  const values: Partial<Record<Flag, string>> = {};
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`unknown argument "${token.value}"`);
    if (token.kind === 'option-terminator') throw new UsageError('unknown argument "--"');
    if (!Object.prototype.hasOwnProperty.call(FLAGS, token.name)) throw new UsageError(`unknown argument "${token.rawName}"`);
    const name = token.name as Flag;
    if (FLAGS[name].type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      values[name] = '';
    } else {
      // Lenient parseArgs takes the next argument even when it is a flag: `--port --host x`.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
        throw new UsageError(`${token.rawName} needs a value`);
      }
      values[name] = token.value;
    }
  }
  return values;
}

/**
 * Parses the command line (without `node` and the script) and the environment. Accepts
 * `--flag value` and `--flag=value`; `PORT` and `HOST` (when set and not empty) give defaults that
 * the flags override. Hidden, for tests: `--ping-interval MS`, `--rate-limit N` (0 = off),
 * `--rate-burst N`.
 * @throws {UsageError} on anything else, or a bad value from the environment.
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliCommand {
  const flags = flagValues(argv);
  if (flags.help !== undefined) return { help: true };
  const options: BroadcasterOptions = {};
  const port = flags.port !== undefined ? ['--port', flags.port] : env.PORT ? ['PORT', env.PORT] : undefined;
  if (port) options.port = integer(port[0]!, port[1]!, 0, 65535);
  const host = flags.host !== undefined ? ['--host', flags.host] : env.HOST ? ['HOST', env.HOST] : undefined;
  if (host) options.host = hostAddress(host[0]!, host[1]!);
  if (flags['site-port'] !== undefined) options.sitePort = integer('--site-port', flags['site-port'], 0, 65535);
  if (flags['ping-interval'] !== undefined) options.pingInterval = integer('--ping-interval', flags['ping-interval'], 10, 86_400_000);
  if (flags['rate-limit'] !== undefined) options.rateLimit = integer('--rate-limit', flags['rate-limit'], 0, 1_000_000);
  if (flags['rate-burst'] !== undefined) options.rateBurst = integer('--rate-burst', flags['rate-burst'], 1, 1_000_000);
  const command: CliCommand = { help: false, options, qr: flags['no-qr'] === undefined };
  if (flags.cert !== undefined || flags.key !== undefined) {
    if (flags.cert === undefined || flags.key === undefined) throw new UsageError('--cert and --key go together');
    if (flags.https !== undefined) throw new UsageError('--https makes its own certificate: give it or --cert/--key, not both');
    command.https = { self: false, cert: flags.cert, key: flags.key };
  } else if (flags.https !== undefined) command.https = { self: true };
  // On HTTPS, <rtc-site>'s Service Worker path needs a second origin: the next port, unless told.
  if (command.https && options.sitePort === undefined) options.sitePort = options.port === 0 ? 0 : (options.port ?? 9999) + 1;
  return command;
}

/**
 * The lines printed once listening (see the module doc). `certificate`: over HTTPS, where the
 * certificate came from, e.g. `kept in ~/.config/rtc-gadgets`.
 */
export function bannerLines(broadcaster: Pick<Broadcaster, 'host' | 'port' | 'urls'> & Partial<Pick<Broadcaster, 'fingerprint' | 'sitePort'>>,
  lan: string[] = lanAddresses(), certificate = ''): string[] {
  const { host, port, urls } = broadcaster;
  const secure = Boolean(broadcaster.fingerprint);
  const wildcard = isWildcardHost(host);
  const lines = [`rtc-broadcaster listening on ${httpUrl(host, port, '/', secure)}`];
  for (const url of urls) {
    const local = /^https?:\/\/(127\.|localhost:|\[::1\]:)/.test(url);
    lines.push(`  ${local ? 'Local:' : 'LAN:  '}  ${url}`);
  }
  const masterHost = wildcard ? '127.0.0.1' : host;
  const slaveHost = wildcard ? lan[0] ?? '127.0.0.1' : host;
  if (broadcaster.fingerprint) {
    lines.push(`Certificate SHA-256: ${broadcaster.fingerprint}${certificate ? ` (${certificate})` : ''}`);
    lines.push(`QR page with the fingerprint: ${httpUrl(slaveHost, port, QR_PAGE_PATH, true)}`);
  }
  lines.push(`Master page: ${httpUrl(masterHost, port, '/demo/master.html', secure)}`);
  lines.push(`Slave page: ${httpUrl(slaveHost, port, '/demo/slave.html', secure)}`);
  if (broadcaster.sitePort !== undefined) lines.push(`Site port (<rtc-site> Service Worker path): ${broadcaster.sitePort}`);
  return lines;
}

/**
 * The certificate and key for `choice`, and a few words on where they came from.
 * @throws {TlsError} for unreadable or mismatched files, or a folder that cannot be written.
 */
async function tlsFor(choice: HttpsChoice, host: string): Promise<{ tls: { cert: string; key: string }; certificate: string }> {
  if (!choice.self) {
    const given = loadGivenIdentity(choice.cert, choice.key);
    return { tls: given, certificate: `from ${given.certPath}` };
  }
  const dir = certificateDir();
  const identity = await loadOrCreateIdentity(dir, listenAddresses(host));
  const where = dir.replace(homedir(), '~');
  return { tls: identity, certificate: identity.source === 'generated' ? `new, kept in ${where}` : `kept in ${where}` };
}

/** Runs the CLI; resolves once the server listens (or right away for --help and errors). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let command: CliCommand;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`rtc-broadcaster: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (command.help) {
    process.stdout.write(USAGE);
    return;
  }
  let broadcaster: Broadcaster;
  let certificate = '';
  try {
    if (command.https) {
      const chosen = await tlsFor(command.https, command.options.host ?? '0.0.0.0');
      command.options.tls = chosen.tls;
      certificate = chosen.certificate;
    }
  } catch (error) {
    if (!(error instanceof TlsError)) throw error;
    process.stderr.write(`rtc-broadcaster: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  try {
    broadcaster = await createBroadcaster({
      ...command.options,
      log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const port = command.options.port ?? 9999;
    const hint = code === 'EADDRINUSE' ? ` (port ${port} is in use: try --port 0 or another port)` : '';
    process.stderr.write(`rtc-broadcaster: cannot listen: ${error instanceof Error ? error.message : String(error)}${hint}\n`);
    process.exitCode = 1;
    return;
  }
  // Before printing: a script that reads the first line and signals at once must find the handlers.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`${new Date().toISOString()} ${signal}: shutting down\n`);
    broadcaster.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const banner = bannerLines(broadcaster, undefined, certificate);
  process.stdout.write(`${banner.join('\n')}\n`);
  if (command.qr) {
    const slavePage = banner[banner.length - 1]!.replace(/^Slave page: /, '');
    try {
      process.stdout.write(`Scan to open the slave page on a phone:\n${terminalQr(slavePage)}\n`);
    } catch (error) {
      process.stderr.write(`rtc-broadcaster: cannot draw the QR code: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((error: unknown) => {
    process.stderr.write(`rtc-broadcaster: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  });
}
