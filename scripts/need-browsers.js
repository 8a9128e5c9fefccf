#!/usr/bin/env node
// Run before the browser and e2e tests (package.json test:browser, test:e2e): without Chromium every
// test file would fail with the same launcher stack trace; say once what to install instead.
// Exit 0 when Chromium is there (CHROME_PATH, else Debian's /usr/bin/chromium), else one line on
// stderr and exit 1. Firefox is checked by the Firefox tests themselves (test/e2e/harness.js).
import { accessSync, constants, statSync } from 'node:fs';

/** The Chromium the tests launch (web-test-runner.config.js, test/e2e/harness.js). */
const chromiumPath = process.env.CHROME_PATH || '/usr/bin/chromium';

/** Whether `file` is an executable regular file (symlinks followed). */
function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

if (!isExecutable(chromiumPath)) {
  const where = process.env.CHROME_PATH ? `CHROME_PATH=${chromiumPath} is not an executable` : `no Chromium at ${chromiumPath}`;
  process.stderr.write(`Browser tests need Chromium: ${where}. Install it (Debian: apt-get install chromium) or set CHROME_PATH to a Chromium binary.\n`);
  process.exit(1);
}
