// <rtc-query-form> on a slave: a long scan shows a busy line whose Cancel stops the request on
// the master (the `cancel` envelope, docs/protocol.md §5). A master and a slave paired by hand over
// real RTCPeerConnections in this page; the master's real IndexedDB scan is watched by counting
// its batch reads (IDBObjectStore.getAll on `documents`), which go on unchanged. The scan cache is
// off (scan-cache="off"): a scan from memory ends before anyone could press Cancel.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { RtcMaster, RtcQueryForm, RtcSlave } from '../../gadgets/index.js';
import { testDatabase } from './fixtures.js';

const DOCS = 30000;
const FIELDS = 30;

describe('<rtc-query-form> Cancel', function () {
  this.timeout(120000);
  const realGetAll = IDBObjectStore.prototype.getAll;
  afterEach(() => {
    IDBObjectStore.prototype.getAll = realGetAll;
  });

  /** Documents of many short fields: a full-text query tests each one (a slow scan, not a big one). */
  async function seed(master: RtcMaster): Promise<void> {
    const doc = (i: number) => Object.fromEntries(Array.from({ length: FIELDS }, (_, k) => [`f${k}`, `value ${i} ${k} lorem ipsum`]));
    await master.bulkPut(Array.from({ length: DOCS }, (_, i) => ({ id: `d${String(i).padStart(6, '0')}`, doc: doc(i) })));
  }

  /**
   * Counts the master's batch reads, runs one whole scan on `master` for comparison, then searches
   * in `form`, presses Cancel as soon as the busy line shows, and checks what the page says and
   * that the scan stopped early, and that a new search answers.
   */
  async function searchAndCancel(master: RtcMaster, form: RtcQueryForm): Promise<void> {
    const root = form.shadowRoot!;
    await waitUntil(() => root.querySelectorAll('tbody tr').length === 20, 'first page', { timeout: 10000 });
    let batches = 0;
    IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['getAll']>) {
      if (this.name === 'documents') batches++;
      return realGetAll.apply(this, args);
    };
    const started = performance.now();
    expect((await master.allDocs({ query: 'nowhere' })).data.rows).to.deep.equal([]);
    const fullBatches = batches;
    console.log(`full scan: ${fullBatches} batches in ${Math.round(performance.now() - started)} ms`);
    batches = 0;
    const search = root.querySelector<HTMLInputElement>('input[name=q]')!;
    search.value = 'nowhere';
    root.querySelector<HTMLButtonElement>('form[part=search] button')!.click();
    await waitUntil(() => root.querySelector('[part=busy]'), 'the busy line shows', { timeout: 5000 });
    const busy = root.querySelector('[part=busy]')!;
    expect(busy.textContent).to.contain('Searching…');
    expect(busy.querySelector('.spinner')!.getAttribute('aria-hidden')).to.equal('true');
    expect(root.querySelector('table')!.getAttribute('aria-busy')).to.equal('true');
    await waitUntil(() => root.querySelector('[role=status]')!.textContent === 'Searching…', 'announced once');
    const cancel = [...busy.querySelectorAll('button')].find((b) => b.textContent === 'Cancel search')!;
    cancel.focus();
    cancel.click();
    await waitUntil(() => !root.querySelector('[part=busy]'), 'the busy line goes');
    expect(root.querySelector('[role=status]:not(.notice)')!.textContent).to.equal('Search cancelled');
    expect(root.querySelector('.notice')!.textContent).to.contain('Search cancelled');
    expect(root.querySelector('[part=error]')).to.equal(null);
    await waitUntil(() => root.activeElement === search, 'the focus goes to the search box');
    expect(search.value, 'the box shows the search the rows answer').to.equal('');
    await expect(form).to.be.accessible();
    // The scan stops within a batch or two of the cancel, well before its end.
    await new Promise((r) => setTimeout(r, 500));
    const stoppedAt = batches;
    await new Promise((r) => setTimeout(r, 1000));
    expect(batches, 'no batch read after the cancel settled').to.equal(stoppedAt);
    expect(stoppedAt, 'the scan did not reach the end').to.be.below(fullBatches);
    console.log(`cancelled scan: ${stoppedAt} batches`);
    // The page goes on: the previous results stay, a new search answers.
    expect(root.querySelectorAll('tbody tr').length).to.equal(20);
    search.value = 'f0:"value 7 0 lorem ipsum"';
    root.querySelector<HTMLButtonElement>('form[part=search] button')!.click();
    await waitUntil(() => root.querySelectorAll('tbody tr').length === 1, 'a new search answers', { timeout: 30000 });
  }

  it('a slow search on a slave shows a busy line; Cancel stops the scan on the master and keeps the page usable', async () => {
    const master = await fixture<RtcMaster>(html`<rtc-master signaling="manual" scan-cache="off" database=${testDatabase('cancel')}></rtc-master>`);
    const slave = await fixture<RtcSlave>(html`<rtc-slave signaling="manual"><rtc-query-form fields="f0,f1"></rtc-query-form></rtc-slave>`);
    await waitUntil(() => master.state === 'connected', 'master ready');
    await seed(master);
    await slave.acceptAnswer(await master.acceptOffer(await slave.createOffer()));
    await waitUntil(() => slave.state === 'connected', 'slave connected', { timeout: 15000 });
    await searchAndCancel(master, slave.querySelector('rtc-query-form') as RtcQueryForm);
    await slave.disconnect();
    await master.disconnect();
  });

  it('on the master\'s own page, Cancel stops its local scan the same way', async () => {
    const master = await fixture<RtcMaster>(html`<rtc-master no-autoconnect scan-cache="off" database=${testDatabase('cancel')}><rtc-query-form fields="f0,f1"></rtc-query-form></rtc-master>`);
    await seed(master);
    const form = master.querySelector('rtc-query-form') as RtcQueryForm;
    await form.refresh();
    await searchAndCancel(master, form);
  });
});
