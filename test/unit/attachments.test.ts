import { expect } from '@open-wc/testing';
import { RpcClient } from '../../gadgets/channel/rpc-client.js';
import { serveRpc } from '../../gadgets/channel/rpc-server.js';
import { RemoteDatabase } from '../../gadgets/channel/remote-database.js';
import { ALL_METHODS } from '../../gadgets/methods.js';
import { Database } from '../../gadgets/storage/database.js';
import { CHUNK_SIZE, sampleKey } from '../../gadgets/storage/attachment-utils.js';
import { digestBlob, Digest } from '../../gadgets/storage/blob-hash.js';
import { channelPair, dropDatabase, freshDatabase, rejectionOf, uniqueName } from './helpers.js';
import { openRaw } from './raw-idb.js';
import { seededRandom } from '../shared/seeded-random.js';

const MiB = 1024 * 1024;

/** A Blob of `size` pseudo-random bytes (xorshift32 from `seed`), made of 1 MiB parts. */
function randomBlob(size: number, seed = 1): Blob {
  const random = seededRandom(seed);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < size; at += MiB) {
    const part = new Uint8Array(Math.min(MiB, size - at));
    const words = random.fill(new Uint32Array(part.buffer, 0, part.byteLength >>> 2));
    for (let i = words.length * 4; i < part.byteLength; i++) part[i] = i & 255;
    parts.push(part);
  }
  return new Blob(parts as BlobPart[], { type: 'application/octet-stream' });
}

/** Counts the attachment bytes (kind 3 frames) an endpoint sends. */
function countDataBytes(endpoint: { send(data: string | ArrayBuffer): void }): { bytes: number } {
  const counter = { bytes: 0 };
  const send = endpoint.send.bind(endpoint);
  endpoint.send = (data) => {
    if (typeof data !== 'string' && new Uint8Array(data, 1, 1)[0] === 3) counter.bytes += data.byteLength - 16;
    send(data);
  };
  return counter;
}

