// <rtc-status> of a master on a broadcaster with several LAN addresses: a menu offers each, in the
// broadcaster's order (best first), and switches the link and the QR code. The broadcaster is not
// reachable from here: its /info.json is answered by a stub of fetch, and the master is marked
// connected (the e2e pairing test covers the real broadcaster).
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import decodeQR from 'qr/decode.js';
import '../../gadgets/define.js';
import type { RtcMaster, RtcSlave, RtcStatus } from '../../gadgets/index.js';
import { testDatabase } from './fixtures.js';

const SIGNALING = 'ws://broadcaster.test:9999/signal';
const INFO_URL = 'http://broadcaster.test:9999/info.json';

let n = 0;
const realFetch = window.fetch;
let databases: string[] = [];

/** Answers the broadcaster's /info.json with `info` (404 when null); everything else goes out. */
function serveInfo(info: object | null): void {
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url !== INFO_URL) return realFetch(input, init);
    return info ? new Response(JSON.stringify(info), { headers: { 'Content-Type': 'application/json' } }) : new Response('', { status: 404 });
  };
}

/** A master (room `room`) on the stub broadcaster, marked connected, and its status. */
async function connectedMaster(room: string): Promise<{ master: RtcMaster; status: RtcStatus }> {
  const database = `status-${Date.now()}-${n++}`;
  databases.push(database);
  const wrap = await fixture(html`<div>
    <rtc-master id="sm" no-autoconnect database=${database} room=${room} signaling=${SIGNALING}></rtc-master>
    <rtc-status for="sm"></rtc-status>
  </div>`);
  const master = wrap.querySelector('rtc-master') as RtcMaster;
  const status = wrap.querySelector('rtc-status') as RtcStatus;
  await waitUntil(() => status.shadowRoot!.textContent!.includes('Master'), 'status binds to the master');
  master.state = 'connected';
  master.dispatchEvent(new CustomEvent('rtc-state-change', { detail: { state: 'connected', previous: 'disconnected' } }));
  return { master, status };
}

/** The text held by the status's QR code (its SVG drawn on a canvas, then decoded). */
async function shownQr(status: RtcStatus): Promise<string> {
  const svg = status.shadowRoot!.querySelector('svg.qr-code')!;
  const image = new Image();
  image.src = URL.createObjectURL(new Blob([svg.outerHTML], { type: 'image/svg+xml' }));
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 400;
  const context = canvas.getContext('2d')!;
  context.drawImage(image, 0, 0, 400, 400);
  URL.revokeObjectURL(image.src);
  return decodeQR(context.getImageData(0, 0, 400, 400));
}

const link = (status: RtcStatus) => status.shadowRoot!.querySelector<HTMLAnchorElement>('[part=share] a');
const menu = (status: RtcStatus) => status.shadowRoot!.querySelector<HTMLSelectElement>('select[part=addresses]');

afterEach(async () => {
  window.fetch = realFetch;
  for (const name of databases) {
    await new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase(`rtc:${name}`);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
  }
  databases = [];
});

