// test/shared/seeded-random.js is xorshift32 and keeps its stream: tests and the bench depend on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes, seededRandom } from '../shared/seeded-random.js';

test('the stream is Marsaglia\'s xorshift32 (his seed 2463534242 gives 723471715 first)', () => {
  const random = seededRandom(2463534242);
  assert.deepEqual([random.next(), random.next()], [723471715, 2497366906]);
  assert.equal(seededRandom(0).next(), seededRandom(1).next(), 'seed 0 becomes 1');
});

test('int, float and fill draw from the same stream, within their ranges', () => {
  const words = seededRandom(7).fill(new Uint32Array(1000));
  const ints = seededRandom(7);
  const floats = seededRandom(7);
  for (const word of words) {
    assert.equal(ints.int(10), Math.floor((word / 2 ** 32) * 10));
    const f = floats.float();
    assert.ok(f >= 0 && f < 1);
    assert.equal(f, word / 2 ** 32);
  }
});

test('randomBytes gives the words little-endian, cut at size', () => {
  const word = seededRandom(1).next();
  const bytes = randomBytes(6, 1);
  assert.equal(bytes.length, 6);
  assert.deepEqual([...bytes.subarray(0, 4)], [word & 255, (word >>> 8) & 255, (word >>> 16) & 255, word >>> 24]);
  assert.deepEqual([...randomBytes(6, 1)], [...bytes]);
});
