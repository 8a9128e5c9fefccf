import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import { RtcErrorEvent, type RtcBackup, type RtcMaster } from '../../gadgets/index.js';
import { testDatabase } from './fixtures.js';

const DAY = 24 * 60 * 60 * 1000;

/** A master (no broadcaster) with an <rtc-backup remind-days="3">, its backup key cleared or set to `lastAt`. */
async function setUp(id: string, lastAt: Date | null = null) {
  const database = testDatabase('bk');
  if (lastAt) localStorage.setItem(`rtc-backup:${database}`, lastAt.toISOString());
  const wrap = await fixture(html`<div>
    <rtc-master id=${id} no-autoconnect database=${database}></rtc-master>
    <rtc-backup for=${id} remind-days="3"></rtc-backup>
  </div>`);
  const master = wrap.querySelector('rtc-master') as RtcMaster;
  const backup = wrap.querySelector('rtc-backup') as RtcBackup;
  await waitUntil(() => backup.shadowRoot!.querySelector('button.primary:not([disabled])'), 'download enabled');
  return { wrap, master, backup, root: backup.shadowRoot!, database };
}

describe('<rtc-backup>', () => {
  it('reminds on a master with no recent backup, and stops once one is made', async () => {
    const { master, backup, root, database } = await setUp('bk1', new Date(Date.now() - 5 * DAY));
    expect(root.querySelector('[part=reminder]')!.textContent).to.contain('The last backup is 5 days ago');
    await master.put('a', { n: 1 });
    const file = await backup.backup();
    expect(file!.name).to.match(new RegExp(`^rtc-${database}-\\d{4}-\\d\\d-\\d\\d\\.zip$`));
    await backup.updateComplete;
    expect(root.querySelector('[part=reminder]')).to.equal(null);
    expect(root.querySelector('.last')!.textContent).to.contain('just now');
    const link = root.querySelector<HTMLAnchorElement>('a.save')!;
    expect(link.getAttribute('download')).to.equal(file!.name);
    expect(Date.now() - new Date(localStorage.getItem(`rtc-backup:${database}`)!).getTime()).to.be.below(60000);
    localStorage.removeItem(`rtc-backup:${database}`);
    backup.requestUpdate();
    await backup.updateComplete;
    expect(root.querySelector('[part=reminder]')!.textContent).to.contain('No backup of this database');
  });

  it('asks before a replace: Cancel changes nothing, confirming replaces', async () => {
    const { master, backup, root } = await setUp('bk2');
    await master.put('a', { n: 1 });
    const file = (await backup.backup())!;
    await master.put('keep', { n: 2 });
    root.querySelector<HTMLInputElement>('input[value=replace]')!.click();
    await backup.updateComplete;
    expect(await backup.restore(file)).to.equal(null);
    const dialog = root.querySelector('dialog')!;
    expect(dialog.open).to.equal(true);
    expect(dialog.getAttribute('aria-labelledby')).to.equal('confirm-title');
    [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Cancel')!.click();
    expect(dialog.open).to.equal(false);
    expect(await master.get('keep')).to.deep.equal({ n: 2 });
    void backup.restore(file);
    await waitUntil(() => dialog.open, 'dialog again');
    dialog.querySelector<HTMLButtonElement>('button.danger')!.click();
    await waitUntil(() => root.querySelector('.done')?.textContent?.startsWith('Restored 1 records'), 'restored');
    expect((await master.allDocs()).data.rows.map((r) => r.id)).to.deep.equal(['a']);
  });

  it('shows a bad file\'s error in place and fires rtc-error', async () => {
    const { wrap, master, backup, root } = await setUp('bk3');
    await master.put('keep', { n: 2 });
    const events: Event[] = [];
    wrap.addEventListener('rtc-error', (e) => events.push(e));
    expect(await backup.restore(new File(['not a zip'], 'x.zip'))).to.equal(null);
    await backup.updateComplete;
    expect(root.querySelector('[role=alert]')!.textContent).to.contain('Bad backup: the file: not a ZIP file');
    expect(events[0]).to.be.an.instanceOf(RtcErrorEvent);
    expect((await master.allDocs()).data.total_rows).to.equal(1);
  });
});
