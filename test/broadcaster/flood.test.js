// Issue 14 item 4: one client floods the broadcaster with malformed frames (seeded, bounded to a few
// seconds) while legitimate handshakes go on from another address. The flooding socket is closed with
// 1008, its address banned (connections cut before any HTTP or TLS answer), every probe completes,
// and the broadcaster lives on; over plain http and over HTTPS. The handshake p95 itself is a bench figure (bench/sections/broadcaster.js).
// Run after building: npx tsc -p broadcaster/tsconfig.json && node --test test/broadcaster/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { handshake, probe, quantile, signalSocket, spawnBroadcaster, startFlooder, startMaster } from './flood-harness.js';

/**
 * The flood scenario against `server` (plain or HTTPS), from `flooderAddress`: idle probes, then
 * probes for 3 s of flood, then the checks. A failed or 10 s handshake rejects `probe`, so every probe
 * completed when this resolves.
 */
async function floodScenario(t, server, flooderAddress) {
  const master = await startMaster(server, 'flooded');
  try {
    const idle = await probe(server, 'flooded', 20);
    const flooder = startFlooder({ port: server, seed: 20261204, localAddress: flooderAddress });
    const started = Date.now();
    let during;
    try {
      during = await probe(server, 'flooded', 30);
      // Once the ban has cut a connection, a well-behaved client from the flooder's address is
      // refused too (the flooder keeps reconnecting, so the ban is renewed while it lasts).
      for (const until = Date.now() + 20_000; flooder.stats.cutBeforeAnswer === 0 && Date.now() < until;) await delay(50);
      assert.ok(flooder.stats.cutBeforeAnswer >= 1, `the flooding address was banned: ${JSON.stringify(flooder.stats)}`);
      const banned = signalSocket(server, flooderAddress);
      await new Promise((resolve) => { banned.once('error', resolve); banned.once('open', resolve); });
      assert.notEqual(banned.readyState, WebSocket.OPEN, 'the banned address cannot connect');
      banned.terminate();
      during.push(...await probe(server, 'flooded', 30, 20, 2000));
    } finally {
      await flooder.stop();
    }
    const { stats } = flooder;
    t.diagnostic(`handshake p95 idle ${quantile(idle, 0.95).toFixed(1)} ms, during the flood ${quantile(during, 0.95).toFixed(1)} ms; flooder ${JSON.stringify(stats)}`);
    assert.ok(stats.upgraded >= 1 && stats.bytes > 1_000_000, `the flood happened: ${JSON.stringify(stats)}`);
    // 3 strikes then a ban of 10 s, doubling: at most 4 upgrades, and 4 more per ban that ended.
    const bansEnded = Math.floor(Math.log2(1 + (Date.now() - started) / 10_000));
    assert.ok(stats.upgraded <= 4 + 4 * bansEnded, `a banned address is not upgraded: ${stats.upgraded} in ${Date.now() - started} ms`);
    await handshake(server, 'flooded');
    const escaped = flooderAddress.replace(/\./g, '\\.');
    // Closed with 1008 (the server's log says so: the flooder may lose the close frame to the RST).
    assert.match(server.stderr(), new RegExp(`closing .* from ${escaped}: (too many malformed frames|flooding)`));
    assert.match(server.stderr(), new RegExp(`banning ${escaped}`));
    assert.doesNotMatch(server.stderr(), /internal error/);
  } finally {
    master.terminate();
  }
}

test('a malformed-frame flood: the flooder is closed and banned, legitimate handshakes go on', async (t) => {
  const server = await spawnBroadcaster();
  try {
    await floodScenario(t, server, '127.0.0.2');
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('the same over HTTPS: the ban cuts connections before the TLS handshake', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rtc-flood-tls-'));
  const server = await spawnBroadcaster(['--https'], { ...process.env, XDG_CONFIG_HOME: dir });
  try {
    assert.match(server.url, /^https:/);
    await floodScenario(t, server, '127.0.0.5');
  } finally {
    assert.equal(await server.stop(), 0);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('frames over the rate limit from many sockets of one address share its budget', async () => {
  // A refill of 1 frame/s per socket (5/s per address) keeps the counts exact however slow the machine.
  const server = await spawnBroadcaster(['--rate-limit', '1', '--rate-burst', '200']);
  const sockets = [];
  try {
    // 10 sockets × 150 pings: under a socket's burst of 200 but over the address's 1,000.
    for (let i = 0; i < 10; i++) {
      const ws = signalSocket(server, '127.0.0.3');
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      sockets.push(ws);
    }
    const sentAt = Date.now();
    const received = { pong: 0, limited: 0, last: sentAt };
    for (const ws of sockets) {
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'pong') received.pong++;
        if (m.type === 'error' && m.code === 429) received.limited++;
        received.last = Date.now();
      });
      for (let i = 0; i < 150; i++) ws.send('{"v":1,"type":"ping"}');
    }
    // Until 1,000 pongs came and then nothing for 500 ms (at most 20 s).
    const quiet = () => received.pong >= 1000 && Date.now() - received.last >= 500;
    for (const start = Date.now(); !quiet() && Date.now() - start < 20_000;) await delay(100);
    // The address's burst of 1,000, plus what its 5 frames/s refilled while the pings were arriving.
    const refilled = Math.ceil((5 * (received.last - sentAt)) / 1000);
    assert.ok(received.pong >= 1000 && received.pong <= 1000 + refilled, `pongs: ${received.pong}, refill allowance ${refilled}`);
    assert.ok(received.limited >= 1, 'some socket heard 429');
    assert.ok(sockets.every((ws) => ws.readyState === WebSocket.OPEN), 'nobody closed for a short burst');
  } finally {
    for (const ws of sockets) ws.terminate();
    assert.equal(await server.stop(), 0);
  }
});

test('malformed frames: 100 get their error, the next closes the socket with 1008; one strike is no ban', async () => {
  const server = await spawnBroadcaster();
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/signal`, { localAddress: '127.0.0.4' });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const errors = [];
    ws.on('message', (data) => errors.push(JSON.parse(String(data))));
    const closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    for (let i = 0; i < 150; i++) ws.send(`not json ${i}`);
    assert.deepEqual(await closed, { code: 1008, reason: 'too many malformed frames' });
    assert.equal(errors.length, 100);
    assert.ok(errors.every((m) => m.type === 'error' && m.code === 400));
    // The same address connects again at once (a strike, not a ban) and is served.
    const again = new WebSocket(`ws://127.0.0.1:${server.port}/signal`, { localAddress: '127.0.0.4' });
    await new Promise((resolve, reject) => { again.once('open', resolve); again.once('error', reject); });
    const pong = new Promise((resolve) => again.once('message', (data) => resolve(JSON.parse(String(data)))));
    again.send('{"v":1,"type":"ping"}');
    assert.deepEqual(await pong, { v: 1, type: 'pong' });
    again.terminate();
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
