// Unit and element tests, in the system Chromium (Debian's /usr/bin/chromium, or CHROME_PATH).
// TypeScript test files are transpiled per file by esbuild; `npm run build` type-checks.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { readFileSync } from 'node:fs';

const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';

export default {
  files: process.env.TEST_FILES ? process.env.TEST_FILES.split(',') : ['test/unit/**/*.test.ts', 'test/elements/**/*.test.ts', 'test/renderjs/**/*.test.ts', 'test/jio/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 60000,
  testsFinishTimeout: 300000,
  // jIO's Node build as plain text for test/jio/load-jio.ts: esbuild would make it strict mode (it needs sloppy `this`).
  middleware: [(ctx, next) => {
    if (ctx.path !== '/__jio__/jio-latest-node.txt') return next();
    ctx.type = 'text/plain';
    ctx.body = readFileSync('node_modules/jio/dist/jio-latest-node.js', 'utf8');
  }],
  plugins: [esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2021' })],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath,
        headless: true,
        args: [
          '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync',
          '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection',
        ],
      },
    }),
  ],
  testFramework: { config: { timeout: 20000 } },
};
