// Signaling protocol v1 against the real broadcaster process (bin/rtc-broadcaster.js), on 127.0.0.1.
// Run after building: npx tsc -p broadcaster/tsconfig.json && node --test test/broadcaster/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { seededRandom } from '../shared/seeded-random.js';

const BIN = fileURLToPath(new URL('../../bin/rtc-broadcaster.js', import.meta.url));
const DIST = new URL('../../dist/', import.meta.url);

/** Rejects if `promise` does not settle within `ms`. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Spawns the CLI on 127.0.0.1 with a free port; resolves once its first line gives the port. */
async function startBroadcaster(extra = []) {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--host', '127.0.0.1', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const lines = [];
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output in 10 s; stderr: ${stderr}`)), 10_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) { clearTimeout(timer); resolve(line); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}; stderr: ${stderr}`)); });
  });
  const match = /^rtc-broadcaster listening on http:\/\/127\.0\.0\.1:(\d+)\/$/.exec(first);
  assert.ok(match, `first line: ${first}`);
  const port = Number(match[1]);
  return {
    port,
    lines,
    child,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await within(exited, 5000, 'broadcaster exit');
      return code;
    },
  };
}

/** A `ws` client that queues the JSON frames it receives. */
class Client {
  constructor(url, options) {
    this.ws = new WebSocket(url, options);
    this.queue = [];
    this.waiters = [];
    this.ws.on('message', (data) => {
      let message;
      try { message = JSON.parse(data.toString()); } catch { message = { unparsable: data.toString() }; }
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.ws.on('error', () => {});
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  static async open(port, options) {
    const client = new Client(`ws://127.0.0.1:${port}/signal`, options);
    await once(client.ws, 'open');
    return client;
  }

  send(message) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next frame, within `timeout` ms. */
  next(timeout = 3000) {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    return new Promise((resolve, reject) => {
      const waiter = (message) => { clearTimeout(timer); resolve(message); };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no frame within ${timeout} ms`));
      }, timeout);
      this.waiters.push(waiter);
    });
  }

  async expect(type) {
    const message = await this.next();
    assert.equal(message.type, type, `expected "${type}", got ${JSON.stringify(message)}`);
    assert.equal(message.v, 1);
    return message;
  }

  async expectError(code, ref) {
    const message = await this.expect('error');
    assert.equal(message.code, code, JSON.stringify(message));
    assert.equal(typeof message.message, 'string');
    if (ref !== undefined) assert.equal(message.ref, ref, JSON.stringify(message));
    return message;
  }

  /** Asserts that no frame arrives within `ms`. */
  async nothing(ms = 200) {
    await delay(ms);
    assert.deepEqual(this.queue, [], 'expected no frame');
  }

  async join(room, role, token) {
    this.send({ v: 1, type: 'join', room, role, ...(token === undefined ? {} : { token }) });
    const joined = await this.expect('joined');
    assert.equal(joined.room, room);
    assert.equal(joined.role, role);
    this.id = joined.id;
    return joined;
  }

  async pingPong() {
    this.send({ v: 1, type: 'ping' });
    await this.expect('pong');
  }

  /** Resolves with `{ code, reason }` once the socket closed (fails after `ms`). */
  waitClosed(ms = 3000) {
    return within(this.closed, ms, 'socket close');
  }

  close() {
    this.ws.close();
    return this.waitClosed();
  }
}

let roomCounter = 0;
const newRoom = (prefix = 'room') => `${prefix}-${process.pid}-${++roomCounter}`;

describe('broadcaster signaling (real process)', () => {
  let server;
  const clients = [];
  const open = async (options) => {
    const client = await Client.open(server.port, options);
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startBroadcaster();
  });

  after(async () => {
    for (const client of clients) client.ws.terminate();
    assert.ok(server.alive(), `the broadcaster died; stderr: ${server.stderr()}`);
    assert.equal(await server.stop(), 0, 'exits 0 on SIGTERM');
    assert.doesNotMatch(server.stderr(), /internal error/);
  });

  test('join answers joined with a server-assigned id', async () => {
    const room = newRoom();
    const slave = await open();
    const joinedSlave = await slave.join(room, 'slave');
    assert.match(joinedSlave.id, /^[0-9a-f]{16}$/);
    assert.equal(joinedSlave.master, false);
    const master = await open();
    const joinedMaster = await master.join(room, 'master');
    assert.match(joinedMaster.id, /^[0-9a-f]{16}$/);
    assert.equal(joinedMaster.master, true);
    assert.notEqual(joinedMaster.id, joinedSlave.id);
    const late = await open();
    assert.equal((await late.join(room, 'slave')).master, true);
    // Extra members (a client-chosen id) are ignored.
    const spoofer = await open();
    spoofer.send({ v: 1, type: 'join', room: newRoom(), role: 'slave', id: 'chosen-by-me' });
    assert.notEqual((await spoofer.expect('joined')).id, 'chosen-by-me');
  });

  test('a second master gets 409 and stays connected', async () => {
    const room = newRoom();
    const first = await open();
    await first.join(room, 'master', 'token-of-first');
    const second = await open();
    second.send({ v: 1, type: 'join', room, role: 'master' });
    const error = await second.expectError(409, 'join');
    assert.equal(error.message, `room "${room}" already has a master`);
    second.send({ v: 1, type: 'join', room, role: 'master', token: 'another-token' });
    await second.expectError(409, 'join');
    await second.pingPong();
    await first.nothing(100);
    // The refused client can still join elsewhere.
    await second.join(newRoom(), 'master');
  });

  test('a master joining with the same token replaces the old one', async () => {
    const room = newRoom();
    const token = 'reload-token-123';
    const oldMaster = await open();
    await oldMaster.join(room, 'master', token);
    const slave = await open();
    await slave.join(room, 'slave');
    const newMaster = await open();
    const joined = await newMaster.join(room, 'master', token);
    assert.equal(joined.master, true);
    assert.notEqual(joined.id, oldMaster.id);
    const error = await oldMaster.expectError(409);
    assert.equal(error.message, 'replaced by a new master');
    assert.equal((await oldMaster.waitClosed()).code, 4000);
    assert.deepEqual(await slave.next(), { v: 1, type: 'master', present: true });
    // The old master's close is not a "master left" for the room.
    await slave.nothing(150);
    slave.send({ v: 1, type: 'offer', sdp: 'v=0 after reload' });
    assert.deepEqual(await newMaster.next(), { v: 1, type: 'offer', from: slave.id, sdp: 'v=0 after reload' });
    // A new master with no token cannot take it.
    const intruder = await open();
    intruder.send({ v: 1, type: 'join', room, role: 'master' });
    await intruder.expectError(409, 'join');
  });

  test("an offer reaches only its room's master", async () => {
    const room = newRoom();
    const master = await open();
    await master.join(room, 'master');
    const slave1 = await open();
    await slave1.join(room, 'slave');
    const slave2 = await open();
    await slave2.join(room, 'slave');
    const otherRoom = newRoom('other');
    const otherMaster = await open();
    await otherMaster.join(otherRoom, 'master');
    const otherSlave = await open();
    await otherSlave.join(otherRoom, 'slave');

    slave1.send({ v: 1, type: 'offer', sdp: 'v=0 offer of slave1', from: 'spoofed-id' });
    assert.deepEqual(await master.next(), { v: 1, type: 'offer', from: slave1.id, sdp: 'v=0 offer of slave1' });
    await Promise.all([slave1.nothing(), slave2.nothing(), otherMaster.nothing(), otherSlave.nothing(), master.nothing()]);
  });

  test('an answer reaches only the addressed slave', async () => {
    const room = newRoom();
    const master = await open();
    await master.join(room, 'master');
    const slave1 = await open();
    await slave1.join(room, 'slave');
    const slave2 = await open();
    await slave2.join(room, 'slave');
    const stranger = await open();
    await stranger.join(newRoom('other'), 'slave');

    master.send({ v: 1, type: 'answer', to: slave2.id, sdp: 'v=0 answer' });
    assert.deepEqual(await slave2.next(), { v: 1, type: 'answer', from: master.id, sdp: 'v=0 answer' });
    await Promise.all([slave1.nothing(), stranger.nothing(), master.nothing()]);

    master.send({ v: 1, type: 'answer', to: 'ffffffffffffffff', sdp: 'v=0' });
    await master.expectError(404, 'answer');
    // A slave of another room is unknown here too.
    master.send({ v: 1, type: 'answer', to: stranger.id, sdp: 'v=0' });
    await master.expectError(404, 'answer');
    await stranger.nothing(100);
  });

  test('candidates are relayed both ways with from', async () => {
    const room = newRoom();
    const master = await open();
    await master.join(room, 'master');
    const slave = await open();
    await slave.join(room, 'slave');
    const other = await open();
    await other.join(room, 'slave');
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 10.213.0.1 54321 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' };

    slave.send({ v: 1, type: 'candidate', candidate });
    assert.deepEqual(await master.next(), { v: 1, type: 'candidate', from: slave.id, candidate });
    slave.send({ v: 1, type: 'candidate', to: master.id, candidate: null });
    assert.deepEqual(await master.next(), { v: 1, type: 'candidate', from: slave.id, candidate: null });
    master.send({ v: 1, type: 'candidate', to: slave.id, candidate });
    assert.deepEqual(await slave.next(), { v: 1, type: 'candidate', from: master.id, candidate });
    await other.nothing(100);

    master.send({ v: 1, type: 'candidate', candidate });
    await master.expectError(400, 'candidate');
    master.send({ v: 1, type: 'candidate', to: 'nobody', candidate });
    await master.expectError(404, 'candidate');
    slave.send({ v: 1, type: 'candidate', to: other.id, candidate });
    await slave.expectError(404, 'candidate');
    slave.send({ v: 1, type: 'candidate', candidate: [candidate] });
    await slave.expectError(400, 'candidate');
    slave.send({ v: 1, type: 'candidate', candidate: 'a string' });
    await slave.expectError(400, 'candidate');
    slave.send({ v: 1, type: 'candidate' });
    await slave.expectError(400, 'candidate');
    slave.send({ v: 1, type: 'candidate', candidate: { candidate: 'x'.repeat(5000) } });
    await slave.expectError(400, 'candidate');
    await other.nothing(100);
  });

  test('a waiting slave hears master present:true as soon as a master joins', async () => {
    const room = newRoom();
    const slave = await open();
    assert.equal((await slave.join(room, 'slave')).master, false);
    slave.send({ v: 1, type: 'offer', sdp: 'v=0 too early' });
    const error = await slave.expectError(404, 'offer');
    assert.equal(error.message, `no master in room "${room}"`);
    slave.send({ v: 1, type: 'candidate', candidate: null });
    await slave.expectError(404, 'candidate');
    const master = await open();
    await master.join(room, 'master');
    assert.deepEqual(await slave.next(), { v: 1, type: 'master', present: true });
    slave.send({ v: 1, type: 'offer', sdp: 'v=0 now' });
    assert.equal((await master.expect('offer')).sdp, 'v=0 now');
  });

  test('a master leaving tells its slaves present:false and frees the room', async () => {
    for (const how of ['close', 'leave']) {
      const room = newRoom(how);
      const master = await open();
      await master.join(room, 'master');
      const slave1 = await open();
      await slave1.join(room, 'slave');
      const slave2 = await open();
      await slave2.join(room, 'slave');
      if (how === 'close') await master.close();
      else master.send({ v: 1, type: 'leave' });
      assert.deepEqual(await slave1.next(), { v: 1, type: 'master', present: false });
      assert.deepEqual(await slave2.next(), { v: 1, type: 'master', present: false });
      if (how === 'leave') {
        await master.pingPong(); // the socket stays open
        slave1.send({ v: 1, type: 'offer', sdp: 'v=0' });
        await slave1.expectError(404, 'offer');
        await master.nothing(100);
      }
      const next = await open();
      await next.join(room, 'master');
      assert.deepEqual(await slave1.next(), { v: 1, type: 'master', present: true });
    }
  });

  test('the master hears slave-left when a slave closes or leaves', async () => {
    const room = newRoom();
    const master = await open();
    await master.join(room, 'master');
    const slave1 = await open();
    await slave1.join(room, 'slave');
    const slave2 = await open();
    await slave2.join(room, 'slave');
    const firstId = slave1.id;
    await slave1.close();
    assert.deepEqual(await master.next(), { v: 1, type: 'slave-left', id: firstId });
    const secondId = slave2.id;
    slave2.send({ v: 1, type: 'leave' });
    assert.deepEqual(await master.next(), { v: 1, type: 'slave-left', id: secondId });
    // After leave, the socket may join again and gets a new id; the old id is gone.
    const rejoined = await slave2.join(room, 'slave');
    assert.notEqual(rejoined.id, secondId);
    master.send({ v: 1, type: 'answer', to: secondId, sdp: 'v=0' });
    await master.expectError(404, 'answer');
    await master.nothing(100);
  });

  test('ping answers pong, before and after join', async () => {
    const client = await open();
    client.send({ v: 1, type: 'ping' });
    assert.deepEqual(await client.next(), { v: 1, type: 'pong' });
    await client.join(newRoom(), 'slave');
    await client.pingPong();
  });

  test('join errors: twice, bad room, bad role, bad token, leave before join', async () => {
    const client = await open();
    client.send({ v: 1, type: 'leave' });
    await client.expectError(400, 'leave');
    const bad = [
      { v: 1, type: 'join', role: 'slave' },
      { v: 1, type: 'join', room: '', role: 'slave' },
      { v: 1, type: 'join', room: 'x'.repeat(65), role: 'slave' },
      { v: 1, type: 'join', room: 'has space', role: 'slave' },
      { v: 1, type: 'join', room: 'a/b', role: 'slave' },
      { v: 1, type: 'join', room: 42, role: 'slave' },
      { v: 1, type: 'join', room: 'ok' },
      { v: 1, type: 'join', room: 'ok', role: 'admin' },
      { v: 1, type: 'join', room: 'ok', role: 'master', token: 'short' },
      { v: 1, type: 'join', room: 'ok', role: 'master', token: 'x'.repeat(129) },
      { v: 1, type: 'join', room: 'ok', role: 'master', token: 12345678 },
    ];
    for (const frame of bad) {
      client.send(frame);
      await client.expectError(400, 'join');
    }
    const room = newRoom();
    await client.join(room, 'slave');
    client.send({ v: 1, type: 'join', room, role: 'slave' });
    await client.expectError(400, 'join');
    client.send({ v: 1, type: 'join', room: newRoom(), role: 'master' });
    await client.expectError(400, 'join');
    // Room names use the whole allowed alphabet.
    const other = await open();
    await other.join('Az09_.-', 'slave');
  });

  test('bad frames get the right error code and the server keeps serving', async () => {
    const room = newRoom();
    const master = await open();
    await master.join(room, 'master');
    const slave = await open();
    await slave.join(room, 'slave');
    const fresh = await open();
    const cases = [
      ['not JSON', 'this is not json', 400],
      ['truncated JSON', '{"v":1,"type":"pi', 400],
      ['empty frame', '', 400],
      ['array', '[1,2,3]', 400],
      ['empty array', '[]', 400],
      ['number', '42', 400],
      ['string', '"join"', 400],
      ['null', 'null', 400],
      ['true', 'true', 400],
      ['missing v', '{"type":"ping"}', 400],
      ['v 2', '{"v":2,"type":"ping"}', 400],
      ['v "1"', '{"v":"1","type":"ping"}', 400],
      ['v null', '{"v":null,"type":"ping"}', 400],
      ['v in prototype', '{"__proto__":{"v":1},"type":"ping"}', 400],
      ['missing type', '{"v":1}', 400],
      ['type number', '{"v":1,"type":7}', 400],
      ['unknown type', '{"v":1,"type":"subscribe"}', 400],
      ['type toString', '{"v":1,"type":"toString"}', 400],
      ['type pong', '{"v":1,"type":"pong"}', 400],
      ['offer without sdp', '{"v":1,"type":"offer"}', 400],
      ['offer with numeric sdp', '{"v":1,"type":"offer","sdp":5}', 400],
      ['offer with empty sdp', '{"v":1,"type":"offer","sdp":""}', 400],
      ['offer with 33 KiB sdp', JSON.stringify({ v: 1, type: 'offer', sdp: 'x'.repeat(33 * 1024) }), 400],
      ['answer from a slave', JSON.stringify({ v: 1, type: 'answer', to: 'someone', sdp: 'v=0' }), 403, 'answer'],
      ['answer without to', JSON.stringify({ v: 1, type: 'answer', sdp: 'v=0' }), 400, 'answer'],
      ['70 KiB frame', JSON.stringify({ v: 1, type: 'offer', sdp: 'x'.repeat(70 * 1024) }), 413],
      ['70 KiB of multibyte text', JSON.stringify({ v: 1, type: 'offer', sdp: 'é'.repeat(34 * 1024) }), 413],
      ['deeply nested arrays', '['.repeat(30000) + ']'.repeat(30000), 400],
      ['deeply nested objects', '{"a":'.repeat(9000) + '1' + '}'.repeat(9000), 400],
      ['deeply nested candidate', '{"v":1,"type":"candidate","candidate":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '}', 400, 'candidate'],
    ];
    for (const [name, frame, code, ref] of cases) {
      slave.send(frame);
      const error = await slave.next();
      assert.equal(error.type, 'error', `${name}: ${JSON.stringify(error)}`);
      assert.equal(error.code, code, `${name}: ${JSON.stringify(error)}`);
      if (ref) assert.equal(error.ref, ref, name);
    }
    // Binary frame and invalid UTF-8 in a text frame.
    slave.ws.send(Buffer.from('{"v":1,"type":"ping"}'), { binary: true });
    await slave.expectError(400);
    slave.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    await slave.expectError(400);
    // Role errors.
    master.send({ v: 1, type: 'offer', sdp: 'v=0' });
    await master.expectError(403, 'offer');
    // Before join.
    fresh.send({ v: 1, type: 'offer', sdp: 'v=0' });
    await fresh.expectError(400, 'offer');
    fresh.send({ v: 1, type: 'answer', to: slave.id, sdp: 'v=0' });
    await fresh.expectError(400, 'answer');
    fresh.send({ v: 1, type: 'candidate', candidate: null });
    await fresh.expectError(400, 'candidate');
    // Nothing of that leaked to the master.
    await master.nothing(100);
    // Same sockets still work, and a new client can join.
    await slave.pingPong();
    slave.send({ v: 1, type: 'offer', sdp: 'v=0 still works' });
    assert.equal((await master.expect('offer')).sdp, 'v=0 still works');
    const late = await open();
    await late.join(newRoom(), 'master');
  });

  test('a frame over 1 MiB closes that socket with 1009; the server lives on', async () => {
    const client = await open();
    client.send('x'.repeat(1024 * 1024 + 10));
    assert.equal((await client.waitClosed()).code, 1009);
    const other = await open();
    await other.join(newRoom(), 'slave');
  });

  test('over the rate limit: 429, frames dropped, socket kept', async () => {
    const client = await open();
    for (let i = 0; i < 400; i++) client.send({ v: 1, type: 'ping' });
    const received = [];
    for (;;) {
      try {
        received.push(await client.next(300));
      } catch {
        break;
      }
    }
    const pongs = received.filter((m) => m.type === 'pong').length;
    const limited = received.filter((m) => m.type === 'error' && m.code === 429);
    assert.ok(pongs >= 200 && pongs < 400, `pongs: ${pongs}`);
    assert.ok(limited.length >= 1, 'at least one 429');
    assert.ok(limited.length <= 2, 'one 429 per second at most');
    await delay(1100);
    await client.pingPong();
  });
});

describe('broadcaster robustness (real process, short ping interval, no rate limit)', () => {
  let server;
  before(async () => {
    server = await startBroadcaster(['--ping-interval', '150', '--rate-limit', '0']);
  });
  after(async () => {
    assert.ok(server.alive(), `the broadcaster died; stderr: ${server.stderr()}`);
    assert.equal(await server.stop(), 0);
    assert.doesNotMatch(server.stderr(), /internal error/);
  });

  test('a client that stops answering pings is dropped and its room slot freed', async () => {
    const room = newRoom('silent');
    const silent = await Client.open(server.port, { autoPong: false });
    await silent.join(room, 'master');
    const slave = await Client.open(server.port);
    await slave.join(room, 'slave');
    const contender = await Client.open(server.port);
    contender.send({ v: 1, type: 'join', room, role: 'master' });
    await contender.expectError(409, 'join');
    const start = Date.now();
    const { code } = await silent.waitClosed(3000);
    assert.equal(code, 1006, 'terminated without a close frame');
    assert.ok(Date.now() - start < 2000);
    assert.deepEqual(await slave.next(), { v: 1, type: 'master', present: false });
    await contender.join(room, 'master');
    assert.deepEqual(await slave.next(), { v: 1, type: 'master', present: true });
    // Clients that answer pings survive many intervals.
    await delay(600);
    await slave.pingPong();
    await contender.pingPong();
    slave.ws.terminate();
    contender.ws.terminate();
  });

  test('10,000 seeded random garbage frames: each gets its error, then the server still serves', async () => {
    const { int } = seededRandom(20261123);
    const pick = (list) => list[int(list.length)];
    const bytes = (n) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const ascii = (n) => String.fromCharCode(...Array.from({ length: n }, () => 32 + int(95)));
    const scalar = () => pick([null, true, false, 0, -1, 1.5, 1e308, '', 'x', ascii(int(20)), [], {}, [1, [2]], { a: 1 }]);
    const badRoom = () => pick(['', 'x'.repeat(65 + int(10)), 'a b', 'a/b', '../x', 'é', null, 7, [], {}]);
    const known = ['join', 'offer', 'answer', 'candidate', 'ping', 'leave'];
    const generators = [
      () => [bytes(int(200)), false, 400], // raw bytes as text (often invalid UTF-8)
      () => [bytes(1 + int(200)), true, 400], // binary
      () => [ascii(int(300)), false, 400], // printable junk
      () => [JSON.stringify(scalar()), false, 400], // JSON that is not an object... or {} without v
      () => [JSON.stringify({ v: pick([undefined, 0, 2, '1', null, 1.5, true, [1]]), type: pick([...known, ascii(5)]) }), false, 400],
      () => [JSON.stringify({ v: 1, type: pick(['', 'pong', 'joined', 'error', 'JOIN', ascii(1 + int(10)), 3, null]) }), false, 400],
      () => [JSON.stringify({ v: 1, type: 'join', room: badRoom(), role: pick(['master', 'slave']) }), false, 400],
      () => [JSON.stringify({ v: 1, type: 'join', room: 'ok', role: pick(['', 'MASTER', 'peer', 1, null]) }), false, 400],
      () => [JSON.stringify({ v: 1, type: 'join', room: 'ok', role: 'master', token: pick(['', 'short', 'x'.repeat(200), 12345678, null]) }), false, 400],
      () => [JSON.stringify({ v: 1, type: pick(['offer', 'answer', 'candidate', 'leave']), to: ascii(int(20)), sdp: pick([ascii(20), 5, null]), candidate: scalar() }), false, 400],
      () => {
        const valid = JSON.stringify(pick([{ v: 1, type: 'ping' }, { v: 1, type: 'join', room: 'r', role: 'slave' }]));
        return [valid.slice(0, int(valid.length)), false, 400]; // truncated
      },
      () => {
        const depth = 1 + int(20000);
        return [pick(['[', '{"a":']).repeat(depth), false, 400]; // unterminated nesting
      },
      () => {
        const depth = 1 + int(30000);
        return ['['.repeat(depth) + ']'.repeat(depth), false, 400];
      },
      () => [JSON.stringify({ v: 1, type: 'offer', sdp: 'x'.repeat(65 * 1024 + int(5000)) }), false, 413],
    ];
    // Mostly cheap frames; the large ones (nesting, oversize) are rarer.
    const weights = [12, 8, 12, 10, 10, 10, 8, 6, 6, 10, 8, 1, 1, 1];
    const total = weights.reduce((a, b) => a + b, 0);
    const choose = () => {
      let r = int(total);
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i];
        if (r < 0) return generators[i];
      }
      return generators[0];
    };

    const client = await Client.open(server.port);
    const expected = [];
    const count = 10_000;
    for (let i = 0; i < count; i++) {
      const [data, binary, code] = choose()();
      // Size is checked before parsing: any text frame over 64 KiB is a 413.
      expected.push(!binary && Buffer.byteLength(data) > 64 * 1024 ? 413 : code);
      client.ws.send(data, { binary });
      if (i % 500 === 499) await delay(1); // let the socket drain
    }
    for (let i = 0; i < count; i++) {
      const message = await client.next(10_000);
      assert.equal(message.type, 'error', `frame ${i}: ${JSON.stringify(message)}`);
      assert.equal(message.code, expected[i], `frame ${i}: ${JSON.stringify(message)}`);
    }
    await client.nothing(100);
    await client.pingPong();
    assert.ok(expected.includes(413) && expected.includes(400));
    const fresh = await Client.open(server.port);
    await fresh.join(newRoom('after-fuzz'), 'master');
    fresh.ws.terminate();
    client.ws.terminate();
  });
});

describe('broadcaster capacity limits (in-process)', () => {
  test('server full → 503 and close 1013; room full → 503 and close 1013', async () => {
    const { createBroadcaster } = await import(new URL('broadcaster/server.js', DIST).href);
    const broadcaster = await createBroadcaster({ port: 0, host: '127.0.0.1', maxClients: 3, maxClientsPerRoom: 2 });
    try {
      const room = newRoom('full');
      const a = await Client.open(broadcaster.port);
      await a.join(room, 'master');
      const b = await Client.open(broadcaster.port);
      await b.join(room, 'slave');
      const c = await Client.open(broadcaster.port);
      c.send({ v: 1, type: 'join', room, role: 'slave' });
      await c.expectError(503, 'join');
      assert.equal((await c.waitClosed()).code, 1013);
      await delay(50);
      const d = await Client.open(broadcaster.port);
      const e = new Client(`ws://127.0.0.1:${broadcaster.port}/signal`);
      await e.expectError(503);
      assert.equal((await e.waitClosed()).code, 1013);
      assert.equal(broadcaster.clientCount, 3);
      await d.pingPong();
      for (const client of [a, b, d]) client.ws.terminate();
    } finally {
      await broadcaster.close();
    }
  });

  test('close() closes the sockets with 1001 and stops listening', async () => {
    const { createBroadcaster } = await import(new URL('broadcaster/server.js', DIST).href);
    const broadcaster = await createBroadcaster({ port: 0, host: '127.0.0.1' });
    const client = await Client.open(broadcaster.port);
    await client.join(newRoom(), 'master');
    await broadcaster.close();
    assert.equal((await client.waitClosed()).code, 1001);
    await assert.rejects(fetch(`http://127.0.0.1:${broadcaster.port}/`));
  });
});

describe('parseClientMessage (in-process)', () => {
  test('accepts the v1 messages and returns only their members', async () => {
    const { parseClientMessage } = await import(new URL('gadgets/signaling/messages.js', DIST).href);
    assert.deepEqual(parseClientMessage('{"v":1,"type":"join","room":"r","role":"slave","token":"12345678","x":1}'),
      { v: 1, type: 'join', room: 'r', role: 'slave', token: '12345678' });
    assert.deepEqual(parseClientMessage('{"v":1,"type":"offer","sdp":"s","from":"me"}'), { v: 1, type: 'offer', sdp: 's' });
    assert.deepEqual(parseClientMessage('{"v":1,"type":"answer","to":"a","sdp":"s"}'), { v: 1, type: 'answer', to: 'a', sdp: 's' });
    assert.deepEqual(parseClientMessage('{"v":1,"type":"candidate","candidate":null}'), { v: 1, type: 'candidate', candidate: null });
    assert.deepEqual(parseClientMessage('{"v":1,"type":"ping"}'), { v: 1, type: 'ping' });
    assert.deepEqual(parseClientMessage('{"v":1,"type":"leave"}'), { v: 1, type: 'leave' });
  });

  test('50,000 seeded mutations only ever throw SignalingError 400/413', async () => {
    const { parseClientMessage, SignalingError } = await import(new URL('gadgets/signaling/messages.js', DIST).href);
    const { int } = seededRandom(42);
    const seeds = [
      '{"v":1,"type":"join","room":"abc","role":"master","token":"tokentoken"}',
      '{"v":1,"type":"offer","sdp":"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1"}',
      '{"v":1,"type":"answer","to":"0123456789abcdef","sdp":"v=0"}',
      '{"v":1,"type":"candidate","to":"0123456789abcdef","candidate":{"candidate":"c","sdpMid":"0","sdpMLineIndex":0}}',
      '{"v":1,"type":"ping"}',
    ];
    const alphabet = '{}[]":,\\0123456789-.eEtrufalsn vtypejoinrmaster\u00e9\ud800';
    let accepted = 0;
    for (let i = 0; i < 50_000; i++) {
      const chars = [...seeds[int(seeds.length)]];
      for (let m = 1 + int(4); m > 0; m--) {
        const at = int(chars.length + 1);
        const op = int(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[int(alphabet.length)]);
        else chars[at] = alphabet[int(alphabet.length)];
      }
      try {
        const message = parseClientMessage(chars.join(''));
        assert.equal(message.v, 1);
        assert.ok(['join', 'offer', 'answer', 'candidate', 'ping', 'leave'].includes(message.type));
        accepted++;
      } catch (error) {
        assert.ok(error instanceof SignalingError, String(error));
        assert.ok(error.code === 400 || error.code === 413);
      }
    }
    assert.ok(accepted > 0, 'some mutations stay valid');
  });
});
