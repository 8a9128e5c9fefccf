import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import { RpcClient } from '../../gadgets/channel/rpc-client.js';
import { serveRpc } from '../../gadgets/channel/rpc-server.js';
import { RemoteDatabase } from '../../gadgets/channel/remote-database.js';
import { ALL_METHODS } from '../../gadgets/methods.js';
import { OutboxStore, QueuedDatabase, outboxDatabaseName } from '../../gadgets/session/outbox.js';
import type { Database } from '../../gadgets/storage/database.js';
import type { RtcSlave } from '../../gadgets/elements/rtc-slave.js';
import type { RtcStatus } from '../../gadgets/elements/rtc-status.js';
import type { RtcQueryForm } from '../../gadgets/elements/query-form/rtc-query-form.js';
import { channelPair, dropDatabase, freshDatabase, rejectionOf, uniqueName } from './helpers.js';

/** Deletes the outbox database of `room` (the sweep in helpers.ts only knows `rtc:` names). */
function deleteOutbox(room: string): Promise<void> {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(outboxDatabaseName(room));
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

describe('Outbox: writes queued in the slave\'s IndexedDB while the master is away', () => {
  let db: Database;
  let room: string;
  const opened: QueuedDatabase[] = [];

  beforeEach(async () => {
    db = await freshDatabase();
    room = uniqueName('outbox');
  });
  afterEach(async () => {
    for (const q of opened.splice(0)) q.close();
    await dropDatabase(db);
    await deleteOutbox(room);
  });

  /** A slave's queued database on a fresh RPC client (no channel yet: the master is away). */
  function slave(timeout = 5000) {
    const rpc = new RpcClient({ timeout });
    const counts: number[] = [];
    const errors: Error[] = [];
    const queued = new QueuedDatabase(new RemoteDatabase(rpc), rpc, room, {
      changed: (n) => counts.push(n),
      error: (e) => errors.push(e),
    });
    opened.push(queued);
    return { rpc, queued, counts, errors };
  }

  /** The master comes back: a channel served by `db` is attached to `rpc`. */
  function masterBack(rpc: RpcClient, allow: Iterable<string> = ALL_METHODS) {
    const pair = channelPair();
    serveRpc(pair.b, { database: db, allow: new Set(allow) });
    rpc.attach(pair.a);
    return pair;
  }

  it('resolves offline writes once stored, keeps them across a reload, and sends them in order once', async () => {
    const first = slave();
    const id = await first.queued.post({ n: 1 });
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await first.queued.put('a', { v: 1 })).to.equal('a');
    expect(await first.queued.put('a', { v: 2 })).to.equal('a');
    const ids = await first.queued.bulkPut([{ doc: { n: 2 } }, { id: 'b', doc: { n: 3 } }]);
    expect(ids[1]).to.equal('b');
    expect(await first.queued.remove('gone')).to.equal('gone');
    expect(first.queued.pending).to.equal(5);
    expect(first.counts.at(-1)).to.equal(5);
    expect(first.queued.pendingWrites.map((w) => [w.id, w.kind])).to.deep.equal([
      [id, 'post'], ['a', 'put'], ['a', 'put'], [ids[0], 'put'], ['b', 'put'], ['gone', 'remove'],
    ]);
    expect((await db.allDocs()).data.total_rows).to.equal(0); // nothing reached the master
    // The page reloads: a new slave opens the same outbox.
    first.queued.close();
    const again = slave();
    await waitUntil(() => again.counts.length > 0, 'the reopened outbox reports its count');
    expect(again.counts[0]).to.equal(5);
    const keys = (await (await OutboxStore.open(room)).all()).map((e) => e.key);
    expect(new Set(keys).size).to.equal(5);
    masterBack(again.rpc);
    await waitUntil(() => again.queued.pending === 0, 'the outbox drains', { timeout: 5000 });
    expect(again.counts.slice(-6)).to.deep.equal([5, 4, 3, 2, 1, 0]);
    expect(await db.get(id)).to.deep.equal({ n: 1 });
    expect(await db.get('a')).to.deep.equal({ v: 2 }); // in order: the second put wins
    expect(await db.get(ids[0]!)).to.deep.equal({ n: 2 });
    expect((await db.allDocs()).data.total_rows).to.equal(4);
    expect(again.errors).to.deep.equal([]);
  });

  it('applies a write once when the master applied it but its answer was lost', async () => {
    const { rpc, queued } = slave();
    await queued.put('c', { v: 1 });
    // First channel: the master stores the write, its answer never arrives.
    const lost = channelPair();
    serveRpc(lost.b, { database: db, allow: new Set(ALL_METHODS) });
    lost.b.send = () => Promise.resolve();
    rpc.attach(lost.a);
    await waitUntil(async () => (await db.allDocs()).data.total_rows === 1, 'the master stored it');
    expect(queued.pending).to.equal(1); // removed only after the master's answer
    rpc.detach();
    lost.endpointA.close();
    await db.put('c', { v: 'changed by another slave' });
    masterBack(rpc);
    await waitUntil(() => queued.pending === 0, 'the re-sent write is answered');
    // Answered from the master's write log: not applied again over the other slave's change.
    expect(await db.get('c')).to.deep.equal({ v: 'changed by another slave' });
  });

  it('a write waiting for the master resolves from the outbox when the master goes away', async () => {
    const { rpc, queued } = slave();
    const silent = channelPair();
    silent.b.onMessage = () => {}; // a master that is gone without the slave knowing yet
    rpc.attach(silent.a);
    const answered: string[] = [];
    const put = queued.put('late', { v: 1 }).then((id) => answered.push(id));
    await waitUntil(() => queued.pending === 1, 'stored');
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).to.deep.equal([]); // connected: it waits for the master's answer
    rpc.detach(); // the loss is noticed
    await put;
    expect(answered).to.deep.equal(['late']);
    expect(queued.pending).to.equal(1);
    masterBack(rpc);
    await waitUntil(() => queued.pending === 0, 'sent once the master is back');
    expect(await db.get('late')).to.deep.equal({ v: 1 });
  });

  it('drops a write the master refuses (4xx), reports it, and sends the rest', async () => {
    const { rpc, queued, errors } = slave();
    await queued.remove('x');
    await queued.put('kept', { ok: true });
    masterBack(rpc, ['put', 'get', 'allDocs']); // remove is not allowed: 403
    await waitUntil(() => queued.pending === 0, 'the outbox drains');
    expect(errors).to.have.length(1);
    expect((errors[0] as Error & { status_code?: number }).status_code).to.equal(403);
    expect(errors[0]!.message).to.match(/^Queued remove refused by the master: /);
    expect(await db.get('kept')).to.deep.equal({ ok: true });
  });

  it('connected: a write resolves with the master\'s answer, behind the queued ones, and a 400 rejects', async () => {
    const { rpc, queued, errors } = slave();
    await queued.put('order', { v: 1 });
    masterBack(rpc);
    const second = queued.put('order', { v: 2 });
    expect(await second).to.equal('order');
    expect(await db.get('order')).to.deep.equal({ v: 2 }); // stored on the master when it resolved
    expect(queued.pending).to.equal(0);
    // Checked on the slave first, as without the outbox.
    expect((await rejectionOf(queued.put('', {}))).status_code).to.equal(400);
    expect(errors).to.deep.equal([]);
  });

  it('connected: 250 writes at once each resolve with the master\'s answer', async () => {
    const { rpc, queued } = slave();
    masterBack(rpc);
    const ids = await Promise.all(Array.from({ length: 250 }, (_, n) => queued.post({ n })));
    expect(new Set(ids).size).to.equal(250);
    const stored = await db.allDocs({ include_docs: true });
    expect(stored.data.total_rows).to.equal(250);
    expect(stored.data.rows.every((r) => r.doc!.n === ids.indexOf(r.id))).to.equal(true);
    expect(queued.pending).to.equal(0);
  });

  it('reads while the master is away reject with 504 and say that writes are queued', async () => {
    const { queued } = slave(200);
    await queued.put('q', { v: 1 });
    const error = await rejectionOf(queued.get('q'));
    expect(error.status_code).to.equal(504);
    expect(error.message).to.match(/the master is not reachable; writes are queued \(1 pending\)/);
  });
});

