import { expect } from '@open-wc/testing';
import { Database } from '../../gadgets/storage/database.js';
import { Journal } from '../../gadgets/storage/journal.js';
import { snapshotOf } from '../../gadgets/storage/journal-idb.js';
import { startJournal } from '../../gadgets/storage/journal-restore.js';
import { dropDatabase, uniqueName } from './helpers.js';
import { deleteRaw } from './raw-idb.js';

/** The journal's folder of database `name` in the Origin Private File System. */
async function journalDir(name: string): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return (await root.getDirectoryHandle('rtc-journal')).getDirectoryHandle(encodeURIComponent(name));
}

async function fileNames(name: string): Promise<string[]> {
  const names: string[] = [];
  for await (const key of (await journalDir(name) as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(key);
  return names.sort();
}

async function dropJournal(name: string): Promise<void> {
  const root = await navigator.storage.getDirectory();
  const top = await root.getDirectoryHandle('rtc-journal', { create: true });
  await top.removeEntry(encodeURIComponent(name), { recursive: true }).catch(() => undefined);
}

/** What Chromium does to a corrupt store: the database is gone; the page opens a new, empty one. */
async function wipe(db: Database): Promise<void> {
  db.close();
  await deleteRaw(`rtc:${db.name}`);
}

describe('Journal (real OPFS, sync access handles in a Worker)', () => {
  const names: string[] = [];
  const fresh = (): string => {
    const name = uniqueName('journal');
    names.push(name);
    return name;
  };
  afterEach(async () => {
    for (const name of names.splice(0)) {
      await dropJournal(name);
      await deleteRaw(`rtc:${name}`).catch(() => undefined);
    }
  });

  it('journals every acknowledged write and rebuilds a wiped database from it, indexes and answers included', async () => {
    const name = fresh();
    let db = await Database.open(name, { indexes: ['city'] });
    const first = await startJournal(db, () => undefined);
    expect(first.status.on).to.equal(true);
    const posted = await db.post({ city: 'Lille' }, { requestKey: 's1:1' });
    await db.put('a', { city: 'Paris' }, { requestKey: 's1:2' });
    await db.put('a', { city: 'Lyon' });
    const bulk = await db.bulkPut([{ id: 'b', doc: { city: 'Nice' } }, { doc: { city: 'Metz' } }], { requestKey: 's1:3' });
    await db.put('gone', { city: 'Brest' });
    await db.remove('gone', { requestKey: 's1:4' });
    await first.journal!.close();
    await wipe(db);

    db = await Database.open(name, { indexes: ['city'] });
    const errors: Error[] = [];
    const second = await startJournal(db, (e) => errors.push(e));
    expect(second.status.restored?.documents).to.equal(4);
    expect(errors.map((e) => e.message)).to.deep.equal(['IndexedDB was wiped by the browser; restored 4 documents from the journal']);
    expect(await db.get(posted)).to.deep.equal({ city: 'Lille' });
    expect(await db.get('a')).to.deep.equal({ city: 'Lyon' });
    expect(await db.get(bulk[1]!)).to.deep.equal({ city: 'Metz' });
    expect((await db.allDocs({ query: 'city:"Nice"' })).data.rows.map((r) => r.id)).to.deep.equal(['b']);
    expect(db.lastRead).to.not.equal('scan');
    // A slave re-sending an applied write gets its first answer, and nothing is applied twice.
    expect(await db.post({ city: 'Lille' }, { requestKey: 's1:1' })).to.equal(posted);
    expect(await db.bulkPut([{ doc: { city: 'Metz' } }, { doc: { city: 'Metz' } }], { requestKey: 's1:3' })).to.deep.equal(bulk);
    expect((await db.allDocs()).data.total_rows).to.equal(4);
    await second.journal!.close();
    await dropDatabase(db);
  });

  it('replays a clear (a restore\'s replace): the documents it removed stay removed after a wipe', async () => {
    const name = fresh();
    let db = await Database.open(name);
    const first = await startJournal(db, () => undefined);
    await db.bulkPut([{ id: 'old1', doc: { v: 1 } }, { id: 'old2', doc: { v: 2 } }]);
    await db.clear();
    await db.put('new', { v: 3 });
    await first.journal!.close();
    await wipe(db);

    db = await Database.open(name);
    const second = await startJournal(db, () => undefined);
    expect(second.status.restored?.documents).to.equal(1);
    expect((await db.allDocs()).data.rows.map((r) => r.id)).to.deep.equal(['new']);
    await second.journal!.close();
    await dropDatabase(db);
  });

  it('journals again, at open, the writes of the crash window (committed, maybe not journaled)', async () => {
    const name = fresh();
    let db = await Database.open(name);
    let started = await startJournal(db, () => undefined);
    await db.put('a', { n: 1 }, { requestKey: 's:1' });
    await started.journal!.close();
    // Committed in IndexedDB, answered, but the browser died before the journal append.
    const id = await db.post({ n: 2 }, { requestKey: 's:2' });
    await db.bulkPut([{ id: 'b', doc: { n: 3 } }, { id: 'c', doc: { n: 4 } }], { requestKey: 's:3' });
    await db.remove('a', { requestKey: 's:4' });
    started = await startJournal(db, () => undefined); // the relaunch
    // The slave re-sends: answered from memory, nothing new journaled.
    expect(await db.post({ n: 2 }, { requestKey: 's:2' })).to.equal(id);
    await started.journal!.close();
    await wipe(db);
    db = await Database.open(name);
    const again = await startJournal(db, () => undefined);
    expect((await db.allDocs()).data.rows.map((r) => r.id).sort()).to.deep.equal(['b', 'c', id].sort());
    expect(await db.get(id)).to.deep.equal({ n: 2 });
    await again.journal!.close();
    await dropDatabase(db);
  });

  it('says nothing when every document was removed (an empty database that was not wiped)', async () => {
    const name = fresh();
    const db = await Database.open(name);
    const first = await startJournal(db, () => undefined);
    await db.put('a', { n: 1 });
    await db.remove('a');
    await first.journal!.close();
    const errors: Error[] = [];
    const second = await startJournal(db, (e) => errors.push(e));
    expect(second.status).to.include({ on: true, restored: null });
    expect(errors).to.deep.equal([]);
    await second.journal!.close();
    await dropDatabase(db);
  });

  it('keeps attachment metadata only: after a wipe it counts the attachments to upload again', async () => {
    const name = fresh();
    let db = await Database.open(name);
    const first = await startJournal(db, () => undefined);
    await db.put('doc', { n: 1 });
    await db.putAttachment('doc', 'kept.txt', 'hello');
    await db.putAttachment('doc', 'dropped.txt', 'bye');
    await db.removeAttachment('doc', 'dropped.txt');
    await first.journal!.close();
    await wipe(db);
    db = await Database.open(name);
    const errors: Error[] = [];
    const second = await startJournal(db, (e) => errors.push(e));
    expect(second.status.restored).to.include({ documents: 1, lostAttachments: 1 });
    expect(errors.map((e) => e.message)).to.deep.equal(['IndexedDB was wiped by the browser; restored 1 documents from the journal (1 attachments must be uploaded again)']);
    expect(await db.allAttachments('doc')).to.deep.equal({});
    await second.journal!.close();
    await dropDatabase(db);
  });

  it('drops a record torn by a crash, and appends after the last whole one', async () => {
    const name = fresh();
    let db = await Database.open(name);
    let started = await startJournal(db, () => undefined);
    await db.put('kept', { n: 1 });
    await started.journal!.close();
    // A crash in the middle of a write: part of a record, no newline.
    const file = await (await journalDir(name)).getFileHandle('log-0');
    const writable = await file.createWritable({ keepExistingData: true });
    await writable.seek((await file.getFile()).size);
    await writable.write('{"t":"put","id":"torn","doc":{"n"');
    await writable.close();

    const reopened = await Journal.open(name);
    const lines: string[] = [];
    expect(await reopened.read(async (batch) => void lines.push(...batch))).to.equal(0); // cut off at open
    expect(lines.map((l) => JSON.parse(l).id)).to.deep.equal(['kept']);
    db.journal = reopened;
    await db.put('after', { n: 2 });
    await reopened.close();
    expect(await (await file.getFile()).text()).to.equal('{"t":"put","id":"kept","doc":{"n":1}}\n{"t":"put","id":"after","doc":{"n":2}}\n');

    await wipe(db);
    db = await Database.open(name);
    started = await startJournal(db, () => undefined);
    expect((await db.allDocs()).data.rows.map((r) => r.id).sort()).to.deep.equal(['after', 'kept']);
    await started.journal!.close();
    await dropDatabase(db);
  });

  it('compacts into a snapshot while writes go on, and replays snapshot and log to the same documents', async () => {
    const name = fresh();
    let db = await Database.open(name);
    const journal = await Journal.open(name, { compactBytes: 8 * 1024 });
    journal.source = snapshotOf(`rtc:${name}`);
    db.journal = journal;
    const expected = new Map<string, unknown>();
    for (let i = 0; i < 300; i++) {
      const doc = { i, text: 'x'.repeat(50) };
      const id = `d${i % 120}`;
      await db.put(id, doc);
      expected.set(id, doc);
      if (i % 7 === 0) {
        await db.remove(`d${(i * 3) % 120}`);
        expected.delete(`d${(i * 3) % 120}`);
      }
    }
    await journal.compact();
    const files = await fileNames(name);
    expect(files.filter((f) => f.startsWith('snap-'))).to.have.length(1);
    const snap = Number(files.find((f) => f.startsWith('snap-'))!.slice(5));
    expect(snap).to.be.greaterThan(0);
    expect(files.filter((f) => f.startsWith('log-')).every((f) => Number(f.slice(4)) >= snap)).to.equal(true);
    expect(journal.status.bytes).to.be.lessThan(8 * 1024 + 200);
    await journal.close();
    await wipe(db);

    db = await Database.open(name);
    const started = await startJournal(db, () => undefined);
    expect(started.status.restored?.documents).to.equal(expected.size);
    expect((await db.allDocs()).data.total_rows).to.equal(expected.size);
    for (const [id, doc] of expected) expect(await db.get(id)).to.deep.equal(doc);
    await started.journal!.close();
    await dropDatabase(db);
  });

  it('snapshots a database that is older than its journal, and is off (saying why) in a second tab', async () => {
    const name = fresh();
    let db = await Database.open(name);
    await db.bulkPut(Array.from({ length: 50 }, (_, i) => ({ id: `old${i}`, doc: { i } })));
    const first = await startJournal(db, () => undefined);
    await first.journal!.compact();
    expect((await fileNames(name)).some((f) => /^snap-\d+$/.test(f))).to.equal(true);
    const second = await startJournal(db, () => undefined);
    expect(second.status).to.include({ on: false, reason: 'the journal is in use by another tab of this database' });
    await first.journal!.close();
    await wipe(db);
    db = await Database.open(name);
    const started = await startJournal(db, () => undefined);
    expect(started.status.restored?.documents).to.equal(50);
    await started.journal!.close();
    await dropDatabase(db);
  });
});
