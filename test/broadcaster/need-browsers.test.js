// scripts/need-browsers.js, run before the browser and e2e tests: one clear line and exit 1 without
// Chromium, silence and exit 0 with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/need-browsers.js', import.meta.url));
const run = (chromePath) => spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, CHROME_PATH: chromePath }, encoding: 'utf8' });

test('a missing Chromium: one line saying what to install, exit 1', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'need-browsers-'));
  const plain = path.join(dir, 'chromium');
  writeFileSync(plain, 'not a program', { mode: 0o644 });
  try {
    for (const file of [path.join(dir, 'missing'), plain, dir]) {
      const { status, stdout, stderr } = run(file);
      assert.equal(status, 1, file);
      assert.equal(stdout, '');
      assert.equal(stderr.split('\n').length, 2, `one line: ${stderr}`);
      assert.match(stderr, /apt-get install chromium/);
      assert.match(stderr, /CHROME_PATH/);
      assert.ok(stderr.includes(file), stderr);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an executable Chromium: nothing printed, exit 0', () => {
  // Any executable stands in for Chromium: the check looks only at the file.
  const { status, stdout, stderr } = run(process.execPath);
  assert.equal(status, 0, stderr);
  assert.equal(stdout + stderr, '');
});
