/**
 * The `rtc` storage under the real jIO (npm `jio` 3.45), checked for what jIO's own storage suites
 * (test/jio.storage/*.tests.js upstream) expect of a storage: ids and 404s as jIOError, attachments,
 * `select_list`/`sort_on`/`limit`/`include_docs`, `hasCapacity`; wrapped in jIO's `query` and `uuid`
 * storages; and jIO's `replicate` between two `rtc` databases. Real IndexedDB, real jIO.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../gadgets/define.js';
import { deleteNewDatabasesAfterEach, uniqueName } from '../shared/databases.js';
import { loadJio } from './load-jio.js';
import type { JioLike, JioStorage } from '../../gadgets/jio/types.js';

deleteNewDatabasesAfterEach();

let jio: JioLike;
before(async () => {
  jio = await loadJio();
});

const rtc = (database = uniqueName('jio')): JioStorage => jio.createJIO({ type: 'rtc', database });

/** The rejection of `p` (fails the test when it resolves). */
async function rejection(p: PromiseLike<unknown>): Promise<Error & { status_code: number }> {
  try {
    await p;
  } catch (error) {
    return error as Error & { status_code: number };
  }
  throw new Error('expected a rejection');
}

describe('rtc jIO storage', () => {
  it('is a storage type of the page\'s jIO and says what allDocs can do', () => {
    const s = rtc();
    for (const c of ['list', 'include', 'query', 'select', 'sort', 'limit']) expect(s.hasCapacity(c), c).to.equal(true);
    const err = (() => {
      try {
        s.hasCapacity('group');
      } catch (e) {
        return e as { status_code: number };
      }
      return null;
    })();
    expect(err?.status_code).to.equal(501);
    expect(err).to.be.instanceOf(jio.util.jIOError);
  });

  it('refuses a description that names no database, or two, with a jIOError 400', () => {
    for (const spec of [{ type: 'rtc' }, { type: 'rtc', database: 'a', room: 'b' }]) {
      let error: unknown = null;
      try {
        jio.createJIO(spec);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(spec)).to.be.instanceOf(jio.util.jIOError);
      expect((error as { status_code: number }).status_code).to.equal(400);
    }
  });

  it('put/get/post/remove keep ids, and a missing document is a jIOError 404', async () => {
    const s = rtc();
    expect(await s.put('bar', { title: 'foo' })).to.equal('bar');
    expect(await s.get('bar')).to.deep.equal({ title: 'foo' });
    const id = await s.post({ title: 'posted' });
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(await s.get(id)).to.deep.equal({ title: 'posted' });
    expect(await s.remove('bar')).to.equal('bar');
    const error = await rejection(s.get('bar'));
    expect(error).to.be.instanceOf(jio.util.jIOError);
    expect(error.status_code).to.equal(404);
    expect(error.message).to.equal('Cannot find document: bar');
    // jIO's proxy refuses an empty id before the storage sees it (it throws at once).
    expect(() => s.get('')).to.throw("Document id must be a non empty string on 'rtc.get'.");
  });

  it('allDocs: query, select_list, sort_on, limit and include_docs, as jIO answers them', async () => {
    const s = rtc();
    for (const [id, n, c] of [['a', 3, 'x'], ['b', 1, 'y'], ['c', 2, 'x'], ['d', 4, 'x']] as const) await s.put(id, { n, c });
    const all = await s.allDocs();
    expect(all.data.total_rows).to.equal(4);
    expect(all.data.rows.map((r) => r.id).sort()).to.deep.equal(['a', 'b', 'c', 'd']);
    const r = await s.allDocs({ query: 'c:x', select_list: ['n'], sort_on: [['n', 'descending']], limit: [1, 2] });
    expect(r.data.rows).to.deep.equal([{ id: 'a', value: { n: 3 } }, { id: 'c', value: { n: 2 } }]);
    expect(r.data.total_rows).to.equal(2);
    const withDocs = await s.allDocs({ query: 'n:1', include_docs: true });
    expect(withDocs.data.rows).to.deep.equal([{ id: 'b', value: {}, doc: { n: 1, c: 'y' } }]);
    expect((await rejection(s.allDocs({ query: 'n:(' }))).status_code).to.equal(400);
    expect((await rejection(s.allDocs({ group_by: ['c'] }))).status_code).to.equal(501);
  });

  it('attachments: put, get in every jIO format and by range, list, remove, 404s', async () => {
    const s = rtc();
    await s.put('doc', { title: 'with files' });
    await s.putAttachment('doc', 'note.txt', 'hello world');
    await s.putAttachment('doc', 'data.json', new Blob(['{"a":1}'], { type: 'application/json' }));
    const blob = await s.getAttachment('doc', 'note.txt');
    expect(blob).to.be.instanceOf(Blob);
    expect((blob as Blob).type).to.equal('text/plain;charset=utf-8');
    expect(await s.getAttachment('doc', 'note.txt', { format: 'text' })).to.equal('hello world');
    expect(await s.getAttachment('doc', 'data.json', { format: 'json' })).to.deep.equal({ a: 1 });
    expect(await s.getAttachment('doc', 'note.txt', { format: 'data_url' })).to.equal('data:text/plain;charset=utf-8;base64,aGVsbG8gd29ybGQ=');
    expect(await (await s.getAttachment('doc', 'note.txt', { start: 6, end: 11 }) as Blob).text()).to.equal('world');
    expect(Object.keys(await s.allAttachments('doc')).sort()).to.deep.equal(['data.json', 'note.txt']);
    await s.removeAttachment('doc', 'note.txt');
    expect(Object.keys(await s.allAttachments('doc'))).to.deep.equal(['data.json']);
    const missing = await rejection(s.getAttachment('doc', 'note.txt'));
    expect(missing).to.be.instanceOf(jio.util.jIOError);
    expect(missing.status_code).to.equal(404);
    expect((await rejection(s.putAttachment('nodoc', 'x', 'y'))).status_code).to.equal(404);
    expect((await rejection(s.allAttachments('nodoc'))).status_code).to.equal(404);
    expect((await rejection(s.getAttachment('doc', 'data.json', { format: 'nope' }))).status_code).to.equal(400);
  });

  it('runs under jIO\'s query and uuid storages unchanged', async () => {
    const database = uniqueName('jio');
    const s = jio.createJIO({ type: 'query', sub_storage: { type: 'uuid', sub_storage: { type: 'rtc', database } } });
    const ids = [];
    for (const title of ['Alpha', 'Beta', 'Gamma']) ids.push(await s.post({ title, kind: 'greek' }));
    for (const id of ids) expect(id).to.match(/^[0-9a-f-]{36}$/);
    const r = await s.allDocs({ query: 'title:"%a"', select_list: ['title'], sort_on: [['title', 'ascending']] });
    expect(r.data.rows.map((row) => row.value.title)).to.deep.equal(['Alpha', 'Beta', 'Gamma']);
    // The same data seen straight through rtc.
    expect((await rtc(database).allDocs()).data.total_rows).to.equal(3);
  });

  it('describes the page\'s own <rtc-master> with { element }', async () => {
    const database = uniqueName('jio');
    await fixture(html`<rtc-master id="jio-db" database=${database} no-autoconnect no-journal></rtc-master>`);
    const s = jio.createJIO({ type: 'rtc', element: '#jio-db' });
    await s.put('x', { v: 1 });
    expect(await rtc(database).get('x')).to.deep.equal({ v: 1 });
    const none = await rejection(jio.createJIO({ type: 'rtc', element: '#nothing' }).get('x'));
    expect(none.status_code).to.equal(404);
  });

  it('jIO\'s replicate converges two rtc databases both ways', async () => {
    const [a, b] = [uniqueName('jio-a'), uniqueName('jio-b')];
    await rtc(a).put('from-a', { side: 'a' });
    await rtc(b).put('from-b', { side: 'b' });
    const replicate = jio.createJIO({ type: 'replicate', local_sub_storage: { type: 'rtc', database: a }, remote_sub_storage: { type: 'rtc', database: b } });
    await replicate.repair();
    for (const db of [a, b]) {
      expect(await rtc(db).get('from-a')).to.deep.equal({ side: 'a' });
      expect(await rtc(db).get('from-b')).to.deep.equal({ side: 'b' });
    }
  });
});
