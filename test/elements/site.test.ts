// <rtc-site> and the authoring side of <rtc-file-share> on a master in the page (issue 17): folder
// paths kept as attachment names, a text file edited in place and saved, and a page shown by
// <rtc-site> reloaded when a file it uses changes, not when another one does.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { RtcFileShare, RtcMaster, RtcSite } from '../../gadgets/index.js';
import { pickedFolder } from '../../gadgets/elements/file-share-folder.js';
import { testDatabase } from './fixtures.js';

async function setUp() {
  const wrap = await fixture(html`<div>
    <rtc-master id="sm" no-autoconnect database=${testDatabase('site')}></rtc-master>
    <rtc-file-share for="sm" doc="site"></rtc-file-share>
  </div>`);
  const master = wrap.querySelector('rtc-master') as RtcMaster;
  const share = wrap.querySelector('rtc-file-share') as RtcFileShare;
  await waitUntil(() => share.shadowRoot!.querySelector('input[type=file]:not([disabled])'), 'picker enabled');
  return { wrap, master, share };
}

const page = (title: string, body = '') =>
  `<!doctype html><title>${title}</title><link rel="stylesheet" href="css/a.css"><h1>${title}</h1>${body}`;

describe('<rtc-site> and authoring', () => {
  it('keeps folder paths as attachment names and edits a text file in place', async () => {
    const { master, share } = await setUp();
    const file = (text: string, name: string, path: string) => {
      const f = new File([text], name, { type: name.endsWith('.css') ? 'text/css' : 'text/html' });
      Object.defineProperty(f, 'webkitRelativePath', { value: path });
      return f;
    };
    // What a folder picked with webkitdirectory gives: paths under the picked folder.
    await share.upload(pickedFolder([file(page('One'), 'index.html', 'mysite/index.html'), file('h1 { color: red }', 'a.css', 'mysite/css/a.css')]));
    expect(Object.keys(await master.allAttachments('site')).sort()).to.deep.equal(['css/a.css', 'index.html']);
    await share.updateComplete;
    const root = share.shadowRoot!;
    root.querySelector<HTMLButtonElement>('button[aria-label="Edit css/a.css"]')!.click();
    await waitUntil(() => root.querySelector('textarea'), 'editor open');
    const box = root.querySelector('textarea')!;
    expect(box.value).to.equal('h1 { color: red }');
    box.value = 'h1 { color: green }';
    box.dispatchEvent(new Event('input'));
    await share.updateComplete;
    root.querySelector<HTMLButtonElement>('button.save-edit')!.click();
    await waitUntil(() => !root.querySelector('textarea'), 'editor closed after saving');
    expect(await master.getAttachment('site', 'css/a.css', { format: 'text' })).to.equal('h1 { color: green }');
    expect((await master.allAttachments('site'))['css/a.css'].content_type).to.match(/^text\/css/);
  });

  it('shows the site and reloads the page when one of its files changes, not for another file', async () => {
    const { wrap, master } = await setUp();
    await master.put('site', {});
    await master.putAttachment('site', 'index.html', new Blob([page('One', '<a href="two.html">two</a>')], { type: 'text/html' }));
    await master.putAttachment('site', 'css/a.css', new Blob(['h1 { color: red }'], { type: 'text/css' }));
    await master.putAttachment('site', 'other.txt', new Blob(['x'], { type: 'text/plain' }));
    const site = document.createElement('rtc-site') as RtcSite;
    site.setAttribute('for', 'sm');
    site.setAttribute('serve', 'blob');
    wrap.append(site);
    const frameTitle = () => site.shadowRoot!.querySelector('iframe:not(.next)')?.getAttribute('title');
    await waitUntil(() => site.state === 'shown' && frameTitle() === 'One', 'index shown', { timeout: 10000 });
    expect(site.serving).to.equal('blob');
    expect(site.shadowRoot!.querySelector('iframe')!.getAttribute('sandbox')).to.equal('allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox');
    let loads = 0;
    const observer = new MutationObserver(() => loads++);
    observer.observe(site.shadowRoot!.querySelector('.frames')!, { childList: true });
    // Another file of the site: the page stays.
    await master.putAttachment('site', 'other.txt', new Blob(['y'], { type: 'text/plain' }));
    await new Promise((r) => setTimeout(r, 600));
    expect(loads).to.equal(0);
    // The stylesheet the page uses: reloaded; the page itself: reloaded with its new title.
    await master.putAttachment('site', 'css/a.css', new Blob(['h1 { color: blue }'], { type: 'text/css' }));
    await waitUntil(() => loads > 0 && site.state === 'shown', 'reloaded for its stylesheet', { timeout: 5000 });
    await master.putAttachment('site', 'index.html', new Blob([page('One, edited')], { type: 'text/html' }));
    await waitUntil(() => frameTitle() === 'One, edited', 'reloaded with the new page', { timeout: 5000 });
    expect(site.page).to.equal('index.html');
    observer.disconnect();
    // A missing start page shows the 404 page (its title).
    site.start = 'nowhere.html';
    await waitUntil(() => site.page === 'nowhere.html' && frameTitle() === 'Not found', '404 page', { timeout: 5000 });
  });
});
