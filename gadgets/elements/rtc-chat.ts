import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { msg, str } from '@lit/localize';
import { localized } from '../i18n/locale.js';
import { formatDateTime } from '../i18n/format.js';
import { TargetController } from '../controllers/target-controller.js';
import { WatchController } from '../controllers/watch-controller.js';
import type { ChangesResult, Row } from '../api.js';
import type { RtcMaster } from './rtc-master.js';
import type { RtcSlave } from './rtc-slave.js';
import { hostStyles } from '../styles/host.styles.js';
import { chatStyles } from './rtc-chat.styles.js';
import { describe } from './query-form/rtc-query-form.js';
import { MAX_TEXT, MessageList, channelQuery, isChatMessage, nameColor, shortTime, type ChatMessage, type ShownMessage } from './chat-messages.js';

/** `rtc-chat-message` `{ id, message }`: a message new to this chat (sent here, or arriving live; not history). */
export class RtcChatMessageEvent extends CustomEvent<{ id: string; message: ChatMessage }> {
  constructor(id: string, message: ChatMessage) {
    super('rtc-chat-message', { bubbles: true, composed: true, detail: { id, message } });
  }
}

/** Pixels from the top of the log at which older messages load; from the bottom, it follows new ones. */
const EDGE_PX = 48;

/**
 * A chat between the devices of a room (cjb's serverless-webrtc chat), kept in the bound master's
 * database: each message is a document `{ type: 'chat', channel, from, text, at }` (`from` the bound
 * element's `name`, `at` an ISO time). Every device sees new messages live (a `watch` of the
 * channel), in order of `at`, with the sender's name and the time. Enter sends, Shift+Enter starts
 * a new line; older messages load when the log is scrolled to the top (or with its button),
 * `page-size` at a time, keeping the scroll position. Text is shown as text, never as HTML.
 *
 * @tagname rtc-chat
 * @summary Live chat between the devices of a room, stored in the master's database.
 * @fires rtc-chat-message - `{ id, message }` for each message new to this chat (sent from it or arriving live).
 * @csspart base - The box around everything.
 * @csspart log - The scrolling message log (`role="log"`).
 * @csspart message - One message.
 * @csspart form - The message form.
 * @csspart error - The last error.
 * @cssprop --rtc-chat-height - Height of the message log (default 22rem).
 */
@localized()
export class RtcChat extends LitElement {
  static override styles = [hostStyles, chatStyles];

  /** Id of the `<rtc-master>` or `<rtc-slave>` to use; default the closest ancestor. */
  @property({ attribute: 'for' }) htmlFor = '';
  /** The channel (any text): chats on the same channel of one master share their messages. */
  @property() channel = 'general';
  /** Messages read at a time from the history. */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 50;

  @state() private messages: ShownMessage[] = [];
  @state() private loaded = false;
  @state() private exhausted = false;
  @state() private loadingOlder = false;
  @state() private error = '';
  @query('.log') private log!: HTMLElement | null;
  @query('textarea') private input!: HTMLTextAreaElement | null;

  /** The latest page is being read. */
  private loading = false;
  private list = new MessageList();
  /** Bumped when the channel or target changes: answers for an older one are dropped. */
  private epoch = 0;
  private stickToBottom = true;
  /** After the next render: keep this distance from the bottom (older messages were prepended). */
  private keepFromBottom: number | null = null;

  private readonly target = new TargetController(this, () => this.htmlFor);
  private readonly watcher = new WatchController(
    this,
    () => ({ since: 'now', query: channelQuery(this.channel), include_docs: true }),
    (batch) => this.onChanges(batch),
  );

  constructor() {
    super();
    this.target.onTargetEvent = (type) => {
      const t = this.target.target;
      if (type === 'attach') this.reset();
      this.watcher.sync(t);
      if (t && !this.loaded && (t.localName === 'rtc-master' || t.state === 'connected')) void this.loadLatest();
    };
  }