describe('Attachments', () => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await dropDatabase(db);
  });

  function connect() {
    const pair = channelPair({ maxMessageSize: 64 * 1024 }, true);
    const stop = serveRpc(pair.b, { database: db, allow: new Set(ALL_METHODS) });
    const rpc = new RpcClient({ timeout: 10000 });
    rpc.attach(pair.a);
    return { rpc, remote: new RemoteDatabase(rpc), pair, stop };
  }

  for (const where of ['local', 'remote'] as const) {
    describe(`API (${where})`, () => {
      const api = () => (where === 'local' ? db : connect().remote);

      it('puts, lists, reads in every format, removes', async () => {
        const a = api();
        await db.put('doc', { title: 'x' });
        await a.putAttachment('doc', 'note.txt', 'héllo');
        await a.putAttachment('doc', 'data.json', new Blob(['{"a":[1,2]}'], { type: 'application/json' }));
        const all = await a.allAttachments('doc');
        expect(Object.keys(all).sort()).to.deep.equal(['data.json', 'note.txt']);
        expect(all['note.txt'].content_type).to.equal('text/plain;charset=utf-8');
        expect(all['note.txt'].length).to.equal(6);
        expect(all['note.txt'].digest).to.equal(await digestBlob(new Blob(['héllo'])));
        const blob = (await a.getAttachment('doc', 'note.txt')) as Blob;
        expect(blob).to.be.instanceOf(Blob);
        expect(blob.type).to.equal('text/plain;charset=utf-8');
        expect(await blob.text()).to.equal('héllo');
        expect(await a.getAttachment('doc', 'note.txt', { format: 'text' })).to.equal('héllo');
        expect(await a.getAttachment('doc', 'data.json', { format: 'json' })).to.deep.equal({ a: [1, 2] });
        expect(await a.getAttachment('doc', 'data.json', { format: 'data_url' })).to.equal('data:application/json;base64,eyJhIjpbMSwyXX0=');
        const buf = (await a.getAttachment('doc', 'note.txt', { format: 'array_buffer' })) as ArrayBuffer;
        expect(buf.byteLength).to.equal(6);
        await a.removeAttachment('doc', 'note.txt');
        expect(Object.keys(await a.allAttachments('doc'))).to.deep.equal(['data.json']);
        await a.putAttachment('doc', 'empty', '');
        expect(await a.getAttachment('doc', 'empty', { format: 'text' })).to.equal('');
        expect((await a.allAttachments('doc')).empty.length).to.equal(0);
      });

      it('answers jIO errors', async () => {
        const a = api();
        const missingDoc = await rejectionOf(a.putAttachment('nope', 'a', 'x'));
        expect(missingDoc.status_code).to.equal(404);
        expect((await rejectionOf(a.allAttachments('nope'))).status_code).to.equal(404);
        await db.put('doc', {});
        const missing = await rejectionOf(a.getAttachment('doc', 'a'));
        expect(missing.status_code).to.equal(404);
        expect(missing.message).to.equal('Cannot find attachment: doc , a');
        await a.putAttachment('doc', 'a', 'x');
        const format = await rejectionOf(a.getAttachment('doc', 'a', { format: 'x' as 'blob' }));
        expect(format.status_code).to.equal(400);
        expect(format.message).to.equal("rtc.getAttachment format: 'x' is not supported");
        expect((await rejectionOf(a.putAttachment('doc', '', 'x'))).status_code).to.equal(400);
        expect((await rejectionOf(a.putAttachment('doc', 'b', 42 as unknown as string))).message).to.equal('Attachment content is not a blob');
      });

      it('reads byte ranges across chunks', async () => {
        const a = api();
        await db.put('doc', {});
        const blob = randomBlob(3 * CHUNK_SIZE + 1000, 7);
        await a.putAttachment('doc', 'bin', blob);
        for (const [start, end] of [[0, 10], [CHUNK_SIZE - 5, CHUNK_SIZE + 5], [100, 2 * CHUNK_SIZE + 300], [3 * CHUNK_SIZE, undefined], [5, 5]]) {
          const part = (await a.getAttachment('doc', 'bin', { format: 'array_buffer', start, end })) as ArrayBuffer;
          const expected = await blob.slice(start, end).arrayBuffer();
          expect(new Uint8Array(part)).to.deep.equal(new Uint8Array(expected), `${start}-${end}`);
        }
        const whole = (await a.getAttachment('doc', 'bin')) as Blob;
        expect(await digestBlob(whole)).to.equal(await digestBlob(blob));
      });

      it('removing a document removes its attachments', async () => {
        const a = api();
        await db.put('doc', {});
        await db.put('doc2', {});
        await a.putAttachment('doc', 'bin', randomBlob(CHUNK_SIZE * 2 + 1));
        await a.putAttachment('doc2', 'keep', 'k');
        await a.remove('doc');
        await db.put('doc', {});
        expect(await a.allAttachments('doc')).to.deep.equal({});
        expect((await rejectionOf(db.readChunk('doc', 'bin', 0))).status_code).to.equal(500);
        expect(await a.getAttachment('doc2', 'keep', { format: 'text' })).to.equal('k');
      });
    });
  }

  it('adds its stores to a database made before attachments, keeping the documents', async () => {
    const name = uniqueName('old');
    const made = await openRaw(`rtc:${name}`, 1, (idb) => {
      idb.createObjectStore('documents', { keyPath: 'id' }).put({ id: 'kept', doc: { a: 1 } });
      idb.createObjectStore('requests', { keyPath: 'key' }).createIndex('at', 'at');
    });
    made.close();
    const old = await Database.open(name);
    try {
      expect(await old.get('kept')).to.deep.equal({ a: 1 });
      await old.putAttachment('kept', 'f', 'x');
      expect(await old.getAttachment('kept', 'f', { format: 'text' })).to.equal('x');
    } finally {
      await dropDatabase(old);
    }
  });

  it('a SHA-256 state saved after whole blocks goes on hashing to the same digest', async () => {
    const bytes = new Uint8Array(await randomBlob(3 * 64 * 1024 + 100, 11).arrayBuffer());
    const whole = new Digest();
    whole.update(bytes);
    const first = new Digest();
    first.update(bytes.subarray(0, 128 * 1024));
    const state = JSON.parse(JSON.stringify(first.state())); // as stored in IndexedDB
    expect(state).to.have.length(9);
    const resumed = Digest.fromState(state)!;
    expect(resumed.length).to.equal(128 * 1024);
    resumed.update(bytes.subarray(128 * 1024));
    expect(resumed.digest()).to.equal(whole.digest());
    const odd = new Digest();
    odd.update(bytes.subarray(0, 100));
    expect(odd.state()).to.equal(null);
    expect(Digest.fromState([1, 2, 3])).to.equal(null);
  });

  it('fires monotonic progress ending at total, both directions', async () => {
    const { remote } = connect();
    await db.put('doc', {});
    const blob = randomBlob(6 * MiB + 3);
    const up: number[] = [];
    await remote.putAttachment('doc', 'bin', blob, { onProgress: (loaded, total) => { expect(total).to.equal(blob.size); up.push(loaded); } });
    expect(up.length).to.be.greaterThan(1);
    expect(up.every((v, i) => i === 0 || v > up[i - 1])).to.equal(true);
    expect(up[up.length - 1]).to.equal(blob.size);
    const down: number[] = [];
    await remote.getAttachment('doc', 'bin', { onProgress: (loaded) => down.push(loaded) });
    expect(down.every((v, i) => i === 0 || v > down[i - 1])).to.equal(true);
    expect(down[down.length - 1]).to.equal(blob.size);
  });

  it('refuses a digest mismatch and keeps nothing', async () => {
    const { rpc, pair } = connect();
    await db.put('doc', {});
    const transfer = rpc.newTransfer();
    const bytes = new TextEncoder().encode('0123456789');
    const open = await rpc.call<{ stored: number }>('attachmentOpen', ['doc', 'bad', { content_type: 'text/plain', length: 10, digest: `sha256-${'0'.repeat(64)}` }, transfer], true);
    expect(open.stored).to.equal(0);
    const stored = new Promise<void>((resolve) => rpc.listen(transfer, { progress: (n) => n === 10 && resolve() }));
    await pair.a.sendData(transfer, 0, bytes);
    await stored;
    const e = await rejectionOf(rpc.call('attachmentCommit', ['doc', 'bad', transfer], true));
    expect(e.status_code).to.equal(400);
    expect(e.message).to.contain('digest mismatch');
    expect(await db.allAttachments('doc')).to.deep.equal({});
    expect((await rejectionOf(db.getAttachment('doc', 'bad'))).status_code).to.equal(404);
  });

  it('hashes while sending: opens under a sample key, commits with the full digest', async () => {
    const { rpc, remote } = connect();
    await db.put('doc', {});
    const blob = randomBlob(3 * MiB + 5, 8);
    const calls: { method: string; args: unknown[] }[] = [];
    const call = rpc.call.bind(rpc);
    rpc.call = ((method: string, args: unknown[], ...rest: unknown[]) => {
      calls.push({ method, args });
      return (call as (...a: unknown[]) => Promise<unknown>)(method, args, ...rest);
    }) as typeof rpc.call;
    await remote.putAttachment('doc', 'f', blob);
    const open = calls.find((c) => c.method === 'attachmentOpen')!;
    expect((open.args[2] as { digest: string }).digest).to.equal(await sampleKey(blob));
    const commit = calls.find((c) => c.method === 'attachmentCommit')!;
    expect(commit.args[3]).to.equal(await digestBlob(blob));
    expect((await db.allAttachments('doc')).f!.digest, 'stored under its full digest').to.equal(await digestBlob(blob));
  });

  it('starts over when the bytes it resumed on were another Blob\'s with the same sample key', async () => {
    const { rpc, remote, pair } = connect();
    await db.put('doc', {});
    const a = randomBlob(6 * MiB, 5);
    const b = new Blob([a.slice(0, 2 * MiB), randomBlob(2 * MiB, 9), a.slice(4 * MiB)], { type: a.type });
    expect(await sampleKey(b)).to.equal(await sampleKey(a));
    // An upload of `a` that stopped after 4 MiB.
    const transfer = rpc.newTransfer();
    const open = await rpc.call<{ stored: number }>('attachmentOpen', ['doc', 'f', { content_type: a.type || 'application/octet-stream', length: a.size, digest: await sampleKey(a) }, transfer], true);
    expect(open.stored).to.equal(0);
    const stored = new Promise<void>((resolve) => rpc.listen(transfer, { progress: (n) => n >= 4 * MiB && resolve() }));
    const head = new Uint8Array(await a.slice(0, 4 * MiB).arrayBuffer());
    for (let at = 0; at < head.byteLength; at += pair.a.dataPayload) await pair.a.sendData(transfer, at, head.subarray(at, at + pair.a.dataPayload));
    await stored;
    rpc.unlisten(transfer);
    // `b` resumes on those bytes, the master's digest disagrees with b's, and b goes again from 0.
    const opened: number[] = [];
    const call = rpc.call.bind(rpc);
    rpc.call = (async (method: string, args: unknown[], ...rest: unknown[]) => {
      const result = await (call as (...x: unknown[]) => Promise<unknown>)(method, args, ...rest);
      if (method === 'attachmentOpen') opened.push((result as { stored: number }).stored);
      return result;
    }) as typeof rpc.call;
    await remote.putAttachment('doc', 'f', b);
    expect(opened, 'resumed at 4 MiB, then started over').to.deep.equal([4 * MiB, 0]);
    const back = (await db.getAttachment('doc', 'f')) as Blob;
    expect(await digestBlob(back)).to.equal(await digestBlob(b));
    expect((await db.allAttachments('doc')).f!.digest).to.equal(await digestBlob(b));
  });

  it('resumes an upload after the channel drops, sending only the rest', async () => {
    const first = connect();
    const sentFirst = countDataBytes(first.pair.endpointA);
    await db.put('doc', {});
    const blob = randomBlob(24 * MiB, 3);
    let dropped = false;
    let second: { bytes: number } | null = null;
    const done = first.remote.putAttachment('doc', 'big', blob, {
      onProgress: (loaded) => {
        if (dropped || loaded < 8 * MiB) return;
        dropped = true;
        // The channel dies mid-transfer: the master stops serving it, the slave gets a new one.
        first.stop();
        first.pair.a.dispose();
        first.pair.b.dispose();
        first.rpc.detach();
        setTimeout(() => {
          const pair = channelPair({ maxMessageSize: 64 * 1024 }, true);
          second = countDataBytes(pair.endpointA);
          serveRpc(pair.b, { database: db, allow: new Set(ALL_METHODS) });
          first.rpc.attach(pair.a);
        }, 50);
      },
    });
    let reread = 0;
    const readChunk = db.readChunk.bind(db);
    db.readChunk = (...args) => {
      reread++;
      return readChunk(...args);
    };
    try {
      await done;
    } finally {
      db.readChunk = readChunk;
    }
    expect(dropped).to.equal(true);
    expect(reread, 'the stored SHA-256 state spares re-reading the chunks').to.equal(0);
    expect(second!.bytes).to.be.lessThan(blob.size - 8 * MiB + 1);
    expect(sentFirst.bytes + second!.bytes).to.be.lessThan(blob.size + 16 * MiB + 1);
    const back = (await db.getAttachment('doc', 'big')) as Blob;
    expect(back.size).to.equal(blob.size);
    expect(await digestBlob(back)).to.equal(await digestBlob(blob));
  });

  it('resumes a download after the channel drops, from the bytes already received', async () => {
    const first = connect();
    await db.put('doc', {});
    const blob = randomBlob(20 * MiB, 9);
    await db.putAttachment('doc', 'big', blob);
    const sentFirst = countDataBytes(first.pair.endpointB);
    let dropped = false;
    let second: { bytes: number } | null = null;
    const progress: number[] = [];
    const back = (await first.remote.getAttachment('doc', 'big', {
      onProgress: (loaded) => {
        progress.push(loaded);
        if (dropped || loaded < 6 * MiB) return;
        dropped = true;
        first.stop();
        first.pair.a.dispose();
        first.pair.b.dispose();
        first.rpc.detach();
        setTimeout(() => {
          const pair = channelPair({ maxMessageSize: 64 * 1024 }, true);
          second = countDataBytes(pair.endpointB);
          serveRpc(pair.b, { database: db, allow: new Set(ALL_METHODS) });
          first.rpc.attach(pair.a);
        }, 50);
      },
    })) as Blob;
    expect(dropped).to.equal(true);
    expect(await digestBlob(back)).to.equal(await digestBlob(blob));
    expect(progress.every((v, i) => i === 0 || v > progress[i - 1])).to.equal(true);
    expect(progress[progress.length - 1]).to.equal(blob.size);
    // Only what the slave lacked travelled again (plus frames in flight when the channel died).
    expect(sentFirst.bytes + second!.bytes).to.be.lessThan(blob.size + 2 * MiB);
    expect(second!.bytes).to.be.lessThan(blob.size - 6 * MiB + 1);
  });

  it('a newer upload of the same attachment replaces one in progress (409 to the first)', async () => {
    const a = connect();
    const b = connect();
    await db.put('doc', {});
    let started = false;
    let second: Promise<void> | null = null;
    const first = a.remote.putAttachment('doc', 'f', randomBlob(24 * MiB, 1), {
      onProgress: (n) => {
        if (n > 0 && !started) {
          started = true;
          second = b.remote.putAttachment('doc', 'f', 'second');
        }
      },
    });
    const e = await rejectionOf(first);
    expect(e.status_code).to.equal(409);
    await second;
    expect(await db.getAttachment('doc', 'f', { format: 'text' })).to.equal('second');
  });

  it('answers a get while a large upload is running', async () => {
    const { remote } = connect();
    await db.put('doc', { title: 'small' });
    const blob = randomBlob(32 * MiB, 5);
    let uploading = true;
    let started!: () => void;
    const progressed = new Promise<void>((r) => (started = r));
    const upload = remote.putAttachment('doc', 'big', blob, { onProgress: (n) => n > 0 && started() }).then(() => {
      uploading = false;
    });
    await progressed;
    const t0 = performance.now();
    expect(await remote.get('doc')).to.deep.equal({ title: 'small' });
    const took = performance.now() - t0;
    expect(uploading, `get took ${took} ms`).to.equal(true);
    await upload;
  });
});
