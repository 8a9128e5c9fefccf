import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { ChangesResult } from '../../gadgets/api.js';
import type { RtcMaster } from '../../gadgets/index.js';
import { testDatabase } from './fixtures.js';

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
});
