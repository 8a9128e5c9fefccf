// <rtc-chat>: messages are documents in the master's real IndexedDB; slaves reach it over real
// RTCPeerConnections paired by hand (no broadcaster). Keys are pressed for real (sendKeys).
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../gadgets/define.js';
import type { RtcChat, RtcMaster, RtcSlave } from '../../gadgets/index.js';
import type { BulkEntry } from '../../gadgets/api.js';
import { testDatabase } from './fixtures.js';

const shadow = (chat: RtcChat) => chat.shadowRoot!;
const log = (chat: RtcChat) => shadow(chat).querySelector<HTMLElement>('[role=log]')!;
/** The messages shown, as `[from, text]`. */
const shown = (chat: RtcChat) =>
  [...shadow(chat).querySelectorAll('li.message')].map((li) => [li.querySelector('.from')!.textContent, li.querySelector('.text')!.textContent]);
const textarea = (chat: RtcChat) => shadow(chat).querySelector('textarea')!;

/** A master (no broadcaster) with a chat inside it. */
async function masterWithChat(pageSize = 50): Promise<{ master: RtcMaster; chat: RtcChat }> {
  const master = await fixture<RtcMaster>(html`<rtc-master no-autoconnect database=${testDatabase('chat')}>
    <rtc-chat channel="general" page-size=${pageSize}></rtc-chat></rtc-master>`);
  const chat = master.querySelector('rtc-chat') as RtcChat;
  await waitUntil(() => /No messages|Start of/.test(log(chat).textContent!) || shown(chat).length > 0, 'chat loaded');
  return { master, chat };
}

/** Messages `{ type, channel, from, text, at }` one minute apart from `start`. */
const messages = (n: number, start = Date.UTC(2026, 0, 1, 9), channel = 'general'): BulkEntry[] =>
  Array.from({ length: n }, (_, i) => ({ doc: { type: 'chat', channel, from: `p${i % 3}`, text: `message ${i}`, at: new Date(start + i * 60000).toISOString() } }));

