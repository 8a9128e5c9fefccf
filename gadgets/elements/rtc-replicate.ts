import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { msg, str } from '@lit/localize';
import { localized } from '../i18n/locale.js';
import { formatNumber, formatTime } from '../i18n/format.js';
import { TargetController } from '../controllers/target-controller.js';
import { RtcErrorEvent } from '../events/events.js';
import { registerRtcStorage } from '../jio/register.js';
import { describeError, reportEntries, summarize, type SyncSummary } from '../jio/sync-report.js';
import type { JioLike, JioStorage } from '../jio/types.js';
import { replicateStyles } from './rtc-replicate.styles.js';

/** What one sync did: its summary, when it ended, how long it took (ms), and the failure that stopped it. */
export interface SyncResult extends SyncSummary {
  at: Date;
  ms: number;
  /** Set when the run stopped (the remote unreachable, an unresolved conflict…). */
  failure?: string;
}

/** The state, reflected for CSS: `idle` (no run yet), `syncing`, `ok`, `conflict`, `error`, `no-jio`. */
export type SyncState = 'idle' | 'syncing' | 'ok' | 'conflict' | 'error' | 'no-jio';

/** What jIO's `conflict_handling` 0–3 does, in words. */
function handlingText(handling: number): string {
  switch (handling) {
    case 0: return msg('stop and report');
    case 1: return msg('keep the local version');
    case 2: return msg('keep the remote version');
    case 3: return msg('keep both, leave them apart');
    default: return `conflict_handling ${handling}`;
  }
}

/** `12 s`, `4 min 05 s`, `1 h 02 min`. */
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return msg(str`${s} s`);
  if (s < 3600) return msg(str`${Math.floor(s / 60)} min ${two(s % 60)} s`);
  return msg(str`${Math.floor(s / 3600)} h ${two(Math.floor((s % 3600) / 60))} min`);
}

/** `3 documents`. */
function documents(n: number): string {
  return n === 1 ? msg('1 document') : msg(str`${formatNumber(n)} documents`);
}

/**
 * Replicates the bound `<rtc-master>`'s database with any jIO storage, the way ERP5's OfficeJS apps
 * sync offline: jIO's own `replicate` storage with local = this database (the `rtc` storage) and
 * remote = `remote` (`erp5`, `dav`, `document` over `dav`, `s3`, …). It calls `repair()` every
 * `every` seconds and on *Sync now*, and shows the last sync, the documents pushed and pulled, the
 * conflicts and how `conflict_handling` settled them, the errors and the time until the next try.
 * It needs the page's jIO (ERP5's jio.js); without it, it says so and does nothing else.
 * README "Sync with ERP5", docs/jio-storage.md.
 *
 * @tagname rtc-replicate
 * @summary Sync a master's database with ERP5 (or any jIO storage) through jIO's replicate storage.
 * @csspart base - The box around everything.
 * @csspart sync - The *Sync now* button.
 * @csspart counts - The last sync's figures.
 * @csspart conflicts - The conflicts of the last sync.
 * @csspart error - The last error.
 * @fires rtc-sync - `{ result }` after each sync, done or failed (`result.failure` says why).
 * @fires rtc-error - `{ error }` when a sync fails.
 */
@localized()
export class RtcReplicate extends LitElement {
  static override styles = replicateStyles;

  /** The id of the `<rtc-master>` (or `<rtc-slave>`) to replicate; the local side is `{ type: 'rtc', element: '#<id>' }`. */
  @property({ attribute: 'for' }) htmlFor = '';
  /** The remote storage's jIO description, as JSON (`{"type": "erp5", "url": …}`). */
  @property() remote = '';
  /** Seconds between syncs (0: only on *Sync now* or `sync()`). */
  @property({ type: Number }) every = 300;
  /** More options of jIO's replicate storage, as JSON: `conflict_handling`, `check_local_modification`, `check_*_attachment_*`, `signature_hash_key`, `parallel_operation_amount`, `query`, … */
  @property() options = '';
  /** The state, reflected. */
  @property({ reflect: true }) state: SyncState = 'idle';

  /** The last sync's result, or null. */
  @state() lastResult: SyncResult | null = null;
  /** When the next sync runs (ms since the epoch), or null. */
  @state() nextSync: number | null = null;
  @state() private startedAt = 0;
  @state() private now = Date.now();

