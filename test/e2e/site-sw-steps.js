// Steps shared by the Service Worker path's end-to-end tests (site-sw.test.js): open a master and
// a slave page on a loopback origin (a secure context), store files as attachments on the master,
// and show a site through startServiceWorkerServer in a frame the slave page makes itself.
import { openConnected } from './harness.js';

/** The master page, connected, with `countSent` installed: `window.__sentData` counts attachment bytes sent. */
export async function openMaster(browser, origin) {
  const context = await browser.newContext();
  await context.addInitScript(countSent);
  const page = await context.newPage();
  await page.goto(`${origin}/demo/master.html`);
  await page.waitForSelector('rtc-master[state="connected"]', { timeout: 20000 });
  return page;
}

/** Runs in the master page before its scripts: counts attachment bytes (data frames, kind 3) it sends. */
function countSent() {
  window.__sentData = 0;
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    if (data instanceof ArrayBuffer && data.byteLength > 16 && new Uint8Array(data, 1, 1)[0] === 3) window.__sentData += data.byteLength - 16;
    return send.call(this, data);
  };
}

/** A slave page on `origin`, connected. */
export function openSlave(browser, origin) {
  return openConnected(browser, `${origin}/demo/slave.html`, 'rtc-slave');
}

/**
 * In the slave page: serve document `doc` through the Service Worker path and show `path` in a
 * frame with the server's sandbox, `prefix` (with `PATH` for the page's path) before every HTML page;
 * resolves with the frame's URL once it loaded.
 */
export function showSite(page, doc, path, id, prefix = '') {
  return page.evaluate(async ({ doc, path, id, prefix }) => {
    const { startServiceWorkerServer, SW_FRAME_SANDBOX } = await import('/dist/gadgets/site/sw/index.js');
    const { DatabaseSiteSource } = await import('/dist/gadgets/site/file-source.js');
    const source = new DatabaseSiteSource(document.getElementById('db'), doc);
    // Every read the Service Worker asked for, `[path, start, end]`, for the tests' messages.
    const reads = ((window.__reads ??= {})[id] = []);
    const read = source.read.bind(source);
    source.read = (p, range) => (reads.push([p, ...(range ?? [])]), read(p, range));
    const server = await startServiceWorkerServer(source, prefix ? { pagePrefix: (p) => prefix.replace('PATH', p) } : {});
    if (!server) throw new Error('no Service Worker server');
    (window.__servers ??= {})[id] = server;
    const frame = document.createElement('iframe');
    frame.id = id;
    frame.setAttribute('sandbox', server.sandbox ?? 'none');
    if (server.sandbox !== SW_FRAME_SANDBOX) throw new Error(`sandbox ${server.sandbox}`);
    frame.style.cssText = 'width:480px;height:320px';
    frame.src = await server.urlFor(path);
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    document.body.append(frame);
    await loaded;
    return { url: frame.src, kind: server.kind };
  }, { doc, path, id, prefix });
}
