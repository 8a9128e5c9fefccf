import { LitElement, html, css, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { msg, str } from '@lit/localize';
import { hostStyles } from '../styles/host.styles.js';
import { localized } from '../i18n/locale.js';
import { VERSION_MESSAGE, type OfflineReply } from './protocol.js';

/**
 * `off`: not a secure context (plain http on a LAN address) or no Service Workers: nothing happens and
 * nothing shows. `registering`: asking the browser. `ready`: the worker controls the page and said its
 * version. `error`: the browser refused (e.g. the server sends no `Service-Worker-Allowed` header for
 * a scope above the script's folder); the page works as without it.
 */
export type OfflineState = 'off' | 'registering' | 'ready' | 'error';

/** What the notice says: first kept on this device, replaced by a new version, opened from the cache. */
export type OfflineNotice = 'saved' | 'updated' | 'offline';

/** localStorage key of the version this browser last showed for a scope. */
const SEEN_KEY = 'rtc-gadgets:offline-version:';

function readSeen(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // an opaque origin: every visit looks like the first
  }
}

function writeSeen(key: string, version: string): void {
  try {
    localStorage.setItem(key, version);
  } catch {}
}

/**
 * Why the browser would refuse `script` for `scope`, or null. A scope outside the script's folder needs
 * the server's `Service-Worker-Allowed` header (the broadcaster sends it): it is checked first, since
 * some browsers (Firefox) log a refused registration as a console error even when the page handles it.
 */
async function scopeRefusal(script: string, scope: string): Promise<string | null> {
  if (scope.startsWith(new URL('./', script).href)) return null;
  const response = await fetch(script, { method: 'HEAD', cache: 'no-store' });
  if (!response.ok) return `${script}: HTTP ${response.status}`;
  const allowed = response.headers.get('Service-Worker-Allowed');
  if (allowed !== null && scope.startsWith(new URL(allowed, script).href)) return null;
  return `the server does not let ${script} control ${scope} (no Service-Worker-Allowed header)`;
}

/**
 * Keeps the page it is on (and the others of the build's list) on this device, so that it opens again
 * with the broadcaster gone, and says so: it registers the offline pages' Service Worker
 * (gadgets/offline/sw.ts, `dist/offline/sw.js`) on a secure context, and shows a notice when the copy
 * on this device is first made ("Works offline"), when a new version replaced it ("Updated to version
 * X"), and when the page was opened from it because the server did not answer ("Opened without the
 * broadcaster", with a link to the page named by `pairing`, and with `for` a button that switches the
 * page's `<rtc-slave>` to pairing by tokens). Elsewhere (plain http) it does nothing
 * and shows nothing. README "Pages that work offline".
 *
 * @tagname rtc-offline
 * @summary Keeps the page on the device for use without the broadcaster, and says when it was updated.
 * @csspart notice - The notice (inside a `role="status"` region).
 * @csspart dismiss - The notice's Dismiss button.
 * @csspart pairing - The link to the pairing page (when opened from the device's copy).
 * @csspart pair - The *Pair by tokens here* button (with `for`, when opened from the device's copy).
 * @cssprop --rtc-color-notice - The notice's background (default `--rtc-color-info-surface`).
 */
@localized()
export class RtcOffline extends LitElement {
  static override styles = [
    hostStyles,
    css`
      :host([state='off']) { display: none; }
      .notice {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4rem 0.8rem;
        margin: 0.6rem 0;
        padding: 0.6rem 0.8rem;
        border: 1px solid var(--_accent);
        border-left-width: 4px;
        border-radius: 8px;
        background: var(--rtc-color-notice, var(--_info-surface));
      }
      p { margin: 0; flex: 1 1 16rem; }
      p:focus { outline: none; }
      button {
        font: inherit;
        min-height: 44px;
        padding: 0.3rem 0.9rem;
        border: 1px solid var(--_border);
        border-radius: 6px;
        background: var(--_surface);
        color: inherit;
        cursor: pointer;
      }
      a { color: var(--_accent); }
    `,
  ];

  /** URL of the worker script, relative to the page. The broadcaster serves it with `Service-Worker-Allowed: /`. */
  @property() worker = '../dist/offline/sw.js';
  /** The worker's scope, relative to the page: the folder of the pages it keeps. */
  @property() scope = './';
  /** A page that pairs by tokens (`pairing.html`), linked in the notice when this page was opened from the device's copy. */
  @property() pairing = '';
  /**
   * The id of this page's `<rtc-slave>`: when the page was opened from the device's copy, the notice
   * offers *Pair by tokens here*, which sets its `signaling="manual"` (its pairing panel appears).
   */
  @property({ attribute: 'for' }) htmlFor = '';
  /** The state, reflected for CSS and tests. */
  @property({ reflect: true }) state: OfflineState = 'off';
  /** The version of the copy kept on this device (`0.1.0+3fa2c91b`), once the worker said it; else ''. */
  @state() version = '';
  /** True when this page was opened from the device's copy (the server did not answer). */
  @state() fromCache = false;
  /** The notice shown, or null. */
  @state() notice: OfflineNotice | null = null;
  /** Why registering failed (state `error`), else ''. */
  @state() error = '';
  /** True once *Pair by tokens here* switched the slave to manual signaling. */
  @state() private switched = false;

