import { expect } from '@open-wc/testing';
import { unzipSync, zipSync, strFromU8, strToU8, type Zippable } from 'fflate';
import type { BackupPhase, DatabaseApi, Doc } from '../../gadgets/api.js';
import { RpcClient } from '../../gadgets/channel/rpc-client.js';
import { serveRpc } from '../../gadgets/channel/rpc-server.js';
import { RemoteDatabase } from '../../gadgets/channel/remote-database.js';
import { ALL_METHODS } from '../../gadgets/methods.js';
import { Database } from '../../gadgets/storage/database.js';
import { digestBlob } from '../../gadgets/storage/blob-hash.js';
import { readCentralDirectory } from '../../gadgets/storage/zip-reader.js';
import { channelPair, dropDatabase, rejectionOf, uniqueName } from './helpers.js';

/** 1.3 MiB of varied bytes: three chunks, the last one short. */
function bigBlob(): Blob {
  const bytes = new Uint8Array(1.3 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) >>> 3;
  return new Blob([bytes], { type: 'application/octet-stream' });
}

/** Every document and every attachment's description: what a restore must reproduce. */
async function snapshot(db: DatabaseApi): Promise<{ docs: Record<string, Doc>; attachments: Record<string, unknown> }> {
  const rows = (await db.allDocs({ include_docs: true })).data.rows;
  const docs: Record<string, Doc> = {};
  const attachments: Record<string, unknown> = {};
  for (const row of rows) {
    docs[row.id] = row.doc!;
    const all = await db.allAttachments(row.id);
    if (Object.keys(all).length > 0) attachments[row.id] = all;
  }
  return { docs, attachments };
}

/** Rebuilds the backup in `file` with `change` applied to its entries (CRCs made right by fflate). */
async function altered(file: Blob, change: (entries: Record<string, Uint8Array>) => void): Promise<File> {
  const entries = unzipSync(new Uint8Array(await file.arrayBuffer()));
  change(entries);
  return new File([zipSync(entries as Zippable) as BlobPart], 'altered.zip');
}

