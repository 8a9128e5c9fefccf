import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { ChangesResult } from '../../gadgets/api.js';
import type { RtcMaster, RtcSlave } from '../../gadgets/index.js';
import { testDatabase } from './fixtures.js';

/** A manual master on a new database paired with a manual slave over a real RTCPeerConnection. */
async function pair(): Promise<{ master: RtcMaster; slave: RtcSlave }> {
  const master = await fixture<RtcMaster>(html`<rtc-master signaling="manual" database=${testDatabase('feed')}></rtc-master>`);
  const slave = await fixture<RtcSlave>(html`<rtc-slave signaling="manual"></rtc-slave>`);
  await waitUntil(() => master.state === 'connected', 'master ready');
  await slave.acceptAnswer(await master.acceptOffer(await slave.createOffer()));
  await waitUntil(() => slave.state === 'connected', 'slave connected', { timeout: 15000 });
  return { master, slave };
}

describe('watch and rtc-change on the elements', () => {
  it('a master\'s watch gets its own writes and fires rtc-change on the element', async () => {
    const master = await fixture<RtcMaster>(html`<rtc-master signaling="manual" database=${testDatabase('feed')}></rtc-master>`);
    await master.put('before', { n: 0 });
    const batches: ChangesResult[] = [];
    const events: ChangesResult[] = [];
    master.addEventListener('rtc-change', (e) => events.push(e.detail));
    const stop = master.watch({ since: 'now', include_docs: true }, (b) => batches.push(b));
    await new Promise((r) => setTimeout(r, 50));
    await master.put('a', { n: 1 });
    await waitUntil(() => batches.length > 0, 'a batch');
    expect(batches[0]!.results).to.deep.equal([{ seq: 2, id: 'a', doc: { n: 1 } }]);
    expect(events).to.deep.equal(batches);
    stop();
    await master.put('b', { n: 2 });
    await new Promise((r) => setTimeout(r, 50));
    expect(batches.length).to.equal(1);
    expect((await master.changes()).last_seq).to.equal(3);
    await master.disconnect();
  });

  it('a slave\'s watch gets a master\'s write over a real RTCPeerConnection, with rtc-change on the slave', async () => {
    const { master, slave } = await pair();
    const events: ChangesResult[] = [];
    slave.addEventListener('rtc-change', (e) => events.push(e.detail));
    const batches: ChangesResult[] = [];
    slave.watch({ since: 'now', include_docs: true, query: 'kind:"stock"' }, (b) => batches.push(b));
    await waitUntil(() => master.peers.some((p) => p.state === 'connected'), 'slave served', { timeout: 15000 });
    await new Promise((r) => setTimeout(r, 100));
    await master.put('other', { kind: 'note' });
    await master.put('s1', { kind: 'stock', qty: 3 });
    await waitUntil(() => events.length > 0, 'rtc-change on the slave', { timeout: 10000 });
    expect(events[0]!.results).to.deep.equal([{ seq: 2, id: 's1', doc: { kind: 'stock', qty: 3 } }]);
    expect(batches).to.deep.equal(events);
    expect((await slave.changes({ since: 0 })).last_seq).to.equal(2);
    await slave.disconnect();
    await master.disconnect();
  });
});
