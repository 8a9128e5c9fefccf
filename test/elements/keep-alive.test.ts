// Keeping the master alive: with a slave connected (real WebRTC, paired by hand in this page), a
// cancelable `beforeunload` is cancelled (the browser would ask for confirmation), and not
// without one; with `wake-lock`, a real screen wake lock (headless Chromium has the Screen Wake
// Lock API) is held exactly while a slave is connected, and asked for again when the page becomes
// visible after the browser released it. And `<rtc-status>` of a master shows its storage: persistent
// or not, usage of the quota (real `navigator.storage.estimate()`; the 80% warning with an estimate
// made up here, since a test cannot fill the disk), and "keep this tab open" while slaves are connected.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { RtcMaster, RtcSlave, RtcStatus } from '../../gadgets/index.js';
import { ESTIMATE_INTERVAL_MS, monitor } from '../../gadgets/storage/persistence.js';
import { formatBytes } from '../../gadgets/i18n/format.js';
import { testDatabase } from './fixtures.js';

/** Dispatches a cancelable `beforeunload` as the browser does on closing; true when a listener cancelled it. */
function leavingIsGuarded(): boolean {
  const event = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}

/** A manual master (with `wake-lock` when asked) and a manual slave, not yet paired. */
async function masterAndSlave(wakeLock: boolean): Promise<{ master: RtcMaster; slave: RtcSlave }> {
  const master = await fixture<RtcMaster>(html`<rtc-master signaling="manual" ?wake-lock=${wakeLock} database=${testDatabase('keep')}></rtc-master>`);
  const slave = await fixture<RtcSlave>(html`<rtc-slave signaling="manual"></rtc-slave>`);
  await waitUntil(() => master.state === 'connected', 'master ready');
  return { master, slave };
}

const connectedSlaves = (master: RtcMaster) => master.peers.filter((p) => p.state === 'connected').length;

async function pair(master: RtcMaster, slave: RtcSlave): Promise<void> {
  await slave.acceptAnswer(await master.acceptOffer(await slave.createOffer()));
  await waitUntil(() => connectedSlaves(master) === 1, 'slave served', { timeout: 15000 });
}

async function unpair(master: RtcMaster, slave: RtcSlave): Promise<void> {
  await slave.disconnect();
  await waitUntil(() => master.peers.length === 0, 'master sees the slave gone', { timeout: 15000 });
}

/** Records the wake locks the page asks for (the real API still does the work). */
function spyOnWakeLock(): { sentinels: WakeLockSentinel[]; restore: () => void } {
  const sentinels: WakeLockSentinel[] = [];
  const wakeLock = navigator.wakeLock;
  const real = wakeLock.request.bind(wakeLock);
  wakeLock.request = async (type?: 'screen') => {
    const sentinel = await real(type);
    sentinels.push(sentinel);
    return sentinel;
  };
  return { sentinels, restore: () => delete (wakeLock as Partial<WakeLock>).request };
}

/** Runs `body` with a master (`wake-lock` or not) and a slave, recording the wake locks asked for; then stops both. */
async function withWakeLockSpy(wakeLock: boolean, body: (pair: { master: RtcMaster; slave: RtcSlave }, sentinels: WakeLockSentinel[]) => Promise<void>): Promise<void> {
  const spy = spyOnWakeLock();
  try {
    const both = await masterAndSlave(wakeLock);
    await body(both, spy.sentinels);
    await both.slave.disconnect();
    await both.master.disconnect();
  } finally {
    spy.restore();
  }
}

describe('<rtc-master> keeps its tab alive while slaves are connected', () => {
  it('asks before the tab closes only while a slave is connected', async () => {
    const { master, slave } = await masterAndSlave(false);
    expect(leavingIsGuarded(), 'no slave yet').to.equal(false);
    await pair(master, slave);
    expect(leavingIsGuarded(), 'a slave connected').to.equal(true);
    await unpair(master, slave);
    expect(leavingIsGuarded(), 'the slave left').to.equal(false);
    await pair(master, slave);
    expect(leavingIsGuarded(), 'a slave again').to.equal(true);
    master.remove(); // the element leaves the page: its guard goes with it
    expect(leavingIsGuarded(), 'master removed').to.equal(false);
    await slave.disconnect();
  });

  it('headless Chromium offers the Screen Wake Lock API (what the next tests rely on)', () => {
    expect('wakeLock' in navigator).to.equal(true);
    expect(document.visibilityState).to.equal('visible');
  });

  it('with wake-lock, holds a screen wake lock exactly while a slave is connected', () => withWakeLockSpy(true, async ({ master, slave }, sentinels) => {
    expect(master.wakeLockState).to.equal('off');
    expect(sentinels.length).to.equal(0);
    await pair(master, slave);
    await waitUntil(() => master.wakeLockState === 'held', 'wake lock held');
    expect(sentinels.length).to.equal(1);
    expect(sentinels[0]!.released).to.equal(false);
    await unpair(master, slave);
    await waitUntil(() => sentinels[0]!.released, 'released once the slave left');
    expect(master.wakeLockState).to.equal('off');
    await pair(master, slave);
    await waitUntil(() => master.wakeLockState === 'held', 'held again');
    expect(sentinels.length).to.equal(2);
    await slave.disconnect();
    await master.disconnect();
    await waitUntil(() => sentinels[1]!.released, 'released when the master stops serving');
  }));

  it('asks again when the page is visible after the browser released the lock', () => withWakeLockSpy(true, async ({ master, slave }, sentinels) => {
    await pair(master, slave);
    await waitUntil(() => master.wakeLockState === 'held', 'wake lock held');
    // What the browser does when the page is hidden: it releases the lock.
    await sentinels[0]!.release();
    await waitUntil(() => master.wakeLockState === 'released', 'seen released');
    document.dispatchEvent(new Event('visibilitychange')); // the page is visible again
    await waitUntil(() => master.wakeLockState === 'held', 'held again');
    expect(sentinels.length).to.equal(2);
    expect(sentinels[1]!.released).to.equal(false);
  }));

  it('without wake-lock, asks for none', () => withWakeLockSpy(false, async ({ master, slave }, sentinels) => {
    await pair(master, slave);
    await new Promise((r) => setTimeout(r, 200));
    expect(sentinels.length).to.equal(0);
    expect(master.wakeLockState).to.equal('off');
  }));
});