describe('Backup and restore', () => {
  let source: Database;
  let target: Database;
  beforeEach(async () => {
    source = await Database.open(uniqueName('backup-src'), { indexes: ['city', 'n'] });
    target = await Database.open(uniqueName('backup-dst'), { indexes: ['city'] });
    const entries = Array.from({ length: 2500 }, (_, i) => ({ id: `doc-${String(i).padStart(4, '0')}`, doc: { n: i, city: i % 2 ? 'Zürich' : 'Lyon', tags: ['a', i], nested: { line: 'x\ny' } } }));
    await source.bulkPut(entries);
    await source.putAttachment('doc-0001', 'photo.bin', bigBlob());
    await source.putAttachment('doc-0001', 'note/ä b.txt', 'héllo');
    await source.putAttachment('doc-0002', 'empty', new Blob([]));
  });
  afterEach(async () => {
    await dropDatabase(source);
    await dropDatabase(target);
  });

  it('exports a ZIP with the manifest, documents and attachments, and restores it (replace)', async () => {
    const phases = new Set<BackupPhase>();
    const file = await source.exportDatabase({ onProgress: (_l, _t, phase) => phases.add(phase) });
    expect(file.name).to.match(new RegExp(`^rtc-${source.name}-\\d{4}-\\d\\d-\\d\\d\\.zip$`));
    expect(file.type).to.equal('application/zip');
    const names = [...(await readCentralDirectory(file)).keys()];
    expect(names).to.have.members([
      'documents.ndjson', 'attachments/doc-0001/photo.bin', 'attachments/doc-0001/note%2F%C3%A4%20b.txt',
      'attachments/doc-0002/empty', 'attachments.ndjson', 'manifest.json',
    ]);
    // fflate's own reader (an independent implementation) opens it too.
    const entries = unzipSync(new Uint8Array(await file.arrayBuffer()));
    const manifest = JSON.parse(strFromU8(entries['manifest.json']!));
    expect(manifest).to.include({ format: 'rtc-gadgets-backup', version: 1, database: source.name });
    expect(manifest.indexes).to.deep.equal(['city', 'n']);
    expect(manifest.counts).to.deep.equal({ documents: 2500, attachments: 3 });
    expect(manifest.bytes.attachments).to.equal(bigBlob().size + 6);
    expect(strFromU8(entries['documents.ndjson']!).split('\n')[1]).to.equal(JSON.stringify({ id: 'doc-0001', doc: { n: 1, city: 'Zürich', tags: ['a', 1], nested: { line: 'x\ny' } } }));
    expect(phases).to.deep.equal(new Set(['export']));

    await target.put('other', { gone: true });
    const restore: [number, number, BackupPhase][] = [];
    const result = await target.importDatabase(file, { mode: 'replace', onProgress: (l, t, p) => restore.push([l, t, p]) });
    expect(result).to.include({ mode: 'replace', documents: 2500, attachments: 3 });
    expect(restore[0]![2]).to.equal('check');
    // Each phase ends full, at the uncompressed bytes the manifest lists.
    const total = manifest.bytes.documents + manifest.bytes.attachments;
    expect(restore.filter(([, , p]) => p === 'check').at(-1)).to.deep.equal([total, total, 'check']);
    expect(restore.at(-1)).to.deep.equal([total, total, 'write']);
    expect(await snapshot(target)).to.deep.equal(await snapshot(source));
    expect(await digestBlob((await target.getAttachment('doc-0001', 'photo.bin')) as Blob)).to.equal(await digestBlob(bigBlob()));
    // The target's own indexes serve queries over the restored documents.
    const zurich = await target.allDocs({ query: 'city:"Zürich"' });
    expect(zurich.data.total_rows).to.equal(1250);
    expect(target.lastRead).to.equal('indexes');
  });

  it('merge keeps other documents and overwrites the same ids; replace leaves only the backup', async () => {
    const file = await source.exportDatabase();
    await target.put('keep', { mine: true });
    await target.put('doc-0003', { old: true });
    await target.importDatabase(file, { mode: 'merge' });
    expect(await target.get('keep')).to.deep.equal({ mine: true });
    expect(await target.get('doc-0003')).to.deep.equal(await source.get('doc-0003'));
    expect((await target.allDocs()).data.total_rows).to.equal(2501);
    await target.importDatabase(file, { mode: 'replace' });
    expect((await rejectionOf(target.get('keep'))).status_code).to.equal(404);
    expect(await snapshot(target)).to.deep.equal(await snapshot(source));
  });

  describe('a bad file is refused with 400 naming the entry, and nothing is written', () => {
    let file: File;
    let before: Awaited<ReturnType<typeof snapshot>>;
    beforeEach(async () => {
      file = await source.exportDatabase();
      await target.put('keep', { mine: true });
      before = await snapshot(target);
    });
    async function refused(bad: Blob, message: RegExp): Promise<void> {
      for (const mode of ['merge', 'replace'] as const) {
        const error = await rejectionOf(target.importDatabase(bad, { mode }));
        expect(error.status_code, error.message).to.equal(400);
        expect(error.message).to.match(message);
        expect(await snapshot(target)).to.deep.equal(before);
      }
    }

    it('a truncated file', async () => {
      await refused(file.slice(0, file.size - 1000), /^Bad backup: the file: not a ZIP file, or truncated/);
      await refused(file.slice(0, file.size / 2), /^Bad backup: the file/);
    });

    it('a tampered attachment', async () => {
      const bad = await altered(file, (e) => {
        const bytes = e['attachments/doc-0001/photo.bin']!;
        bytes[700000] ^= 1;
      });
      await refused(bad, /^Bad backup: attachments\/doc-0001\/photo\.bin: digest mismatch/);
    });

    it('a tampered ndjson line', async () => {
      const edit = (line: number, text: string) => (e: Record<string, Uint8Array>) => {
        const lines = strFromU8(e['documents.ndjson']!).split('\n');
        lines[line - 1] = text;
        e['documents.ndjson'] = strToU8(lines.join('\n'));
      };
      await refused(await altered(file, edit(7, '{"id":"doc-0006","doc":{"n":')), /^Bad backup: documents\.ndjson line 7: not JSON/);
      await refused(await altered(file, edit(9, '{"id":"","doc":{}}')), /^Bad backup: documents\.ndjson line 9: /);
      await refused(await altered(file, edit(2, '{"id":"doc-x","doc":[1]}')), /^Bad backup: documents\.ndjson line 2: /);
    });

    it('bytes altered inside the ZIP (CRC-32), a wrong manifest, or a missing entry', async () => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const cd = await readCentralDirectory(file);
      const docs = cd.get('documents.ndjson')!;
      bytes[docs.offset + 30 + 'documents.ndjson'.length + 40] ^= 0x10;
      await refused(new Blob([bytes]), /^Bad backup: documents\.ndjson: /);
      await refused(await altered(file, (e) => {
        e['manifest.json'] = strToU8(JSON.stringify({ format: 'rtc-gadgets-backup', version: 9 }));
      }), /^Bad backup: manifest\.json: version 9 is not supported/);
      await refused(await altered(file, (e) => {
        delete e['attachments/doc-0002/empty'];
      }), /^Bad backup: attachments\/doc-0002\/empty: missing/);
    });
  });

  it('exports and imports from a slave over a channel, with progress', async () => {
    const pair = channelPair({ maxMessageSize: 64 * 1024 }, true);
    const stop = serveRpc(pair.b, { database: source, allow: new Set(ALL_METHODS) });
    const rpc = new RpcClient({ timeout: 10000 });
    rpc.attach(pair.a);
    const remote = new RemoteDatabase(rpc);
    try {
      const phases = new Set<BackupPhase>();
      const file = await remote.exportDatabase({ onProgress: (_l, _t, p) => phases.add(p) });
      expect(phases).to.deep.equal(new Set(['export', 'download']));
      expect(file.name).to.match(/^rtc-backup-src/);
      await target.importDatabase(file, { mode: 'replace' });
      expect(await snapshot(target)).to.deep.equal(await snapshot(source));

      // Back the other way: the slave restores into the master (source) a file made by target.
      await target.put('from-target', { x: 1 });
      const back = await target.exportDatabase();
      const importPhases = new Set<BackupPhase>();
      const result = await remote.importDatabase(back, { mode: 'replace', onProgress: (_l, _t, p) => importPhases.add(p) });
      expect(result.documents).to.equal(2501);
      expect(importPhases).to.deep.equal(new Set(['upload', 'check', 'write']));
      expect(await snapshot(source)).to.deep.equal(await snapshot(target));
      const bad = await rejectionOf(remote.importDatabase(back.slice(10), { mode: 'replace' }));
      expect(bad.status_code).to.equal(400);
      expect(await source.get('from-target')).to.deep.equal({ x: 1 });
    } finally {
      stop();
    }
  });
});