  /** The name this chat sends as: the bound element's `name` (`<rtc-slave name>`, `<rtc-master name>`). */
  get senderName(): string {
    const t = this.target.target as RtcMaster | RtcSlave | null;
    return t?.name || (t?.localName === 'rtc-master' ? msg('Master') : msg('Slave'));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The bound element's rename (it bubbles): "You are …" and which messages are mine follow it.
    window.addEventListener('rtc-name-change', this.onNameChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('rtc-name-change', this.onNameChange);
  }

  private readonly onNameChange = (event: Event): void => {
    if (event.composedPath()[0] === this.target.target) this.requestUpdate();
  };

  /**
   * Sends `text` as a message of this channel from `senderName`; resolves to its document id.
   * @throws the database's error (e.g. 403 when the master does not allow `post`).
   */
  async send(text: string): Promise<string> {
    const t = this.target.target;
    if (!t) throw new Error('rtc-chat is not bound to an <rtc-master> or <rtc-slave>');
    const message: ChatMessage = { type: 'chat', channel: this.channel, from: this.senderName, text, at: new Date().toISOString() };
    const id = await t.post({ ...message });
    this.stickToBottom = true;
    this.add([{ id, ...message }], true);
    return id;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('htmlFor') && changed.get('htmlFor') !== undefined) this.target.resolve();
    if (changed.has('channel') && changed.get('channel') !== undefined) {
      this.reset();
      this.target.onTargetEvent('channel');
    }
  }

  protected override updated(): void {
    const log = this.log;
    if (!log) return;
    if (this.keepFromBottom !== null) {
      log.scrollTop = log.scrollHeight - this.keepFromBottom;
      this.keepFromBottom = null;
    } else if (this.stickToBottom) {
      log.scrollTop = log.scrollHeight;
    }
  }

  /** Forgets what was shown (another target or channel). */
  private reset(): void {
    this.epoch++;
    this.list = new MessageList();
    this.messages = [];
    this.loaded = false;
    this.loading = false;
    this.exhausted = false;
    this.loadingOlder = false;
    this.stickToBottom = true;
  }

  private onChanges(batch: ChangesResult): void {
    const added: ShownMessage[] = [];
    for (const change of batch.results) {
      if (change.deleted) this.list.delete(change.id);
      else if (isChatMessage(change.doc) && change.doc.channel === this.channel) added.push(toShown(change.id, change.doc));
    }
    this.add(added, true);
  }

  /** Merges messages in; `live` ones new to the chat fire `rtc-chat-message`. */
  private add(messages: ShownMessage[], live: boolean): void {
    for (const m of messages) {
      const isNew = this.list.upsert(m);
      if (isNew && live) this.dispatchEvent(new RtcChatMessageEvent(m.id, { type: 'chat', channel: m.channel, from: m.from, text: m.text, at: m.at }));
    }
    this.messages = this.list.list;
  }

  /** Reads `count` messages at or before `at` (the latest without), newest first. */
  private async readPage(count: number, at?: string): Promise<ShownMessage[]> {
    const t = this.target.target!;
    const result = await t.allDocs({
      query: channelQuery(this.channel, at),
      sort_on: [['at', 'descending']],
      limit: [0, count],
      include_docs: true,
    });
    return result.data.rows.filter((r: Row) => isChatMessage(r.doc)).map((r: Row) => toShown(r.id, r.doc as unknown as ChatMessage));
  }

  private async loadLatest(): Promise<void> {
    if (this.loading) return;
    const epoch = this.epoch;
    this.loading = true;
    try {
      const page = await this.readPage(this.pageSize);
      if (epoch !== this.epoch) return;
      this.exhausted = page.length < this.pageSize;
      this.stickToBottom = true;
      this.add(page, false);
      this.loaded = true;
      this.error = '';
    } catch (e) {
      if (epoch === this.epoch) this.error = describe(e);
    } finally {
      if (epoch === this.epoch) this.loading = false;
    }
  }

  /** Loads the page of messages before the oldest shown, keeping what is on screen in place. */
  private async loadOlder(): Promise<void> {
    const oldest = this.messages[0];
    if (!oldest || this.loadingOlder || this.exhausted || !this.target.target) return;
    const epoch = this.epoch;
    this.loadingOlder = true;
    try {
      // At or before (one more, for the oldest itself): messages of the same millisecond as the
      // oldest may not all be shown yet.
      const count = this.pageSize + 1;
      const page = await this.readPage(count, oldest.at);
      if (epoch !== this.epoch) return;
      const fresh = page.filter((m) => !this.list.has(m.id));
      if (fresh.length === 0 || page.length < count) this.exhausted = true;
      const log = this.log;
      if (log && fresh.length > 0) this.keepFromBottom = log.scrollHeight - log.scrollTop;
      this.add(fresh, false);
      this.error = '';
    } catch (e) {
      if (epoch === this.epoch) this.error = describe(e);
    } finally {
      if (epoch === this.epoch) this.loadingOlder = false;
    }
  }

