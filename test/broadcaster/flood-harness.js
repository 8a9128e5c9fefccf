// The broadcaster flood of issue 14 (README "Threat model: the broadcaster"), shared by
// test/broadcaster/flood.test.js (asserts what happens) and bench/sections/broadcaster.js (prints the
// handshake p95 during a flood against the idle one):
// - a real broadcaster process (bin/rtc-broadcaster.js);
// - a flooder in a worker thread, on its own loopback address (127.0.0.2), that writes seeded
//   malformed WebSocket frames as fast as its socket drains, and reconnects at once whenever it is
//   closed or refused;
// - a legitimate handshake probe from 127.0.0.1: WebSocket open, join as a slave, offer relayed to
//   the room's master, answer relayed back.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { seededRandom } from '../shared/seeded-random.js';

const BIN = fileURLToPath(new URL('../../bin/rtc-broadcaster.js', import.meta.url));

/**
 * Spawns `bin/rtc-broadcaster.js --port 0 --host 127.0.0.1 --no-qr ...args`; resolves once its first
 * line gives the URL. Killed with SIGKILL when the test process exits.
 * @returns {Promise<{ port: number, url: string, child: import('node:child_process').ChildProcess,
 *   lines: string[], stderr: () => string, stop: () => Promise<number|null> }>}
 */
export async function spawnBroadcaster(args = [], env = process.env) {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--host', '127.0.0.1', '--no-qr', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env,
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const lines = [];
  const reader = createInterface({ input: child.stdout });
  reader.on('line', (line) => lines.push(line));
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`exited with ${code}; stderr: ${stderr}`))));
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`no output in 20 s; stderr: ${stderr}`)), 20_000).unref());
  const [first] = await Promise.race([once(reader, 'line'), exited, timeout]);
  const url = /listening on (\S+)$/.exec(first)?.[1] ?? first;
  return {
    port: Number(new URL(url).port),
    url,
    child,
    lines,
    stderr: () => stderr,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * `{ port, secure }` of a target given as a port (plain http) or as `spawnBroadcaster`'s result
 * (secure when its URL is https; certificates are not checked).
 */
function target(server) {
  return typeof server === 'number' ? { port: server, secure: false } : { port: server.port, secure: server.url.startsWith('https:') };
}

/** A WebSocket to the target's `/signal` from 127.0.0.1 (or `localAddress`). */
export function signalSocket(server, localAddress = undefined) {
  const { port, secure } = target(server);
  return new WebSocket(`${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/signal`, { localAddress, rejectUnauthorized: false });
}

/** One client-to-server WebSocket frame (masked with a zero key, which RFC 6455 allows). */
function frame(opcode, payload, declaredLength = payload.length) {
  let head;
  if (declaredLength < 126) head = Buffer.from([0x80 | opcode, 0x80 | declaredLength]);
  else if (declaredLength < 65536) {
    head = Buffer.alloc(4);
    head[1] = 0x80 | 126;
    head.writeUInt16BE(declaredLength, 2);
  } else {
    head = Buffer.alloc(10);
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(declaredLength), 2);
  }
  head[0] = 0x80 | opcode;
  return Buffer.concat([head, Buffer.alloc(4), payload]);
}

/**
 * A batch of seeded malformed frames: JSON that is not a message, not JSON, invalid UTF-8, binary,
 * and (rarely, as the batch's last frame, since each ends the connection) a frame over 1 MiB or a
 * reserved opcode.
 */
function malformedBatch(random, frames) {
  const junk = (n) => Buffer.from(Array.from({ length: n }, () => random.int(256)));
  const kinds = [
    () => frame(1, Buffer.from(`{"v":1,"type":"bogus-${random.int(1e6)}"}`)),
    () => frame(1, Buffer.from('{"v":1,"type":"offer","sdp":'.repeat(1 + random.int(50)))),
    () => frame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
    () => frame(2, junk(1 + random.int(100))),
    () => frame(1, Buffer.from('x'.repeat(random.int(2000)))),
  ];
  const out = Array.from({ length: frames }, () => kinds[random.int(kinds.length)]());
  const ending = random.int(10);
  if (ending === 0) out.push(frame(1, Buffer.alloc(0), 2 * 1024 * 1024)); // over 1 MiB: close 1009
  else if (ending === 1) out.push(frame(3, Buffer.alloc(0))); // reserved opcode: close 1002
  return Buffer.concat(out);
}

