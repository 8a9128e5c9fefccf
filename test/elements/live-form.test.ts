// <rtc-query-form live>: the results follow the database's changes feed (real IndexedDB; for
// slaves, real RTCPeerConnections paired by hand, with no broadcaster).
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import '../../gadgets/define.js';
import type { RtcMaster, RtcQueryForm, RtcSlave } from '../../gadgets/index.js';
import { testDatabase } from './fixtures.js';

const shadow = (form: RtcQueryForm) => form.shadowRoot!;
const rows = (form: RtcQueryForm) =>
  [...shadow(form).querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent));
const row = (form: RtcQueryForm, id: string) => shadow(form).querySelector<HTMLTableRowElement>(`tbody tr[data-id="${id}"]`);
const button = (form: RtcQueryForm, text: string) =>
  [...shadow(form).querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.trim() === text || b.getAttribute('aria-label') === text)!;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A master (no broadcaster) with a live form, and optionally a second form without `live`. */
async function masterWithForms(pageSize = 20) {
  const wrap = await fixture(html`<div>
    <rtc-master id="lm" no-autoconnect database=${testDatabase('live')}></rtc-master>
    <rtc-query-form for="lm" fields="first,last" page-size=${pageSize} live></rtc-query-form>
    <rtc-query-form for="lm" fields="first,last" page-size=${pageSize}></rtc-query-form>
  </div>`);
  const [live, plain] = [...wrap.querySelectorAll('rtc-query-form')] as RtcQueryForm[];
  await waitUntil(() => shadow(live!).querySelector('caption') && shadow(plain!).querySelector('caption'), 'forms render');
  // The watch starts once the database is open ('now' is then): let it, before writing.
  await new Promise((r) => setTimeout(r, 300));
  return { master: wrap.querySelector('rtc-master') as RtcMaster, live: live!, plain: plain! };
}

