import { LitElement, html, css, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { msg } from '@lit/localize';
import { TargetController } from '../controllers/target-controller.js';
import { WatchController } from '../controllers/watch-controller.js';
import { SiteView } from '../site/site-view.js';
import type { ServeMode } from '../site/choose-server.js';
import { hostStyles } from '../styles/host.styles.js';
import { localized } from '../i18n/locale.js';

/**
 * Shows a web site whose files are the attachments of one document of a bound `<rtc-master>` or
 * `<rtc-slave>` (README.md "Serve a site from the master", docs/site.md): in a sandboxed frame
 * without `allow-same-origin`, with back, forward, reload and the address of the page shown.
 * Links inside the site move inside the element; a link to another origin opens in a new tab; a
 * GET form navigates with its query string; a missing file shows a 404 page. On a slave, a page
 * is loaded again when one of its files changes on the master.
 *
 * @tagname rtc-site
 * @summary A web site served from the master's database, browsed inside the page.
 * @csspart bar - The toolbar (back, forward, reload, address).
 * @csspart address - The address of the page shown.
 * @csspart frame - The frame showing the page.
 * @csspart error - The last error.
 * @cssprop --rtc-site-height - Height of the frame (default 70vh).
 */
@localized()
export class RtcSite extends LitElement {
  static override styles = [
    hostStyles,
    css`
      /* Its width is the page's, never its content's (a long address must not widen a grid or a phone's page). */
      :host { contain: inline-size; }
      .base {
        border: 1px solid var(--_border);
        border-radius: 8px;
        overflow: hidden;
        background: var(--_surface);
      }
      .bar {
        display: flex;
        align-items: center;
        gap: 0.3rem;
        padding: 0.3rem;
        border-bottom: 1px solid var(--_border);
        background: var(--_sunken);
      }
      button {
        font: inherit;
        min-width: 44px;
        min-height: 44px;
        border-radius: 6px;
        border: 1px solid var(--_border);
        background: var(--_surface);
        color: inherit;
        cursor: pointer;
        font-size: 1.15rem;
        line-height: 1;
      }
      button:disabled { opacity: 0.45; cursor: default; }
      .address {
        flex: 1 1 auto;
        min-width: 0;
        padding: 0.45rem 0.6rem;
        border-radius: 6px;
        border: 1px solid var(--_border);
        background: var(--_surface);
        font-family: var(--rtc-font-mono, ui-monospace, monospace);
        font-size: 0.9rem;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .kind { color: var(--_muted); font-size: 0.8rem; padding: 0 0.3rem; white-space: nowrap; }
      .frames { position: relative; height: var(--rtc-site-height, 70vh); }
      .frames iframe { position: absolute; inset: 0; width: 100%; height: 100%; border: 0; background: var(--_surface); }
      .frames iframe.next { opacity: 0; pointer-events: none; }
      .loading { height: 3px; background: var(--_accent); animation: pulse 1s ease-in-out infinite alternate; }
      .error { color: var(--_danger); margin: 0; padding: 0.5rem 0.8rem; overflow-wrap: anywhere; }
      @keyframes pulse { from { opacity: 0.25; } to { opacity: 1; } }
      @media (prefers-reduced-motion: reduce) { .loading { animation: none; } }
      @media (max-width: 420px) { .kind { display: none; } }
    `,
  ];

  /** Id of the `<rtc-master>` or `<rtc-slave>` to use; default the closest ancestor. */
  @property({ attribute: 'for' }) htmlFor = '';
  /** Id of the document whose attachments are the site's files. */
  @property() doc = 'site';
  /** The page shown first (a site path). */
  @property() start = 'index.html';
  /** How to serve: `auto` (a Service Worker on a secure context, else Blob URLs), `blob` or `service-worker`. */
  @property() serve: ServeMode = 'auto';
  /** Reflected: `idle`, `loading`, `shown` or `error`. */
  @property({ reflect: true }) state: 'idle' | 'loading' | 'shown' | 'error' = 'idle';
  /** Reflected: the site href shown or being loaded (`about.html?q=tea`). */
  @property({ reflect: true }) page = '';

  private readonly target = new TargetController(this, () => this.htmlFor);
  private readonly view = new SiteView(() => this.renderRoot?.querySelector<HTMLElement>('.frames') ?? null, () => this.sync());
  private openedFor = '';
  // Live reload: every change of the database, ids only; the view keeps those of its document.
  private readonly watcher = new WatchController(this, () => (this.doc ? { since: 'now' } : null), (batch) => void this.view.changed(batch));

  constructor() {
    super();
    this.target.onTargetEvent = () => this.reopen();
  }

  /** The way of serving in use (`blob` or `service-worker`), once started. */
  get serving(): string {
    return this.view.state.kind;
  }

  /** Loads site href `href` (`about.html`, `/docs/?q=1`) as a followed link. */
  go(href: string): Promise<void> {
    return this.view.go(href);
  }

  back(): Promise<void> {
    return this.view.move(-1);
  }

  forward(): Promise<void> {
    return this.view.move(1);
  }

  /** Reads the page shown and its files again. */
  reload(): Promise<void> {
    return this.view.reload();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.openedFor = '';
    if (this.hasUpdated) this.reopen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.view.close();
    this.openedFor = '';
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('htmlFor') && changed.get('htmlFor') !== undefined) this.target.resolve();
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    // After this update: opening changes reflected properties, which would start another update in this one.
    if (changed.has('doc') || changed.has('serve') || changed.has('start')) void this.updateComplete.then(() => this.reopen());
  }

  /** Opens the site again when what it depends on changed (target, document, start page, way of serving). */
  private reopen(): void {
    const db = this.target.target;
    this.watcher.sync(db);
    if (!this.hasUpdated || !this.isConnected) return;
    const key = db && this.doc ? `${db.id}|${this.doc}|${this.start}|${this.serve}` : '';
    if (key === this.openedFor || (db && !db.isConnected)) return;
    this.openedFor = key;
    if (!db || !this.doc) this.view.close();
    else void this.view.open(db, this.doc, this.start, this.serve);
  }

  private sync(): void {
    this.state = this.view.state.phase;
    this.page = this.view.state.href;
    this.requestUpdate();
  }

  protected override render() {
    const s = this.view.state;
    return html`<div class="base" part="base">
      <div class="bar" part="bar">
        <button type="button" ?disabled=${!s.canBack} @click=${() => this.back()} aria-label=${msg('Back')} title=${msg('Back')}>←</button>
        <button type="button" ?disabled=${!s.canForward} @click=${() => this.forward()} aria-label=${msg('Forward')} title=${msg('Forward')}>→</button>
        <button type="button" ?disabled=${!s.href} @click=${() => this.reload()} aria-label=${msg('Reload')} title=${msg('Reload')}>⟳</button>
        <output class="address" part="address" aria-label=${msg('Page address')}>/${s.href}</output>
        ${s.kind ? html`<span class="kind">${s.kind === 'blob' ? msg('Blob URLs') : msg('Service Worker')}</span>` : nothing}
      </div>
      ${s.phase === 'loading' ? html`<div class="loading" role="progressbar" aria-label=${msg('Loading the page')}></div>` : nothing}
      ${s.error ? html`<p class="error" role="alert" part="error">${s.error}</p>` : nothing}
      <div class="frames"></div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-site': RtcSite;
  }
}
