import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { RtcMaster } from '../../gadgets/index.js';
import { testDatabase } from './fixtures.js';

const databaseNames = async () => (await indexedDB.databases()).map((d) => d.name);

// The two tests run in order: the first leaves what a failing test would leave, the second
// checks that the fixture's teardown cleaned it up.
describe('the element fixture', () => {
  let leftBehind = '';

  it('a test may end with its element connected and its database open', async () => {
    leftBehind = testDatabase('leak');
    const master = await fixture<RtcMaster>(html`<rtc-master no-autoconnect database=${leftBehind}></rtc-master>`);
    await master.put('kept', { open: true });
    expect(await databaseNames()).to.include(`rtc:${leftBehind}`);
  });

  it('after it, the element is gone and its database deleted', async () => {
    expect(leftBehind).to.not.equal('');
    expect(document.querySelector('rtc-master')).to.equal(null);
    await waitUntil(async () => !(await databaseNames()).includes(`rtc:${leftBehind}`), 'the database is deleted', { timeout: 5000 });
  });
});