  private onScroll(): void {
    const log = this.log!;
    this.stickToBottom = log.scrollHeight - log.scrollTop - log.clientHeight < EDGE_PX;
    if (log.scrollTop < EDGE_PX) void this.loadOlder();
  }

  private onKeydown(event: KeyboardEvent): void {
    // Enter sends; Shift+Enter (and Enter while an input method composes) is a new line.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.ctrlKey || event.altKey || event.metaKey) return;
    event.preventDefault();
    void this.submit();
  }

  private async submit(event?: SubmitEvent): Promise<void> {
    event?.preventDefault();
    const input = this.input!;
    const text = input.value;
    if (text.trim() === '') return;
    input.value = ''; // at once: a person may type the next message while this one travels
    try {
      await this.send(text);
      this.error = '';
    } catch (e) {
      if (input.value === '') input.value = text;
      this.error = describe(e);
    }
  }

  protected override render() {
    const t = this.target.target;
    const channel = this.channel;
    const waiting = t !== null && t.localName === 'rtc-slave' && t.state !== 'connected';
    return html`<div class="base" part="base">
      <div class="log" part="log" role="log" aria-live="polite" aria-label=${msg(str`Messages in #${channel}`)} tabindex="0" @scroll=${this.onScroll}>
        ${this.loaded && this.messages.length > 0
          ? html`<p class="edge">${this.exhausted
            ? msg(str`Start of #${channel}`)
            : html`<button type="button" ?disabled=${this.loadingOlder} @click=${() => this.loadOlder()}>${this.loadingOlder ? msg('Loading older messages…') : msg('Load older messages')}</button>`}</p>`
          : nothing}
        ${this.messages.length === 0
          ? html`<p class="empty">${!t ? msg('Not bound to a master or slave.') : waiting ? msg('Connecting…') : !this.loaded ? msg('Loading messages…') : msg(str`No messages in #${channel} yet.`)}</p>`
          : html`<ol>${repeat(this.messages, (m) => m.id, (m) => this.renderMessage(m))}</ol>`}
      </div>
      <form part="form" @submit=${this.submit}>
        <label for="message">${msg(str`Message to #${channel}`)}</label>
        <div class="compose">
          <textarea id="message" rows="2" maxlength=${MAX_TEXT} enterkeyhint="send" autocomplete="off" aria-describedby="hint"
            placeholder=${msg('Write a message')} ?disabled=${!t} @keydown=${this.onKeydown}></textarea>
          <button class="send" type="submit" ?disabled=${!t}>${msg('Send')}</button>
        </div>
        <p class="hint" id="hint"><span>${msg('Enter sends, Shift+Enter starts a new line.')}</span>${t ? html`<span>${msg(html`You are <strong>${this.senderName}</strong>`)}</span>` : nothing}</p>
        ${this.error ? html`<p class="error" part="error" role="alert">${this.error}</p>` : nothing}
      </form>
    </div>`;
  }

  private renderMessage(m: ShownMessage) {
    const mine = m.from === this.senderName;
    // Text bindings only: a message is text whatever it contains (lit never parses it as HTML).
    return html`<li class="message ${mine ? 'mine' : ''}" part="message">
      <div class="meta"><span class="from" style="color: ${nameColor(m.from)}">${m.from}</span>
        <time datetime=${m.at} title=${formatDateTime(new Date(m.at))}>${shortTime(m.at)}</time></div>
      <p class="text">${m.text}</p>
    </li>`;
  }
}

function toShown(id: string, doc: ChatMessage): ShownMessage {
  return { id, type: 'chat', channel: doc.channel, from: doc.from, text: doc.text, at: doc.at };
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-chat': RtcChat;
  }
  interface GlobalEventHandlersEventMap {
    'rtc-chat-message': RtcChatMessageEvent;
  }
}
