import { LitElement, html, css, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { property, state } from 'lit/decorators.js';
import { TargetController } from '../controllers/target-controller.js';
import { StorageController } from '../controllers/storage-controller.js';
import { storageSection, storageStyles } from './storage-status.js';
import type { ConnectionState } from '../session/types.js';
import { defaultSignalingUrl } from '../signaling/signaling-socket.js';
import type { JournalStatus } from '../storage/journal.js';
import { hostStyles } from '../styles/host.styles.js';
import { visuallyHidden } from '../styles/theme.styles.js';
import { localized } from '../i18n/locale.js';
import { formatNumber, formatTime } from '../i18n/format.js';
import { qrSvg } from './qr-code.js';
import { nameEditor, nameStyles, peerList } from './status-names.js';

/** A connection state in words, in the page's language. */
function label(state: ConnectionState): string {
  switch (state) {
    case 'connecting': return msg('Connecting…');
    case 'connected': return msg('Connected');
    case 'error': return msg('Error');
    default: return msg('Disconnected');
  }
}

/** `3 slaves` (a master's count of connected slaves). */
function slaveCount(n: number): string {
  return n === 1 ? msg('1 slave') : msg(str`${formatNumber(n)} slaves`);
}

/**
 * The state of a bound `<rtc-master>` (its room and connected slaves, by name) or `<rtc-slave>`
 * (its connection to the master, and its device name with a Rename button), and the last error.
 * The box itself is not a live region: a visually hidden `role="status"` announces each change
 * once, in a few words (the new state, the new number of slaves, a new error), so a peer joining
 * does not make a screen reader read the whole box again.
 *
 * For a master on a broadcaster it also shows where slaves go: the slave page's LAN address
 * (asked from the broadcaster's `/info.json`, since the master page itself is usually opened on
 * 127.0.0.1) as a link and a QR code to scan with a phone. When the machine has several LAN
 * addresses (Wi-Fi and Ethernet, a VPN), a menu offers each, best-ranked first (the broadcaster's
 * order, `broadcaster/addresses.ts`), and switches the link and the QR code.
 *
 * @tagname rtc-status
 * @summary Connection state, peers and last error of a master or slave.
 * @csspart base - The status box.
 * @csspart indicator - The coloured dot (the state is also written out, never colour alone).
 * @csspart peers - The list of connected slaves by name (master only).
 * @csspart name - The slave's device name and its Rename button, or the rename field (slave only).
 * @csspart rename - The Rename button (slave only).
 * @csspart name-input - The rename field (slave only): Enter or leaving it saves, Escape cancels.
 * @csspart error - The last error.
 * @csspart announcement - The visually hidden status that announces each change once.
 * @csspart storage - A master's storage: persistent or not, usage and quota, "keep this tab open" while slaves are connected.
 * @csspart storage-warning - The warning shown from 80% of the quota (`role="alert"`).
 * @csspart pending - A slave's queued writes (`<rtc-slave queue>`).
 * @csspart share - The slave page's address and QR code (master on a broadcaster).
 * @csspart addresses - The menu of LAN addresses (only when there are several).
 * @cssprop --rtc-status-color-connected - Dot colour when connected (default the theme's --rtc-color-ok).
 * @cssprop --rtc-status-color-connecting - Dot colour while connecting (default the theme's --rtc-color-warn).
 * @cssprop --rtc-status-color-error - Dot colour on error (default the theme's --rtc-color-danger).
 */
@localized()
export class RtcStatus extends LitElement {
  static override styles = [
    hostStyles,
    visuallyHidden,
    nameStyles,
    css`
      .base {
        border: 1px solid var(--_border);
        border-radius: 8px;
        padding: 0.6rem 0.8rem;
        background: var(--_surface);
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
      }
      .indicator {
        width: 0.75rem;
        height: 0.75rem;
        border-radius: 50%;
        background: var(--_neutral);
        flex: none;
      }
      :host([state='connected']) .indicator { background: var(--rtc-status-color-connected, var(--_ok)); }
      :host([state='connecting']) .indicator { background: var(--rtc-status-color-connecting, var(--_warn)); }
      :host([state='error']) .indicator { background: var(--rtc-status-color-error, var(--_danger)); }
      .role { font-weight: 600; }
      .detail { color: var(--_muted); }
      ul { margin: 0.4rem 0 0; padding-left: 1.2rem; font-size: 0.9em; }
      code { font-size: 0.9em; }
      .error { margin: 0.4rem 0 0; color: var(--rtc-status-color-error, var(--_danger)); overflow-wrap: anywhere; }
      .share { margin-top: 0.5rem; font-size: 0.92rem; overflow-wrap: anywhere; }
      .share p { margin: 0; }
      .share summary { cursor: pointer; margin-top: 0.3rem; width: max-content; }
      .share label { display: flex; flex-wrap: wrap; gap: 0.3rem 0.4rem; align-items: center; margin-top: 0.3rem; }
      .share select { font: inherit; width: 100%; max-width: 24rem; min-width: 0; }
      .share .qr-code { display: block; width: 11rem; max-width: 100%; height: auto; margin-top: 0.4rem; border: 1px solid var(--_border); border-radius: 6px; }
    `,
    storageStyles,
  ];

  /** Id of the `<rtc-master>` or `<rtc-slave>` to show; default the closest ancestor. */
  @property({ attribute: 'for' }) htmlFor = '';
  /** The bound element's state, reflected for CSS. */
  @property({ reflect: true }) state: ConnectionState = 'disconnected';
  /**
   * Page that slaves open, as a path on the broadcaster (e.g. `/demo/slave.html`), for the
   * address and QR code shown with a master; default the broadcaster's own slave page, with
   * `?room=<room>` when the master's room is not `default` (an `<rtc-slave>` without a `room`
   * attribute joins the room its address names).
   */
  @property({ attribute: 'slave-page' }) slavePage = '';

  /** The broadcaster's `/info.json` for the bound master, once fetched. */
  @state() private info: BroadcasterInfo | null = null;
  /** The LAN base URL picked in the menu; '' (or one no longer listed) means the first. */
  @state() private chosenBase = '';
  private infoUrl = '';
  /** True while a slave's rename field is shown. */
  @state() private renaming = false;
  /** What the hidden status says: the last change, once (see `announce`). */
  private announcement = '';
  /** What was last announced, to tell a change from a re-render. */
  private heard: { role: string; state: string; slaves: number; error: string } | null = null;

  private readonly target = new TargetController(this, () => this.htmlFor);
  private readonly storage = new StorageController(this, () => this.target.target?.localName === 'rtc-master');

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('htmlFor') && changed.get('htmlFor') !== undefined) this.target.resolve();
    this.state = this.target.target?.state ?? 'disconnected';
    this.announce();
  }

  /**
   * Sets the announcement to what changed since the last one: the state ("Slave connected"),
   * a master's number of connected slaves, a new last error. A re-render that changes none of
   * them (storage usage, a slave renamed, the share menu) leaves it as it is, so it is not read again.
   */
  private announce(): void {
    const t = this.target.target;
    if (!t) return;
    const role = t.localName === 'rtc-master' ? msg('Master') : msg('Slave');
    const now = { role, state: this.state, slaves: t.localName === 'rtc-master' ? t.peers.filter((p) => p.state === 'connected').length : 0, error: t.lastError?.message ?? '' };
    const was = this.heard;
    this.heard = now;
    const said: string[] = [];
    if (!was || was.role !== role || was.state !== now.state) {
      const stateWord = label(now.state).toLowerCase();
      said.push(t.localName === 'rtc-master' ? msg(str`Master ${stateWord}`) : msg(str`Slave ${stateWord}`));
    }
    if (was && now.slaves !== was.slaves) said.push(now.slaves === 1 ? msg('1 slave connected') : msg(str`${formatNumber(now.slaves)} slaves connected`));
    if (now.error && now.error !== was?.error) said.push(msg(str`Error: ${now.error}`));
    if (said.length > 0) this.announcement = said.map((s) => msg(str`${s}.`, { desc: 'One announced sentence: its text and the full stop of the language' })).join(' ');
  }

  protected override updated(): void {
    // A master connected to a broadcaster: ask it where slaves should go (once per broadcaster).
    const t = this.target.target as (HTMLElement & { state: ConnectionState; signaling?: string; manual?: boolean }) | null;
    const url = t && t.localName === 'rtc-master' && !t.manual && t.state === 'connected' ? infoUrlOf(t.signaling || defaultSignalingUrl()) : '';
    if (url && url !== this.infoUrl) {
      this.infoUrl = url;
      void this.loadInfo(url);
    }
  }

  private async loadInfo(url: string): Promise<void> {
    try {
      const res = await fetch(url, { cache: 'no-store' });
      if (!res.ok) return; // not a broadcaster that has it: show nothing
      const info = (await res.json()) as BroadcasterInfo;
      if (this.infoUrl === url && info && Array.isArray(info.urls)) this.info = info;
    } catch {
      // unreachable or not JSON: show nothing
    }
  }

  /** The broadcaster's LAN base URLs, best first; its loopback one when it has none. */
  private bases(): { bases: string[]; lan: boolean } {
    const lanUrls = (this.info?.lanUrls ?? []).filter((url) => typeof url === 'string');
    if (lanUrls.length > 0) return { bases: lanUrls, lan: true };
    const local = this.info?.urls[0];
    return { bases: local ? [local] : [], lan: false };
  }

  /** The slave page on the broadcaster at `base` (with `?room=` for a room other than `default`). */
  private slavePageOn(base: string): string | null {
    try {
      if (this.slavePage) return new URL(this.slavePage, base).href;
      const url = new URL(this.info?.slavePage ?? '/demo/slave.html', base);
      // info.slavePage is on the first LAN address: keep its path, on the base asked for.
      const page = new URL(url.pathname + url.search, base);
      const room = (this.target.target as unknown as { room?: string } | null)?.room;
      if (room && room !== 'default') page.searchParams.set('room', room);
      return page.href;
    } catch {
      return null;
    }
  }

  private renderShare() {
    const { bases, lan } = this.bases();
    const base = bases.includes(this.chosenBase) ? this.chosenBase : bases[0];
    const url = base === undefined ? null : this.slavePageOn(base);
    if (!url) return nothing;
    const qr = qrSvg(url, msg(str`QR code of the slave page address ${url}`));
    const pick = (event: Event) => {
      this.chosenBase = (event.target as HTMLSelectElement).value;
    };
    return html`<div class="share" part="share">
      <p>${msg('Slave page:')} <a href=${url}>${url}</a>${lan
        ? nothing
        : html` <span class="detail">${msg('(this machine only: the broadcaster has no LAN address)')}</span>`}</p>
      ${bases.length > 1
        ? html`<label>${msg('Address')} <select part="addresses" @change=${pick}>
            ${bases.map((b, i) => html`<option value=${b} ?selected=${b === base}>${i === 0 ? msg(str`${new URL(b).host} (best)`) : new URL(b).host}</option>`)}
          </select></label>`
        : nothing}
      ${qr ? html`<details open><summary>${msg('QR code for phones')}</summary>${qr}</details>` : nothing}
    </div>`;
  }

  protected override render() {
    const t = this.target.target;
    if (!t) {
      return html`<p class="visually-hidden" part="announcement" role="status">${this.announcement}</p>
      <div class="base" part="base">
        <div class="line"><span class="indicator" part="indicator"></span>
          <span>${this.htmlFor ? msg(str`Not bound (no rtc-master or rtc-slave with id ${this.htmlFor})`) : msg('Not bound')}</span></div>
      </div>`;
    }
    const isMaster = t.localName === 'rtc-master';
    const room = (t as unknown as { room: string }).room;
    const manual = (t as unknown as { manual?: boolean }).manual === true;
    const peers = t.peers;
    const connected = peers.filter((p) => p.state === 'connected');
    const error = t.lastError;
    return html`<p class="visually-hidden" part="announcement" role="status">${this.announcement}</p>
    <div class="base" part="base">
      <div class="line">
        <span class="indicator" part="indicator"></span>
        <span class="role">${isMaster ? msg('Master') : msg('Slave')}</span>
        <span class="state">${label(this.state)}</span>
        <span class="detail">${manual ? msg('manual pairing') : html`${msg('room')} <code>${room}</code>`}${isMaster
          ? html` · <span class="count">${slaveCount(connected.length)}</span>`
          : nothing}${queueOf(t)}</span>
      </div>
      ${isMaster ? peerList(peers) : this.renderName(t)}
      ${isMaster ? storageSection(this.storage.report, { slaves: connected.length, persist: () => void this.storage.requestPersistence() }) : nothing}
      ${error ? html`<p class="error" part="error">${msg(str`Last error: ${error.message}`)}</p>` : nothing}
      ${isMaster ? journalLine((t as unknown as { journal?: JournalStatus | null }).journal) : nothing}
    </div>
    ${isMaster && !manual ? this.renderShare() : nothing}`;
  }

  /** A slave's name and rename field (`status-names.ts`): saving sets the slave's `name`. */
  private renderName(slave: { name: string }) {
    const close = (returnFocus: boolean): void => {
      this.renaming = false;
      // The field is gone: a key that closed it gives the focus back to the button that opened it.
      if (returnFocus) void this.updateComplete.then(() => this.shadowRoot?.querySelector<HTMLButtonElement>('button.rename')?.focus());
    };
    return nameEditor({
      name: slave.name,
      editing: this.renaming,
      start: () => {
        this.renaming = true;
      },
      save: (value, returnFocus) => {
        if (!this.renaming) return; // already closed (Enter, then the field's blur as it goes)
        slave.name = value;
        close(returnFocus);
      },
      cancel: () => close(true),
    });
  }
}

