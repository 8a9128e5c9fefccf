/**
 * The addresses the broadcaster can be reached at, for the URLs it prints and `/info.json`: LAN
 * addresses ranked so that the first is the one a phone on the same Wi-Fi most likely reaches.
 */

import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';

/** Hosts that mean "every interface". */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** Whether `host` (a `--host` value) means every interface: `0.0.0.0`, `::` or empty. */
export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host);
}

/** Whether `host` is this machine only: `localhost`, `::1` or 127.0.0.0/8 (RFC 1122 §3.2.1.3). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Interfaces of virtual bridges and tunnels that other devices of the LAN cannot reach: Docker
 * (`docker0`, `br-<id>`, `veth<id>`), libvirt (`virbr0`), VMware (`vmnet1`) and macOS tunnels (`utun0`).
 */
const VIRTUAL_INTERFACE = /^(docker.*|br-.*|veth.*|virbr.*|vmnet.*|utun.*)$/;

/** Whether interface `name` (a key of `os.networkInterfaces()`) is a virtual bridge or tunnel, left out of the LAN URLs. */
export function isVirtualInterface(name: string): boolean {
  return VIRTUAL_INTERFACE.test(name);
}

/**
 * How likely another device can open `address` (an IPv4 literal), lower is better: 0 for
 * 192.168/16, 1 for 10/8, 2 for 172.16/12 (RFC 1918 private ranges, home networks first), 3 for
 * any other address, 4 for link-local 169.254/16 (no DHCP server answered).
 */
export function addressRank(address: string): number {
  const [a, b] = address.split('.').map(Number) as [number, number];
  if (a === 192 && b === 168) return 0;
  if (a === 10) return 1;
  if (a === 172 && b >= 16 && b <= 31) return 2;
  if (a === 169 && b === 254) return 4;
  return 3;
}

/**
 * Every non-internal IPv4 address of this machine that other devices may reach, best first (by
 * {@link addressRank}, then interface order), without duplicates. Virtual interfaces
 * ({@link isVirtualInterface}) are left out: a laptop running Docker would otherwise offer
 * 172.17.0.1, which no phone can open.
 * @param interfaces as `os.networkInterfaces()` returns them (the default).
 */
export function lanAddresses(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  const found: string[] = [];
  for (const [name, list] of Object.entries(interfaces)) {
    if (isVirtualInterface(name)) continue;
    for (const info of list ?? []) {
      // Node 18.0–18.3 reported `family` as the number 4.
      const family = info.family as string | number;
      if ((family === 'IPv4' || family === 4) && !info.internal && !found.includes(info.address)) {
        found.push(info.address);
      }
    }
  }
  // Array.prototype.sort is stable: equal ranks keep interface order.
  return found.sort((x, y) => addressRank(x) - addressRank(y));
}

/**
 * Addresses to print for a server bound to `host`: for a wildcard host, `127.0.0.1` and then every
 * LAN IPv4 address, best first ({@link lanAddresses}); for a specific host, only that host.
 */
export function listenAddresses(
  host: string,
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string[] {
  if (!isWildcardHost(host)) return [host];
  return ['127.0.0.1', ...lanAddresses(interfaces).filter((address) => address !== '127.0.0.1')];
}

/** `http://ADDR:PORT/` (`https://` when `secure`), with IPv6 literals in brackets. */
export function httpUrl(address: string, port: number, path = '/', secure = false): string {
  const shown = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `${secure ? 'https' : 'http'}://${shown}:${port}${path}`;
}
