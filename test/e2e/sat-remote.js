// The remote end of the satellite link (test/e2e/sat-link.js runs it, inside a network namespace of
// its own): a WebDAV server from npm (webdav-server, in memory) on 127.0.0.1, and in front of it,
// on HOST:PORT, a TCP proxy that holds every chunk DELAY_MS (env) in each direction (the ~300 ms each way
// of a geostationary hop; this kernel has no netem). It counts requests by method on the server
// and bytes each way on the proxy. Commands on stdin, one a line, each answered by one JSON line
// on stdout: `stats`, `reset`, `cut` (drop every connection and refuse new ones), `restore`,
// `delay <ms>` (the delay from now on).
import net from 'node:net';
import { createInterface } from 'node:readline';
import webdav from 'webdav-server';

const HOST = process.env.HOST ?? '127.0.0.1';
const PORT = Number(process.env.PORT ?? 0);
let delayMs = Number(process.env.DELAY_MS ?? 300);

const stats = { requests: {}, up: 0, down: 0 };
const server = new webdav.v2.WebDAVServer({
  hostname: '127.0.0.1',
  port: 0,
  // The page comes from another origin: CORS for jIO's dav storage (PROPFIND, MKCOL, Depth…).
  headers: {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, PUT, DELETE, PROPFIND, MKCOL, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, Depth, Authorization',
    'Access-Control-Max-Age': '86400',
  },
});
server.beforeRequest((ctx, next) => {
  const method = ctx.request.method;
  stats.requests[method] = (stats.requests[method] ?? 0) + 1;
  next();
});
const davServer = await new Promise((resolve) => { server.start((s) => resolve(s)); });
const davPort = davServer.address().port;

/** `data` to `to` after DELAY_MS; the same delay keeps the order. */
const later = (fn) => (delayMs > 0 ? setTimeout(fn, delayMs) : fn());
const sockets = new Set();
let refusing = false;

const proxy = net.createServer((client) => {
  if (refusing) {
    client.resetAndDestroy();
    return;
  }
  const upstream = net.connect(davPort, '127.0.0.1');
  sockets.add(client);
  sockets.add(upstream);
  client.on('data', (d) => { stats.up += d.length; later(() => upstream.writable && upstream.write(d)); });
  upstream.on('data', (d) => { stats.down += d.length; later(() => client.writable && client.write(d)); });
  client.on('end', () => later(() => upstream.end()));
  upstream.on('end', () => later(() => client.end()));
  for (const [a, b] of [[client, upstream], [upstream, client]]) {
    a.on('error', () => b.destroy());
    a.on('close', () => { sockets.delete(a); later(() => b.destroy()); });
  }
});
await new Promise((resolve) => proxy.listen(PORT, HOST, resolve));

const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
say({ ready: true, port: proxy.address().port });

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'stats') say({ stats });
  else if (command === 'reset') {
    stats.requests = {};
    stats.up = 0;
    stats.down = 0;
    say({ reset: true });
  } else if (command === 'cut') {
    refusing = true;
    for (const s of sockets) (s.resetAndDestroy ?? s.destroy).call(s);
    sockets.clear();
    say({ cut: true });
  } else if (command.startsWith('delay ')) {
    delayMs = Number(command.slice(6));
    say({ delay: delayMs });
  } else if (command === 'restore') {
    refusing = false;
    say({ restored: true });
  }
}).on('close', () => process.exit(0));
