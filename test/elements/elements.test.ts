import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import * as defined from '../../gadgets/define.js';
import type { RtcMaster, RtcQueryForm, RtcSlave, RtcStatus } from '../../gadgets/index.js';
import type { BulkEntry } from '../../gadgets/api.js';
import { testDatabase } from './fixtures.js';

/** Types into an input inside a shadow root as a person would, and returns it. */
function input(form: RtcQueryForm, name: string, value: string): HTMLInputElement {
  const el = form.shadowRoot!.querySelector(`input[name="${name}"]`) as HTMLInputElement;
  el.value = value;
  el.dispatchEvent(new Event('input'));
  return el;
}

describe('<rtc-master> (no broadcaster)', () => {
  it('registers every tag', async () => {
    // Every element class define.ts exports, under an rtc- tag of its own (the list is derived, so a
    // new element cannot be left out).
    const classes: CustomElementConstructor[] = Object.values(defined).filter((v) => typeof v === 'function' && v.prototype instanceof HTMLElement);
    expect(classes.map((c) => c.name)).to.include.members(['RtcMaster', 'RtcSlave', 'RtcStatus', 'RtcQueryForm', 'RtcFileShare']);
    const tags = classes.map((c) => customElements.getName(c));
    for (const [i, tag] of tags.entries()) expect(tag, classes[i]!.name).to.match(/^rtc-[a-z-]+$/);
    for (const tag of tags) expect(customElements.get(tag!)).to.be.a('function');
    expect(new Set(tags).size).to.equal(classes.length);
  });

  it('runs the database API locally without joining a room', async () => {
    const name = testDatabase('el');
    const el = await fixture<RtcMaster>(html`<rtc-master no-autoconnect database=${name}></rtc-master>`);
    expect(el.state).to.equal('disconnected');
    expect(el.getAttribute('state')).to.equal('disconnected');
    const id = await el.post({ title: 'local' });
    expect(await el.get(id)).to.deep.equal({ title: 'local' });
    expect((await el.allDocs({ query: 'title:local' })).data.total_rows).to.equal(1);
    await el.disconnect();
  });

  it('bulkPut checks every entry first, then writes in chunks in order with growing rtc-bulk-progress', async () => {
    const name = testDatabase('el');
    const el = await fixture<RtcMaster>(html`<rtc-master no-autoconnect database=${name}></rtc-master>`);
    const bad = Array.from({ length: 6000 }, (_, i) => ({ id: `b${i}`, doc: { i } as Record<string, unknown> }));
    bad[5500] = { id: 'b5500', doc: 'not a document' as unknown as Record<string, unknown> };
    const refused = await el.bulkPut(bad).then(() => null, (e: Error & { status_code?: number }) => e);
    expect(refused?.status_code).to.equal(400);
    expect(refused?.message).to.contain('bulkPut[5500]');
    expect((await el.allDocs()).data.total_rows, 'nothing written, not even the chunks before it').to.equal(0);

    const progress: [number, number][] = [];
    el.addEventListener('rtc-bulk-progress', (e) => progress.push([e.detail.loaded, e.detail.total]));
    const entries: BulkEntry[] = Array.from({ length: 7001 }, (_, i) => (i % 2 ? { id: `d${String(i).padStart(5, '0')}`, doc: { i } } : { doc: { i } }));
    // Two writes of one id in different chunks: the later entry wins, as in one transaction.
    entries[7000] = { id: 'd00001', doc: { i: 'last' } };
    const ids = await el.bulkPut(entries);
    expect(ids.length).to.equal(7001);
    expect(ids[1]).to.equal('d00001');
    expect(ids[0]).to.match(/^[0-9a-f-]{36}$/);
    expect(await el.get(ids[6998]!)).to.deep.equal({ i: 6998 });
    expect(await el.get('d00001')).to.deep.equal({ i: 'last' });
    expect(progress[0]).to.deep.equal([0, 7001]);
    expect(progress.at(-1)).to.deep.equal([7001, 7001]);
    expect(progress.length, 'one event per chunk after the first').to.be.greaterThan(2);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).to.be.greaterThan(progress[i - 1]![0]);
    expect(await el.bulkPut([])).to.deep.equal([]);
    await el.disconnect();
  });

  it('reports an unreachable broadcaster with rtc-error and keeps the database usable', async () => {
    const name = testDatabase('el');
    const el = await fixture<RtcMaster>(html`<rtc-master no-autoconnect database=${name} signaling="ws://127.0.0.1:9/signal"></rtc-master>`);
    const error = oneEvent(el, 'rtc-error');
    const seenInListener: string[] = [];
    el.addEventListener('rtc-state-change', () => seenInListener.push(el.state));
    const connecting = oneEvent(el, 'rtc-state-change');
    el.connect();
    expect((await connecting).detail).to.deep.equal({ state: 'connecting', previous: 'disconnected' });
    expect(seenInListener[0], 'the element\'s state is already the new one inside the listener').to.equal('connecting');
    expect((await error).detail.error.message).to.contain('Cannot reach the broadcaster');
    expect(el.state).to.equal('connecting');
    expect(await el.put('x', { ok: true })).to.equal('x');
    await el.disconnect();
    expect(el.state).to.equal('disconnected');
  });

  it('refuses an unknown method in allow with 400 and the error state', async () => {
    const el = await fixture<RtcMaster>(html`<rtc-master no-autoconnect allow="get,launch"></rtc-master>`);
    const failed = oneEvent(el, 'rtc-error');
    el.connect();
    const error = (await failed).detail.error as Error & { status_code?: number };
    expect(error.status_code).to.equal(400);
    expect(error.message).to.contain("unknown method 'launch'");
    await waitUntil(() => el.getAttribute('state') === 'error', 'state reflects the error');
  });
});