describe('<rtc-slave queue> with <rtc-status> and <rtc-query-form>', () => {
  const room = uniqueName('outbox-el');
  afterEach(async () => {
    fixtureCleanup();
    await deleteOutbox(room);
  });

  it('fires rtc-queue-change, and the status and the form show the queued writes', async () => {
    const el = await fixture<RtcSlave>(html`<rtc-slave id="qs" queue no-autoconnect room=${room} signaling="ws://127.0.0.1:9/signal">
      <rtc-status for="qs"></rtc-status>
      <rtc-query-form for="qs" fields="first"></rtc-query-form>
    </rtc-slave>`);
    const seen: number[] = [];
    el.addEventListener('rtc-queue-change', (e) => seen.push(e.detail.pending));
    const id = await el.post({ first: 'Queued' });
    await el.put('known', { first: 'Also queued' });
    await waitUntil(() => seen.at(-1) === 2, 'rtc-queue-change reports 2');
    expect(el.pending).to.equal(2);
    const status = el.querySelector<RtcStatus>('rtc-status')!;
    await waitUntil(() => /2 writes queued for the master/.test(status.shadowRoot!.textContent ?? ''), 'the status shows the count');
    const form = el.querySelector<RtcQueryForm>('rtc-query-form')!;
    await waitUntil(() => form.shadowRoot!.querySelectorAll('tr.queued').length === 2, 'the form lists the queued records');
    const rows = [...form.shadowRoot!.querySelectorAll('tr.queued')].map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim()));
    expect(rows).to.deep.equal([[`pending${id}`, 'Queued'], ['pendingknown', 'Also queued']]);
    expect(form.shadowRoot!.querySelector('caption')!.textContent).to.match(/· 2 waiting to be sent$/);
    await el.disconnect();
  });
});
