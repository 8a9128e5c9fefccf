/**
 * The RenderJS wrapper gadgets (renderjs/) in the public sandbox, driven by an ERP5-like parent on
 * the RenderJS test harness: render mapping and idempotence, getContent, checkValidity, the
 * acquisitions (notifyChange / notifyInvalid / notifyValid / reportServiceError), the jIO methods
 * on a master's real IndexedDB (no broadcaster: autoconnect off or an unreachable signaling URL),
 * and the gadget's lifetime following the DOM.
 */
import { expect } from '@open-wc/testing';
import {
  bootRoot, call, callsOf, createRecordInForm, declare, deleteDatabase, newDatabase, until, UNREACHABLE,
  type Gadget, type Root,
} from './helpers.js';

interface DbElement extends HTMLElement {
  state: string;
  timeout: number;
  lastError: (Error & { status_code?: number }) | null;
  connect(): void;
  disconnect(): Promise<void>;
  updateComplete: Promise<boolean>;
  [method: string]: unknown;
}

const dbElement = (gadget: Gadget, tag = 'rtc-master') => gadget.element.querySelector(tag) as DbElement;
const queryForm = (gadget: Gadget) => gadget.element.querySelector('rtc-query-form') as HTMLElement | null;

async function rejection(promise: PromiseLike<unknown>): Promise<Error & { status_code?: number }> {
  try {
    await promise;
  } catch (e) {
    return e as Error & { status_code?: number };
  }
  throw new Error('expected a rejection');
}

/** Attribute and child-list mutations under `node` while `action` runs (plus two ticks). */
async function mutationsDuring(node: Node, action: () => Promise<unknown>): Promise<MutationRecord[]> {
  const records: MutationRecord[] = [];
  const observer = new MutationObserver((list) => records.push(...list));
  observer.observe(node, { attributes: true, childList: true, subtree: true });
  await action();
  await new Promise((r) => setTimeout(r, 50));
  records.push(...observer.takeRecords());
  observer.disconnect();
  // `state` is the element's own reflected status, not configuration.
  return records.filter((r) => !(r.type === 'attributes' && r.attributeName === 'state'));
}