describe('<rtc-slave> room', () => {
  it('comes from the attribute, else from the page address\'s ?room=, else is "default"', async () => {
    const before = location.href;
    const withRoom = new URL(before);
    withRoom.searchParams.set('room', 'shop');
    history.replaceState(history.state, '', withRoom);
    try {
      const fromUrl = await fixture<RtcSlave>(html`<rtc-slave no-autoconnect></rtc-slave>`);
      expect(fromUrl.room).to.equal('shop');
      const fromAttribute = await fixture<RtcSlave>(html`<rtc-slave no-autoconnect room="hall"></rtc-slave>`);
      expect(fromAttribute.room).to.equal('hall');
    } finally {
      history.replaceState(history.state, '', before);
    }
    const plain = await fixture<RtcSlave>(html`<rtc-slave no-autoconnect></rtc-slave>`);
    expect(plain.room).to.equal('default');
  });
});

describe('<rtc-slave> timeout', () => {
  it('is validated on every set, attribute or property: anything but a positive number is the default', async () => {
    const el = await fixture<RtcSlave>(html`<rtc-slave no-autoconnect timeout="0"></rtc-slave>`);
    expect(el.timeout, 'the initial attribute').to.equal(30000);
    el.setAttribute('timeout', '5000');
    expect(el.timeout).to.equal(5000);
    // No master: a request waits for one, until its timeout.
    const outcome = (e: Error & { status_code?: number }) => e.status_code;
    const first = el.get('a').then(() => 'answered', outcome);
    await el.updateComplete;
    el.setAttribute('timeout', '0');
    expect(el.timeout, 'the attribute set after creation').to.equal(30000);
    for (const bad of [-1, Number.NaN, Infinity]) {
      el.timeout = bad;
      expect(el.timeout, `the property set to ${bad}`).to.equal(30000);
    }
    await el.updateComplete;
    const second = el.get('b').then(() => 'answered', outcome);
    const early = await Promise.race([first, second, new Promise((r) => setTimeout(() => r('waiting'), 300))]);
    expect(early, 'no request fails at once (504)').to.equal('waiting');
    await el.disconnect();
    expect([await first, await second], 'both waited until the disconnection').to.deep.equal([500, 500]);
  });
});

describe('<rtc-status>', () => {
  it('shows the bound master, its room and slaves count, accessibly', async () => {
    const name = testDatabase('el');
    const wrap = await fixture(html`<div>
      <rtc-master id="m1" no-autoconnect database=${name} room="lab"></rtc-master>
      <rtc-status for="m1"></rtc-status>
    </div>`);
    const status = wrap.querySelector('rtc-status') as RtcStatus;
    await waitUntil(() => status.shadowRoot!.textContent!.includes('Master'), 'status binds to the master');
    const text = status.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Disconnected');
    expect(text).to.contain('room lab');
    expect(text).to.contain('0 slaves');
    expect(status.getAttribute('state')).to.equal('disconnected');
    await expect(status).to.be.accessible();
  });

  it('binds to a target added later, and says when there is none', async () => {
    const wrap = await fixture(html`<div><rtc-status for="later"></rtc-status></div>`);
    const status = wrap.querySelector('rtc-status') as RtcStatus;
    expect(status.shadowRoot!.textContent).to.contain('Not bound');
    await expect(status).to.be.accessible();
    const master = document.createElement('rtc-master');
    master.id = 'later';
    master.setAttribute('no-autoconnect', '');
    master.setAttribute('database', testDatabase('el'));
    wrap.append(master);
    await waitUntil(() => status.shadowRoot!.textContent!.includes('Master'), 'status binds to the new master');
    master.remove();
  });

  it('follows state changes and shows the last error', async () => {
    const wrap = await fixture(html`<div>
      <rtc-master id="m2" no-autoconnect database=${testDatabase('el')} signaling="ws://127.0.0.1:9/signal"></rtc-master>
      <rtc-status for="m2"></rtc-status>
    </div>`);
    const master = wrap.querySelector('rtc-master') as RtcMaster;
    const status = wrap.querySelector('rtc-status') as RtcStatus;
    master.connect();
    await waitUntil(() => status.getAttribute('state') === 'connecting', 'status reflects connecting');
    await waitUntil(() => status.shadowRoot!.textContent!.includes('Last error'), 'status shows the error');
    await expect(status).to.be.accessible();
    await master.disconnect();
    await waitUntil(() => status.getAttribute('state') === 'disconnected');
  });
});

