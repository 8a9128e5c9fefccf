import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { RtcFileShare, RtcMaster } from '../../gadgets/index.js';
import { testDatabase } from './fixtures.js';

describe('<rtc-file-share>', () => {
  it('uploads (creating the document), lists, downloads with an <a download> and removes, with progress', async () => {
    const wrap = await fixture(html`<div>
      <rtc-master id="fm" no-autoconnect database=${testDatabase('fs')}></rtc-master>
      <rtc-file-share for="fm" doc="box"></rtc-file-share>
    </div>`);
    const master = wrap.querySelector('rtc-master') as RtcMaster;
    const share = wrap.querySelector('rtc-file-share') as RtcFileShare;
    const progress: number[] = [];
    master.addEventListener('rtc-progress', (e) => progress.push(e.detail.loaded));
    await waitUntil(() => share.shadowRoot!.querySelector('input[type=file]:not([disabled])'), 'picker enabled');
    const root = share.shadowRoot!;
    expect(root.querySelector('label.picker')!.textContent).to.contain('Add files');
    await share.upload([new File(['hello world'], 'hello.txt', { type: 'text/plain' }), new File([new Uint8Array(1_200_000)], 'zeros.bin')]);
    expect(progress[progress.length - 1]).to.equal(1_200_000);
    expect(Object.keys(await master.allAttachments('box')).sort()).to.deep.equal(['hello.txt', 'zeros.bin']);
    await share.updateComplete;
    const names = [...root.querySelectorAll('li .name')].map((n) => n.textContent);
    expect(names).to.deep.equal(['hello.txt', 'zeros.bin']);
    const download = root.querySelector<HTMLButtonElement>('button[aria-label="Download hello.txt"]')!;
    download.click();
    await waitUntil(() => root.querySelector('a.save'), 'save link');
    const link = root.querySelector<HTMLAnchorElement>('a.save')!;
    expect(link.getAttribute('download')).to.equal('hello.txt');
    expect(await (await fetch(link.href)).text()).to.equal('hello world');
    root.querySelector<HTMLButtonElement>('button[aria-label="Remove zeros.bin"]')!.click();
    await waitUntil(() => root.querySelectorAll('li .name').length === 1, 'removed');
    expect(Object.keys(await master.allAttachments('box'))).to.deep.equal(['hello.txt']);
  });
});
