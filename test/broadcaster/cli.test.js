// The CLI's arguments and environment: PORT and HOST stand for --port and --host, the flags win; bad
// flags and bad variables get one clear line and the usage on stderr, exit code 2. Also the terminal
// QR renderer. Run after building: npx tsc -p broadcaster/tsconfig.json && node --test test/broadcaster/
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/rtc-broadcaster.js', import.meta.url));
const { parseArgs, USAGE } = await import(new URL('../../dist/broadcaster/cli.js', import.meta.url).href);
const { renderHalfBlocks } = await import(new URL('../../dist/broadcaster/terminal-qr.js', import.meta.url).href);

/** The process environment without PORT and HOST, plus `extra`. */
function envWith(extra) {
  const env = { ...process.env };
  delete env.PORT;
  delete env.HOST;
  return { ...env, ...extra };
}

/**
 * Runs the CLI with `args` and `env`; once it printed its first line (or exited), stops it.
 * @returns {{ code: number | null, first: string, stdout: string, stderr: string }}
 */
async function run(args, env) {
  const child = spawn(process.execPath, [BIN, ...args], { env: envWith(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const exited = once(child, 'exit');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
    if (stdout.includes('\n') && !child.killed) child.kill('SIGTERM');
  });
  const [code] = await exited;
  clearTimeout(timer);
  return { code, first: stdout.split('\n')[0], stdout, stderr };
}

describe('CLI environment', () => {
  test('PORT and HOST are used when no flag is given', async () => {
    const { code, first } = await run(['--no-qr'], { PORT: '0', HOST: '127.0.0.1' });
    assert.match(first, /^rtc-broadcaster listening on http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.notEqual(first, 'rtc-broadcaster listening on http://127.0.0.1:0/', 'the real port is printed');
    assert.equal(code, 0);
  });

  test('--port and --host win over PORT and HOST, even bad ones', async () => {
    const { code, first, stderr } = await run(['--no-qr', '--port', '0', '--host', '127.0.0.1'], { PORT: 'nope', HOST: 'bad host!' });
    assert.match(first, /^rtc-broadcaster listening on http:\/\/127\.0\.0\.1:\d+\/$/, stderr);
    assert.equal(code, 0);
  });

  test('a bad PORT or HOST is named on one line, then the usage; exit 2', async () => {
    for (const [env, message] of [
      [{ PORT: 'abc' }, 'rtc-broadcaster: PORT needs an integer, not "abc"'],
      [{ PORT: '65536' }, 'rtc-broadcaster: PORT must be between 0 and 65535'],
      [{ HOST: 'a b' }, 'rtc-broadcaster: HOST: bad address "a b"'],
    ]) {
      const { code, stdout, stderr } = await run([], env);
      assert.equal(code, 2, JSON.stringify(env));
      assert.equal(stdout, '');
      assert.equal(stderr.split('\n')[0], message);
      assert.ok(stderr.includes(USAGE), 'usage follows');
    }
  });

  test('an empty PORT or HOST counts as unset', () => {
    assert.deepEqual(parseArgs([], { PORT: '', HOST: '' }), { help: false, options: {}, qr: true });
  });
});

describe('CLI flags (node:util parseArgs)', () => {
  test('every flag, in both spellings; the last repeat wins', () => {
    assert.deepEqual(parseArgs(['--port', '8080', '--host=192.168.1.20', '--no-qr'], {}),
      { help: false, options: { port: 8080, host: '192.168.1.20' }, qr: false });
    assert.deepEqual(parseArgs(['--port=1', '--port', '2'], {}).options, { port: 2 });
    assert.deepEqual(parseArgs(['--ping-interval', '50', '--rate-limit=0', '--rate-burst', '7'], {}).options,
      { pingInterval: 50, rateLimit: 0, rateBurst: 7 });
    assert.deepEqual(parseArgs(['-h'], {}), { help: true });
    assert.deepEqual(parseArgs(['--port', 'x', '--help'], {}), { help: true });
  });

  test('a bad flag: one line naming it, the usage, exit 2', async () => {
    for (const [args, message] of [
      [['--nope'], 'unknown argument "--nope"'],
      [['-x'], 'unknown argument "-x"'],
      [['here'], 'unknown argument "here"'],
      [['--port'], '--port needs a value'],
      [['--port', '--host', 'x'], '--port needs a value'],
      [['--port', '-1'], '--port needs an integer, not "-1"'],
      [['--host='], '--host: bad address ""'],
      [['--no-qr=yes'], '--no-qr takes no value'],
      [['--rate-burst', '0'], '--rate-burst must be between 1 and 1000000'],
    ]) {
      const { code, stdout, stderr } = await run(args, {});
      assert.equal(code, 2, args.join(' '));
      assert.equal(stdout, '', args.join(' '));
      assert.equal(stderr.split('\n')[0], `rtc-broadcaster: ${message}`, args.join(' '));
      assert.match(stderr, /Usage: rtc-broadcaster/);
    }
  });
});

describe('terminal QR renderer', () => {
  test('two module rows per line in half blocks, black on white, an odd last row light below', () => {
    const lines = renderHalfBlocks([[true, true, false, false], [true, false, true, false], [true, false, false, true]]).split('\n');
    assert.deepEqual(lines, ['\x1b[47m\x1b[30m█▀▄ \x1b[0m', '\x1b[47m\x1b[30m▀  ▀\x1b[0m']);
  });
});
