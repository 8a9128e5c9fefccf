// Ranking of the LAN addresses the broadcaster prints, puts in /info.json and in the QR code:
// virtual interfaces left out, RFC 1918 ranges first. Fake os.networkInterfaces() results.
// Run after building: npx tsc -p broadcaster/tsconfig.json && node --test test/broadcaster/
import { test } from 'node:test';
import assert from 'node:assert/strict';

const { lanAddresses, listenAddresses, addressRank, isVirtualInterface } =
  await import(new URL('../../dist/broadcaster/addresses.js', import.meta.url).href);

/** One `os.networkInterfaces()` entry. */
const v4 = (address, internal = false) => ({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` });
const v6 = (address) => ({ address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal: false, cidr: `${address}/64`, scopeid: 0 });

test('a laptop running Docker: the Wi-Fi address comes first, the bridges are left out', () => {
  const interfaces = {
    lo: [v4('127.0.0.1', true)],
    docker0: [v4('172.17.0.1')],
    'br-3f2a9c': [v4('172.18.0.1')],
    veth12ab: [v4('172.17.0.5')],
    wlp2s0: [v4('192.168.1.23'), v6('fe80::1')],
  };
  assert.deepEqual(lanAddresses(interfaces), ['192.168.1.23']);
  assert.deepEqual(listenAddresses('0.0.0.0', interfaces), ['127.0.0.1', '192.168.1.23']);
});

test('every virtual interface family is skipped, real ones are kept', () => {
  for (const name of ['docker0', 'docker_gwbridge', 'br-0123abcd', 'veth0', 'vethd00d', 'virbr0', 'virbr0-nic', 'vmnet1', 'vmnet8', 'utun0', 'utun3']) {
    assert.equal(isVirtualInterface(name), true, name);
  }
  for (const name of ['eth0', 'enp3s0', 'wlan0', 'wlp2s0', 'en0', 'bridge0', 'tun0', 'wg0', 'lo']) {
    assert.equal(isVirtualInterface(name), false, name);
  }
  const interfaces = Object.fromEntries(['virbr0', 'vmnet8', 'utun2', 'eth0'].map((name, i) => [name, [v4(`10.0.${i}.1`)]]));
  assert.deepEqual(lanAddresses(interfaces), ['10.0.3.1']);
});

test('RFC 1918 ranges first (192.168, 10, 172.16/12), then others, link-local last; ties keep interface order', () => {
  const interfaces = {
    eth0: [v4('169.254.10.2')],
    eth1: [v4('100.64.3.4')],
    eth2: [v4('172.31.0.9'), v4('172.32.0.9')],
    eth3: [v4('10.1.2.3')],
    wlan0: [v4('192.168.0.10')],
    wlan1: [v4('10.9.9.9'), v4('192.168.5.5')],
    tun0: [v4('203.0.113.7')],
  };
  assert.deepEqual(lanAddresses(interfaces), [
    '192.168.0.10', '192.168.5.5', '10.1.2.3', '10.9.9.9', '172.31.0.9', '100.64.3.4', '172.32.0.9', '203.0.113.7', '169.254.10.2',
  ]);
  assert.deepEqual(['192.168.1.1', '10.0.0.1', '172.16.0.1', '172.15.0.1', '8.8.8.8', '169.254.1.1'].map(addressRank), [0, 1, 2, 3, 3, 4]);
});

test('duplicates once, internal and IPv6 addresses never; no interface at all gives none', () => {
  const interfaces = { eth0: [v4('192.168.1.2'), v4('127.0.0.1', true), v6('fd00::2')], eth0_alias: [v4('192.168.1.2')] };
  assert.deepEqual(lanAddresses(interfaces), ['192.168.1.2']);
  assert.deepEqual(lanAddresses({}), []);
  assert.deepEqual(listenAddresses('0.0.0.0', { docker0: [v4('172.17.0.1')] }), ['127.0.0.1']);
});
