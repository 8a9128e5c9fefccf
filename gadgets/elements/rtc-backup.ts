import { LitElement, html, css, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { TargetController } from '../controllers/target-controller.js';
import type { BackupPhase, ImportResult } from '../api.js';
import { RtcErrorEvent } from '../events/events.js';
import { hostStyles } from '../styles/host.styles.js';
import { msg, str } from '@lit/localize';
import { localized } from '../i18n/locale.js';
import { formatBytes, formatDateTime, formatNumber } from '../i18n/format.js';

/** A phase of a backup or restore in words. */
function phaseText(phase: BackupPhase): string {
  switch (phase) {
    case 'export': return msg('Building the backup');
    case 'download': return msg('Downloading the backup');
    case 'upload': return msg('Sending the file to the master');
    case 'check': return msg('Checking the file');
    default: return msg('Restoring');
  }
}

const DAY = 24 * 60 * 60 * 1000;

/** How long ago `at` was, in words. */
function ago(at: Date, now = Date.now()): string {
  const days = Math.floor((now - at.getTime()) / DAY);
  if (days >= 2) return msg(str`${formatNumber(days)} days ago`);
  if (days === 1) return msg('yesterday');
  const hours = Math.floor((now - at.getTime()) / 3600000);
  return hours >= 1 ? msg(str`${formatNumber(hours)} h ago`) : msg('just now');
}

/**
 * Backs up and restores the database of a bound `<rtc-master>` or `<rtc-slave>` (README "Backup
 * and restore"): *Download backup* saves `rtc-<database>-<YYYY-MM-DD>.zip` (`exportDatabase`);
 * *Restore from file* reads such a file back (`importDatabase`), merging it or, after a
 * confirmation dialog, replacing everything. Both show a progress bar per phase. The time of the
 * last backup made here is kept in `localStorage` (`rtc-backup:<database>` on a master,
 * `rtc-backup:room:<room>` on a slave); with `remind-days`, a master shows a reminder once it is
 * older than that many days.
 *
 * @tagname rtc-backup
 * @summary Download a backup of the database, restore one, and be reminded to.
 * @csspart base - The box around everything.
 * @csspart reminder - The reminder that a backup is due.
 * @csspart error - The last error.
 * @fires rtc-error - `{ error }` when a backup or restore fails.
 */
@localized()
export class RtcBackup extends LitElement {
  static override styles = [
    hostStyles,
    css`
      .base { border: 1px solid var(--_border); border-radius: 8px; padding: 0.8rem; background: var(--_surface); }
      .row { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; }
      button, .picker {
        font: inherit; min-height: 44px; padding: 0.4rem 1rem; border-radius: 6px; cursor: pointer;
        border: 1px solid var(--_border); background: var(--_sunken); color: inherit;
        display: inline-flex; align-items: center;
      }
      button.primary { background: var(--_accent); border-color: var(--_accent); color: var(--_on-accent); font-weight: 600; }
      button.danger { background: var(--_danger-strong); border-color: var(--_danger-strong); color: var(--_on-accent); font-weight: 600; }
      button:disabled, .picker.disabled { opacity: 0.6; cursor: default; }
      .picker input { position: absolute; width: 1px; height: 1px; opacity: 0; overflow: hidden; }
      fieldset { border: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0 0.8rem; align-items: center; min-width: 0; }
      legend { float: left; margin-right: 0.4rem; font-weight: 600; }
      label.mode { display: inline-flex; align-items: center; gap: 0.3rem; min-height: 44px; }
      .last { margin: 0 0 0.6rem; color: var(--_muted); }
      .reminder { margin: 0 0 0.6rem; padding: 0.5rem 0.7rem; border-radius: 6px; background: var(--_warn-surface); border: 1px solid var(--_warn-border); }
      .progress { margin-top: 0.7rem; display: grid; gap: 0.2rem; }
      progress { width: 100%; height: 1.1rem; }
      .meta { color: var(--_muted); font-size: 0.9em; }
      .done { margin: 0.6rem 0 0; color: var(--_ok); }
      .error { color: var(--_danger); margin: 0.6rem 0 0; overflow-wrap: anywhere; }
      a.save { margin-left: 0.3rem; }
      h3 { font-size: 1rem; margin: 0.9rem 0 0.4rem; }
      dialog { color: inherit; background: var(--_surface); border: 1px solid var(--_border); border-radius: 8px; max-width: 28rem; padding: 1rem; }
      dialog::backdrop { background: var(--_backdrop); }
      dialog h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
      dialog .row { justify-content: flex-end; margin-top: 1rem; }
    `,
  ];

  /** The id of the `<rtc-master>` or `<rtc-slave>` to use (else the closest one around it). */
  @property({ attribute: 'for' }) htmlFor = '';
  /** On a master: remind when the last backup made here is older than this many days (0: never). */
  @property({ attribute: 'remind-days', type: Number }) remindDays = 0;

  @state() private busy: 'backup' | 'restore' | null = null;
  @state() private phase: BackupPhase | null = null;
  @state() private loaded = 0;
  @state() private total = 0;
  @state() private error = '';
  @state() private done = '';
  @state() private link: { url: string; name: string } | null = null;
  @state() private mode: 'merge' | 'replace' = 'merge';
  @state() private pending: File | null = null;
  @query('dialog') private dialog!: HTMLDialogElement;
  private readonly target = new TargetController(this, () => this.htmlFor);

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.link) URL.revokeObjectURL(this.link.url);
  }

  /** The localStorage key of the last backup's time. */
  private get storageKey(): string | null {
    const db = this.target.target;
    if (!db) return null;
    return db.localName === 'rtc-master' ? `rtc-backup:${db.getAttribute('database') || 'default'}` : `rtc-backup:room:${db.getAttribute('room') || 'default'}`;
  }

  /** When the last backup was made from this browser, or null. */
  get lastBackup(): Date | null {
    const key = this.storageKey;
    const text = key ? localStorage.getItem(key) : null;
    const at = text ? new Date(text) : null;
    return at && !Number.isNaN(at.getTime()) ? at : null;
  }

  private progress = (loaded: number, total: number, phase: BackupPhase): void => {
    this.loaded = loaded;
    this.total = total;
    this.phase = phase;
  };

  private fail(e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    this.error = error.message;
    this.dispatchEvent(new RtcErrorEvent(error));
  }

  /** Makes a backup and saves it (the browser's download); resolves to the file. */
  async backup(): Promise<File | null> {
    const db = this.target.target;
    if (!db || this.busy) return null;
    return this.task('backup', async () => {
      const file = await db.exportDatabase({ onProgress: this.progress });
      if (this.link) URL.revokeObjectURL(this.link.url);
      this.link = { url: URL.createObjectURL(file), name: file.name };
      const key = this.storageKey;
      if (key) localStorage.setItem(key, new Date().toISOString());
      this.done = msg(str`Backup ready: ${file.name}, ${formatBytes(file.size)}.`);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLAnchorElement>('a.save')?.click();
      return file;
    });
  }

  /** Restores `file` (`mode` as chosen); a replace asks first unless `confirmed`. */
  async restore(file: File, confirmed = false): Promise<ImportResult | null> {
    const db = this.target.target;
    if (!db || this.busy) return null;
    if (this.mode === 'replace' && !confirmed) {
      this.pending = file;
      await this.updateComplete;
      this.dialog.showModal();
      return null;
    }
    return this.task('restore', async () => {
      const result = await db.importDatabase(file, { mode: this.mode, onProgress: this.progress });
      const files = result.attachments === 1 ? msg('1 file') : msg(str`${formatNumber(result.attachments)} files`);
      const mode = result.mode === 'replace' ? msg('replace') : msg('merge');
      this.done = msg(str`Restored ${formatNumber(result.documents)} records and ${files} from ${file.name} (${mode}).`);
      return result;
    });
  }

  /** Runs a backup or restore: busy meanwhile, its error shown and fired as `rtc-error` (then null). */
  private async task<T>(what: 'backup' | 'restore', run: () => Promise<T>): Promise<T | null> {
    this.start(what);
    try {
      return await run();
    } catch (e) {
      this.fail(e);
      return null;
    } finally {
      this.busy = null;
    }
  }

  private start(what: 'backup' | 'restore'): void {
    this.busy = what;
    this.error = '';
    this.done = '';
    this.phase = null;
    this.loaded = 0;
    this.total = 0;
  }

  private picked(event: Event): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void this.restore(file);
  }

  private answer(confirmed: boolean): void {
    const file = this.pending;
    this.pending = null;
    this.dialog.close();
    if (confirmed && file) void this.restore(file, true);
  }

  private renderReminder() {
    const db = this.target.target;
    if (!this.remindDays || db?.localName !== 'rtc-master') return nothing;
    const last = this.lastBackup;
    if (last && Date.now() - last.getTime() < this.remindDays * DAY) return nothing;
    const text = last
      ? msg(str`The last backup is ${ago(last)}: make a new one, and keep it on another device.`)
      : msg('No backup of this database has been made here yet: make one, and keep it on another device.');
    return html`<p class="reminder" part="reminder" role="status">⚠ ${text}</p>`;
  }

  override render() {
    const db = this.target.target;
    const ready = !!db && (db.localName === 'rtc-master' || db.state === 'connected') && !this.busy;
    const last = this.lastBackup;
    const name = db?.localName === 'rtc-master' ? db.getAttribute('database') || 'default' : msg("the master's database");
    return html`<div class="base" part="base">
      ${this.renderReminder()}
      <p class="last">${last ? msg(html`Last backup from this browser: <time datetime=${last.toISOString()}>${formatDateTime(last)}</time> (${ago(last)}).`) : msg('No backup from this browser yet.')}</p>
      <div class="row">
        <button type="button" class="primary" ?disabled=${!ready} @click=${() => this.backup()}>${msg('Download backup')}</button>
        ${this.link ? html`<a class="save" href=${this.link.url} download=${this.link.name}>${msg(str`Save ${this.link.name}`)}</a>` : nothing}
      </div>
      <h3>${msg('Restore from file')}</h3>
      <div class="row">
        <fieldset ?disabled=${!ready}>
          <legend>${msg('Mode')}</legend>
          <label class="mode"><input type="radio" name="mode" value="merge" .checked=${this.mode === 'merge'} @change=${() => (this.mode = 'merge')}> ${msg('Merge')}</label>
          <label class="mode"><input type="radio" name="mode" value="replace" .checked=${this.mode === 'replace'} @change=${() => (this.mode = 'replace')}> ${msg('Replace everything')}</label>
        </fieldset>
        <label class="picker ${ready ? '' : 'disabled'}">${msg('Restore from file…')}
          <input type="file" accept=".zip,application/zip" ?disabled=${!ready} @change=${this.picked}>
        </label>
      </div>
      ${this.busy && this.phase
        ? html`<div class="progress" aria-live="polite">
            <span>${phaseText(this.phase)}…</span>
            <progress max=${this.total || 1} .value=${this.total ? this.loaded : 0} aria-label=${phaseText(this.phase)}></progress>
            <span class="meta">${msg(str`${formatBytes(this.loaded)} of ${formatBytes(this.total)}`)}</span>
          </div>`
        : nothing}
      ${this.done ? html`<p class="done" role="status">${this.done}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert" part="error">${this.error}</p>` : nothing}
      <dialog aria-labelledby="confirm-title" @cancel=${() => this.answer(false)}>
        <h2 id="confirm-title">${msg('Replace everything?')}</h2>
        <p>${msg(html`Every record and file of ${name} will be replaced by those in <strong>${this.pending?.name ?? ''}</strong>. Records that are not in the file are lost.`)}</p>
        <p>${msg('The file is checked first: if it is damaged, nothing changes.')}</p>
        <div class="row">
          <button type="button" @click=${() => this.answer(false)}>${msg('Cancel')}</button>
          <button type="button" class="danger" @click=${() => this.answer(true)}>${msg('Replace everything')}</button>
        </div>
      </dialog>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-backup': RtcBackup;
  }
}
