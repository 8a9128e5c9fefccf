/**
 * Static file serving for the broadcaster: the package's `demo/` and `dist/` folders only.
 *
 * - `/` → 302 to `/demo/`; a folder without its trailing slash → 301 to the slashed URL; a folder
 *   serves its `index.html` (no listings);
 * - `GET` and `HEAD` only (else 405);
 * - the path is percent-decoded once, then any `.` or `..` segment, NUL or backslash is refused (403
 *   / 400); the resolved file, symlinks followed, must still be inside `demo/` or `dist/` (else 403);
 * - `Cache-Control: no-cache` with an `ETag`, so a reload always revalidates (304 when unchanged);
 * - `Service-Worker-Allowed: /` on `dist/offline/`, so the offline pages' worker may control `demo/`
 *   (README "Pages that work offline").
 */

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { contentTypeFor } from '../gadgets/content-types.js';

/** Folders of the package root that are served. */
export const SERVED_FOLDERS: readonly string[] = ['demo', 'dist'];


/** What a request path resolves to, before touching the file system. */
export type Resolution =
  | { kind: 'redirect'; status: 301 | 302; location: string }
  | { kind: 'file'; base: string; file: string; trailingSlash: boolean; pathname: string }
  | { kind: 'error'; status: 400 | 403 | 404; reason: string };

/**
 * Maps a request URL (`/demo/x.html?y`) to a file under `root`, refusing traversal. Pure apart from
 * `path` arithmetic.
 */
export function resolveRequest(root: string, url: string): Resolution {
  if (!url.startsWith('/')) return { kind: 'error', status: 400, reason: 'bad request target' };
  const cut = url.search(/[?#]/);
  const rawPath = cut === -1 ? url : url.slice(0, cut);
  if (rawPath === '/') return { kind: 'redirect', status: 302, location: '/demo/' };
  let pathname: string;
  try {
    pathname = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'error', status: 400, reason: 'bad percent-encoding' };
  }
  if (pathname.includes('\0') || pathname.includes('\\')) {
    return { kind: 'error', status: 400, reason: 'bad character in path' };
  }
  const segments = pathname.split('/').slice(1);
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return { kind: 'error', status: 403, reason: 'path traversal refused' };
  }
  const [folder, ...rest] = segments;
  if (folder === undefined || !SERVED_FOLDERS.includes(folder)) {
    return { kind: 'error', status: 404, reason: 'not found' };
  }
  const base = path.resolve(root, folder);
  const file = path.resolve(base, ...rest.filter((segment) => segment !== ''));
  const relative = path.relative(base, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    return { kind: 'error', status: 403, reason: 'path traversal refused' };
  }
  return { kind: 'file', base, file, trailingSlash: pathname.endsWith('/'), pathname: rawPath };
}

function isInside(base: string, file: string): boolean {
  const relative = path.relative(base, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await stat(file);
  } catch {
    return undefined;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
};

/** Sends a small plain-text error (or redirect) response. */
export function sendStatus(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${status} ${STATUS_TEXT[status] ?? ''}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

/** Serves one request from `root`'s `demo/` and `dist/`. Never throws; errors become 4xx/500. */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendStatus(res, 405, { Allow: 'GET, HEAD' });
      return;
    }
    const resolution = resolveRequest(root, req.url ?? '/');
    if (resolution.kind === 'redirect') {
      sendStatus(res, resolution.status, { Location: resolution.location });
      return;
    }
    if (resolution.kind === 'error') {
      sendStatus(res, resolution.status);
      return;
    }
    let file = resolution.file;
    let stats = await statOrUndefined(file);
    if (stats?.isDirectory()) {
      if (!resolution.trailingSlash) {
        const query = (req.url ?? '').slice(resolution.pathname.length);
        sendStatus(res, 301, { Location: `${resolution.pathname}/${query}` });
        return;
      }
      file = path.join(file, 'index.html');
      stats = await statOrUndefined(file);
    }
    // A file asked for as a folder (`/demo/app.js/`) would break its relative URLs: 404.
    if (!stats?.isFile() || (resolution.trailingSlash && file === resolution.file)) {
      sendStatus(res, 404);
      return;
    }
    // Symlinks must not lead out of the served folder.
    let real: string;
    let realBase: string;
    try {
      [real, realBase] = await Promise.all([realpath(file), realpath(resolution.base)]);
    } catch {
      sendStatus(res, 404);
      return;
    }
    if (!isInside(realBase, real)) {
      sendStatus(res, 403);
      return;
    }
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    const headers = {
      'Content-Type': contentTypeFor(file), // the table shared with the pages (gadgets/content-types.ts)
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      ETag: etag,
      'Last-Modified': stats.mtime.toUTCString(),
      ...(resolution.pathname.startsWith('/dist/offline/') ? { 'Service-Worker-Allowed': '/' } : {}),
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': stats.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(real);
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  } catch {
    if (!res.headersSent) sendStatus(res, 500);
    else res.destroy();
  }
}