describe('<rtc-chat>', () => {
  it('Enter sends a message stored as a document with name and time; Shift+Enter is a new line', async () => {
    const { master, chat } = await masterWithChat();
    expect(shadow(chat).querySelector('label')!.textContent).to.equal('Message to #general');
    expect(log(chat).getAttribute('aria-live')).to.equal('polite');
    textarea(chat).focus();
    await sendKeys({ type: 'Hello' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ type: 'world' });
    expect(textarea(chat).value).to.equal('Hello\nworld');
    expect(shown(chat)).to.deep.equal([]);
    const sent = oneEvent(chat, 'rtc-chat-message');
    await sendKeys({ press: 'Enter' });
    const { detail } = await sent;
    expect(textarea(chat).value).to.equal('');
    expect(shadow(chat).activeElement).to.equal(textarea(chat));
    const doc = await master.get(detail.id);
    expect(doc).to.deep.include({ type: 'chat', channel: 'general', from: 'Master', text: 'Hello\nworld' });
    expect(Math.abs(Date.parse(doc.at as string) - Date.now())).to.be.below(10000);
    expect(doc.at).to.equal(new Date(doc.at as string).toISOString());
    await waitUntil(() => shown(chat).length === 1, 'shown');
    expect(shown(chat)).to.deep.equal([['Master', 'Hello\nworld']]);
    const time = shadow(chat).querySelector('li.message time')!;
    expect(time.getAttribute('datetime')).to.equal(doc.at);
    expect(time.textContent).to.match(/\d/);
    expect(shadow(chat).querySelector('li.message')!.classList.contains('mine')).to.equal(true);
    // Whitespace only is not sent.
    await sendKeys({ type: '   ' });
    await sendKeys({ press: 'Enter' });
    expect((await master.allDocs()).data.total_rows).to.equal(1);
    await expect(chat).to.be.accessible();
  });

  it('shows markup as text and never runs it', async () => {
    const { master, chat } = await masterWithChat();
    const w = window as unknown as { __xss?: number };
    delete w.__xss;
    const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    await master.post({ type: 'chat', channel: 'general', from: '<b onmouseover="window.__xss=3">Mallory</b>', text: evil, at: new Date().toISOString() });
    await chat.send(evil);
    await waitUntil(() => shown(chat).length === 2, 'both shown', { timeout: 3000 });
    expect(shown(chat).map(([, text]) => text)).to.deep.equal([evil, evil]);
    expect(shown(chat)[0]![0]).to.equal('<b onmouseover="window.__xss=3">Mallory</b>');
    expect(shadow(chat).querySelector('img, script, b')).to.equal(null);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.__xss).to.equal(undefined);
  });

  it('shows other writers\' messages of its channel live, in time order, and nothing of other channels', async () => {
    const { master, chat } = await masterWithChat();
    const arrived: string[] = [];
    chat.addEventListener('rtc-chat-message', (e) => arrived.push(e.detail.message.text));
    const [late, early, other] = [...messages(2), ...messages(1, Date.UTC(2026, 0, 1, 9), 'random')];
    await master.post(late!.doc);
    await master.post({ ...early!.doc, at: new Date(Date.UTC(2026, 0, 1, 8)).toISOString(), text: 'earlier' });
    await master.post(other!.doc);
    await master.put('not-chat', { first: 'Ada' });
    await waitUntil(() => shown(chat).length === 2, 'two messages', { timeout: 3000 });
    expect(shown(chat).map(([, text]) => text)).to.deep.equal(['earlier', 'message 0']);
    expect(arrived.sort()).to.deep.equal(['earlier', 'message 0']);
    // A removed message goes away.
    const { rows } = (await master.allDocs({ query: 'text:earlier' })).data;
    await master.remove(rows[0]!.id);
    await waitUntil(() => shown(chat).length === 1, 'removed', { timeout: 3000 });
  });

  it('loads older history on scroll up, keeping the scroll position, to the start of the channel', async () => {
    const master = await fixture<RtcMaster>(html`<rtc-master no-autoconnect database=${testDatabase('chat')}></rtc-master>`);
    await master.bulkPut(messages(120));
    const chat = await fixture<RtcChat>(html`<rtc-chat style="--rtc-chat-height: 300px" page-size="50"></rtc-chat>`, { parentNode: master });
    await waitUntil(() => shown(chat).length === 50, 'the latest 50', { timeout: 5000 });
    expect(shown(chat)[0]![1]).to.equal('message 70');
    expect(shown(chat)[49]![1]).to.equal('message 119');
    const box = log(chat);
    await waitUntil(() => box.scrollTop > 0 && Math.abs(box.scrollHeight - box.clientHeight - box.scrollTop) < 2, 'scrolled to the newest');
    // Scroll to the top: what was the first message stays where it is on screen.
    const first = () => [...shadow(chat).querySelectorAll('li.message')].find((li) => li.textContent!.includes('message 70'))!;
    box.scrollTop = 10;
    const before = first().getBoundingClientRect().top;
    await waitUntil(() => shown(chat).length === 100, 'fifty more', { timeout: 5000 });
    await new Promise((r) => requestAnimationFrame(r));
    expect(Math.abs(first().getBoundingClientRect().top - before)).to.be.below(2);
    expect(shown(chat)[0]![1]).to.equal('message 20');
    box.scrollTop = 0;
    await waitUntil(() => shown(chat).length === 120, 'all', { timeout: 5000 });
    await waitUntil(() => log(chat).textContent!.includes('Start of #general'), 'start reached');
    expect(shown(chat).map(([, t]) => t)).to.deep.equal(Array.from({ length: 120 }, (_, i) => `message ${i}`));
    await expect(chat).to.be.accessible();
  });

  it('a slave paired by hand and its master chat with their names', async () => {
    const master = await fixture<RtcMaster>(html`<rtc-master signaling="manual" database=${testDatabase('chat')}><rtc-chat></rtc-chat></rtc-master>`);
    const slave = await fixture<RtcSlave>(html`<rtc-slave signaling="manual"><rtc-chat></rtc-chat></rtc-slave>`);
    await waitUntil(() => master.state === 'connected', 'master ready');
    await slave.acceptAnswer(await master.acceptOffer(await slave.createOffer()));
    const [onMaster, onSlave] = [master, slave].map((el) => el.querySelector('rtc-chat') as RtcChat);
    await waitUntil(() => /No messages/.test(log(onSlave!).textContent!), 'slave chat loaded', { timeout: 10000 });
    await onSlave!.send('hello from the slave');
    await waitUntil(() => shown(onMaster!).length === 1, 'the master sees it', { timeout: 5000 });
    await onMaster!.send('hello from the master');
    await waitUntil(() => shown(onSlave!).length === 2, 'the slave sees the reply', { timeout: 5000 });
    const slaveName = onSlave!.senderName;
    expect(slaveName).to.be.a('string').and.not.equal('');
    expect(shown(onMaster!)).to.deep.equal([[slaveName, 'hello from the slave'], [onMaster!.senderName, 'hello from the master']]);
    expect(shown(onSlave!)).to.deep.equal(shown(onMaster!));
    await expect(onSlave!).to.be.accessible();
    await slave.disconnect();
    await master.disconnect();
  });
});
