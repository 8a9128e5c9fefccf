/**
 * The addresses the broadcaster can be reached at, for the URLs it prints.
 */

import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';

/** Hosts that mean "every interface". */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host);
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Every non-internal IPv4 address of this machine, in interface order, without duplicates. */
export function lanAddresses(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  const found: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      // Node 18.0–18.3 reported `family` as the number 4.
      const family = info.family as string | number;
      if ((family === 'IPv4' || family === 4) && !info.internal && !found.includes(info.address)) {
        found.push(info.address);
      }
    }
  }
  return found;
}

/**
 * Addresses to print for a server bound to `host`: for a wildcard host, `127.0.0.1` and then every
 * LAN IPv4 address; for a specific host, only that host.
 */
export function listenAddresses(
  host: string,
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string[] {
  if (!isWildcardHost(host)) return [host];
  return ['127.0.0.1', ...lanAddresses(interfaces).filter((address) => address !== '127.0.0.1')];
}

/** `http://ADDR:PORT/`, with IPv6 literals in brackets. */
export function httpUrl(address: string, port: number, path = '/'): string {
  const shown = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `http://${shown}:${port}${path}`;
}
