// <rtc-offline>'s notices and its failure path, in the test page (localhost: a secure context). The
// real worker, the cache and the updates are in test/e2e/offline-pages.test.js; here the notices are
// set as the worker's answer would set them, and checked for their words and with axe.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { RtcOffline, RtcSlave } from '../../gadgets/index.js';

describe('<rtc-offline>', () => {
  it('a worker the browser refuses (here a missing script) leaves the page as it was: state error, nothing shown', async () => {
    const el = await fixture<RtcOffline>(html`<rtc-offline worker="/no-such-worker.js" scope="/no-such-scope/"></rtc-offline>`);
    expect(el.state).to.equal('registering');
    await waitUntil(() => el.state === 'error', 'refused', { timeout: 10000 });
    expect(el.error).to.not.equal('');
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()).to.equal('');
  });

  it('a scope above the script\'s folder without the server\'s Service-Worker-Allowed header: refused before registering', async () => {
    const el = await fixture<RtcOffline>(html`<rtc-offline worker="/gadgets/offline/protocol.ts" scope="/no-such-scope/"></rtc-offline>`);
    await waitUntil(() => el.state === 'error', 'refused', { timeout: 10000 });
    expect(el.error).to.match(/does not let .*\/gadgets\/offline\/protocol\.ts control .*\/no-such-scope\/ \(no Service-Worker-Allowed header\)$/);
    expect(await navigator.serviceWorker.getRegistration('/no-such-scope/')).to.equal(undefined);
  });

  for (const [notice, words] of [
    ['saved', 'Works offline. This page is kept on this device (version 1.2.3+abcd0123): it opens even when the broadcaster is off.'],
    ['updated', 'Updated to version 1.2.3+abcd0123. The copy kept on this device for use without the broadcaster is now this version.'],
    ['offline', 'Opened without the broadcaster. This is the copy kept on this device (version 1.2.3+abcd0123). Pair by tokens instead'],
  ] as const) {
    it(`says "${notice}" in a status region, with a Dismiss button, and passes axe`, async () => {
      const el = await fixture<RtcOffline>(html`<rtc-offline worker="/no-such-worker.js" scope="/no-such-scope/" pairing="pairing.html"></rtc-offline>`);
      await waitUntil(() => el.state === 'error', 'refused', { timeout: 10000 });
      el.version = '1.2.3+abcd0123';
      el.notice = notice;
      await el.updateComplete;
      const status = el.shadowRoot!.querySelector('[role="status"]') as HTMLElement;
      expect(status.querySelector('p')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal(words);
      expect(status.querySelector('a[part="pairing"]')?.getAttribute('href') ?? null).to.equal(notice === 'offline' ? 'pairing.html' : null);
      await expect(el).to.be.accessible();
      (status.querySelector('button[part="dismiss"]') as HTMLButtonElement).click();
      await el.updateComplete;
      expect(el.notice).to.equal(null);
      expect(status.isConnected && status.textContent!.trim()).to.equal('');
    });
  }

  it('with for="ID", opened from the copy: *Pair by tokens here* switches that slave to signaling="manual"', async () => {
    const wrap = await fixture<HTMLElement>(html`<div>
      <rtc-offline for="offline-test-slave" worker="/no-such-worker.js" scope="/no-such-scope/"></rtc-offline>
      <rtc-slave id="offline-test-slave" no-autoconnect></rtc-slave>
    </div>`);
    const el = wrap.querySelector('rtc-offline') as RtcOffline;
    const slave = wrap.querySelector('rtc-slave') as RtcSlave;
    await waitUntil(() => el.state === 'error', 'refused', { timeout: 10000 });
    el.version = '1.2.3+abcd0123';
    el.notice = 'offline';
    await el.updateComplete;
    await expect(el).to.be.accessible();
    (el.shadowRoot!.querySelector('button[part="pair"]') as HTMLButtonElement).click();
    await el.updateComplete;
    expect(slave.getAttribute('signaling')).to.equal('manual');
    expect(el.shadowRoot!.querySelector('button[part="pair"]')).to.equal(null);
    expect(el.shadowRoot!.querySelector('p')!.textContent).to.contain('This device now pairs by tokens');
    await waitUntil(() => el.shadowRoot!.activeElement?.localName === 'p', 'the focus goes to the notice');
    slave.remove();
  });
});
