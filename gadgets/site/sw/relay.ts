/**
 * The relay page's script (dist/rtc-site-relay.js, loaded by dist/rtc-site-relay.html?key=<key>),
 * on the site origin. It registers the Service Worker (scope `rtc-site/` beside it), tells the host
 * page (its parent, through the port the parent sent) when it is active, then forwards each read
 * the Service Worker asks for this key to the host page, with the port the answer goes to.
 */
import { SCOPE_DIR, SW_SCRIPT } from './protocol.js';
import type { ConnectReply, ReadMessage } from './protocol.js';

const key = new URLSearchParams(location.search).get('key');
let host: MessagePort | null = null;

addEventListener('message', (e: MessageEvent) => {
  const data = e.data as { type?: string } | null;
  if (host || !key || e.source !== parent || data?.type !== 'rtc-site-connect' || !e.ports[0]) return;
  host = e.ports[0];
  void start(host);
});

async function start(port: MessagePort): Promise<void> {
  let reply: ConnectReply;
  try {
    const registration = await navigator.serviceWorker.register(SW_SCRIPT, { scope: SCOPE_DIR });
    const worker = registration.installing ?? registration.waiting ?? registration.active;
    if (!worker) throw new Error('no Service Worker after registration');
    if (worker.state !== 'activated') {
      await new Promise<void>((resolve, reject) => {
        worker.addEventListener('statechange', () => {
          if (worker.state === 'activated') resolve();
          if (worker.state === 'redundant') reject(new Error('the Service Worker failed to install'));
        });
      });
    }
    reply = { type: 'ready', scope: registration.scope };
  } catch (error) {
    reply = { type: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
}

navigator.serviceWorker.addEventListener('message', (e: MessageEvent) => {
  const data = e.data as ReadMessage | null;
  if (data?.type === 'read' && data.key === key && host && e.ports[0]) host.postMessage(data, [e.ports[0]]);
});
navigator.serviceWorker.startMessages();
