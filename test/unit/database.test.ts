import { expect } from '@open-wc/testing';
import { Database } from '../../gadgets/storage/database.js';
import { dropDatabase, freshDatabase, rejectionOf } from './helpers.js';
import { deleteRaw, exists, openRaw, versionOf } from './raw-idb.js';

describe('Database (real IndexedDB)', () => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await dropDatabase(db);
  });

  it('posts, gets, puts and removes documents', async () => {
    const id = await db.post({ first: 'Ada', last: 'Lovelace' });
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await db.get(id)).to.deep.equal({ first: 'Ada', last: 'Lovelace' });
    expect(await db.put(id, { first: 'Ada', last: 'King' })).to.equal(id);
    expect(await db.get(id)).to.deep.equal({ first: 'Ada', last: 'King' });
    expect(await db.remove(id)).to.equal(id);
    const err = await rejectionOf(db.get(id));
    expect(err.status_code).to.equal(404);
    expect(err.message).to.equal(`Cannot find document: ${id}`);
    expect(await db.remove('never-existed')).to.equal('never-existed');
  });

  it('keeps a private copy of what it stores', async () => {
    const doc = { tags: ['a'] };
    await db.put('x', doc);
    doc.tags.push('b');
    expect(await db.get('x')).to.deep.equal({ tags: ['a'] });
  });

  it('refuses bad ids and documents with 400 and jIO messages', async () => {
    const e1 = await rejectionOf(db.put('', {}));
    expect(e1.status_code).to.equal(400);
    expect(e1.message).to.equal("Document id must be a non empty string on 'rtc.put'.");
    expect((await rejectionOf(db.get(42 as unknown as string))).status_code).to.equal(400);
    expect((await rejectionOf(db.put('a', [] as unknown as Record<string, unknown>))).status_code).to.equal(400);
    expect((await rejectionOf(db.post(null as unknown as Record<string, unknown>))).status_code).to.equal(400);
    expect((await rejectionOf(db.put('a', { f: () => 1 })) ).status_code).to.equal(400);
  });

  it('answers gets asked in the same task together, each with its own copy, a 404 among them', async () => {
    await db.bulkPut([{ id: 'a', doc: { n: 1 } }, { id: 'b', doc: { n: 2 } }]);
    const asked = [db.get('a'), db.get('missing'), db.get('b'), db.get('a')];
    const settled = await Promise.allSettled(asked);
    expect(settled.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const [a1, missing, b, a2] = settled;
    expect((a1 as PromiseFulfilledResult<unknown>).value).to.deep.equal({ n: 1 });
    expect(((missing as PromiseRejectedResult).reason as Error).message).to.equal('Cannot find document: missing');
    expect((b as PromiseFulfilledResult<unknown>).value).to.deep.equal({ n: 2 });
    expect((a2 as PromiseFulfilledResult<unknown>).value, 'two reads of one id are two objects').not.to.equal((a1 as PromiseFulfilledResult<unknown>).value);
    db.close();
    expect((await rejectionOf(db.get('a'))).status_code, 'a closed database answers 500').to.equal(500);
    db = await Database.open(db.name);
  });

  it('refuses an uncloneable document with 400 and stores nothing of it', async () => {
    const e = await rejectionOf(db.bulkPut([{ id: 'ok', doc: { n: 1 } }, { id: 'bad', doc: { f: () => 1 } }]));
    expect(e.status_code).to.equal(400);
    expect(e.message).to.match(/^Document cannot be stored: /);
    expect((await rejectionOf(db.get('ok'))).status_code, 'all or none').to.equal(404);
    const replay = await rejectionOf(db.put('bad', { f: () => 1 }, { requestKey: 's:9' }));
    expect(replay.status_code).to.equal(400);
    expect(await db.put('bad', { n: 2 }, { requestKey: 's:9' }), 'a refused write records no answer').to.equal('bad');
  });

  it('survives closing and reopening', async () => {
    await db.put('kept', { v: 1 });
    db.close();
    db = await Database.open(db.name);
    expect(await db.get('kept')).to.deep.equal({ v: 1 });
  });

  it('applies a write with the same request key only once', async () => {
    const id1 = await db.post({ n: 1 }, { requestKey: 's:1' });
    const id2 = await db.post({ n: 1 }, { requestKey: 's:1' });
    expect(id2).to.equal(id1);
    const all = await db.allDocs();
    expect(all.data.total_rows).to.equal(1);
    // A later write with another key is applied; replaying the first put does not undo it.
    await db.put('p', { v: 'first' }, { requestKey: 's:2' });
    await db.put('p', { v: 'second' }, { requestKey: 's:3' });
    await db.put('p', { v: 'first' }, { requestKey: 's:2' });
    expect(await db.get('p')).to.deep.equal({ v: 'second' });
  });

  it('answers allDocs with query, sort_on, limit, select_list and include_docs', async () => {
    await db.put('a', { name: 'Alpha', n: 3, group: 'x' });
    await db.put('b', { name: 'Beta', n: 1, group: 'y' });
    await db.put('c', { name: 'Gamma', n: 2, group: 'x' });
    await db.put('d', { name: 'Delta', group: 'x' });
    const plain = await db.allDocs();
    expect(plain.data.rows.map((r) => r.id).sort()).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(plain.data.rows[0].value).to.deep.equal({});
    const res = await db.allDocs({ query: 'group:x', sort_on: [['n', 'descending']], limit: [0, 2], select_list: ['name'] });
    expect(res.data.rows).to.deep.equal([
      { id: 'a', value: { name: 'Alpha' } },
      { id: 'c', value: { name: 'Gamma' } },
    ]);
    expect(res.data.total_rows).to.equal(2);
    const asc = await db.allDocs({ sort_on: [['n', 'ascending']], include_docs: true });
    // A document without the key sorts first when ascending (docs/jio-compatibility.md "Sort, limit, select").
    expect(asc.data.rows.map((r) => r.id)).to.deep.equal(['d', 'b', 'c', 'a']);
    expect(asc.data.rows[1].doc).to.deep.equal({ name: 'Beta', n: 1, group: 'y' });
  });

  it('refuses malformed allDocs options with 400, group_by with 501', async () => {
    expect((await rejectionOf(db.allDocs({ limit: [-1] as unknown as [number] }))).status_code).to.equal(400);
    expect((await rejectionOf(db.allDocs({ sort_on: [['a', 'up']] as unknown as [[string, 'ascending']] }))).status_code).to.equal(400);
    expect((await rejectionOf(db.allDocs({ select_list: 'a' as unknown as string[] }))).status_code).to.equal(400);
    expect((await rejectionOf(db.allDocs({ query: 'a:(' }))).status_code).to.equal(400);
    expect((await rejectionOf(db.allDocs({ bogus: 1 } as unknown as object))).status_code).to.equal(400);
    expect((await rejectionOf(db.allDocs({ group_by: ['a'] } as unknown as object))).status_code).to.equal(501);
  });

  it('goes on after another tab upgrades the database, and waits for the upgrade to end', async () => {
    await db.put('a', { n: 1 });
    const dbName = `rtc:${db.name}`;
    const version = await versionOf(dbName);
    let during: Promise<string> | null = null;
    // Another tab adds a store and an index; it is not blocked: the Database lets go at once.
    const other = await openRaw(dbName, version + 1, (idb, tx) => {
      idb.createObjectStore('other');
      tx.objectStore('documents').createIndex('by-n', 'doc.n');
      // A write asked for while the upgrade runs waits for it, then lands on the new version,
      // with the document as it was when asked for.
      const doc = { n: 2 };
      during = db.put('b', doc);
      doc.n = 99;
    });
    try {
      expect(await during, 'a write during the upgrade').to.equal('b');
      expect(await db.get('a')).to.deep.equal({ n: 1 });
      expect(await db.put('c', { n: 3 }, { requestKey: 's:1' })).to.equal('c');
      expect(await db.put('c', { n: 4 }, { requestKey: 's:1' }), 'the request memory survives').to.equal('c');
      expect(await db.get('c')).to.deep.equal({ n: 3 });
      expect((await db.allDocs({ include_docs: true })).data.rows.map((r) => [r.id, r.doc])).to.deep.equal([
        ['a', { n: 1 }],
        ['b', { n: 2 }],
        ['c', { n: 3 }],
      ]);
      expect([...other.objectStoreNames], "the other tab's store is kept").to.include('other');
    } finally {
      other.close();
    }
  });

  it('makes its schema again after another tab deletes the database, only once it is used', async () => {
    const indexed = await Database.open(`${db.name}-indexed`, { indexes: ['n'] });
    try {
      await indexed.put('a', { n: 1 });
      await indexed.putAttachment('a', 'note', 'hello');
      await deleteRaw(`rtc:${indexed.name}`); // rejects if the Database blocks the deletion
      expect(await exists(`rtc:${indexed.name}`), 'an idle Database does not bring a deleted database back').to.equal(false);
      const gone = await rejectionOf(indexed.get('a'));
      expect(gone.status_code, 'the documents went with the database').to.equal(404);
      expect(await exists(`rtc:${indexed.name}`)).to.equal(true);
      await indexed.put('b', { n: 2 });
      await indexed.put('c', { n: 3 });
      const found = await indexed.allDocs({ query: 'n:>=3' });
      expect(indexed.lastRead, 'the indexes are made again').to.equal('indexes');
      expect(found.data.rows.map((r) => r.id)).to.deep.equal(['c']);
      await indexed.putAttachment('b', 'note', 'again');
      expect(await indexed.getAttachment('b', 'note', { format: 'text' })).to.equal('again');
      expect((await rejectionOf(indexed.allAttachments('a'))).status_code).to.equal(404);
    } finally {
      await dropDatabase(indexed);
    }
  });

  it('stays closed after close(), whatever other tabs do', async () => {
    const dbName = `rtc:${db.name}`;
    db.close();
    // Its housekeeping transaction from open() may still run: the upgrade waits for it (and the
    // test times out if the closed Database held its connection for good).
    const other = await openRaw(dbName, (await versionOf(dbName)) + 1, undefined, 'wait');
    other.close();
    expect((await rejectionOf(db.put('a', {}))).status_code).to.equal(500);
    expect((await rejectionOf(db.allDocs())).status_code).to.equal(500);
    db = await Database.open(db.name);
  });
});
