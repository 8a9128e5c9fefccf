/**
 * The pages' language (README "Theme and languages", gadgets/i18n/locale.ts): `<html lang>`, a
 * `lang` on an element or its container, else the browser; a change of `lang` re-renders; numbers
 * and sizes follow it. Each test puts the page back in English (the browser's language here).
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { RtcMaster, RtcStatus } from '../../gadgets/index.js';
import { chooseLocale, closestLang, localeReady, matchLocale } from '../../gadgets/i18n/locale.js';
import { formatBytes, formatNumber, formatPercent } from '../../gadgets/i18n/format.js';
import { testDatabase } from './fixtures.js';

const root = document.documentElement;
const text = (status: RtcStatus) => status.shadowRoot!.querySelector('.base')!.textContent!.replace(/\s+/g, ' ');

async function masterWithStatus(lang?: string) {
  const wrap = await fixture(html`<div lang=${lang ?? ''}>
    <rtc-master id="im" no-autoconnect database=${testDatabase('i18n')}><rtc-status for="im"></rtc-status></rtc-master>
  </div>`);
  const status = wrap.querySelector('rtc-status') as RtcStatus;
  await localeReady();
  await status.updateComplete;
  return { wrap, status, master: wrap.querySelector('rtc-master') as RtcMaster };
}

describe('languages', () => {
  afterEach(async () => {
    root.removeAttribute('lang');
    await localeReady();
  });

  it('matches tags to the translated locales', () => {
    expect(['fr', 'fr-CA', 'FR_be', 'zh', 'zh-CN', 'zh-Hans-SG', 'zh-TW', 'en-GB', 'de', '', null].map(matchLocale))
      .to.deep.equal(['fr', 'fr', 'fr', 'zh-Hans', 'zh-Hans', 'zh-Hans', 'zh-Hans', 'en', null, null, null]);
  });

  it('follows the browser when no lang is set (English in the test browser)', async () => {
    const { status } = await masterWithStatus();
    expect(navigator.languages[0]).to.match(/^en/);
    expect(chooseLocale()).to.equal('en');
    expect(text(status)).to.contain('Master').and.contain('Disconnected');
  });

  it('follows <html lang> and re-renders when it changes', async () => {
    root.setAttribute('lang', 'fr');
    const { status } = await masterWithStatus();
    expect(text(status)).to.contain('Maître').and.contain('Déconnecté');
    root.setAttribute('lang', 'zh-CN');
    await waitUntil(() => text(status).includes('主设备'), 'Chinese after <html lang> changed');
    expect(text(status)).to.contain('未连接');
    root.setAttribute('lang', 'de');
    await waitUntil(() => text(status).includes('Disconnected'), 'no German: the browser (English)');
  });

  it('a lang on a container wins over <html lang>, for the whole page', async () => {
    root.setAttribute('lang', 'en');
    const { wrap, status } = await masterWithStatus('zh-Hans');
    expect(closestLang(status.shadowRoot!.querySelector('.base')!)).to.deep.equal({ lang: 'zh-Hans', on: wrap });
    expect(text(status)).to.contain('主设备');
    wrap.removeAttribute('lang');
    await waitUntil(() => text(status).includes('Master'), 'back to <html lang="en">');
  });

  it('formats numbers, sizes and percentages in the page language', async () => {
    expect([formatNumber(1234567.5), formatBytes(512), formatBytes(1_500_000), formatBytes(1536, true), formatPercent(0.123), formatPercent(0.0004)])
      .to.deep.equal(['1,234,567.5', '512 B', '1.5 MB', '1.5 KiB', '12%', '< 0.1%']);
    root.setAttribute('lang', 'fr');
    await masterWithStatus();
    expect([formatNumber(1234567.5), formatBytes(512), formatBytes(1_500_000), formatPercent(0.123)].map((s) => s.replace(/\s/g, ' ')))
      .to.deep.equal(['1 234 567,5', '512 o', '1,5 Mo', '12 %']);
  });
});
