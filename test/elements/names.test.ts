// Device names (README "Device names"): a slave's default name and its persistence, the name a
// master lists for each slave (told in the handshake and on every rename), renaming in
// <rtc-status>, and hostile names. Masters and slaves pair by hand (signaling="manual") over real
// RTCPeerConnections in this page, without a broadcaster.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { PeerInfo, RtcMaster, RtcSlave, RtcStatus } from '../../gadgets/index.js';
import { NAME_KEY, newDeviceName, platformName } from '../../gadgets/elements/device-name.js';
import type { FramedChannel } from '../../gadgets/channel/framed-channel.js';
import { testDatabase } from './fixtures.js';

const DEFAULT_NAME = /^(Android|iPhone|iPad|ChromeOS|Windows|Mac|Linux|Device) · [0-9A-F]{4}$/;

/** A manual master on a new database (ready) with its status, and a manual slave with its status. */
async function masterAndSlave(options: { slaveName?: string; secret?: string } = {}) {
  const secret = options.secret ?? '';
  const master = await fixture<RtcMaster>(html`<rtc-master signaling="manual" secret=${secret} database=${testDatabase('names')}>
    <rtc-status></rtc-status></rtc-master>`);
  const slave = await fixture<RtcSlave>(options.slaveName === undefined
    ? html`<rtc-slave signaling="manual" secret=${secret}><rtc-status></rtc-status></rtc-slave>`
    : html`<rtc-slave signaling="manual" secret=${secret} name=${options.slaveName}><rtc-status></rtc-status></rtc-slave>`);
  await waitUntil(() => master.state === 'connected', 'master ready');
  return { master, slave, masterStatus: master.querySelector('rtc-status')!, slaveStatus: slave.querySelector('rtc-status')! };
}

/** Pairs them (offer, answer) and waits until the master lists the slave as connected. */
async function pair(master: RtcMaster, slave: RtcSlave): Promise<void> {
  await slave.acceptAnswer(await master.acceptOffer(await slave.createOffer()));
  await waitUntil(() => master.peers.some((p) => p.state === 'connected'), 'slave served', { timeout: 15000 });
}

/** The names in a master's `<rtc-status>` peer list, as a person reads them. */
const listedNames = (status: RtcStatus) =>
  [...status.shadowRoot!.querySelectorAll('[part=peers] .peer-name')].map((el) => el.textContent);

/** What a slave's `<rtc-status>` shows of its name. */
const shown = (status: RtcStatus) => ({
  name: status.shadowRoot!.querySelector('.device-name')?.textContent ?? null,
  button: status.shadowRoot!.querySelector<HTMLButtonElement>('button.rename'),
  field: status.shadowRoot!.querySelector<HTMLInputElement>('input[part=name-input]'),
});

/** Types into the rename field as a person would, then presses `key` in it. */
async function type(status: RtcStatus, text: string, key: 'Enter' | 'Escape'): Promise<void> {
  shown(status).button!.click();
  await waitUntil(() => status.shadowRoot!.activeElement === shown(status).field, 'the field opens, focused');
  const field = shown(status).field!;
  field.value = text;
  field.dispatchEvent(new Event('input', { bubbles: true }));
  field.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true }));
  await status.updateComplete;
}

/** The slave's data channel to its master (to send what a hostile slave would). */
const channelOf = (slave: RtcSlave) =>
  (slave as unknown as { controller: { session: { rpc: { currentChannel: FramedChannel } } } }).controller.session.rpc.currentChannel;

