// Unit and element tests, in the system Chromium (Debian's /usr/bin/chromium, or CHROME_PATH).
// TypeScript test files are transpiled per file by esbuild; `npm run build` type-checks.
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { rollup } from 'rollup';

/**
 * Serves CommonJS-only dependencies as one ES module each, bundled by rollup as the real build
 * does (the dev server cannot run @rollup/plugin-commonjs across modules). Only qrcode's encoder
 * (the pairing QR codes) needs it.
 */
const COMMONJS_ENTRIES = [/\/node_modules\/qrcode\/lib\/core\/qrcode\.js$/];
const commonjsEntries = {
  name: 'commonjs-entries',
  async serve(context) {
    if (!COMMONJS_ENTRIES.some((re) => re.test(context.path))) return undefined;
    const bundle = await rollup({ input: `.${context.path}`, plugins: [nodeResolve({ browser: true }), commonjs()] });
    const { output } = await bundle.generate({ format: 'es' });
    await bundle.close();
    return { body: output[0].code, type: 'js' };
  },
};

const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';

export default {
  files: process.env.TEST_FILES ? process.env.TEST_FILES.split(',') : ['test/unit/**/*.test.ts', 'test/elements/**/*.test.ts', 'test/renderjs/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 60000,
  testsFinishTimeout: 300000,
  plugins: [commonjsEntries, esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2021' })],
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
