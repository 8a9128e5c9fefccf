// The bench's browser: every page in a Chromium of its own with a persistent profile in a fresh
// directory on disk (`chromium.launchPersistentContext`), so IndexedDB, OPFS and the caches live on
// disk as users have them. Playwright's `browser.newContext()` is an incognito context whose
// IndexedDB lives in memory and flatters every write figure (ours and the baselines alike).
// `BENCH_STORAGE=incognito` runs the old way (one Chromium, incognito contexts), for comparison
// only; the results JSON and the header line say which it was.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, launchChromium } from '../../test/e2e/harness.js';

const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';

/** `'disk'` (default) or `'incognito'` (`BENCH_STORAGE=incognito`). */
export const storageMode = process.env.BENCH_STORAGE === 'incognito' ? 'incognito' : 'disk';

/**
 * A stand-in for a Playwright `Browser` with what bench/run.js uses: `newContext()`, `version()`,
 * `close()`. On disk, `newContext()` launches a Chromium with a persistent profile under the
 * system temporary directory (`rtc-bench-profile-*`, removed when the context closes); its first
 * `newPage()` returns the blank page the launch opened, so each context has one page and one
 * renderer, as an incognito context has.
 * @returns {Promise<{ mode: string, profileRoot: string | null, newContext(): Promise<import('playwright-core').BrowserContext>, version(): string, close(): Promise<void> }>}
 */
export async function launchBenchBrowser() {
  if (storageMode === 'incognito') {
    const browser = await launchChromium();
    return { mode: storageMode, profileRoot: null, newContext: () => browser.newContext(), version: () => browser.version(), close: () => browser.close() };
  }
  const open = new Set();
  const version = /\d+(?:\.\d+)+/.exec(execFileSync(executablePath, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[0] ?? 'unknown';
  return {
    mode: storageMode,
    profileRoot: tmpdir(),
    version: () => version,
    async newContext() {
      const dir = mkdtempSync(path.join(tmpdir(), 'rtc-bench-profile-'));
      const context = await chromium.launchPersistentContext(dir, { executablePath, headless: true, args: chromiumArgs });
      const close = context.close.bind(context);
      let closed = null;
      context.close = () => {
        closed ??= close().finally(() => {
          open.delete(context);
          rmSync(dir, { recursive: true, force: true });
        });
        return closed;
      };
      const blank = context.pages()[0];
      const newPage = context.newPage.bind(context);
      let first = true;
      context.newPage = () => {
        const reuse = first && blank && !blank.isClosed();
        first = false;
        return reuse ? Promise.resolve(blank) : newPage();
      };
      open.add(context);
      return context;
    },
    async close() {
      await Promise.all([...open].map((context) => context.close().catch(() => {})));
    },
  };
}