describe('device names', () => {
  beforeEach(() => localStorage.removeItem(NAME_KEY));
  afterEach(() => localStorage.removeItem(NAME_KEY));

  it('the default is the platform and a short id, kept in localStorage across elements and reloads', async () => {
    const first = await fixture<RtcSlave>(html`<rtc-slave signaling="manual" no-autoconnect></rtc-slave>`);
    const name = first.name;
    expect(name).to.match(DEFAULT_NAME);
    expect(name.startsWith(`${platformName()} · `)).to.equal(true);
    expect(localStorage.getItem(NAME_KEY)).to.equal(name);
    first.remove();
    // A new element (as after a reload) reads the same name.
    const again = await fixture<RtcSlave>(html`<rtc-slave signaling="manual" no-autoconnect></rtc-slave>`);
    expect(again.name).to.equal(name);
    // A name set here is the device's name from now on; an empty or unusable one is ignored.
    again.name = 'Till 1';
    expect(localStorage.getItem(NAME_KEY)).to.equal('Till 1');
    again.name = ' \u0000 ';
    again.name = '';
    expect(again.name).to.equal('Till 1');
    const third = await fixture<RtcSlave>(html`<rtc-slave signaling="manual" no-autoconnect></rtc-slave>`);
    expect(third.name).to.equal('Till 1');
    // Two new names are not the same (a short random id each).
    const names = new Set(Array.from({ length: 20 }, () => newDeviceName()));
    expect(names.size).to.be.greaterThan(15);
  });

  it('the platform comes from User-Agent Client Hints, else the user agent', () => {
    expect(platformName({ userAgentData: { platform: 'Android' }, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' })).to.equal('Android');
    expect(platformName({ userAgentData: { platform: 'macOS' } })).to.equal('Mac');
    expect(platformName({ userAgentData: { platform: 'Chrome OS' } })).to.equal('ChromeOS');
    expect(platformName({ userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36' })).to.equal('Android');
    expect(platformName({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15' })).to.equal('iPhone');
    expect(platformName({ userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15', maxTouchPoints: 5 })).to.equal('iPad');
    expect(platformName({ userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15', maxTouchPoints: 0 })).to.equal('Mac');
    expect(platformName({ userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0' })).to.equal('Windows');
    expect(platformName({ userAgent: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36' })).to.equal('ChromeOS');
    expect(platformName({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' })).to.equal('Linux');
    expect(platformName({ userAgent: 'curl/8.5.0' })).to.equal('Device');
  });

  it('without localStorage (an opaque origin) the name still works, for the page', async () => {
    const localStorageName = (await fixture<RtcSlave>(html`<rtc-slave signaling="manual" no-autoconnect></rtc-slave>`)).name;
    const descriptor = Object.getOwnPropertyDescriptor(window, 'localStorage')!;
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('The document is sandboxed and lacks the allow-same-origin flag.', 'SecurityError');
      },
    });
    try {
      const a = await fixture<RtcSlave>(html`<rtc-slave signaling="manual" no-autoconnect></rtc-slave>`);
      const b = await fixture<RtcSlave>(html`<rtc-slave signaling="manual" no-autoconnect></rtc-slave>`);
      // The page's name: a new default on a fresh page, here the one this page last knew.
      expect(a.name).to.equal(localStorageName);
      expect(b.name, 'one name per page').to.equal(a.name);
      a.name = 'Sandboxed';
      expect(a.name).to.equal('Sandboxed');
      const c = await fixture<RtcSlave>(html`<rtc-slave signaling="manual" no-autoconnect></rtc-slave>`);
      expect(c.name).to.equal('Sandboxed');
    } finally {
      Object.defineProperty(window, 'localStorage', descriptor);
    }
  });

  it('the master lists a slave by its name (told after the welcome), in peers, rtc-peers-change and <rtc-status>', async () => {
    const { master, slave, masterStatus } = await masterAndSlave({ slaveName: 'Till 1' });
    const events: PeerInfo[][] = [];
    master.addEventListener('rtc-peers-change', (e) => events.push(e.detail.peers));
    await pair(master, slave);
    await waitUntil(() => master.peers[0]?.name === 'Till 1', 'the master has the name');
    const [peer] = master.peers;
    expect(Object.keys(peer!).sort()).to.deep.equal(['connectedAt', 'id', 'name', 'state']);
    expect(peer!.state).to.equal('connected');
    expect(events.at(-1)!.map((p) => p.name)).to.deep.equal(['Till 1']);
    await waitUntil(() => listedNames(masterStatus).includes('Till 1'), 'the status lists it');
    expect(masterStatus.shadowRoot!.querySelector('[part=peers] li')!.textContent).to.match(/Till 1\s+connected at/);
    // The master's pairing panel says who it paired.
    const panel = () => master.shadowRoot!.querySelector('rtc-pairing-panel')!.shadowRoot!.querySelector('.done')?.textContent ?? '';
    await waitUntil(() => /Slave Till 1 is connected/.test(panel()), 'the panel names the slave');
    await expect(masterStatus).to.be.accessible();
  });

  it('with a room secret the name is in the proof: the slave is listed by name as soon as it is connected', async () => {
    const { master, slave } = await masterAndSlave({ slaveName: 'Back office', secret: 'sesame' });
    const connected: PeerInfo[] = [];
    master.addEventListener('rtc-peers-change', (e) => connected.push(...e.detail.peers.filter((p) => p.state === 'connected')));
    await pair(master, slave);
    expect(connected.length).to.be.greaterThan(0);
    expect(connected.map((p) => p.name), 'never listed under another name').to.deep.equal(connected.map(() => 'Back office'));
  });

  it('renaming in the slave\'s <rtc-status> (Enter, or leaving the field) renames it on the master; Escape cancels', async () => {
    const { master, slave, masterStatus, slaveStatus } = await masterAndSlave({ slaveName: 'Old name' });
    await pair(master, slave);
    await waitUntil(() => master.peers[0]?.name === 'Old name', 'listed');
    expect(shown(slaveStatus).name).to.equal('Old name');
    expect(shown(slaveStatus).button!.getAttribute('aria-label')).to.equal('Rename this device (Old name)');
    await expect(slaveStatus).to.be.accessible();

    const renamed: string[] = [];
    master.addEventListener('rtc-peers-change', (e) => renamed.push(...e.detail.peers.map((p) => p.name)));
    await type(slaveStatus, '  Front desk  ', 'Enter');
    expect(slave.name).to.equal('Front desk');
    expect(localStorage.getItem(NAME_KEY)).to.equal('Front desk');
    expect(shown(slaveStatus).field).to.equal(null);
    expect(shown(slaveStatus).name).to.equal('Front desk');
    await waitUntil(() => slaveStatus.shadowRoot!.activeElement === shown(slaveStatus).button, 'focus back on Rename');
    await waitUntil(() => listedNames(masterStatus).includes('Front desk'), 'the master lists the new name');
    expect(master.peers[0]!.name).to.equal('Front desk');
    expect(renamed).to.deep.equal(['Front desk']);

    // Open the field while editing is labelled and accessible; Escape keeps the name.
    shown(slaveStatus).button!.click();
    await waitUntil(() => shown(slaveStatus).field, 'field');
    const label = slaveStatus.shadowRoot!.querySelector('label[for=device-name]')!;
    expect(label.textContent).to.equal('Device name');
    expect(shown(slaveStatus).field!.value).to.equal('Front desk');
    await expect(slaveStatus).to.be.accessible();
    shown(slaveStatus).field!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await slaveStatus.updateComplete;
    expect(shown(slaveStatus).field).to.equal(null);
    expect(slave.name).to.equal('Front desk');

    // Leaving the field saves too.
    shown(slaveStatus).button!.click();
    await waitUntil(() => slaveStatus.shadowRoot!.activeElement === shown(slaveStatus).field, 'field focused');
    shown(slaveStatus).field!.value = 'Stock room';
    shown(slaveStatus).field!.blur();
    await slaveStatus.updateComplete;
    expect(slave.name).to.equal('Stock room');
    await waitUntil(() => master.peers[0]?.name === 'Stock room', 'the master has it');
    expect(renamed).to.deep.equal(['Front desk', 'Stock room']);
    // The database still answers over the same channel.
    const id = await slave.post({ from: slave.name });
    expect(await master.get(id)).to.deep.equal({ from: 'Stock room' });
  });

  it('a slave renamed while away is listed under its new name when it pairs again', async () => {
    const { master, slave } = await masterAndSlave({ slaveName: 'Before' });
    await pair(master, slave);
    await waitUntil(() => master.peers[0]?.name === 'Before', 'listed');
    await slave.disconnect();
    await waitUntil(() => master.peers.length === 0, 'gone from the list', { timeout: 15000 });
    slave.name = 'After';
    slave.connect();
    await pair(master, slave);
    await waitUntil(() => master.peers[0]?.name === 'After', 'listed under the new name');
  });

  it('a hostile name is bounded and shown as text; a malformed name message is ignored', async () => {
    const { master, slave, masterStatus, slaveStatus } = await masterAndSlave();
    await pair(master, slave);
    const errors: Error[] = [];
    master.addEventListener('rtc-error', (e) => errors.push(e.detail.error));
    const w = window as unknown as { pwned?: number };
    delete w.pwned;
    const hostile = '<img src=x onerror="window.pwned=1">\u0000\u001b[2J\u202E' + 'A'.repeat(4000);
    slave.name = hostile;
    expect([...slave.name].length).to.equal(64);
    expect(slave.name.startsWith('<img src=x onerror="window.pwned=1">[2J')).to.equal(true);
    await waitUntil(() => master.peers[0]?.name === slave.name, 'the master has the cleaned name');
    await waitUntil(() => listedNames(masterStatus)[0] === slave.name, 'listed');
    expect(shown(slaveStatus).name).to.equal(slave.name);
    for (const status of [masterStatus, slaveStatus]) {
      expect(status.shadowRoot!.querySelector('img'), 'no element made of the name').to.equal(null);
    }
    // The master checks what a slave sends, whatever its page does: raw messages over the channel.
    const channel = channelOf(slave);
    await channel.send({ v: 1, type: 'name', name: '\u0007' + 'B'.repeat(4000) });
    await waitUntil(() => master.peers[0]?.name === 'B'.repeat(64), 'bounded by the master');
    for (const bad of [{ v: 1, type: 'name', name: 42 }, { v: 1, type: 'name' }, { v: 1, type: 'name', name: '\u0000\n\u202E' }, { v: 1, type: 'name', name: ['x'] }]) {
      await channel.send(bad);
    }
    // Still served, and still under the last good name.
    expect(await slave.post({ still: 'served' })).to.be.a('string');
    expect(master.peers[0]!.name).to.equal('B'.repeat(64));
    await new Promise((r) => setTimeout(r, 100));
    expect(w.pwned).to.equal(undefined);
    expect(errors).to.deep.equal([]);
  });

  it('<rtc-master> has a name too: "Master" by default, cleaned, an empty one is the default', async () => {
    const master = await fixture<RtcMaster>(html`<rtc-master signaling="manual" no-autoconnect database=${testDatabase('names')}></rtc-master>`);
    expect(master.name).to.equal('Master');
    const seen: string[] = [];
    master.addEventListener('rtc-name-change', (e) => seen.push(e.detail.name));
    master.setAttribute('name', 'Shop\u0000 PC\n');
    expect(master.name).to.equal('Shop PC');
    master.name = '';
    expect(master.name).to.equal('Master');
    expect(seen).to.deep.equal(['Shop PC', 'Master']);
    const named = await fixture<RtcMaster>(html`<rtc-master signaling="manual" no-autoconnect name="Warehouse" database=${testDatabase('names')}></rtc-master>`);
    expect(named.name).to.equal('Warehouse');
  });
});
