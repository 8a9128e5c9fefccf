// A tiny static server for the benchmark pages: bench/pages/, the built bundle (dist/) and Dexie's
// ES module. The broadcaster serves only demo/ and dist/, so bench pages come from here, on another
// port of the same host (the elements reach the broadcaster through their `signaling` attribute),
// and jIO's build for the jIO anchor (bench/pages/jio-anchor.js).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** URL prefix → folder under the repository root. Nothing else is served. */
const MOUNTS = [
  ['/bench/', 'bench/pages/'],
  ['/dist/', 'dist/'],
  ['/dexie/', 'node_modules/dexie/dist/'],
  ['/test-shared/', 'test/shared/'],
  ['/jio/', 'node_modules/jio/dist/'],
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Starts the server on `host`, port 0 (a free one).
 * @returns {Promise<{ port: number, origin: string, close(): Promise<void> }>}
 */
export async function startStaticServer(host) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const mount = MOUNTS.find(([prefix]) => path.startsWith(prefix));
    const rel = mount && normalize(path.slice(mount[0].length));
    if (!mount || rel.startsWith('..') || rel.startsWith('/')) {
      res.writeHead(404).end('not found');
      return;
    }
    try {
      const body = await readFile(join(root, mount[1], rel));
      res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address();
  return {
    port,
    server,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