/** The flood itself, in a worker thread: `stats` are posted every 50 ms and once more at the end. */
function flood({ port, secure, seed, localAddress, batchFrames }) {
  const random = seededRandom(seed);
  const stats = { connections: 0, upgraded: 0, refused429: 0, closed1008: 0, cutBeforeAnswer: 0, bytes: 0 };
  let running = true;
  let current = null;
  const connectOnce = () => new Promise((resolve) => {
    stats.connections++;
    const socket = secure
      ? tls.connect({ port, host: '127.0.0.1', localAddress, rejectUnauthorized: false })
      : net.connect({ port, host: '127.0.0.1', localAddress });
    current = socket;
    let answered = false;
    let upgraded = false;
    let tail = Buffer.alloc(0);
    const pump = () => {
      while (running && upgraded && !socket.destroyed) {
        const batch = malformedBatch(random, batchFrames);
        stats.bytes += batch.length;
        if (!socket.write(batch)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.on(secure ? 'secureConnect' : 'connect', () => socket.write('GET /signal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'));
    socket.on('data', (data) => {
      if (!answered) {
        answered = true;
        const status = data.toString('latin1', 0, 12);
        if (status.startsWith('HTTP/1.1 101')) {
          stats.upgraded++;
          upgraded = true;
          pump();
        } else if (status.startsWith('HTTP/1.1 429')) stats.refused429++;
      }
      // A close frame with code 1008 (policy violation): 0x88, length, 0x03 0xF0, perhaps across chunks.
      const bytes = Buffer.concat([tail, data]);
      for (let at = bytes.indexOf(0x88); at !== -1 && at + 3 < bytes.length; at = bytes.indexOf(0x88, at + 1)) {
        if (bytes[at + 2] === 0x03 && bytes[at + 3] === 0xf0) stats.closed1008++;
      }
      tail = bytes.subarray(Math.max(0, bytes.length - 3));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (!answered) stats.cutBeforeAnswer++;
      resolve();
    });
  });
  const report = setInterval(() => parentPort.postMessage(stats), 50);
  parentPort.once('message', () => {
    running = false;
    current?.destroy();
  });
  void (async () => {
    while (running) {
      await connectOnce();
      await new Promise((resolve) => setImmediate(resolve)); // reconnect at once
    }
    clearInterval(report);
    parentPort.postMessage(stats);
    parentPort.close();
  })();
}

if (!isMainThread && workerData?.flood) flood(workerData);

/**
 * Starts a flooder against 127.0.0.1:`port` from `localAddress` (`port`: see `target`; over TLS
 * when secure).
 * @returns {{ stats: { connections: number, upgraded: number, refused429: number, closed1008: number,
 *   cutBeforeAnswer: number, bytes: number }, stop: () => Promise<void> }} `cutBeforeAnswer`: TCP
 *   connections closed before any HTTP answer (a banned address); `closed1008`: close frames seen
 *   with 1008, a lower bound (the server's RST may discard one not read yet).
 */
export function startFlooder({ port: server, seed = 14, localAddress = '127.0.0.2', batchFrames = 500 }) {
  // A thread of its own, so that the flooder's work does not delay the probe's event loop.
  const worker = new Worker(new URL(import.meta.url), { workerData: { flood: true, ...target(server), seed, localAddress, batchFrames } });
  const stats = { connections: 0, upgraded: 0, refused429: 0, closed1008: 0, cutBeforeAnswer: 0, bytes: 0 };
  worker.on('message', (latest) => Object.assign(stats, latest));
  const exited = once(worker, 'exit');
  return {
    stats,
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}

/** A `ws` client that resolves `next(type)` with the next frame of that type. */
function messages(ws) {
  const waiting = new Map();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    waiting.get(message.type)?.(message);
  });
  return (type) => new Promise((resolve) => waiting.set(type, resolve));
}

/**
 * A room master on 127.0.0.1:`port` that answers every offer with a dummy answer.
 * @returns {Promise<WebSocket>} once joined.
 */
export async function startMaster(port, room) {
  const ws = signalSocket(port);
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const next = messages(ws);
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'offer') ws.send(JSON.stringify({ v: 1, type: 'answer', to: message.from, sdp: 'v=0 answer' }));
  });
  const joined = next('joined');
  ws.send(JSON.stringify({ v: 1, type: 'join', room, role: 'master', token: 'flood-test-token' }));
  await joined;
  return ws;
}

/**
 * One legitimate signaling handshake from 127.0.0.1: open, join `room` as a slave, send an offer,
 * receive the master's answer. Rejects after `timeoutMs`.
 * @returns {Promise<number>} its duration, ms.
 */
export async function handshake(port, room, timeoutMs = 10_000) {
  const started = performance.now();
  const ws = signalSocket(port);
  let timer;
  try {
    await Promise.race([
      (async () => {
        const next = messages(ws);
        await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
        const joined = next('joined');
        ws.send(JSON.stringify({ v: 1, type: 'join', room, role: 'slave' }));
        await joined;
        const answer = next('answer');
        ws.send(JSON.stringify({ v: 1, type: 'offer', sdp: 'v=0 offer' }));
        await answer;
      })(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`handshake not done in ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return performance.now() - started;
  } finally {
    clearTimeout(timer);
    ws.terminate();
  }
}

/**
 * Handshakes one after another, `gapMs` apart, at least `count` of them and until `forMs` have
 * passed; resolves to their durations, ms.
 */
export async function probe(port, room, count, gapMs = 20, forMs = 0) {
  const times = [];
  const until = Date.now() + forMs;
  while (times.length < count || Date.now() < until) {
    times.push(await handshake(port, room));
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return times;
}

/** The q-quantile (0..1) of `values` (nearest rank). */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