describe('RenderJS wrapper, public sandbox', () => {
  let root: Root;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    root = await bootRoot();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function master(options: Record<string, unknown> = {}, scope?: string) {
    const database = newDatabase();
    const declared = await declare(root, 'master', 'public', scope);
    const el = dbElement(declared.gadget);
    cleanups.push(async () => {
      declared.gadget.element.remove();
      await until(() => el.state === 'disconnected', 'master stops');
      await deleteDatabase(database);
    });
    await call(declared.gadget, 'render', { database, autoconnect: false, ...options });
    return { ...declared, el, database };
  }

  it('contains the element and offers the GadgetField and jIO methods', async () => {
    const { gadget, el } = await master();
    expect(el).to.be.an.instanceOf(customElements.get('rtc-master')!);
    expect(el.querySelector('rtc-status')).to.exist;
    const methods = await call<string[]>(gadget, 'getMethodList', 'method');
    for (const name of ['render', 'getContent', 'checkValidity', 'createJio', 'allDocs', 'get', 'put', 'post', 'remove', 'repair',
      'putAttachment', 'getAttachment', 'removeAttachment', 'allAttachments']) {
      expect(methods, name).to.include(name);
    }
    // Every method of the bundle's method table, bulkPut too: the wrapper has no list of its own.
    const table = (window as unknown as { RtcGadgets: { METHOD_PARAMS: Record<string, string[]> } }).RtcGadgets.METHOD_PARAMS;
    expect(Object.keys(table)).to.include('bulkPut');
    expect(methods).to.include.members(Object.keys(table));
    expect(await call<string[]>(gadget, 'getMethodList', 'acquired_method')).to.include.members(['notifyChange', 'notifyInvalid', 'notifyValid']);
  });

  it('maps render options onto the element, from ERP5 strings too, and does nothing when rendered again', async () => {
    const { gadget, el, database } = await master({
      key: 'field_my_record', value: '', editable: true, room: 'lab-1', signaling: UNREACHABLE,
      allow: ['get', 'allDocs'], fields: 'first, last', page_size: '5', autoconnect: 'false',
    });
    expect(el.getAttribute('database')).to.equal(database);
    expect(el.getAttribute('room')).to.equal('lab-1');
    expect(el.getAttribute('signaling')).to.equal(UNREACHABLE);
    expect(el.getAttribute('allow')).to.equal('get,allDocs');
    expect(el.hasAttribute('no-autoconnect')).to.equal(true);
    expect(el.state).to.equal('disconnected');
    const form = queryForm(gadget)!;
    expect(form.getAttribute('fields')).to.equal('first, last');
    expect(form.getAttribute('page-size')).to.equal('5');
    expect(form.classList.contains('rtc-gadget-readonly')).to.equal(false);

    const same = {
      database, key: 'field_my_record', value: '', editable: true, room: 'lab-1', signaling: UNREACHABLE,
      allow: 'get,allDocs', fields: 'first, last', page_size: 5, autoconnect: false,
    };
    expect(await mutationsDuring(gadget.element, () => call(gadget, 'render', same))).to.have.length(0);
    expect(gadget.element.querySelectorAll('rtc-query-form')).to.have.length(1);

    const changed = await mutationsDuring(gadget.element, () => call(gadget, 'render', { ...same, room: 'lab-2', editable: false }));
    expect(changed.map((r) => `${r.type}:${r.attributeName}`).sort()).to.deep.equal(['attributes:class', 'attributes:room']);
    expect(el.getAttribute('room')).to.equal('lab-2');
    expect(form.classList.contains('rtc-gadget-readonly')).to.equal(true);

    await call(gadget, 'render', { ...same, fields: '' });
    expect(queryForm(gadget)).to.equal(null);
    await call(gadget, 'render', { ...same, hidden: 'true' });
    expect(el.hidden).to.equal(true);
  });

  it('passes ERP5\'s language through: the `language` option is the element\'s lang, and its status speaks it', async () => {
    const { gadget, el } = await master({ language: 'fr' });
    expect(el.getAttribute('lang')).to.equal('fr');
    const status = el.querySelector('rtc-status')!;
    await until(() => status.shadowRoot!.textContent!.includes('Maître'), 'the status in French');
    await call(gadget, 'render', { language: 'zh-CN' });
    await until(() => status.shadowRoot!.textContent!.includes('主设备'), 'the status in Chinese');
    await call(gadget, 'render', { language: '' });
    expect(el.hasAttribute('lang')).to.equal(false);
    await until(() => status.shadowRoot!.textContent!.includes('Master'), 'back to the browser\'s English');
  });

  it('connects when rendered with autoconnect (the default), once, and disconnects when it is turned off', async () => {
    const { gadget, el, database } = await declare(root, 'master', 'public').then(async (d) => ({ ...d, el: dbElement(d.gadget), database: newDatabase() }));
    cleanups.push(async () => { gadget.element.remove(); await until(() => el.state === 'disconnected', 'stops'); await deleteDatabase(database); });
    expect(el.state, 'the template does not connect before render').to.equal('disconnected');
    const transitions: string[] = [];
    el.addEventListener('rtc-state-change', (e) => transitions.push((e as CustomEvent).detail.state));
    const options = { database, room: 'auto', signaling: UNREACHABLE };
    await call(gadget, 'render', options);
    expect(el.state).to.equal('connecting');
    expect(el.hasAttribute('no-autoconnect')).to.equal(false);
    await call(gadget, 'render', options);
    await new Promise((r) => setTimeout(r, 100));
    expect(transitions.filter((s) => s === 'connecting')).to.have.length(1);
    await call(gadget, 'render', { ...options, autoconnect: false });
    expect(el.state).to.equal('disconnected');
  });

  it('maps the slave options (room, signaling, timeout) and runs jIO calls on the master (504 without one)', async () => {
    const { gadget } = await declare(root, 'slave', 'public');
    const el = dbElement(gadget, 'rtc-slave');
    cleanups.push(() => gadget.element.remove());
    await call(gadget, 'render', { room: 'far', signaling: UNREACHABLE, timeout: '300', autoconnect: false, database: 'ignored' });
    expect(el.getAttribute('room')).to.equal('far');
    expect(el.timeout).to.equal(300);
    expect(el.hasAttribute('database')).to.equal(false);
    const error = await rejection(call(gadget, 'get', 'anything'));
    expect(error.status_code).to.equal(504);
  });

  it('getContent gives {key: value} when editable, the id of the record created in the form, {} when not editable', async () => {
    const { gadget, scope } = await master({ key: 'field_my_record', value: 'abc', editable: false, fields: 'first,last' });
    expect(await call(gadget, 'getContent')).to.deep.equal({});
    await call(gadget, 'render', { key: 'field_my_record', value: 'abc', editable: true, fields: 'first,last' });
    expect(await call(gadget, 'getContent')).to.deep.equal({ field_my_record: 'abc' });

    const form = queryForm(gadget)!;
    await until(() => !!form.shadowRoot?.querySelector('fieldset:not([disabled])'), 'the form binds to the master');
    const created = new Promise<string>((resolve) => form.addEventListener('rtc-record-create', (e) => resolve((e as CustomEvent).detail.id), { once: true }));
    createRecordInForm(form, { first: 'Ada', last: 'Lovelace' });
    const id = await created;
    await until(() => callsOf(root, 'notifyChange', scope).length === 1, 'notifyChange reaches the parent');
    expect(await call(gadget, 'getContent')).to.deep.equal({ field_my_record: id });
    expect(await call(gadget, 'get', id)).to.deep.equal({ first: 'Ada', last: 'Lovelace' });

    await call(gadget, 'render', { key: 'field_my_record', value: 'other', editable: true });
    expect(await call(gadget, 'getContent'), 'a new value from the parent wins').to.deep.equal({ field_my_record: 'other' });
  });

  it('checkValidity: required without a value, and a configuration error, are invalid (notifyInvalid)', async () => {
    const { gadget, scope, el } = await master({ key: 'f', value: '', editable: true, required: 'true' });
    expect(await call(gadget, 'checkValidity')).to.equal(false);
    expect(callsOf(root, 'notifyInvalid', scope).map((c) => c.args)).to.deep.equal([['Create a record first.']]);
    await call(gadget, 'render', { key: 'f', value: 'x', editable: true, required: true });
    expect(await call(gadget, 'checkValidity')).to.equal(true);
    expect(callsOf(root, 'notifyValid', scope)).to.have.length(1);

    // An unknown method in `allow`: the element refuses to start (400), the parent hears it.
    await call(gadget, 'render', { key: 'f', value: 'x', editable: true, allow: 'get,launch', autoconnect: true, signaling: UNREACHABLE });
    await until(() => callsOf(root, 'notifyInvalid', scope).length === 2, 'notifyInvalid for the configuration error');
    expect(String(callsOf(root, 'notifyInvalid', scope)[1].args[0])).to.contain("unknown method 'launch'");
    expect(el.state).to.equal('error');
    expect(await call(gadget, 'checkValidity')).to.equal(false);

    await call(gadget, 'render', { key: 'f', value: 'x', editable: true, allow: 'get', autoconnect: true, signaling: UNREACHABLE });
    expect(el.state).to.equal('connecting');
    await until(() => callsOf(root, 'notifyValid', scope).length === 2, 'notifyValid once it runs again');
    expect(await call(gadget, 'checkValidity')).to.equal(true);
  });

  it('runs the jIO methods on the master\'s IndexedDB, with jIO results, errors and JSON-only values', async () => {
    const { gadget, el } = await master();
    const id = await call<string>(gadget, 'post', { title: 'first', n: 1 });
    expect(id).to.be.a('string').and.not.empty;
    expect(await call(gadget, 'put', 'b', { title: 'second', n: 2 })).to.equal('b');
    expect(await call(gadget, 'get', 'b')).to.deep.equal({ title: 'second', n: 2 });
    const all = await call<{ data: { rows: { id: string; value: Record<string, unknown> }[]; total_rows: number } }>(gadget, 'allDocs', {
      query: 'n:>0', sort_on: [['n', 'descending']], select_list: ['title'],
    });
    expect(all).to.deep.equal({ data: { rows: [{ id: 'b', value: { title: 'second' } }, { id, value: { title: 'first' } }], total_rows: 2 } });
    expect(JSON.parse(JSON.stringify(all))).to.deep.equal(all);
    expect(Object.getPrototypeOf(all.data.rows[0])).to.equal(Object.prototype);
    expect((await call<{ data: { total_rows: number } }>(gadget, 'allDocs')).data.total_rows).to.equal(2);

    const missing = await rejection(call(gadget, 'get', 'nope'));
    expect(missing.status_code).to.equal(404);
    const noId = await rejection(call(gadget, 'remove'));
    expect(noId.status_code).to.equal(400);
    expect(noId.message).to.equal("Document id must be a non empty string on 'rtc-master.remove'.");
    expect(el.isConnected, 'remove() without an id never removes the element').to.equal(true);
    expect(await call(gadget, 'remove', 'b')).to.equal('b');
    expect((await rejection(call(gadget, 'get', 'b'))).status_code).to.equal(404);
    expect(await call(gadget, 'bulkPut', [{ id: 'c', doc: { n: 3 } }])).to.deep.equal(['c']);
    expect(await call(gadget, 'get', 'c')).to.deep.equal({ n: 3 });
    expect(await call(gadget, 'repair')).to.equal(undefined);
  });

  it('runs the element\'s attachment methods, as JSON; 501 when the element lacks one', async () => {
    const { gadget, el } = await master();
    const orphan = await rejection(call(gadget, 'putAttachment', 'a', 'b.txt', 'text'));
    expect(orphan.status_code).to.equal(404);
    expect(orphan.message).to.equal('Cannot find document: a');
    expect(JSON.parse(JSON.stringify(orphan))).to.include({ status_code: 404 });

    await call(gadget, 'put', 'a', { title: 'with a file' });
    expect(await call(gadget, 'putAttachment', 'a', 'b.txt', 'hi')).to.equal(undefined);
    expect(await call(gadget, 'getAttachment', 'a', 'b.txt')).to.match(/^data:text\/plain[^,]*;base64,aGk=$/);
    const listed = await call<Record<string, { length: number }>>(gadget, 'allAttachments', 'a');
    expect(Object.keys(listed)).to.deep.equal(['b.txt']);
    expect(listed['b.txt'].length).to.equal(2);
    expect(await call(gadget, 'removeAttachment', 'a', 'b.txt')).to.equal(undefined);
    expect(await call(gadget, 'allAttachments', 'a')).to.deep.equal({});
    expect(await call(gadget, 'remove', 'a')).to.equal('a');

    // Checked at call time: an element without the method answers 501, as jIO does.
    el.putAttachment = undefined;
    try {
      const refused = await rejection(call(gadget, 'putAttachment', 'a', 'b.txt', 'text'));
      expect(refused.status_code).to.equal(501);
      expect(refused.message).to.equal("Capacity 'putAttachment' is not implemented on 'rtc-master'");
      expect(JSON.parse(JSON.stringify(refused))).to.include({ status_code: 501 });
    } finally {
      delete el.putAttachment;
    }
    expect((await rejection(call(gadget, 'putAttachment', 'a', 'b.txt', 'text'))).status_code, 'the element\'s own method again').to.equal(404);
  });

  it('createJio takes OfficeJS\'s {socket_url} as the signaling URL', async () => {
    const { gadget, el } = await master({ autoconnect: false });
    await call(gadget, 'createJio', { socket_url: UNREACHABLE, room: 'office' });
    expect(el.getAttribute('signaling')).to.equal(UNREACHABLE);
    expect(el.getAttribute('room')).to.equal('office');
  });

  it('reports a master that cannot open IndexedDB through reportServiceError', async () => {
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function () {
      throw new DOMException('access to the Indexed Database API is denied in this context.', 'SecurityError');
    };
    try {
      const { scope } = await master({ key: 'f' });
      await until(() => callsOf(root, 'reportServiceError', scope).length === 1, 'reportServiceError reaches the parent');
      const error = callsOf(root, 'reportServiceError', scope)[0].args[0] as Error & { status_code?: number };
      expect(error.message).to.contain('cannot open its IndexedDB database');
      expect(error.status_code).to.equal(500);
    } finally {
      IDBFactory.prototype.open = open;
    }
  });

  it('follows the DOM: a dropped gadget whose element is removed disconnects and stops bridging', async () => {
    const database = newDatabase();
    const { gadget, scope } = await declare(root, 'master', 'public');
    const el = dbElement(gadget);
    await call(gadget, 'render', { database, key: 'f', editable: true, signaling: UNREACHABLE, fields: 'first' });
    expect(el.state).to.equal('connecting');
    const form = queryForm(gadget)!;

    await call(root.gadget, 'dropGadget', scope);
    gadget.element.remove(); // what an ERP5 parent does after dropping a field gadget
    await until(() => el.state === 'disconnected', 'the element closes its connections');
    expect(el.isConnected).to.equal(false);
    const scopeError = await rejection(call(root.gadget, 'getDeclaredGadget', scope));
    expect(scopeError).to.be.an.instanceOf(window.rJS!.ScopeError);

    const before = callsOf(root, 'notifyChange', scope).length;
    form.dispatchEvent(new CustomEvent('rtc-record-create', { detail: { id: 'late' }, bubbles: true, composed: true }));
    await new Promise((r) => setTimeout(r, 50));
    expect(callsOf(root, 'notifyChange', scope)).to.have.length(before);
    await new Promise((r) => setTimeout(r, 100));
    expect(el.state, 'and stays disconnected').to.equal('disconnected');
    await deleteDatabase(database);
  });
});
