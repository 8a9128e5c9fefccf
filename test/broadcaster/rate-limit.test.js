// The per-socket rate limit: a token bucket of RATE_LIMIT_BURST frames refilled at RATE_LIMIT_PER_SECOND
// (gadgets/signaling/messages.ts), in isolation with a fake clock and through an in-process broadcaster.
// Run after building: npx tsc -p broadcaster/tsconfig.json && node --test test/broadcaster/
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket } from 'ws';

const DIST = new URL('../../dist/', import.meta.url);
const importDist = (file) => import(new URL(file, DIST).href);

describe('RateLimiter (fake clock)', () => {
  test('a full bucket passes `burst` frames at once, then refills at `perSecond`', async () => {
    const { RateLimiter } = await importDist('broadcaster/rate-limit.js');
    const limiter = new RateLimiter(10, 3, 0);
    assert.deepEqual([1, 2, 3, 4].map(() => limiter.take(0)), [true, true, true, false]);
    assert.equal(limiter.take(50), false, 'half a token after 50 ms at 10/s');
    assert.equal(limiter.take(100), true, 'one token after 100 ms');
    assert.equal(limiter.take(100), false);
    // A long pause refills to the burst, not beyond.
    const after = [1, 2, 3, 4].map(() => limiter.take(60_000));
    assert.deepEqual(after, [true, true, true, false]);
  });

  test('perSecond 0 disables the limit; 429 notices at most once a second', async () => {
    const { RateLimiter } = await importDist('broadcaster/rate-limit.js');
    const off = new RateLimiter(0, 1, 0);
    for (let i = 0; i < 1000; i++) assert.equal(off.take(0), true);
    const limiter = new RateLimiter(1, 1, 0);
    assert.equal(limiter.shouldNotify(5000), true);
    assert.equal(limiter.shouldNotify(5999), false);
    assert.equal(limiter.shouldNotify(6000), true);
  });

  test('the documented defaults are what the broadcaster uses', async () => {
    const { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } = await importDist('gadgets/signaling/messages.js');
    assert.equal(RATE_LIMIT_BURST, 200);
    assert.equal(RATE_LIMIT_PER_SECOND, 200);
  });
});

/** Opens a socket to `/signal` and collects the JSON frames it receives. */
async function openSocket(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/signal`);
  const frames = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
  await once(ws, 'open');
  return { ws, frames };
}

describe('rate limit burst (in-process broadcaster)', () => {
  test('rateBurst frames pass at once, the rest are dropped with one 429; socket kept', async () => {
    const { createBroadcaster } = await importDist('broadcaster/server.js');
    // 1 frame per second refilled, so the burst alone decides what passes within the test's few ms.
    const broadcaster = await createBroadcaster({ port: 0, host: '127.0.0.1', rateLimit: 1, rateBurst: 5 });
    try {
      const { ws, frames } = await openSocket(broadcaster.port);
      for (let i = 0; i < 12; i++) ws.send(JSON.stringify({ v: 1, type: 'ping' }));
      await delay(300);
      assert.equal(frames.filter((f) => f.type === 'pong').length, 5, JSON.stringify(frames));
      assert.deepEqual(frames.filter((f) => f.type === 'error').map((f) => f.code), [429]);
      assert.equal(ws.readyState, WebSocket.OPEN);
      await delay(1100);
      ws.send(JSON.stringify({ v: 1, type: 'ping' }));
      await delay(200);
      assert.equal(frames.filter((f) => f.type === 'pong').length, 6, 'a token again after a second');
      ws.terminate();
    } finally {
      await broadcaster.close();
    }
  });

  test('the default burst is RATE_LIMIT_BURST even with a lower rate', async () => {
    const { createBroadcaster } = await importDist('broadcaster/server.js');
    const { RATE_LIMIT_BURST } = await importDist('gadgets/signaling/messages.js');
    const broadcaster = await createBroadcaster({ port: 0, host: '127.0.0.1', rateLimit: 1 });
    try {
      const { ws, frames } = await openSocket(broadcaster.port);
      for (let i = 0; i < RATE_LIMIT_BURST + 20; i++) ws.send(JSON.stringify({ v: 1, type: 'ping' }));
      await delay(500);
      assert.equal(frames.filter((f) => f.type === 'pong').length, RATE_LIMIT_BURST);
      ws.terminate();
    } finally {
      await broadcaster.close();
    }
  });

  test('a bad rateBurst is refused', async () => {
    const { createBroadcaster } = await importDist('broadcaster/server.js');
    for (const rateBurst of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(createBroadcaster({ port: 0, rateBurst }), RangeError, String(rateBurst));
    }
  });
});
