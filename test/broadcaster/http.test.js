// HTTP side of the broadcaster and its CLI: static serving of demo/ and dist/, redirects, traversal,
// content types, upgrades, printed URLs, argument errors. Traffic on 127.0.0.1 only.
// Run after building: npx tsc -p broadcaster/tsconfig.json && node --test test/broadcaster/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import jsQR from 'jsqr';
import { WebSocket } from 'ws';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(PACKAGE_ROOT, 'bin', 'rtc-broadcaster.js');
const DIST = new URL('../../dist/', import.meta.url);
const importDist = (file) => import(new URL(file, DIST).href);

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Runs the CLI to completion (for --help and bad arguments). */
async function runCli(args, bin = BIN) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Spawns the CLI on 127.0.0.1 with a free port; resolves with the port once it printed its URLs. */
async function startBroadcaster(extra = []) {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--host', '127.0.0.1', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const lines = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output in 10 s; stderr: ${stderr}`)), 10_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('Slave page:')) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}; stderr: ${stderr}`)); });
  });
  const match = /^rtc-broadcaster listening on http:\/\/127\.0\.0\.1:(\d+)\/$/.exec(lines[0]);
  assert.ok(match, `first line: ${lines[0]}`);
  return {
    port: Number(match[1]),
    lines,
    child,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const [code] = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A raw HTTP request: the path is sent exactly as given (no URL normalization, unlike fetch). */
function raw(port, rawPath, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket and resolves with how the upgrade went. */
function tryUpgrade(port, wsPath) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${wsPath}`);
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      resolve({ status: 101 });
      ws.close();
    });
    ws.on('error', (error) => resolve({ error: error.message }));
  });
}

/**
 * Reads back a QR code printed by qrcode's small terminal renderer (two rows of modules per line:
 * '█' both dark, '▀' top dark, '▄' bottom dark, ' ' none, under ANSI colours) and decodes it.
 * @returns the text it holds, or null.
 */
function decodeTerminalQr(lines) {
  const rows = [];
  for (const line of lines) {
    let fg = 'none';
    let bg = 'none';
    const top = [];
    const bottom = [];
    // eslint-disable-next-line no-control-regex -- parses the terminal's ANSI colour escapes
    for (const [, code, ch] of line.matchAll(/\x1b\[(\d+)m|([^\x1b])/g)) {
      if (code !== undefined) {
        if (code === '0') fg = bg = 'none';
        else if (code === '30') fg = 'black';
        else if (code === '37') fg = 'white';
        else if (code === '40') bg = 'black';
        else if (code === '47') bg = 'white';
        continue;
      }
      const [t, b] = ch === '█' ? [fg, fg] : ch === '▀' ? [fg, bg] : ch === '▄' ? [bg, fg] : [bg, bg];
      top.push(t === 'black');
      bottom.push(b === 'black');
    }
    if (top.length > 0) rows.push(top, bottom);
  }
  const width = Math.max(...rows.map((r) => r.length));
  const scale = 6;
  const margin = 4;
  const w = (width + 2 * margin) * scale;
  const h = (rows.length + 2 * margin) * scale;
  const data = new Uint8ClampedArray(w * h * 4).fill(255);
  rows.forEach((row, y) => row.forEach((dark, x) => {
    if (!dark) return;
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const i = (((y + margin) * scale + dy) * w + (x + margin) * scale + dx) * 4;
        data[i] = data[i + 1] = data[i + 2] = 0;
      }
    }
  }));
  return jsQR(data, w, h)?.data ?? null;
}

/** Waits until `lines` stops growing for `quietMs`. */
async function settled(lines, quietMs = 300) {
  let count = -1;
  while (count !== lines.length) {
    count = lines.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

describe('rtc-broadcaster CLI', () => {
  test('prints the listening line first, the URLs, then the master and slave pages; exits 0 on SIGINT', async () => {
    const server = await startBroadcaster();
    const { port, lines } = server;
    assert.equal(lines[0], `rtc-broadcaster listening on http://127.0.0.1:${port}/`);
    assert.ok(port > 0 && port < 65536);
    const urlLines = lines.slice(1).filter((line) => !/^(Master|Slave) page:/.test(line));
    assert.ok(urlLines.some((line) => line.includes(`http://127.0.0.1:${port}/`)), lines.join('\n'));
    // A specific host prints only itself.
    assert.deepEqual(urlLines.filter((line) => line.includes('http://')).length, 1, lines.join('\n'));
    const masterIndex = lines.indexOf(`Master page: http://127.0.0.1:${port}/demo/master.html`);
    const slaveIndex = lines.indexOf(`Slave page: http://127.0.0.1:${port}/demo/slave.html`);
    assert.ok(masterIndex > 1, lines.join('\n'));
    assert.equal(slaveIndex, masterIndex + 1);
    // It serves what it printed.
    const res = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(await server.stop('SIGINT'), 0);
  });

  test('banner for a wildcard host lists loopback then LAN addresses; the slave page uses the first LAN one', async () => {
    const { bannerLines } = await importDist('broadcaster/cli.js');
    const lines = bannerLines({ host: '0.0.0.0', port: 9999, urls: ['http://127.0.0.1:9999/', 'http://192.168.1.5:9999/', 'http://10.0.0.7:9999/'] },
      ['192.168.1.5', '10.0.0.7']);
    assert.equal(lines[0], 'rtc-broadcaster listening on http://0.0.0.0:9999/');
    assert.match(lines[1], /http:\/\/127\.0\.0\.1:9999\//);
    assert.match(lines[2], /http:\/\/192\.168\.1\.5:9999\//);
    assert.match(lines[3], /http:\/\/10\.0\.0\.7:9999\//);
    assert.equal(lines[4], 'Master page: http://127.0.0.1:9999/demo/master.html');
    assert.equal(lines[5], 'Slave page: http://192.168.1.5:9999/demo/slave.html');
    const alone = bannerLines({ host: '0.0.0.0', port: 80, urls: ['http://127.0.0.1:80/'] }, []);
    assert.equal(alone.at(-1), 'Slave page: http://127.0.0.1:80/demo/slave.html');
  });

  test('prints the slave page URL as a terminal QR code after the URL lines, unless --no-qr', async () => {
    const server = await startBroadcaster();
    try {
      await settled(server.lines);
      const { lines, port } = server;
      const slaveIndex = lines.indexOf(`Slave page: http://127.0.0.1:${port}/demo/slave.html`);
      assert.equal(lines[slaveIndex + 1], 'Scan to open the slave page on a phone:', lines.join('\n'));
      const qrLines = lines.slice(slaveIndex + 2);
      assert.ok(qrLines.length >= 10, `QR lines: ${qrLines.length}`);
      assert.match(qrLines[1], /[█▀▄]/);
      assert.equal(decodeTerminalQr(qrLines), `http://127.0.0.1:${port}/demo/slave.html`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
    const quiet = await startBroadcaster(['--no-qr']);
    try {
      await settled(quiet.lines);
      assert.equal(quiet.lines.at(-1), `Slave page: http://127.0.0.1:${quiet.port}/demo/slave.html`, quiet.lines.join('\n'));
      assert.ok(!quiet.lines.some((line) => /[█▀▄]|Scan to open/.test(line)));
    } finally {
      await quiet.stop();
    }
    const { code, stderr } = await runCli(['--no-qr=1']);
    assert.equal(code, 2);
    assert.match(stderr, /--no-qr takes no value/);
  });

  test('bad arguments print the usage on stderr and exit 2', async () => {
    for (const args of [['--nope'], ['--port'], ['--port', 'abc'], ['--port', '70000'], ['--port', '-1'], ['--port', '1.5'],
      ['--host'], ['--host', ''], ['positional'], ['--ping-interval', '0']]) {
      const { code, stdout, stderr } = await runCli(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, /Usage: rtc-broadcaster/, args.join(' '));
      assert.equal(stdout, '', args.join(' '));
    }
  });

  test('--help prints the usage on stdout and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /Usage: rtc-broadcaster \[--port N\] \[--host ADDR\]/);
  });

  test('a port in use is reported, exit 1', async () => {
    const server = await startBroadcaster();
    try {
      const { code, stderr } = await runCli(['--port', String(server.port), '--host', '127.0.0.1']);
      assert.equal(code, 1);
      assert.match(stderr, /in use/);
    } finally {
      await server.stop();
    }
  });

  test('the bin shim asks for a build when dist/ is missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rtc-bin-'));
    try {
      await mkdir(path.join(dir, 'bin'));
      await copyFile(BIN, path.join(dir, 'bin', 'rtc-broadcaster.js'));
      await writeFile(path.join(dir, 'package.json'), '{"type":"module"}');
      const { code, stderr } = await runCli([], path.join(dir, 'bin', 'rtc-broadcaster.js'));
      assert.equal(code, 1);
      assert.match(stderr, /run `npm run build` first/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('HTTP of the real process (package root)', () => {
  let server;
  before(async () => { server = await startBroadcaster(); });
  after(async () => { assert.equal(await server.stop(), 0); });

  test('/ redirects to /demo/', async () => {
    const res = await raw(server.port, '/');
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/demo/');
  });

  test('serves dist/ with a JavaScript content type and no-cache', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/dist/broadcaster/cli.js`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(await res.text(), /rtc-broadcaster/);
    const map = await fetch(`http://127.0.0.1:${server.port}/dist/broadcaster/cli.js.map`);
    assert.equal(map.headers.get('content-type'), 'application/json; charset=utf-8');
    await map.arrayBuffer();
  });

  test('nothing outside demo/ and dist/, and no traversal', async () => {
    for (const target of ['/package.json', '/bin/rtc-broadcaster.js', '/broadcaster/server.ts', '/node_modules/ws/package.json', '/distx/', '/favicon.ico']) {
      assert.equal((await raw(server.port, target)).status, 404, target);
    }
    for (const target of ['/demo/../package.json', '/dist/../package.json', '/dist/broadcaster/../../package.json',
      '/demo/%2e%2e/package.json', '/demo/%2E%2E/package.json', '/dist/%2e%2e%2fpackage.json', '/%2e%2e/etc/passwd',
      '/dist/..', '/dist/./broadcaster/cli.js']) {
      const res = await raw(server.port, target);
      assert.equal(res.status, 403, target);
      assert.doesNotMatch(res.body, /rtc-gadgets/, target);
    }
    for (const target of ['/demo/..%5cpackage.json', '/dist/%00', '/dist/%zz']) {
      assert.equal((await raw(server.port, target)).status, 400, target);
    }
  });

  test('/info.json lists where the broadcaster is reached and the page URLs, readable from any origin', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/info.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const base = `http://127.0.0.1:${server.port}/`;
    assert.deepEqual(await res.json(), {
      v: 1,
      urls: [base],
      lanUrls: [],
      masterPage: `${base}demo/master.html`,
      slavePage: `${base}demo/slave.html`,
      signaling: '/signal',
    });
    const head = await raw(server.port, '/info.json', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    const post = await raw(server.port, '/info.json', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal((await raw(server.port, '/info.json?x=1')).status, 200);
  });

  test('/info.json for a broadcaster on every interface: the slave page is on the first LAN address', async () => {
    const { broadcasterInfo } = await importDist('broadcaster/server.js');
    const info = broadcasterInfo(['http://127.0.0.1:9999/', 'http://192.168.1.5:9999/', 'http://10.0.0.7:9999/']);
    assert.deepEqual(info.lanUrls, ['http://192.168.1.5:9999/', 'http://10.0.0.7:9999/']);
    assert.equal(info.masterPage, 'http://127.0.0.1:9999/demo/master.html');
    assert.equal(info.slavePage, 'http://192.168.1.5:9999/demo/slave.html');
    const v6 = broadcasterInfo(['http://[::1]:80/', 'http://[fd00::5]:80/']);
    assert.deepEqual(v6.lanUrls, ['http://[fd00::5]:80/']);
    assert.equal(v6.slavePage, 'http://[fd00::5]/demo/slave.html');
  });

  test('WebSocket upgrades only at /signal', async () => {
    assert.deepEqual(await tryUpgrade(server.port, '/signal'), { status: 101 });
    assert.deepEqual(await tryUpgrade(server.port, '/signal?room=x'), { status: 101 });
    for (const other of ['/', '/demo/', '/signal/', '/signals', '/ws']) {
      assert.deepEqual(await tryUpgrade(server.port, other), { status: 400 }, other);
    }
    // A plain GET at /signal says how to use it.
    assert.equal((await raw(server.port, '/signal')).status, 426);
  });
});

describe('static serving (in-process, temporary root)', () => {
  let dir;
  let broadcaster;
  let base;
  const files = {
    'demo/index.html': '<!doctype html><title>demo index</title>',
    'demo/app.js': 'export const app = 1;',
    'demo/lib.mjs': 'export default 2;',
    'demo/style.css': 'body { color: red }',
    'demo/data.json': '{"a":1}',
    'demo/app.js.map': '{"version":3}',
    'demo/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'demo/image.png': '\x89PNG',
    'demo/favicon.ico': 'ico',
    'demo/notes.txt': 'notes',
    'demo/blob.bin': 'bin',
    'demo/sub/index.html': '<title>sub index</title>',
    'demo/noindex/file.txt': 'x',
    'dist/bundle.js': 'console.log("bundle")',
    'secret.txt': 'top secret',
    'package.json': '{"name":"secret-package"}',
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rtc-static-'));
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), content, 'latin1');
    }
    await symlink(path.join(dir, 'secret.txt'), path.join(dir, 'demo', 'link-out.txt'));
    await symlink(path.join(dir, 'demo', 'notes.txt'), path.join(dir, 'demo', 'link-in.txt'));
    const { createBroadcaster } = await importDist('broadcaster/server.js');
    broadcaster = await createBroadcaster({ port: 0, host: '127.0.0.1', root: dir });
    base = `http://127.0.0.1:${broadcaster.port}`;
  });

  after(async () => {
    await broadcaster?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('reports its port, host, root and URLs', () => {
    assert.ok(broadcaster.port > 0);
    assert.equal(broadcaster.host, '127.0.0.1');
    assert.equal(broadcaster.root, dir);
    assert.deepEqual(broadcaster.urls, [`http://127.0.0.1:${broadcaster.port}/`]);
  });

  test('/demo/ serves index.html; folders without a slash redirect', async () => {
    const res = await fetch(`${base}/demo/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(await res.text(), files['demo/index.html']);
    const sub = await fetch(`${base}/demo/sub/`);
    assert.equal(await sub.text(), files['demo/sub/index.html']);
    for (const [from, to] of [['/demo', '/demo/'], ['/demo/sub', '/demo/sub/'], ['/demo/sub?x=1', '/demo/sub/?x=1']]) {
      const redirect = await raw(broadcaster.port, from);
      assert.equal(redirect.status, 301, from);
      assert.equal(redirect.headers.location, to, from);
    }
    const root = await raw(broadcaster.port, '/?x');
    assert.equal(root.status, 302);
    assert.equal(root.headers.location, '/demo/');
    const followed = await fetch(`${base}/`);
    assert.equal(followed.url, `${base}/demo/`);
    assert.equal(await followed.text(), files['demo/index.html']);
  });

  test('content types', async () => {
    const expected = {
      '/demo/index.html': 'text/html; charset=utf-8',
      '/demo/app.js': 'text/javascript; charset=utf-8',
      '/demo/lib.mjs': 'text/javascript; charset=utf-8',
      '/demo/style.css': 'text/css; charset=utf-8',
      '/demo/data.json': 'application/json; charset=utf-8',
      '/demo/app.js.map': 'application/json; charset=utf-8',
      '/demo/icon.svg': 'image/svg+xml',
      '/demo/image.png': 'image/png',
      '/demo/favicon.ico': 'image/x-icon',
      '/demo/notes.txt': 'text/plain; charset=utf-8',
      '/demo/blob.bin': 'application/octet-stream',
      '/dist/bundle.js': 'text/javascript; charset=utf-8',
      '/demo/app.js?v=123': 'text/javascript; charset=utf-8',
      '/demo/%61pp.js': 'text/javascript; charset=utf-8',
    };
    for (const [target, type] of Object.entries(expected)) {
      const res = await fetch(base + target);
      assert.equal(res.status, 200, target);
      assert.equal(res.headers.get('content-type'), type, target);
      assert.equal(res.headers.get('cache-control'), 'no-cache', target);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', target);
      const key = target.replace('%61', 'a').split('?')[0].slice(1);
      assert.equal(Buffer.from(await res.arrayBuffer()).toString('latin1'), files[key], target);
    }
  });

  test('404 for missing files, folders without index, and anything outside demo/ and dist/', async () => {
    for (const target of ['/demo/missing.js', '/demo/noindex/', '/dist/', '/secret.txt', '/package.json', '/nothing/', '/demo/app.js/']) {
      const res = await raw(broadcaster.port, target);
      assert.equal(res.status, 404, target);
      assert.doesNotMatch(res.body, /secret/, target);
    }
  });

  test('traversal is refused, encoded or not, and symlinks cannot lead out', async () => {
    for (const target of ['/demo/../secret.txt', '/demo/../package.json', '/demo/%2e%2e/secret.txt', '/demo/%2E%2e/package.json',
      '/demo/sub/%2e%2e/%2e%2e/secret.txt', '/dist/%2e%2e%2fsecret.txt', '/demo/link-out.txt']) {
      const res = await raw(broadcaster.port, target);
      assert.equal(res.status, 403, target);
      assert.doesNotMatch(res.body, /secret/, target);
    }
    for (const target of ['/demo/..%5csecret.txt', '/demo/%00', '/demo/%e0%a4%a']) {
      assert.equal((await raw(broadcaster.port, target)).status, 400, target);
    }
    const inside = await raw(broadcaster.port, '/demo/link-in.txt');
    assert.equal(inside.status, 200);
    assert.equal(inside.body, files['demo/notes.txt']);
  });

  test('HEAD, 405 for other methods, 304 on a matching ETag', async () => {
    const head = await raw(broadcaster.port, '/demo/app.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(files['demo/app.js'].length));
    const post = await raw(broadcaster.port, '/demo/app.js', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    const first = await fetch(`${base}/demo/app.js`);
    const etag = first.headers.get('etag');
    await first.text();
    assert.ok(etag);
    const again = await raw(broadcaster.port, '/demo/app.js', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
  });

  test('the default root is the package root, found from the module URL', async () => {
    const { createBroadcaster, packageRoot } = await importDist('broadcaster/server.js');
    assert.equal(path.resolve(packageRoot()), path.resolve(PACKAGE_ROOT));
    const other = await createBroadcaster({ port: 0, host: '127.0.0.1' });
    try {
      assert.equal(path.resolve(other.root), path.resolve(PACKAGE_ROOT));
      const res = await fetch(`http://127.0.0.1:${other.port}/dist/broadcaster/server.js`);
      assert.equal(res.status, 200);
      await res.text();
    } finally {
      await other.close();
    }
  });

  test('bad options are refused', async () => {
    const { createBroadcaster } = await importDist('broadcaster/server.js');
    await assert.rejects(createBroadcaster({ port: -1 }), RangeError);
    await assert.rejects(createBroadcaster({ port: 70000 }), RangeError);
    await assert.rejects(createBroadcaster({ port: 0, pingInterval: 0 }), RangeError);
  });
});

describe('addresses', () => {
  test('wildcard: loopback then non-internal IPv4; specific host: only itself', async () => {
    const { listenAddresses, httpUrl } = await importDist('broadcaster/addresses.js');
    const interfaces = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }, { address: '::1', family: 'IPv6', internal: true }],
      eth0: [{ address: '192.168.1.5', family: 'IPv4', internal: false }, { address: 'fe80::1', family: 'IPv6', internal: false }],
      wlan0: [{ address: '10.0.0.7', family: 4, internal: false }],
    };
    assert.deepEqual(listenAddresses('0.0.0.0', interfaces), ['127.0.0.1', '192.168.1.5', '10.0.0.7']);
    assert.deepEqual(listenAddresses('::', interfaces), ['127.0.0.1', '192.168.1.5', '10.0.0.7']);
    assert.deepEqual(listenAddresses('192.168.1.5', interfaces), ['192.168.1.5']);
    assert.deepEqual(listenAddresses('127.0.0.1', interfaces), ['127.0.0.1']);
    assert.equal(httpUrl('10.0.0.7', 9999), 'http://10.0.0.7:9999/');
    assert.equal(httpUrl('::1', 9999, '/demo/'), 'http://[::1]:9999/demo/');
  });
});
