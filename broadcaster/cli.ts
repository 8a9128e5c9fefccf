/**
 * `rtc-broadcaster [--port N] [--host ADDR] [--no-qr]`: runs the broadcaster and prints where to
 * reach it.
 *
 * The first stdout line is always `rtc-broadcaster listening on http://HOST:PORT/` with the real
 * port (so `--port 0` can be parsed by scripts); then one line per reachable address, each holding
 * `http://ADDR:PORT/`; then the master and slave page URLs; then (unless `--no-qr`) the slave page
 * URL as a QR code drawn with block characters, to scan with a phone. Logs go to stderr. Bad
 * arguments print the usage on stderr and exit with code 2; SIGINT/SIGTERM close the server and
 * exit 0.
 */

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { toString as qrToString } from 'qrcode/lib/server.js';

import { SIGNALING_PATH } from '../gadgets/signaling/messages.js';
import { httpUrl, isWildcardHost, lanAddresses } from './addresses.js';
import { createBroadcaster } from './server.js';
import type { Broadcaster, BroadcasterOptions } from './server.js';

export const USAGE = `Usage: rtc-broadcaster [--port N] [--host ADDR] [--no-qr]

Serves the rtc-gadgets demo pages and bundles to the LAN and relays WebRTC signaling
(WebSocket at ${SIGNALING_PATH}).

Options:
  --port N       TCP port, 0 for any free port (default 9999)
  --host ADDR    address to listen on (default 0.0.0.0: every interface)
  --no-qr        do not print the slave page URL as a QR code
  --help         show this help
`;

export class UsageError extends Error {}

export type CliCommand = { help: true } | { help: false; options: BroadcasterOptions; qr: boolean };

function integer(flag: string, value: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(value)) throw new UsageError(`${flag} needs an integer, not "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}`);
  return n;
}

/**
 * Parses the command line (without `node` and the script). Accepts `--flag value` and
 * `--flag=value`. Hidden, for tests: `--ping-interval MS`, `--rate-limit N` (0 = off).
 * @throws {UsageError} on anything else.
 */
export function parseArgs(argv: readonly string[]): CliCommand {
  const options: BroadcasterOptions = {};
  let qr = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: true };
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    let value: string | undefined;
    const takeValue = (): string => {
      if (eq !== -1 && arg.startsWith('--')) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      i++;
      return next;
    };
    switch (flag) {
      case '--port':
        options.port = integer(flag, takeValue(), 0, 65535);
        break;
      case '--host':
        value = takeValue();
        if (!/^[A-Za-z0-9.:%_-]{1,255}$/.test(value)) throw new UsageError(`--host: bad address "${value}"`);
        options.host = value;
        break;
      case '--ping-interval':
        options.pingInterval = integer(flag, takeValue(), 10, 86_400_000);
        break;
      case '--rate-limit':
        options.rateLimit = integer(flag, takeValue(), 0, 1_000_000);
        break;
      case '--no-qr':
        if (eq !== -1) throw new UsageError('--no-qr takes no value');
        qr = false;
        break;
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  return { help: false, options, qr };
}

/** The lines printed once listening (see the module doc). */
export function bannerLines(broadcaster: Pick<Broadcaster, 'host' | 'port' | 'urls'>, lan: string[] = lanAddresses()): string[] {
  const { host, port, urls } = broadcaster;
  const wildcard = isWildcardHost(host);
  const lines = [`rtc-broadcaster listening on ${httpUrl(host, port)}`];
  for (const url of urls) {
    const local = url.startsWith('http://127.') || url.startsWith('http://localhost:') || url.startsWith('http://[::1]:');
    lines.push(`  ${local ? 'Local:' : 'LAN:  '}  ${url}`);
  }
  const masterHost = wildcard ? '127.0.0.1' : host;
  const slaveHost = wildcard ? lan[0] ?? '127.0.0.1' : host;
  lines.push(`Master page: ${httpUrl(masterHost, port, '/demo/master.html')}`);
  lines.push(`Slave page: ${httpUrl(slaveHost, port, '/demo/slave.html')}`);
  return lines;
}

/**
 * The slave page URL (the last banner line) as a QR code for a terminal: two rows of modules per
 * text line (block characters, black on white, `qrcode`'s small terminal renderer).
 */
export async function slavePageQr(slavePageUrl: string): Promise<string> {
  return qrToString(slavePageUrl, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
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
  const banner = bannerLines(broadcaster);
  process.stdout.write(`${banner.join('\n')}\n`);
  if (command.qr) {
    const slavePage = banner[banner.length - 1]!.replace(/^Slave page: /, '');
    try {
      process.stdout.write(`Scan to open the slave page on a phone:\n${await slavePageQr(slavePage)}\n`);
    } catch (error) {
      process.stderr.write(`rtc-broadcaster: cannot draw the QR code: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`${new Date().toISOString()} ${signal}: shutting down\n`);
    broadcaster.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
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
