// The offline pages' Service Worker at build time (README "Pages that work offline"): rollup bundles
// gadgets/offline/sw.ts to dist/offline/sw.js, then `stampOfflineWorker` writes the manifest as the
// script's first line: the version and the files to precache. The version is the package version and
// the first 8 hex digits of a SHA-256 over the worker's code and every precached file, so a change to
// any of them changes the script's bytes, which is what makes browsers install the new worker.
// The e2e test calls it too, to serve a new version from a copy of the package.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The precached files, from the folder holding demo/ and dist/: the slave and pairing pages and what they load. */
export const PRECACHE = [
  'demo/slave.html',
  'demo/offline-slave.html',
  'demo/pairing.html',
  'demo/demo.css',
  'demo/lang.js',
  'dist/rtc-gadgets.js',
];

/** Where the worker is built, from the package root. */
export const WORKER = 'dist/offline/sw.js';

/** The manifest line's start: the worker reads the constant it declares. */
const MARK = 'const RTC_OFFLINE_MANIFEST = ';

/** The worker's code without its manifest line. */
function workerBody(root) {
  const text = readFileSync(path.join(root, WORKER), 'utf8');
  return text.startsWith(MARK) ? text.slice(text.indexOf('\n') + 1) : text;
}

/**
 * The manifest of the worker built under `root`: `{ version, files }` (gadgets/offline/protocol.ts
 * `OfflineManifest`). Throws when a precached file is missing (build first).
 */
export function offlineManifest(root = '.') {
  const hash = createHash('sha256').update(workerBody(root));
  for (const file of PRECACHE) hash.update(`\0${file}\0`).update(readFileSync(path.join(root, file)));
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return { version: `${version}+${hash.digest('hex').slice(0, 8)}`, files: PRECACHE };
}

/** Writes (or rewrites) the manifest line of `root`'s dist/offline/sw.js; returns the manifest. */
export function stampOfflineWorker(root = '.') {
  const body = workerBody(root);
  const manifest = offlineManifest(root);
  writeFileSync(path.join(root, WORKER), `${MARK}${JSON.stringify(manifest)};\n${body}`);
  return manifest;
}

/** Rollup plugin for the worker's build: stamps the manifest once the script is written. */
export function offlineWorker() {
  return {
    name: 'rtc-offline-worker',
    writeBundle() {
      stampOfflineWorker('.');
    },
  };
}
