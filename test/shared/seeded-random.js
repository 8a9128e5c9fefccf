// The one seeded pseudo-random generator of the tests and the bench: browser tests (TypeScript),
// node tests, e2e pages and bench pages all draw reproducible data from it. Self-contained on
// purpose: e2e tests install `seededRandom` in a page from its source (`${seededRandom}`).

/**
 * xorshift32 (G. Marsaglia, "Xorshift RNGs", Journal of Statistical Software 8(14), 2003):
 * a reproducible stream of 32-bit words from `seed`. Not for cryptography.
 *
 * @param {number} seed any integer (taken modulo 2^32; 0, a fixed point of xorshift, becomes 1)
 * @returns {{ next(): number, int(n: number): number, float(): number, fill<T extends Uint32Array>(words: T): T }}
 *   `next()` the next word (an integer in [1, 2^32)); `int(n)` an integer in [0, n); `float()` a
 *   number in [0, 1); `fill(words)` writes the next `words.length` words into `words` and returns it.
 */
export function seededRandom(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
  return {
    next,
    int: (n) => Math.floor((next() / 4294967296) * n),
    float: () => next() / 4294967296,
    fill(words) {
      for (let i = 0; i < words.length; i++) words[i] = next();
      return words;
    },
  };
}

/**
 * `size` bytes of the stream of `seed`: its words in little-endian order (as a Uint32Array lays
 * them out on every platform the tests run on), the last one cut at `size`.
 *
 * @param {number} size bytes, ≥ 0
 * @param {number} seed as for `seededRandom`
 * @returns {Uint8Array}
 */
export function randomBytes(size, seed) {
  const words = seededRandom(seed).fill(new Uint32Array(Math.ceil(size / 4)));
  return new Uint8Array(words.buffer, 0, size);
}
