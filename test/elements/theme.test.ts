/**
 * The theme in both colour schemes (README "Theme and languages"): every element, with content in
 * each of its states that has colours of its own (a record, a file, a message, a reminder, the
 * pairing panel, the edit dialog), passes axe (colour contrast included) in light and in dark, and
 * dark is really dark. The page says `color-scheme: light dark`, as demo/demo.css does; Chromium's
 * `prefers-color-scheme` is emulated.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import '../../gadgets/define.js';
import type { RtcChat, RtcFileShare, RtcMaster, RtcQueryForm, RtcSlave } from '../../gadgets/index.js';
import { testDatabase } from './fixtures.js';

/** Relative luminance of a computed `rgb(…)` colour (WCAG 2). */
function luminance(color: string): number {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Every element under one master, with something to show. */
async function gallery() {
  const wrap = await fixture(html`<div style="color-scheme: light dark; background: Canvas; color: CanvasText; padding: 8px">
    <rtc-master id="tm" signaling="manual" database=${testDatabase('theme')}>
      <rtc-status for="tm"></rtc-status>
      <rtc-query-form for="tm" fields="name,population:number" import live></rtc-query-form>
      <rtc-file-share for="tm" doc="box"></rtc-file-share>
      <rtc-chat for="tm"></rtc-chat>
      <rtc-backup for="tm" remind-days="1"></rtc-backup>
      <rtc-replicate for="tm" remote='{"type": "memory"}'></rtc-replicate>
      <rtc-site for="tm" doc="site" serve="blob"></rtc-site>
    </rtc-master>
    <rtc-slave signaling="manual"></rtc-slave>
  </div>`);
  const master = wrap.querySelector('rtc-master') as RtcMaster;
  await master.post({ name: 'Lyon', population: 522_000 });
  const share = wrap.querySelector('rtc-file-share') as RtcFileShare;
  await waitUntil(() => share.shadowRoot!.querySelector('input[type=file]:not([disabled])'), 'picker enabled');
  await share.upload([new File(['hello'], 'hello.txt', { type: 'text/plain' })]);
  await (wrap.querySelector('rtc-chat') as RtcChat).send('Bonjour');
  const form = wrap.querySelector('rtc-query-form') as RtcQueryForm;
  await waitUntil(() => form.shadowRoot!.querySelector('button.edit'), 'a row to edit');
  const slave = wrap.querySelector('rtc-slave') as RtcSlave;
  await waitUntil(() => slave.shadowRoot!.querySelector('rtc-pairing-panel')?.shadowRoot?.querySelector('textarea[readonly]'), 'the offer shown', { timeout: 10000 });
  await waitUntil(() => wrap.querySelector('rtc-site')!.getAttribute('state') === 'shown', 'the site (its 404 page) shown', { timeout: 10000 });
  return wrap;
}

const TAGS = ['rtc-status', 'rtc-query-form', 'rtc-file-share', 'rtc-chat', 'rtc-backup', 'rtc-replicate', 'rtc-site', 'rtc-master', 'rtc-slave'];

for (const scheme of ['light', 'dark'] as const) {
  describe(`theme: ${scheme} scheme`, () => {
    before(() => emulateMedia({ colorScheme: scheme }));
    after(() => emulateMedia({ colorScheme: 'light' }));

    it('passes axe on every element, and the boxes follow the scheme', async () => {
      const wrap = await gallery();
      for (const tag of TAGS) {
        const el = wrap.querySelector(tag)!;
        await expect(el, tag).to.be.accessible();
      }
      const base = wrap.querySelector('rtc-status')!.shadowRoot!.querySelector('.base')!;
      const surface = luminance(getComputedStyle(base).backgroundColor);
      const text = luminance(getComputedStyle(base).color);
      if (scheme === 'dark') expect(surface).to.be.below(0.05).and.below(text);
      else expect(surface).to.be.above(0.9).and.above(text);
      // The edit dialog (modal) and its danger button.
      const form = wrap.querySelector('rtc-query-form')!;
      form.shadowRoot!.querySelector<HTMLButtonElement>('button.edit')!.click();
      await waitUntil(() => form.shadowRoot!.querySelector('dialog.editor[open]'), 'editor open');
      form.shadowRoot!.querySelector<HTMLButtonElement>('button.delete')!.click();
      await waitUntil(() => form.shadowRoot!.querySelector('.confirm'), 'asks to confirm');
      await expect(form).to.be.accessible();
    });

    it('a page that says nothing about colour schemes keeps the elements light', async () => {
      const wrap = await fixture(html`<div style="color-scheme: normal"><rtc-status></rtc-status></div>`);
      const base = wrap.querySelector('rtc-status')!.shadowRoot!.querySelector('.base')!;
      expect(luminance(getComputedStyle(base).backgroundColor)).to.be.above(0.9);
    });
  });
}
