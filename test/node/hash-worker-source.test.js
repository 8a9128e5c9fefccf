// The committed hashing Worker script (gadgets/storage/hash-worker-source.ts) is what the build makes
// of gadgets/storage/hash-worker.ts and @noble/hashes now (scripts/hash-worker.js): rebuilt here with
// rollup.config.js's own step, it must match byte for byte. Needs `npm run build` first (tsc's output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rollup } from 'rollup';
import { HASH_WORKER_ENTRY, sourceModule } from '../../scripts/hash-worker.js';
import configs from '../../rollup.config.js';

test('the committed hashing Worker script is the current build of hash-worker.ts with @noble/hashes', async () => {
  const config = configs.find((c) => c.input === HASH_WORKER_ENTRY);
  const bundle = await rollup({ ...config, output: undefined });
  try {
    const { output } = await bundle.generate({ ...config.output, plugins: [] });
    const code = output[0].code;
    assert.match(code, /hash job/, 'the worker module is inside');
    assert.match(code, /0x6a09e667|1779033703/i, 'SHA-256 from @noble/hashes is inside');
    assert.equal(readFileSync('gadgets/storage/hash-worker-source.ts', 'utf8'), sourceModule(code),
      'gadgets/storage/hash-worker-source.ts is stale: run `npm run build` and commit it');
  } finally {
    await bundle.close();
  }
});