/** A `<rtc-slave queue>`'s outbox: how many writes wait for the master (session/outbox.ts). */
function queueOf(t: HTMLElement): unknown {
  const slave = t as HTMLElement & { queue?: boolean; pending?: number };
  if (slave.localName !== 'rtc-slave' || !slave.queue) return nothing;
  const n = slave.pending ?? 0;
  return html` · <span class="pending" part="pending">${n === 0 ? msg('no writes queued') : n === 1 ? msg('1 write queued for the master') : msg(str`${formatNumber(n)} writes queued for the master`)}</span>`;
}

/** One line on the master's journal (storage/journal.ts): on, off and why, or what a restore did. */
function journalLine(j: JournalStatus | null | undefined) {
  if (!j) return nothing;
  const restored = j.restored
    ? ` ${msg(str`Restored ${formatNumber(j.restored.documents)} documents from it at ${formatTime(j.restored.at)}, after the browser wiped IndexedDB.`)}${j.restored.lostAttachments > 0 ? ` ${msg(str`${formatNumber(j.restored.lostAttachments)} attachments to upload again.`)}` : ''}`
    : nothing;
  return html`<p class="detail" part="journal">${j.on ? msg('Journal: on (a copy of every write outside IndexedDB).') : msg(str`Journal: off (${journalReason(j.reason)}).`)}${restored}</p>`;
}

/** Why the journal is off (storage/journal.ts `journalUnsupported`, `Journal`), in the page's language. */
function journalReason(reason: string): string {
  switch (reason) {
    case 'no Web Workers': return msg('no Web Workers');
    case 'the page is not a secure context (HTTPS or localhost)': return msg('the page is not a secure context (HTTPS or localhost)');
    case 'no Origin Private File System in this browser': return msg('no Origin Private File System in this browser');
    case 'closed': return msg('closed');
    case 'the journal is in use by another tab of this database': return msg('the journal is in use by another tab of this database');
    default: return reason.startsWith('journal failed: ') ? msg(str`journal failed: ${reason.slice(16)}`) : reason;
  }
}

/** What the broadcaster's `/info.json` says (broadcaster/server.ts). */
interface BroadcasterInfo {
  urls: string[];
  lanUrls?: string[];
  slavePage?: string;
}

/** `http(s)://HOST/info.json` of the broadcaster whose signaling URL is `signaling`, or ''. */
function infoUrlOf(signaling: string): string {
  try {
    const url = new URL(signaling);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return '';
    return `${url.protocol === 'wss:' ? 'https' : 'http'}://${url.host}/info.json`;
  } catch {
    return '';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-status': RtcStatus;
  }
}
