import { expect } from '@open-wc/testing';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Digest, digestBlob } from '../../gadgets/storage/blob-hash.js';
import { HashJob, hashBlob, hashingInWorker, stopHashWorker } from '../../gadgets/storage/off-thread-hash.js';
import { seededRandom } from '../shared/seeded-random.js';

function randomBytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const random = seededRandom(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = random.next() & 255;
  return out;
}

const reference = (bytes: Uint8Array): string => `sha256-${bytesToHex(sha256(bytes))}`;

describe('Hashing off the main thread (off-thread-hash.ts)', () => {
  it('the Worker SHA-256 agrees with @noble/hashes at every length around the block and padding edges', async () => {
    const bytes = randomBytes(300, 7);
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 300]) {
      const job = HashJob.start();
      job.update(bytes.subarray(0, n));
      expect(await job.digest(), `${n} bytes`).to.equal(reference(bytes.subarray(0, n)));
    }
    expect(await hashBlob(new Blob(['abc']))).to.equal('sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  // The Worker's SHA-256 is our own (hash-worker.ts): the FIPS 180-2 examples check it against
  // published digests, not only against @noble/hashes.
  it('the Worker gives the FIPS 180-2 SHA-256 examples, in one piece and in uneven ones', async () => {
    const vectors: [string, string][] = [
      ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
      ['a'.repeat(1000000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
    ];
    for (const [text, hex] of vectors) {
      const bytes = new TextEncoder().encode(text);
      const job = HashJob.start();
      for (let at = 0, step = 1; at < bytes.byteLength; at += step, step = step * 3 + 1) job.update(bytes.subarray(at, at + step));
      expect(await job.digest(), `${text.length} bytes`).to.equal(`sha256-${hex}`);
      expect(await hashBlob(new Blob([bytes]))).to.equal(`sha256-${hex}`);
    }
    expect(hashingInWorker()).to.equal(true);
  });

  it('runs in a Worker', async () => {
    const blob = new Blob(Array.from({ length: 4 }, (_, k) => randomBytes(1 << 20, 100 + k)));
    expect(await hashBlob(blob)).to.equal(await digestBlob(blob));
    expect(hashingInWorker()).to.equal(true);
  });

  it('updates in uneven pieces, states at 64-byte boundaries that Digest resumes from, and back', async () => {
    const bytes = randomBytes(5 * 64 * 1024 + 77, 3);
    const job = HashJob.start();
    job.update(bytes.subarray(0, 1000));
    expect(await job.state(), 'not at a block boundary').to.equal(null);
    job.update(bytes.subarray(1000, 128 * 1024));
    const state = await job.state();
    expect(state).to.have.length(9);
    expect(state![8]).to.equal(128 * 1024);
    expect(state, 'the same state as Digest').to.deep.equal((() => {
      const d = new Digest();
      d.update(bytes.subarray(0, 128 * 1024));
      return d.state();
    })());
    // Resumed on the main thread from the Worker's state, and in the Worker from Digest's.
    const here = Digest.fromState(JSON.parse(JSON.stringify(state)))!;
    here.update(bytes.subarray(128 * 1024));
    const there = HashJob.fromState(state)!;
    expect(there.length).to.equal(128 * 1024);
    there.update(bytes.subarray(128 * 1024));
    const whole = reference(bytes);
    expect(here.digest()).to.equal(whole);
    expect(await there.digest()).to.equal(whole);
    job.update(bytes.subarray(128 * 1024));
    expect(await job.digest()).to.equal(whole);
    expect(HashJob.fromState([1, 2, 3])).to.equal(null);
  });

  it('take() lends whole chunks to the Worker and gets them back unchanged, hashed in order', async () => {
    const bytes = randomBytes(3 * 512 * 1024 + 5, 12);
    const job = HashJob.start();
    const chunks = [bytes.slice(0, 512 * 1024), bytes.slice(512 * 1024, 1024 * 1024), bytes.slice(1024 * 1024)];
    const back = await Promise.all(chunks.map((c) => job.take(c)));
    expect(chunks[0]!.byteLength, 'transferred: detached here meanwhile').to.equal(0);
    expect(back.map((c) => c.byteLength)).to.deep.equal([512 * 1024, 512 * 1024, 512 * 1024 + 5]);
    expect(back[2]).to.deep.equal(bytes.slice(1024 * 1024));
    expect(await job.digest()).to.equal(reference(bytes));
  });

  // Last: it stops the page's Worker for good.
  it('falls back to the main thread when the Worker stops: a hash under way says null, later ones run here', async () => {
    const bytes = randomBytes(200 * 1024, 9);
    const job = HashJob.start();
    job.update(bytes.subarray(0, 1024));
    const state = job.state();
    stopHashWorker();
    expect(await state).to.equal(null);
    expect(await job.digest(), 'its bytes are gone').to.equal(null);
    expect(hashingInWorker()).to.equal(false);
    const later = HashJob.start();
    later.update(bytes);
    expect(await later.digest()).to.equal(reference(bytes));
    expect(await hashBlob(new Blob([bytes]))).to.equal(reference(bytes));
  });
});
