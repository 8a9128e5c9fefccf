/**
 * Keepalive of the broadcaster's WebSockets: every `interval` ms each client is pinged, and a client
 * that sent nothing (no frame, no pong) since the previous ping is terminated. Browsers answer pings
 * by themselves, so only dead peers (a laptop that slept, a lost Wi-Fi) are dropped.
 */

import { WebSocket } from 'ws';

import type { Client } from './client.js';
import { guard } from './log.js';
import type { Log } from './log.js';

/**
 * Starts the ping timer (unref'd: it does not keep the process alive).
 * @param clients the live set of clients, read at each tick.
 * @param interval ms between pings.
 * @param drop called after terminating an unresponsive client, to free its room slot.
 * @returns a function that stops the timer.
 */
export function startKeepalive(clients: ReadonlySet<Client>, interval: number, drop: (client: Client) => void, log: Log): () => void {
  const timer = setInterval(() => {
    for (const client of clients) {
      guard(log, 'keepalive', () => {
        if (!client.alive) {
          log(`dropping unresponsive client ${client.id || '(not joined)'}`);
          client.ws.terminate();
          drop(client);
          return;
        }
        client.alive = false;
        if (client.ws.readyState === WebSocket.OPEN) client.ws.ping();
      });
    }
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}
