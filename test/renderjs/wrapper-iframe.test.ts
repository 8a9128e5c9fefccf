/**
 * The RenderJS wrapper gadgets in the iframe sandbox (every argument and result crosses a JSON
 * postMessage channel, as RenderJS's jschannel does) and in the dataurl sandbox (an opaque origin:
 * no IndexedDB, so a master must report a fatal error). Parent: the RenderJS test harness.
 */
import { expect } from '@open-wc/testing';
import {
  bootRoot, call, callsOf, createRecordInForm, declare, deleteDatabase, newDatabase, until, UNREACHABLE,
  type Gadget, type Root,
} from './helpers.js';

async function rejection(promise: PromiseLike<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

const iframeOf = (gadget: Gadget) => gadget.element.querySelector('iframe') as HTMLIFrameElement;

describe('RenderJS wrapper, iframe sandbox', () => {
  let root: Root;

  before(async () => {
    root = await bootRoot();
  });

  it('runs render, getContent and the jIO methods across the JSON channel', async () => {
    const database = newDatabase();
    const { gadget } = await declare(root, 'master', 'iframe');
    const iframe = iframeOf(gadget);
    expect(iframe.getAttribute('src')).to.match(/gadget_rtc_master\.html$/);
    const inner = iframe.contentDocument!.querySelector('rtc-master') as HTMLElement & { state: string };
    expect(await call(gadget, 'render', { key: 'field_x', value: 'v', editable: true, database, autoconnect: false })).to.equal(undefined);
    expect(inner.getAttribute('database')).to.equal(database);
    expect(await call(gadget, 'getContent')).to.deep.equal({ field_x: 'v' });
    expect(await call(gadget, 'checkValidity')).to.equal(true);

    const id = await call<string>(gadget, 'post', { title: 'over the channel' });
    expect(await call(gadget, 'get', id)).to.deep.equal({ title: 'over the channel' });
    // Arguments are JSON-serialised on the way in: a Date arrives as its ISO string, undefined drops.
    expect(await call(gadget, 'put', 'd', { when: new Date(0), gone: undefined, n: 1 })).to.equal('d');
    expect(await call(gadget, 'get', 'd')).to.deep.equal({ when: '1970-01-01T00:00:00.000Z', n: 1 });
    const all = await call<{ data: { rows: { id: string }[]; total_rows: number } }>(gadget, 'allDocs', { sort_on: [['title', 'ascending']] });
    expect(all.data.total_rows).to.equal(2);
    expect(await call(gadget, 'remove', 'd')).to.equal('d');
    expect(await call(gadget, 'repair')).to.equal(undefined);

    gadget.element.remove();
    await deleteDatabase(database);
  });

  it('brings errors back as RenderJS does: the message only', async () => {
    const database = newDatabase();
    const { gadget } = await declare(root, 'master', 'iframe');
    await call(gadget, 'render', { database, autoconnect: false });
    const missing = await rejection(call(gadget, 'get', 'nope'));
    expect(missing).to.be.an.instanceOf(window.rJS!.IframeSerializationError);
    expect(missing.message).to.contain('nope');
    const orphan = await rejection(call(gadget, 'putAttachment', 'a', 'b', 'c'));
    expect(orphan).to.be.an.instanceOf(window.rJS!.IframeSerializationError);
    expect(orphan.message).to.equal('Cannot find document: a');
    gadget.element.remove();
    await deleteDatabase(database);
  });

  it('bridges element events to the parent\'s acquisitions from inside the iframe', async () => {
    const database = newDatabase();
    const { gadget, scope } = await declare(root, 'master', 'iframe');
    await call(gadget, 'render', { database, key: 'field_rec', editable: true, fields: 'first', autoconnect: false });
    const form = iframeOf(gadget).contentDocument!.querySelector('rtc-query-form')!;
    await until(() => !!form.shadowRoot?.querySelector('fieldset:not([disabled])'), 'the form binds to the master');
    const created = new Promise<string>((resolve) => form.addEventListener('rtc-record-create', (e) => resolve((e as CustomEvent).detail.id), { once: true }));
    createRecordInForm(form, { first: 'Grace' });
    const id = await created;
    await until(() => callsOf(root, 'notifyChange', scope).length === 1, 'notifyChange crosses the channel');
    expect(await call(gadget, 'getContent')).to.deep.equal({ field_rec: id });

    await call(gadget, 'render', { database, key: 'field_rec', editable: true, required: true, value: '' });
    expect(await call(gadget, 'checkValidity')).to.equal(true); // the created record counts
    await call(gadget, 'render', { database, key: 'field_rec', editable: true, required: true, value: 'x' });
    await call(gadget, 'render', { database, key: 'field_rec', editable: true, required: true, value: '' });
    expect(await call(gadget, 'checkValidity')).to.equal(false);
    const invalid = callsOf(root, 'notifyInvalid', scope);
    expect(invalid[invalid.length - 1].args).to.deep.equal(['Create a record first.']);
    gadget.element.remove();
    await deleteDatabase(database);
  });

  it('a slave in an iframe maps its options too', async () => {
    const { gadget } = await declare(root, 'slave', 'iframe');
    await call(gadget, 'render', { room: 'r', signaling: UNREACHABLE, timeout: 250, autoconnect: false });
    const inner = iframeOf(gadget).contentDocument!.querySelector('rtc-slave') as HTMLElement & { timeout: number };
    expect(inner.getAttribute('room')).to.equal('r');
    expect(inner.timeout).to.equal(250);
    expect((await rejection(call(gadget, 'get', 'x'))).message).to.equal("Request 'get' timed out after 250 ms");
    gadget.element.remove();
  });

  it('follows the DOM: removing a dropped gadget\'s element removes its iframe and window', async () => {
    const database = newDatabase();
    const { gadget, scope } = await declare(root, 'master', 'iframe');
    await call(gadget, 'render', { database, signaling: UNREACHABLE });
    const iframe = iframeOf(gadget);
    const inner = iframe.contentDocument!.querySelector('rtc-master') as HTMLElement & { state: string };
    await until(() => inner.state === 'connecting', 'the master in the iframe connects');
    await call(root.gadget, 'dropGadget', scope);
    gadget.element.remove();
    expect(iframe.isConnected).to.equal(false);
    expect(iframe.contentWindow).to.equal(null);
    await deleteDatabase(database);
  });
});

describe('RenderJS wrapper, dataurl sandbox', () => {
  it('a master cannot live there (opaque origin, no IndexedDB): reportServiceError says so', async () => {
    const root = await bootRoot();
    const { gadget, scope } = await declare(root, 'master', 'dataurl');
    expect(iframeOf(gadget).getAttribute('src')).to.match(/^data:text\/html/);
    await call(gadget, 'render', { database: 'never', autoconnect: false });
    await until(() => callsOf(root, 'reportServiceError', scope).length === 1, 'reportServiceError crosses the channel');
    const error = callsOf(root, 'reportServiceError', scope)[0].args[0] as { message: string; status_code?: number };
    // Acquisition arguments cross the channel as JSON: jIO-style errors keep message and status_code.
    expect(error.message).to.contain('cannot open its IndexedDB database');
    expect(error.status_code).to.equal(500);
    gadget.element.remove();
  });
});