  private readonly onControllerChange = (): void => this.ask();

  override connectedCallback(): void {
    super.connectedCallback();
    if (!globalThis.isSecureContext || !('serviceWorker' in navigator)) return;
    navigator.serviceWorker.addEventListener('controllerchange', this.onControllerChange);
    this.state = 'registering';
    this.ask();
    void this.register();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if ('serviceWorker' in navigator) navigator.serviceWorker.removeEventListener('controllerchange', this.onControllerChange);
  }

  private get scopeUrl(): string {
    return new URL(this.scope, document.baseURI).href;
  }

  private async register(): Promise<void> {
    try {
      const script = new URL(this.worker, document.baseURI).href;
      const scope = this.scopeUrl;
      const existing = await navigator.serviceWorker.getRegistration(scope);
      let registration = existing?.scope === scope && existing.active?.scriptURL === script ? existing : null;
      if (!registration) {
        const refusal = await scopeRefusal(script, scope);
        if (refusal) throw new Error(refusal);
        registration = await navigator.serviceWorker.register(script, { scope });
      }
      // A first install that fails (a file of the list missing on the server) leaves no copy: say so.
      const installing = registration.installing;
      installing?.addEventListener('statechange', () => {
        if (installing.state === 'redundant' && this.state === 'registering') this.failed('the worker could not store the pages');
      });
      // Look for a new version at every visit (fails quietly offline; the page never waits for it). A
      // new one installs, takes over and is announced through `controllerchange`.
      if (registration.active) registration.update().catch(() => {});
    } catch (e) {
      this.failed(e instanceof Error ? e.message : String(e));
    }
  }

  private failed(reason: string): void {
    this.state = 'error';
    this.error = reason;
    console.info(`rtc-offline: this page is not kept offline: ${reason}`);
  }

  /**
   * Asks the controlling worker for its version; the answer comes on a MessagePort. A new worker
   * controls the page from the start of its activation: the question waits until it is activated,
   * i.e. the previous copy is deleted (Chromium would answer before its `activate` event).
   */
  private ask(): void {
    const controller = navigator.serviceWorker.controller;
    if (!controller) return;
    if (controller.state !== 'activated') {
      const settled = (): void => {
        if (controller.state === 'activating') return;
        controller.removeEventListener('statechange', settled);
        if (controller.state === 'activated' && controller === navigator.serviceWorker.controller) this.ask();
      };
      controller.addEventListener('statechange', settled);
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent<OfflineReply>) => {
      channel.port1.close();
      if (event.data?.type === VERSION_MESSAGE) this.heard(event.data);
    };
    controller.postMessage({ type: VERSION_MESSAGE }, [channel.port2]);
  }

  private heard({ version, fromCache }: OfflineReply): void {
    const key = SEEN_KEY + this.scopeUrl;
    const seen = readSeen(key);
    this.state = 'ready';
    this.version = version;
    this.fromCache = this.fromCache || fromCache;
    if (fromCache) this.notice = 'offline';
    else if (seen === null) this.notice = 'saved';
    else if (seen !== version) this.notice = 'updated';
    writeSeen(key, version);
  }

  private text(notice: OfflineNotice): [string, string] {
    const v = this.version;
    switch (notice) {
      case 'saved':
        return [msg('Works offline.'), msg(str`This page is kept on this device (version ${v}): it opens even when the broadcaster is off.`)];
      case 'updated':
        return [msg(str`Updated to version ${v}.`), msg('The copy kept on this device for use without the broadcaster is now this version.')];
      case 'offline':
        return [msg('Opened without the broadcaster.'), msg(str`This is the copy kept on this device (version ${v}).`)];
    }
  }

  protected override render() {
    if (this.state === 'off') return nothing;
    const notice = this.notice;
    return html`<div role="status">${notice ? this.noticeBox(notice) : nothing}</div>`;
  }

  /** The `<rtc-slave>` named by `for`, while it still uses a broadcaster; else null. */
  private get slave(): (HTMLElement & { signaling: string }) | null {
    const target = this.htmlFor ? document.getElementById(this.htmlFor) : null;
    return target?.localName === 'rtc-slave' && !this.switched ? (target as HTMLElement & { signaling: string }) : null;
  }

  private pairHere(): void {
    this.slave?.setAttribute('signaling', 'manual');
    this.switched = true;
    // The button goes away: the focus goes to the words that say what happened.
    void this.updateComplete.then(() => this.shadowRoot?.querySelector<HTMLElement>('.notice p')?.focus());
  }

  private noticeBox(notice: OfflineNotice) {
    const [title, detail] = this.text(notice);
    const offline = notice === 'offline';
    return html`<div class="notice" part="notice">
      <p tabindex="-1"><strong>${title}</strong> ${detail}
        ${offline && this.switched ? msg('This device now pairs by tokens: give its offer token, below, to the master.') : nothing}
        ${offline && this.pairing ? html`<a part="pairing" href=${this.pairing}>${msg('Pair by tokens instead')}</a>` : nothing}</p>
      ${offline && this.slave ? html`<button type="button" part="pair" @click=${() => this.pairHere()}>${msg('Pair by tokens here')}</button>` : nothing}
      <button type="button" part="dismiss" @click=${() => { this.notice = null; }}>${msg('Dismiss')}</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-offline': RtcOffline;
  }
}