describe("<rtc-status> shows a master's storage", () => {
  const realEstimate = navigator.storage.estimate;
  afterEach(() => {
    delete (navigator.storage as Partial<StorageManager>).estimate;
    expect(navigator.storage.estimate).to.equal(realEstimate);
  });

  async function masterWithStatus(): Promise<{ master: RtcMaster; slave: RtcSlave; status: RtcStatus; text: () => string }> {
    const { master, slave } = await masterAndSlave(false);
    const status = await fixture<RtcStatus>(html`<rtc-status></rtc-status>`);
    master.append(status);
    const text = () => status.shadowRoot!.querySelector('[part=storage]')?.textContent?.replace(/\s+/g, ' ') ?? '';
    return { master, slave, status, text };
  }

  it('says whether storage is persistent, how much is used of the quota, and to keep the tab open with slaves', async () => {
    const { master, slave, status, text } = await masterWithStatus();
    await waitUntil(() => /used \(/.test(text()), 'usage shown');
    const { quota } = await navigator.storage.estimate();
    const persisted = await navigator.storage.persisted();
    const meter = status.shadowRoot!.querySelector('meter')!;
    expect(Number(meter.max)).to.equal(quota);
    expect(text()).to.match(/^ ?Storage: (persistent|not persistent) /);
    expect(text().includes('not persistent')).to.equal(!persisted);
    expect(text()).to.match(new RegExp(`[\\d.]+ (B|KiB|MiB) of ${formatBytes(quota!, true).replace('.', '\\.')} used \\((< )?\\d+(\\.\\d)?%\\)`));
    expect(status.shadowRoot!.querySelector('[role=alert]')).to.equal(null);
    expect(text()).not.to.include('Keep this tab open');
    await pair(master, slave);
    await waitUntil(() => text().includes('Keep this tab open: 1 slave depends on it.'), 'asks to keep the tab open');
    await expect(status).to.be.accessible();
    await unpair(master, slave);
    await waitUntil(() => !text().includes('Keep this tab open'), 'no slave, no request');
    await master.disconnect();
  });

  it('the master asks the browser to keep its storage when it opens its database', async () => {
    const realPersist = navigator.storage.persist;
    let asked = 0;
    navigator.storage.persist = function (this: StorageManager) {
      asked++;
      return realPersist.call(this);
    };
    try {
      const master = await fixture<RtcMaster>(html`<rtc-master signaling="manual" no-autoconnect database=${testDatabase('persist')}></rtc-master>`);
      expect(asked, 'nothing opened yet').to.equal(0);
      const persisted = await navigator.storage.persisted();
      await master.put('a', { opened: true }); // opens the database
      await waitUntil(() => asked === 1 || persisted, 'persist() asked once');
      expect(asked).to.equal(persisted ? 0 : 1); // already persistent: nothing to ask
      await master.get('a');
      expect(asked).to.equal(persisted ? 0 : 1);
    } finally {
      delete (navigator.storage as Partial<StorageManager>).persist;
    }
  });

  it('warns from 80% of the quota and says what to do', async () => {
    const { master, status, text } = await masterWithStatus();
    await waitUntil(() => /used \(/.test(text()), 'usage shown');
    navigator.storage.estimate = async () => ({ usage: 850 * 1024 * 1024, quota: 1000 * 1024 * 1024 });
    await monitor.refresh();
    await waitUntil(() => text().includes('850 MiB of 1000 MiB used (85%)'), 'the new estimate shown');
    const alert = status.shadowRoot!.querySelector('[role=alert]')!;
    expect(alert.textContent!.replace(/\s+/g, ' ')).to.match(/Storage is 85% full: writes will soon be refused\. Back up the database and delete attachments you no longer need, free disk space on this machine, or let the browser keep this site's data/);
    navigator.storage.estimate = async () => ({ usage: 790 * 1024 * 1024, quota: 1000 * 1024 * 1024 });
    await monitor.refresh();
    await waitUntil(() => text().includes('(79%)'), 'below 80%');
    expect(status.shadowRoot!.querySelector('[role=alert]')).to.equal(null);
    await master.disconnect();
  });

  it('estimates again after writes, at most every few seconds', async () => {
    const { master, text } = await masterWithStatus();
    await waitUntil(() => /used \(/.test(text()), 'usage shown');
    let calls = 0;
    navigator.storage.estimate = function (this: StorageManager) {
      calls++;
      return realEstimate.call(this);
    };
    const started = Date.now();
    for (let i = 0; i < 40; i++) await master.put(`doc-${i}`, { i, text: 'x'.repeat(1000) });
    await waitUntil(() => calls >= 1, 'estimated after the writes', { timeout: ESTIMATE_INTERVAL_MS + 2000 });
    const elapsed = Date.now() - started;
    // 40 writes, and at most one estimate per interval (plus the one already due)
    expect(calls).to.be.at.most(1 + Math.floor(elapsed / ESTIMATE_INTERVAL_MS));
    await master.disconnect();
  });
});
