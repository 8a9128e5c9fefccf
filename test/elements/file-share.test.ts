import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import { RtcErrorEvent, type RtcFileShare, type RtcMaster } from '../../gadgets/index.js';

const dbName = () => `fs-${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** A master (no broadcaster) and a file share of its document `box`, once the picker is enabled. */
async function sharedBox(id: string) {
  const wrap = await fixture(html`<div>
    <rtc-master id=${id} no-autoconnect database=${dbName()}></rtc-master>
    <rtc-file-share for=${id} doc="box"></rtc-file-share>
  </div>`);
  const master = wrap.querySelector('rtc-master') as RtcMaster;
  const share = wrap.querySelector('rtc-file-share') as RtcFileShare;
  await waitUntil(() => share.shadowRoot!.querySelector('input[type=file]:not([disabled])'), 'picker enabled');
  return { wrap, master, share };
}

describe('<rtc-file-share>', () => {
  it('uploads (creating the document), lists, downloads with an <a download> and removes, with progress', async () => {
    const { master, share } = await sharedBox('fm');
    const progress: number[] = [];
    master.addEventListener('rtc-progress', (e) => progress.push(e.detail.loaded));
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

  it('reports a failed upload as a typed rtc-error that bubbles out of the shadow root', async () => {
    const { wrap, share } = await sharedBox('fe');
    const events: Event[] = [];
    wrap.addEventListener('rtc-error', (e) => events.push(e));
    await share.upload([new File(['x'], '')]); // an empty attachment name: 400
    expect(events).to.have.length(1);
    const event = events[0] as RtcErrorEvent;
    expect(event).to.be.an.instanceOf(RtcErrorEvent);
    expect(event.composed).to.equal(true);
    expect((event.detail.error as Error & { status_code?: number }).status_code).to.equal(400);
    expect(event.detail.error.message).to.equal("Attachment id must be a non empty string on 'rtc.putAttachment'.");
  });
});
