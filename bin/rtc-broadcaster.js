#!/usr/bin/env node
// rtc-broadcaster: serves demo/ and dist/ to the LAN and relays WebRTC signaling at /signal.
// Thin shim over the compiled CLI (broadcaster/cli.ts → dist/broadcaster/cli.js).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/broadcaster/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('rtc-broadcaster: dist/broadcaster/cli.js is missing: run `npm run build` first\n');
  process.exit(1);
}
const { main } = await import(cli.href);
await main(process.argv.slice(2));
