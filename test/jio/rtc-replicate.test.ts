/**
 * `<rtc-replicate>` on a master page with the real jIO: it runs jIO's replicate storage between the
 * master's database and a remote jIO storage (here another `rtc` database, which stands for any jIO
 * storage; the e2e test test/e2e/replicate.test.js uses WebDAV over a shaped link), shows what
 * moved, and settles conflicts by the configured `conflict_handling`.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { RtcReplicate, SyncResult } from '../../gadgets/elements/rtc-replicate.js';
import type { RtcMaster } from '../../gadgets/elements/rtc-master.js';
import { deleteNewDatabasesAfterEach, uniqueName } from '../shared/databases.js';
import { loadJio } from './load-jio.js';
import type { JioLike } from '../../gadgets/jio/types.js';

deleteNewDatabasesAfterEach();

let jio: JioLike;
before(async () => {
  jio = await loadJio();
});

async function setup(options: Record<string, unknown> = {}) {
  const [local, remoteDb] = [uniqueName('rep-local'), uniqueName('rep-remote')];
  const remote = jio.createJIO({ type: 'rtc', database: remoteDb });
  const root = await fixture<HTMLElement>(html`<div>
    <rtc-master id="rep-db" database=${local} no-autoconnect no-journal></rtc-master>
    <rtc-replicate for="rep-db" every="0" remote=${JSON.stringify({ type: 'rtc', database: remoteDb })} options=${JSON.stringify(options)}></rtc-replicate>
  </div>`);
  const master = root.querySelector('rtc-master') as RtcMaster;
  const replicate = root.querySelector('rtc-replicate') as RtcReplicate;
  // The first sync runs by itself once the master is found.
  const first = (await oneEvent(replicate, 'rtc-sync')).detail.result as SyncResult;
  return { master, replicate, remote, first };
}

/** The element's text, each `<dt>` and `<dd>` apart: 'Pushed: 1 document'. */
const text = (el: HTMLElement): string => {
  const root = el.shadowRoot!;
  const pairs = [...root.querySelectorAll('dt')].map((dt) => `${dt.textContent}: ${dt.nextElementSibling?.textContent ?? ''}`);
  return `${root.querySelector('.title')?.textContent ?? ''} | ${pairs.join(' | ')} | ${root.querySelector('.conflicts')?.textContent ?? ''}`.replace(/\s+/g, ' ');
};

describe('<rtc-replicate>', () => {
  it('syncs on its own once, then on Sync now, and shows what it pushed and pulled', async () => {
    const { master, replicate, remote, first } = await setup();
    expect(first.failure).to.equal(undefined);
    expect(replicate.state).to.equal('ok');
    await master.put('a', { title: 'made here' });
    await remote.put('b', { title: 'made there' });
    const button = replicate.shadowRoot!.querySelector('button')!;
    expect(button.textContent).to.equal('Sync now');
    setTimeout(() => button.click());
    const { result } = (await oneEvent(replicate, 'rtc-sync')).detail as { result: SyncResult };
    expect([result.pushed, result.pulled, result.failure]).to.deep.equal([1, 1, undefined]);
    expect(await remote.get('a')).to.deep.equal({ title: 'made here' });
    expect(await master.get('b')).to.deep.equal({ title: 'made there' });
    await replicate.updateComplete;
    expect(text(replicate)).to.include('In sync').and.include('Pushed: 1 document |').and.include('Pulled: 1 document |').and.include('Next try: on Sync now');
    // A second run moves nothing.
    const again = await replicate.sync();
    expect([again.pushed, again.pulled]).to.deep.equal([0, 0]);
  });

  it('settles a conflict the way conflict_handling says, and shows it', async () => {
    const { master, replicate, remote } = await setup({ conflict_handling: 2 });
    await master.put('c', { v: 'first' });
    await replicate.sync();
    await master.put('c', { v: 'local edit' });
    await remote.put('c', { v: 'remote edit' });
    const result = await replicate.sync();
    expect(result.conflicts).to.deep.equal([{ id: 'c', resolution: 'kept remote' }]);
    expect(await master.get('c')).to.deep.equal({ v: 'remote edit' });
    await replicate.updateComplete;
    expect(text(replicate)).to.include('1 conflict').and.include('c: kept remote').and.include('On conflict: keep the remote version');
  });

  it('reports an unresolved conflict (conflict_handling 0) as a failed sync, and fires rtc-error', async () => {
    const { master, replicate, remote } = await setup();
    await master.put('c', { v: 'first' });
    await replicate.sync();
    await master.put('c', { v: 'local edit' });
    await remote.put('c', { v: 'remote edit' });
    const errored = oneEvent(replicate, 'rtc-error');
    const result = await replicate.sync();
    expect((await errored).detail.error.message).to.equal('Sync failed: unresolved conflicts');
    expect(result.conflicts).to.deep.equal([{ id: 'c', resolution: 'unresolved' }]);
    expect(replicate.state).to.equal('conflict');
    await replicate.updateComplete;
    expect(replicate.shadowRoot!.querySelector('[role=alert]')!.textContent).to.include('unresolved conflicts');
    // Both versions stay where they were.
    expect(await master.get('c')).to.deep.equal({ v: 'local edit' });
    expect(await remote.get('c')).to.deep.equal({ v: 'remote edit' });
  });

  it('plans the next try `every` seconds after a run and counts down to it', async () => {
    const { replicate } = await setup();
    replicate.every = 120;
    await replicate.updateComplete;
    await waitUntil(() => replicate.nextSync !== null);
    expect(replicate.nextSync! - Date.now()).to.be.within(118_000, 120_500);
    await replicate.updateComplete;
    expect(text(replicate)).to.match(/Next try: in (1 min 59 s|2 min 00 s)/);
  });

  it('says plainly when the remote description is not JSON', async () => {
    const { replicate } = await setup();
    replicate.remote = '{nope';
    const result = await replicate.sync();
    expect(result.failure).to.equal('remote is not JSON: {nope');
    expect(replicate.state).to.equal('error');
  });
});