  private readonly target = new TargetController(this, () => this.htmlFor);
  private running: Promise<SyncResult> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;

  /** The page's jIO, with the `rtc` storage registered, or null. */
  private get jio(): JioLike | null {
    const jio = (globalThis as { jIO?: JioLike }).jIO ?? null;
    return jio && registerRtcStorage(jio) ? jio : null;
  }

  constructor() {
    super();
    // The first sync runs once the master is found (it may be defined or added after this element).
    this.target.onTargetEvent = (type) => {
      if (type === 'attach' && this.target.target && !this.lastResult && !this.running && this.jio) this.schedule(0);
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.ticker = setInterval(() => { this.now = Date.now(); }, 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.clearTimer();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('htmlFor') && changed.get('htmlFor') !== undefined) this.target.resolve();
    // A new period counts from now; the run in progress plans its own next one.
    if (changed.has('every') && changed.get('every') !== undefined && this.lastResult && !this.running) this.schedule(this.every * 1000);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextSync = null;
  }

  /** Plans the next sync in `delay` ms (none when `every` is 0, except the first one). */
  private schedule(delay: number): void {
    this.clearTimer();
    if (!this.isConnected || (this.every <= 0 && this.lastResult)) return;
    this.nextSync = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sync().catch(() => {});
    }, delay);
  }

  /** The replicate storage's description: this database, the remote, the options. @throws Error when `remote` or `options` is not JSON of an object. */
  private description(): Record<string, unknown> {
    const parse = (text: string, what: string): Record<string, unknown> => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error(`${what} is not JSON: ${text}`);
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be a JSON object`);
      return value as Record<string, unknown>;
    };
    if (!this.remote) throw new Error("remote: give the remote's jIO storage description, e.g. '{\"type\": \"erp5\", …}'");
    const remote = parse(this.remote, 'remote');
    const options = this.options ? parse(this.options, 'options') : {};
    const target = this.target.target;
    if (!target) throw new Error('for: give the id of the <rtc-master> to replicate');
    // The local side names the master by id (jIO hashes the description into the signature
    // document's id, so it must be text, and stay the same across reloads).
    if (!target.id) target.id = `rtc-db-${target.getAttribute('database') || target.getAttribute('room') || 'default'}`;
    const id = target.id;
    // report_level 380 lists every push, pull and conflict (jIO's default, 100, lists only errors).
    return { report_level: 380, ...options, type: 'replicate', local_sub_storage: { type: 'rtc', element: `#${CSS.escape(id)}` }, remote_sub_storage: remote };
  }

  /**
   * Runs one sync now (or returns the one running): `repair()` of jIO's replicate storage.
   * @returns the result; a failed sync resolves too, with `failure` set (and fires `rtc-error`).
   * @throws Error when jIO is not on the page.
   */
  sync(): Promise<SyncResult> {
    if (this.running) return this.running;
    const jio = this.jio;
    if (!jio) {
      this.state = 'no-jio';
      this.clearTimer();
      return Promise.reject(new Error('jIO is not on this page'));
    }
    this.clearTimer();
    this.state = 'syncing';
    this.startedAt = Date.now();
    const run = (async (): Promise<SyncResult> => {
      let report: unknown;
      let failure: string | undefined;
      try {
        const storage: JioStorage = jio.createJIO(this.description());
        report = await storage.repair();
      } catch (error) {
        report = error;
        failure = reportEntries(error) ? undefined : describeError(error);
      }
      const summary = summarize(report);
      if (!failure && summary.errors.length) failure = `${summary.errors.length} operation(s) failed: ${summary.errors[0]}`;
      if (!failure && summary.conflicts.some((c) => c.resolution === 'unresolved')) failure = 'unresolved conflicts';
      return { ...summary, at: new Date(), ms: Date.now() - this.startedAt, failure };
    })();
    this.running = run;
    return run.then((result) => {
      this.running = null;
      this.lastResult = result;
      this.state = result.failure ? (result.conflicts.some((c) => c.resolution === 'unresolved') ? 'conflict' : 'error') : 'ok';
      this.dispatchEvent(new CustomEvent('rtc-sync', { bubbles: true, composed: true, detail: { result } }));
      if (result.failure) this.dispatchEvent(new RtcErrorEvent(new Error(`Sync failed: ${result.failure}`)));
      this.schedule(this.every * 1000);
      return result;
    });
  }

  private remoteLabel(): string {
    try {
      const remote = JSON.parse(this.remote) as Record<string, unknown>;
      const inner = (remote.sub_storage as Record<string, unknown> | undefined) ?? {};
      const where = remote.url ?? inner.url ?? remote.database ?? remote.room;
      return `${String(remote.type)}${inner.type ? ` over ${String(inner.type)}` : ''}${where ? ` · ${String(where)}` : ''}`;
    } catch {
      return msg('remote: not JSON');
    }
  }

  private renderConflicts(result: SyncResult) {
    if (!result.conflicts.length) return nothing;
    const shown = result.conflicts.slice(0, 20);
    return html`<div class="conflicts" part="conflicts" role="status">
      <strong>${result.conflicts.length === 1 ? msg('1 conflict') : msg(str`${formatNumber(result.conflicts.length)} conflicts`)}</strong> ${msg('(the document changed on both sides)')}
      <ul>${shown.map((c) => html`<li><code>${c.id}${c.attachment ? ` / ${c.attachment}` : ''}</code>: ${c.resolution}</li>`)}</ul>
      ${result.conflicts.length > shown.length ? html`<span>${msg(str`and ${formatNumber(result.conflicts.length - shown.length)} more`)}</span>` : nothing}
    </div>`;
  }

  override render() {
    if (!this.jio) {
      return html`<div class="base" part="base"><p class="missing" role="status">
        ${msg(html`jIO is not on this page, so nothing is synced. Load jIO (ERP5's <code>jio.js</code>, with <code>rsvp.js</code>) before rtc-gadgets.`)}</p></div>`;
    }
    const r = this.lastResult;
    const syncing = this.state === 'syncing';
    let handling: number;
    try {
      handling = Number((JSON.parse(this.options || '{}') as { conflict_handling?: number }).conflict_handling ?? 0);
    } catch {
      handling = 0;
    }
    return html`<section class="base" part="base" aria-label=${msg('Sync with the remote')}>
      <div class="head">
        <div>
          <p class="title"><span class="status"><span class="dot" aria-hidden="true"></span>${this.statusText()}</span></p>
          <span class="remote">${this.remoteLabel()}</span>
        </div>
        <button part="sync" ?disabled=${syncing} @click=${() => void this.sync().catch(() => {})}>${msg('Sync now')}</button>
      </div>
      ${syncing ? html`<progress aria-label=${msg('Syncing')}></progress>` : nothing}
      <dl part="counts">
        <dt>${msg('Last sync')}</dt><dd>${r ? msg(html`<time datetime=${r.at.toISOString()}>${formatTime(r.at)}</time>, ${duration(this.now - r.at.getTime())} ago, took ${duration(r.ms)}`) : msg('never')}</dd>
        <dt>${msg('Pushed')}</dt><dd>${r ? documents(r.pushed) : '–'}</dd>
        <dt>${msg('Pulled')}</dt><dd>${r ? documents(r.pulled) : '–'}</dd>
        <dt>${msg('On conflict')}</dt><dd>${handlingText(handling)}</dd>
        <dt>${msg('Next try')}</dt><dd>${this.nextSync ? msg(str`in ${duration(this.nextSync - this.now)}`) : syncing ? msg('after this one') : this.every > 0 ? '–' : msg('on Sync now')}</dd>
      </dl>
      ${r ? this.renderConflicts(r) : nothing}
      ${r?.failure ? html`<p class="error" part="error" role="alert">${msg(str`Sync failed: ${r.failure}`)}</p>` : nothing}
    </section>`;
  }

  private statusText(): string {
    switch (this.state) {
      case 'syncing': return msg(str`Syncing… ${duration(this.now - this.startedAt)}`);
      case 'ok': return msg('In sync');
      case 'conflict': return msg('Conflicts to settle');
      case 'error': return msg('Sync failed, will try again');
      default: return msg('Not synced yet');
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-replicate': RtcReplicate;
  }
}