describe('<rtc-query-form live>', () => {
  afterEach(() => emulateMedia({ reducedMotion: 'no-preference' }));

  it('shows another writer\'s record with no click and flashes its row; a form without live does not', async () => {
    const { master, live, plain } = await masterWithForms();
    expect(live.hasAttribute('live')).to.equal(true);
    expect(shadow(live).querySelector('caption')!.textContent).to.contain('live');
    await master.put('ada', { first: 'Ada', last: 'Lovelace' });
    await waitUntil(() => same(rows(live), [['Ada', 'Lovelace']]), 'the live form shows the new record', { timeout: 3000 });
    expect(row(live, 'ada')!.className).to.match(/^changed-[01]$/);
    expect(getComputedStyle(row(live, 'ada')!).animationName).to.match(/^rtc-row-flash-[01]$/);
    expect(shadow(live).querySelector('[role=status]')!.textContent).to.equal('1 new record');
    expect(rows(plain)).to.deep.equal([]);
    // The flash ends.
    await waitUntil(() => row(live, 'ada')!.className === '', 'highlight removed', { timeout: 4000 });
    // A change of the same row flashes it again; a removal takes it away.
    await master.put('ada', { first: 'Ada', last: 'King' });
    await waitUntil(() => same(rows(live), [['Ada', 'King']]), 'the change is shown', { timeout: 3000 });
    expect(row(live, 'ada')!.className).to.match(/^changed-[01]$/);
    expect(shadow(live).querySelector('[role=status]')!.textContent).to.equal('1 changed record');
    await master.remove('ada');
    await waitUntil(() => rows(live).length === 0, 'the removal is shown', { timeout: 3000 });
    expect(rows(plain)).to.deep.equal([]);
    await expect(live).to.be.accessible();
  });

  it('keeps the page, the sort, the typed search text, the focus and the caret, and refreshes once for a burst', async () => {
    const { master, live } = await masterWithForms(2);
    await master.bulkPut([
      { id: '1', doc: { first: 'Alan', last: 'Turing' } },
      { id: '2', doc: { first: 'Grace', last: 'Hopper' } },
      { id: '3', doc: { first: 'Katherine', last: 'Johnson' } },
    ]);
    await waitUntil(() => rows(live).length === 2, 'first page', { timeout: 3000 });
    button(live, 'Sort by first').click();
    await waitUntil(() => same(rows(live), [['Alan', 'Turing'], ['Grace', 'Hopper']]), 'sorted');
    await waitUntil(() => !button(live, 'Next').disabled, 'next enabled');
    button(live, 'Next').click();
    await waitUntil(() => same(rows(live), [['Katherine', 'Johnson']]), 'page 2');
    // Someone types in the search box without submitting, caret in the middle, focus on it.
    const search = shadow(live).querySelector<HTMLInputElement>('input[name=q]')!;
    search.focus();
    search.value = 'Hopper';
    search.setSelectionRange(3, 3);
    let reads = 0;
    const allDocs = master.allDocs.bind(master);
    master.allDocs = (options) => {
      reads++;
      return allDocs(options);
    };
    // A burst of writes: two land on page 2 (sorted: Alan, Grace, Hedy, Ida, Katherine, Zora).
    await Promise.all(['Ida', 'Zora', 'Hedy'].map((first, i) => master.put(`n${i}`, { first, last: 'New' })));
    await waitUntil(() => same(rows(live), [['Hedy', 'New'], ['Ida', 'New']]), 'page 2 updated', { timeout: 3000 });
    await new Promise((r) => setTimeout(r, 400));
    expect(reads, 'one debounced read for the burst').to.equal(1);
    expect(shadow(live).querySelector('nav span')!.textContent).to.equal('Page 2');
    expect(button(live, 'Sort by first').closest('th')!.getAttribute('aria-sort')).to.equal('ascending');
    expect(shadow(live).activeElement).to.equal(search);
    expect(search.value).to.equal('Hopper');
    expect([search.selectionStart, search.selectionEnd]).to.deep.equal([3, 3]);
    expect(row(live, 'n0')!.className).to.match(/^changed-/);
    // Focus on a paging button survives a refresh too (a quiet refresh never disables it).
    button(live, 'Previous').focus();
    await master.put('n3', { first: 'Abe', last: 'New' });
    await waitUntil(() => same(rows(live), [['Grace', 'Hopper'], ['Hedy', 'New']]), 'page 2 shifted', { timeout: 3000 });
    expect(shadow(live).activeElement).to.equal(button(live, 'Previous'));
  });

  it('steps back a page when a removal empties the page shown', async () => {
    const { master, live } = await masterWithForms(2);
    await master.bulkPut(['Ada', 'Alan', 'Grace'].map((first, i) => ({ id: `r${i}`, doc: { first, last: 'X' } })));
    await waitUntil(() => rows(live).length === 2, 'page 1', { timeout: 3000 });
    button(live, 'Sort by first').click();
    await live.updateComplete;
    // (Unsorted, the first page is the same: wait for the sorted search to finish.)
    await waitUntil(() => shadow(live).querySelector('table')!.getAttribute('aria-busy') === 'false' && !button(live, 'Next').disabled, 'sorted, next enabled');
    button(live, 'Next').click();
    await waitUntil(() => same(rows(live), [['Grace', 'X']]), 'page 2');
    await master.remove('r2');
    await waitUntil(() => same(rows(live), [['Ada', 'X'], ['Alan', 'X']]), 'back on page 1', { timeout: 3000 });
    expect(shadow(live).querySelector('nav span')!.textContent).to.equal('Page 1');
    expect(button(live, 'Sort by first').closest('th')!.getAttribute('aria-sort')).to.equal('ascending');
  });

  it('with prefers-reduced-motion, a changed row is highlighted without animation', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    const { master, live } = await masterWithForms();
    await master.put('x', { first: 'Hedy', last: 'Lamarr' });
    await waitUntil(() => row(live, 'x'), 'row shown', { timeout: 3000 });
    const style = getComputedStyle(row(live, 'x')!);
    expect(style.animationName).to.equal('none');
    expect(style.backgroundColor).to.equal('rgb(255, 241, 168)');
    await waitUntil(() => row(live, 'x')!.className === '', 'highlight removed', { timeout: 4000 });
    expect(getComputedStyle(row(live, 'x')!).backgroundColor).to.equal('rgba(0, 0, 0, 0)');
  });

  it('on a slave paired by hand, shows the master\'s writes and the master\'s live form shows the slave\'s', async () => {
    const master = await fixture<RtcMaster>(html`<rtc-master id="pm" signaling="manual" database=${testDatabase('live')}>
      <rtc-query-form fields="first,last" live></rtc-query-form></rtc-master>`);
    const slave = await fixture<RtcSlave>(html`<rtc-slave signaling="manual"><rtc-query-form fields="first,last" live></rtc-query-form></rtc-slave>`);
    await waitUntil(() => master.state === 'connected', 'master ready');
    await slave.acceptAnswer(await master.acceptOffer(await slave.createOffer()));
    const [masterForm, slaveForm] = [master, slave].map((el) => el.querySelector('rtc-query-form') as RtcQueryForm);
    await waitUntil(() => slave.state === 'connected', 'slave connected', { timeout: 15000 });
    // Let the slave's form read the (empty) results first: what follows must come live.
    await waitUntil(() => shadow(slaveForm!).querySelector('caption')?.textContent!.includes('none'), 'slave form loaded');
    await new Promise((r) => setTimeout(r, 500));
    await master.put('m', { first: 'From', last: 'Master' });
    await waitUntil(() => same(rows(slaveForm!), [['From', 'Master']]), 'the slave shows the master\'s record', { timeout: 5000 });
    await slave.put('s', { first: 'From', last: 'Slave' });
    await waitUntil(() => rows(masterForm!).length === 2, 'the master shows the slave\'s record', { timeout: 5000 });
    expect(row(masterForm!, 's')!.className).to.match(/^changed-/);
    await slave.disconnect();
    await master.disconnect();
  });
});
