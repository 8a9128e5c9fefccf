// The master page of the replication test and the sync bench: a Chromium page with the real jIO
// (npm `jio` through test/jio/jio-browser-shim.js), the WebDAV storage of the tests
// (test/jio/webdav-json-storage.js), the bundle (which registers the `rtc` storage when jIO is on the
// page), an <rtc-master> and an <rtc-replicate>.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { browserJioScript } from '../jio/jio-browser-shim.js';
import { webdavJsonStorageScript } from '../jio/webdav-json-storage.js';

/** jIO, then the test's WebDAV storage, as one classic script. */
const jioScript = `${browserJioScript(readFileSync(fileURLToPath(new URL('../../node_modules/jio/dist/jio-latest-node.js', import.meta.url)), 'utf8'))}\n${webdavJsonStorageScript()}`;

/** The master page: jIO first (as an ERP5 page has it), then the bundle, a master and <rtc-replicate>. */
export function masterPage({ remote, options, database }) {
  return `<!doctype html><meta charset="utf-8"><title>replicate</title>
<script src="/jio/jio.js"></script>
<script type="module" src="/dist/rtc-gadgets.js"></script>
<rtc-master id="db" database="${database}" no-autoconnect no-journal></rtc-master>
<rtc-replicate for="db" every="0" remote='${JSON.stringify(remote)}' options='${JSON.stringify(options)}'></rtc-replicate>`;
}

/** Opens the master page of `spec` on `server`'s origin (the page and jIO are served by routes). */
export async function openMaster(browser, server, spec) {
  // Chromium asks before a page reaches the local network (the remote at 10.214.x.2): as the user
  // of a field site's master page would, the test grants it.
  const context = await browser.newContext({ permissions: ['local-network-access'] });
  const page = await context.newPage();
  if (process.env.DEBUG_REPLICATE) page.on('console', (m) => console.log('page:', m.text()));
  const url = `${server.origin}/demo/replicate-test-${spec.database}.html`;
  await page.route(url, (route) => route.fulfill({ contentType: 'text/html', body: masterPage(spec) }));
  await page.route(`${server.origin}/jio/jio.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: jioScript }));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('rtc-replicate')?.lastResult, null, { timeout: 60000 });
  return { context, page };
}

