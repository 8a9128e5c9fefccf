/** `<rtc-replicate>` on a page without jIO says so and does nothing else (no jIO is loaded in this file's page). */
import { expect, fixture, html } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { RtcReplicate } from '../../gadgets/elements/rtc-replicate.js';
import { deleteNewDatabasesAfterEach, uniqueName } from '../shared/databases.js';

deleteNewDatabasesAfterEach();

describe('<rtc-replicate> without jIO', () => {
  it('says that jIO is missing, plans no sync, and sync() rejects', async () => {
    const root = await fixture<HTMLElement>(html`<div>
      <rtc-master id="nojio-db" database=${uniqueName('nojio')} no-autoconnect no-journal></rtc-master>
      <rtc-replicate for="nojio-db" every="1" remote='{"type":"memory"}'></rtc-replicate>
    </div>`);
    const replicate = root.querySelector('rtc-replicate') as RtcReplicate;
    await new Promise((r) => setTimeout(r, 300));
    expect('jIO' in globalThis).to.equal(false);
    expect(replicate.shadowRoot!.textContent).to.include('jIO is not on this page, so nothing is synced');
    expect(replicate.shadowRoot!.querySelector('button')).to.equal(null);
    expect(replicate.nextSync).to.equal(null);
    let error: unknown = null;
    await replicate.sync().catch((e: unknown) => { error = e; });
    expect((error as Error).message).to.equal('jIO is not on this page');
    expect(replicate.state).to.equal('no-jio');
  });
});