describe('<rtc-query-form>', () => {
  async function setup() {
    const wrap = await fixture(html`<div>
      <rtc-master id="qm" no-autoconnect database=${testDatabase('el')}></rtc-master>
      <rtc-query-form for="qm" fields="first,last" page-size="2"></rtc-query-form>
    </div>`);
    const master = wrap.querySelector('rtc-master') as RtcMaster;
    const form = wrap.querySelector('rtc-query-form') as RtcQueryForm;
    await waitUntil(() => form.shadowRoot!.querySelector('caption'), 'form renders');
    return { master, form };
  }
  const rows = (form: RtcQueryForm) =>
    [...form.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent));

  it('creates records from labelled inputs and lists them', async () => {
    const { master, form } = await setup();
    input(form, 'first', 'Ada');
    input(form, 'last', 'Lovelace');
    const created = oneEvent(form, 'rtc-record-create');
    form.shadowRoot!.querySelector<HTMLButtonElement>('form[part=create] button[type=submit]')!.click();
    const { detail } = await created;
    expect(await master.get(detail.id)).to.deep.equal({ first: 'Ada', last: 'Lovelace' });
    await waitUntil(() => rows(form).length === 1, 'the new record is listed');
    expect(rows(form)).to.deep.equal([['Ada', 'Lovelace']]);
    await expect(form).to.be.accessible();
  });

  it('searches by words and by jIO query, sorts by column and pages', async () => {
    const { master, form } = await setup();
    await master.put('1', { first: 'Grace', last: 'Hopper' });
    await master.put('2', { first: 'Alan', last: 'Turing' });
    await master.put('3', { first: 'Ada', last: 'Lovelace' });
    const search = async (q: string) => {
      input(form, 'q', q);
      form.shadowRoot!.querySelector<HTMLButtonElement>('form[part=search] button')!.click();
    };
    await search('turing');
    await waitUntil(() => JSON.stringify(rows(form)) === JSON.stringify([['Alan', 'Turing']]), 'full-text search');
    await search('first:"%a%" AND NOT last:Turing');
    await waitUntil(() => rows(form).length === 2, 'jIO query');
    await search('');
    const sortFirst = form.shadowRoot!.querySelector<HTMLButtonElement>('th button[aria-label="Sort by first"]')!;
    sortFirst.click();
    await waitUntil(() => JSON.stringify(rows(form)) === JSON.stringify([['Ada', 'Lovelace'], ['Alan', 'Turing']]), 'sorted ascending, page 1');
    expect(sortFirst.closest('th')!.getAttribute('aria-sort')).to.equal('ascending');
    const next = [...form.shadowRoot!.querySelectorAll<HTMLButtonElement>('nav button')].find((b) => b.textContent === 'Next')!;
    await waitUntil(() => !next.disabled, 'next page enabled');
    next.click();
    await waitUntil(() => JSON.stringify(rows(form)) === JSON.stringify([['Grace', 'Hopper']]), 'page 2');
    await waitUntil(() => next.disabled, 'no page 3');
    sortFirst.click();
    await waitUntil(() => rows(form)[0]?.[0] === 'Grace', 'sorted descending, back to page 1');
    await expect(form).to.be.accessible();
  });

  it('shows a query syntax error in place', async () => {
    const { form } = await setup();
    input(form, 'q', 'first:(');
    form.shadowRoot!.querySelector<HTMLButtonElement>('form[part=search] button')!.click();
    await waitUntil(() => form.shadowRoot!.querySelector('[role=alert]'), 'error shown');
    expect(form.shadowRoot!.querySelector('[role=alert]')!.textContent).to.contain('(400)');
    await expect(form).to.be.accessible();
  });
});