describe('<rtc-status> LAN addresses', () => {
  const info = {
    v: 1,
    urls: ['http://127.0.0.1:9999/', 'http://192.168.1.5:9999/', 'http://10.0.0.7:9999/', 'http://172.16.4.2:9999/'],
    lanUrls: ['http://192.168.1.5:9999/', 'http://10.0.0.7:9999/', 'http://172.16.4.2:9999/'],
    masterPage: 'http://127.0.0.1:9999/demo/master.html',
    slavePage: 'http://192.168.1.5:9999/demo/slave.html',
    signaling: '/signal',
  };

  it('offers every LAN address, best first, and the menu switches the link and the QR code', async () => {
    serveInfo(info);
    const { status } = await connectedMaster('lab');
    await waitUntil(() => menu(status), 'the address menu appears');
    const select = menu(status)!;
    expect([...select.options].map((o) => o.textContent!.trim())).to.deep.equal(['192.168.1.5:9999 (best)', '10.0.0.7:9999', '172.16.4.2:9999']);
    expect(select.value).to.equal('http://192.168.1.5:9999/');
    expect(select.labels[0]!.textContent).to.contain('Address');
    expect(link(status)!.href).to.equal('http://192.168.1.5:9999/demo/slave.html?room=lab');
    expect(await shownQr(status)).to.equal('http://192.168.1.5:9999/demo/slave.html?room=lab');

    select.value = 'http://10.0.0.7:9999/';
    select.dispatchEvent(new Event('change'));
    await waitUntil(() => link(status)!.href === 'http://10.0.0.7:9999/demo/slave.html?room=lab', 'the link follows the menu');
    expect(link(status)!.textContent).to.equal('http://10.0.0.7:9999/demo/slave.html?room=lab');
    const qr = status.shadowRoot!.querySelector('svg.qr-code')!;
    expect(qr.getAttribute('aria-label')).to.equal('QR code of the slave page address http://10.0.0.7:9999/demo/slave.html?room=lab');
    expect(await shownQr(status)).to.equal('http://10.0.0.7:9999/demo/slave.html?room=lab');
    await expect(status).to.be.accessible();
  });

  it('one LAN address: a link and a QR code, no menu; none: the loopback page, said to be local', async () => {
    serveInfo({ ...info, urls: info.urls.slice(0, 2), lanUrls: info.lanUrls.slice(0, 1) });
    const one = await connectedMaster('default');
    await waitUntil(() => link(one.status), 'the link appears');
    expect(link(one.status)!.href).to.equal('http://192.168.1.5:9999/demo/slave.html');
    expect(menu(one.status)).to.equal(null);
    expect(one.status.shadowRoot!.textContent).not.to.contain('this machine only');

    serveInfo({ ...info, urls: info.urls.slice(0, 1), lanUrls: [], slavePage: 'http://127.0.0.1:9999/demo/slave.html' });
    const none = await connectedMaster('default');
    await waitUntil(() => link(none.status), 'the link appears');
    expect(link(none.status)!.href).to.equal('http://127.0.0.1:9999/demo/slave.html');
    expect(menu(none.status)).to.equal(null);
    expect(none.status.shadowRoot!.textContent).to.contain('this machine only');
  });

  it('a slave-page attribute is placed on the chosen address', async () => {
    serveInfo(info);
    const { status } = await connectedMaster('lab');
    status.slavePage = '/demo/pairing.html?x=1';
    await waitUntil(() => menu(status), 'the address menu appears');
    menu(status)!.value = 'http://172.16.4.2:9999/';
    menu(status)!.dispatchEvent(new Event('change'));
    await waitUntil(() => link(status)!.href === 'http://172.16.4.2:9999/demo/pairing.html?x=1', 'the link follows the menu');
  });

  it('no /info.json (not a broadcaster): no share section', async () => {
    serveInfo(null);
    const { status } = await connectedMaster('lab');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(status.shadowRoot!.querySelector('[part=share]')).to.equal(null);
  });
});

describe('<rtc-status> speaks once', () => {
  it('announces each change once in a hidden status; the box is not a live region; a rename or a re-render says nothing', async () => {
    const master = await fixture<RtcMaster>(html`<rtc-master signaling="manual" database=${testDatabase('speak')}><rtc-status></rtc-status></rtc-master>`);
    const slave = await fixture<RtcSlave>(html`<rtc-slave signaling="manual" name="Till 1"><rtc-status></rtc-status></rtc-slave>`);
    const [status, slaveStatus] = [master, slave].map((el) => el.querySelector('rtc-status') as RtcStatus);
    await waitUntil(() => master.state === 'connected', 'master ready');
    const region = status!.shadowRoot!.querySelector('[role=status]')!;
    // One live region, and not the box.
    expect(status!.shadowRoot!.querySelectorAll('[role=status], [aria-live]:not([aria-live=off])').length).to.equal(1);
    expect(status!.shadowRoot!.querySelector('[part=base]')!.hasAttribute('role')).to.equal(false);
    expect(region.getAttribute('part')).to.equal('announcement');
    expect(region.getBoundingClientRect().width).to.be.at.most(1);
    await waitUntil(() => region.textContent === 'Master connected.', 'the state is announced');
    const said: string[] = [];
    new MutationObserver(() => said.push(region.textContent!)).observe(region, { childList: true, characterData: true, subtree: true });
    await slave.acceptAnswer(await master.acceptOffer(await slave.createOffer()));
    await waitUntil(() => region.textContent === '1 slave connected.', 'a slave joining is announced', { timeout: 15000 });
    await waitUntil(() => slaveStatus!.shadowRoot!.querySelector('[role=status]')!.textContent === 'Slave connected.', 'the slave says it is connected');
    // A rename changes the list, not the state: nothing more is said.
    slave.name = 'Till 2';
    await waitUntil(() => status!.shadowRoot!.querySelector('.peer-name')?.textContent === 'Till 2', 'the master lists the new name', { timeout: 5000 });
    status!.requestUpdate();
    await status!.updateComplete;
    await new Promise((r) => setTimeout(r, 100));
    expect(said).to.deep.equal(['1 slave connected.']);
    await expect(status!).to.be.accessible();
    await expect(slaveStatus!).to.be.accessible();
    await slave.disconnect();
    await waitUntil(() => region.textContent === '0 slaves connected.', 'a slave leaving is announced', { timeout: 10000 });
    expect(said).to.deep.equal(['1 slave connected.', '0 slaves connected.']);
    await master.disconnect();
  });
});
