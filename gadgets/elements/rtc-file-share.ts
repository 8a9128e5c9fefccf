import { LitElement, html, css, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { TargetController } from '../controllers/target-controller.js';
import type { AttachmentInfo } from '../api.js';
import { RtcErrorEvent } from '../events/events.js';
import { hostStyles } from '../styles/host.styles.js';
import { dropEntries, entriesToFiles, isEditable, pickedFolder, type NamedFile } from './file-share-folder.js';
import { editorStyles, renderEditor, type TextEdit } from './file-share-edit.js';
import { msg, str } from '@lit/localize';
import { localized } from '../i18n/locale.js';
// Decimal sizes (`12.3 MB`), as file managers show them, in the page's language.
import { formatBytes } from '../i18n/format.js';

interface Transfer {
  name: string;
  direction: 'up' | 'down';
  loaded: number;
  total: number;
}

/**
 * Shares files as the attachments of one document of a bound `<rtc-master>` or `<rtc-slave>`:
 * lists them, uploads files chosen with the picker or dropped on it (a native `<progress>` per
 * file, fed by `rtc-progress`: bytes stored by the master), downloads them (an `<a download>`
 * with an object URL) and removes them. Uploading to a document that does not exist creates it
 * (an empty document). Interrupted uploads resume where the master stopped storing.
 *
 * @tagname rtc-file-share
 * @summary Upload, list, download and remove the attachments of a document.
 * @csspart base - The box around everything.
 * @csspart drop - The drop zone with the file picker.
 * @csspart list - The list of attachments.
 * @csspart error - The last error.
 * @fires rtc-error - `{ error }` when a transfer or listing fails.
 */
@localized()
export class RtcFileShare extends LitElement {
  static override styles = [
    hostStyles,
    editorStyles,
    css`
      .base {
        border: 1px solid var(--_border);
        border-radius: 8px;
        padding: 0.8rem;
        background: var(--_surface);
      }
      .drop {
        border: 2px dashed var(--_border-strong);
        border-radius: 8px;
        padding: 1rem;
        text-align: center;
        display: flex;
        flex-direction: column;
        align-items: center;
        gap: 0.4rem;
      }
      .drop.over { border-color: var(--_focus); background: var(--_info-surface); }
      .picker {
        display: inline-block;
        padding: 0.5rem 1rem;
        border-radius: 6px;
        background: var(--_accent);
        color: var(--_on-accent);
        font-weight: 600;
        cursor: pointer;
        min-height: 44px;
        line-height: 1.6;
      }
      .picker input {
        position: absolute;
        width: 1px;
        height: 1px;
        opacity: 0;
        overflow: hidden;
      }
      .pickers { display: flex; gap: 0.5rem; flex-wrap: wrap; justify-content: center; }
      .hint { color: var(--_muted); font-size: 0.9em; margin: 0; }
      ul { list-style: none; margin: 0.8rem 0 0; padding: 0; }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4rem 0.8rem;
        padding: 0.5rem 0;
        border-top: 1px solid var(--_border);
      }
      li:first-child { border-top: none; }
      .name { font-weight: 600; overflow-wrap: anywhere; flex: 1 1 12rem; min-width: 0; }
      .meta { color: var(--_muted); font-size: 0.88em; }
      .actions { display: flex; gap: 0.4rem; flex-wrap: wrap; }
      button, a.save {
        font: inherit;
        min-height: 44px;
        padding: 0.3rem 0.8rem;
        border-radius: 6px;
        border: 1px solid var(--_border);
        background: var(--_sunken);
        color: inherit;
        cursor: pointer;
        text-decoration: none;
        display: inline-flex;
        align-items: center;
      }
      a.save { background: var(--_ok-surface); border-color: var(--_ok-border); }
      button:disabled { opacity: 0.6; cursor: default; }
      progress { flex: 1 1 10rem; height: 1.1rem; }
      .transfer { font-size: 0.9em; }
      .error { color: var(--_danger); margin: 0.6rem 0 0; overflow-wrap: anywhere; }
      .empty { color: var(--_muted); margin: 0.8rem 0 0; }
      h3 { font-size: 1rem; margin: 0.9rem 0 0; }
      .files-head { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; margin-top: 0.9rem; }
      .files-head h3 { margin: 0; }
      .files-head button { min-height: 36px; padding: 0.2rem 0.7rem; font-size: 0.9em; }
    `,
  ];

  /** Id of the `<rtc-master>` or `<rtc-slave>` to use; default the closest ancestor. */
  @property({ attribute: 'for' }) htmlFor = '';
  /** Id of the document whose attachments are shown. */
  @property() doc = '';

  @state() private files: Record<string, AttachmentInfo> = {};
  @state() private transfers: Transfer[] = [];
  @state() private error = '';
  @state() private over = false;
  @state() private links: Record<string, string> = {};
  @state() private editing: TextEdit | null = null;

  private readonly target = new TargetController(this, () => this.htmlFor);
  private listedFor = '';

  constructor() {
    super();
    this.target.onTargetEvent = (type) => {
      if (type === 'attach' || type === 'rtc-state-change') void this.refresh();
    };
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const url of Object.values(this.links)) URL.revokeObjectURL(url);
    this.links = {};
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('htmlFor') && changed.get('htmlFor') !== undefined) this.target.resolve();
    if (changed.has('doc') && this.doc !== this.listedFor) void this.refresh();
  }

  /** Lists the document's attachments again (also the Refresh button: others may have added files). */
  async refresh(): Promise<void> {
    const db = this.target.target;
    if (!db || !this.doc) return;
    if (db.localName === 'rtc-slave' && db.state !== 'connected') return;
    this.listedFor = this.doc;
    try {
      this.files = await db.allAttachments(this.doc);
    } catch (e) {
      if ((e as { status_code?: number }).status_code === 404) this.files = {};
      else this.fail(e as Error);
    }
  }

  /**
   * Uploads `files` one after the other, each under its own name or, for a `{ name, file }`, under
   * `name` (a path inside a dropped folder: `css/site.css`).
   */
  async upload(files: Iterable<File | NamedFile>): Promise<void> {
    const db = this.target.target;
    if (!db || !this.doc) return;
    for (const item of files) {
      const { name, file } = item instanceof File ? { name: item.name, file: item } : item;
      const t: Transfer = { name, direction: 'up', loaded: 0, total: file.size };
      this.transfers = [...this.transfers, t];
      const onProgress = (loaded: number, total: number): void => {
        t.loaded = loaded;
        t.total = total;
        this.requestUpdate();
      };
      try {
        try {
          await db.putAttachment(this.doc, name, file, { onProgress });
        } catch (e) {
          if ((e as { status_code?: number }).status_code !== 404) throw e;
          await db.put(this.doc, {});
          await db.putAttachment(this.doc, name, file, { onProgress });
        }
      } catch (e) {
        this.fail(e as Error);
      } finally {
        this.transfers = this.transfers.filter((x) => x !== t);
      }
      await this.refresh();
    }
  }

  private async download(name: string): Promise<void> {
    const db = this.target.target;
    if (!db) return;
    const info = this.files[name];
    const t: Transfer = { name, direction: 'down', loaded: 0, total: info?.length ?? 0 };
    this.transfers = [...this.transfers, t];
    try {
      const blob = (await db.getAttachment(this.doc, name, {
        onProgress: (loaded, total) => {
          t.loaded = loaded;
          t.total = total;
          this.requestUpdate();
        },
      })) as Blob;
      if (this.links[name]) URL.revokeObjectURL(this.links[name]);
      this.links = { ...this.links, [name]: URL.createObjectURL(blob) };
      await this.updateComplete;
      const link = this.renderRoot.querySelector<HTMLAnchorElement>(`a.save[data-name="${CSS.escape(name)}"]`);
      link?.click();
      link?.focus();
    } catch (e) {
      this.fail(e as Error);
    } finally {
      this.transfers = this.transfers.filter((x) => x !== t);
    }
  }

  /** Opens text file `name` in the editor (read as text from the database). */
  async edit(name: string): Promise<void> {
    const db = this.target.target;
    if (!db) return;
    try {
      const text = (await db.getAttachment(this.doc, name, { format: 'text' })) as string;
      this.editing = { name, contentType: this.files[name]?.content_type ?? '', text, saving: false };
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private async saveEdit(): Promise<void> {
    const db = this.target.target;
    const edit = this.editing;
    if (!db || !edit) return;
    this.editing = { ...edit, saving: true };
    try {
      await db.putAttachment(this.doc, edit.name, new Blob([edit.text], { type: edit.contentType || 'text/plain' }));
      this.editing = null;
    } catch (e) {
      this.editing = { ...edit, saving: false };
      this.fail(e as Error);
    }
    await this.refresh();
  }

  private async removeFile(name: string): Promise<void> {
    const db = this.target.target;
    if (!db) return;
    try {
      await db.removeAttachment(this.doc, name);
      if (this.links[name]) URL.revokeObjectURL(this.links[name]);
      const { [name]: _gone, ...rest } = this.links;
      void _gone;
      this.links = rest;
    } catch (e) {
      this.fail(e as Error);
    }
    await this.refresh();
  }

  private fail(error: Error): void {
    this.error = error.message;
    this.dispatchEvent(new RtcErrorEvent(error));
  }

  private readonly onPick = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    this.error = '';
    void this.upload(files);
  };

  private readonly onDragOver = (e: DragEvent): void => {
    e.preventDefault();
    this.over = true;
  };

  private readonly onPickFolder = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const files = pickedFolder([...(input.files ?? [])]);
    input.value = '';
    this.error = '';
    void this.upload(files);
  };

  private readonly onDrop = (e: DragEvent): void => {
    e.preventDefault();
    this.over = false;
    this.error = '';
    // A folder among what was dropped: walk it, names keep their paths (file-share-folder.ts).
    const entries = dropEntries(e.dataTransfer);
    const plain = [...(e.dataTransfer?.files ?? [])];
    if (entries.some((entry) => entry.isDirectory)) void entriesToFiles(entries).then((files) => this.upload(files), (err: Error) => this.fail(err));
    else void this.upload(plain);
  };

  protected override render() {
    const names = Object.keys(this.files).sort();
    const ready = !!this.target.target && !!this.doc;
    return html`<div class="base" part="base">
      <div
        class="drop ${this.over ? 'over' : ''}"
        part="drop"
        @dragover=${this.onDragOver}
        @dragleave=${() => (this.over = false)}
        @drop=${this.onDrop}
      >
        <span class="pickers">
          <label class="picker">${msg('Add files')}<input type="file" multiple ?disabled=${!ready} @change=${this.onPick} /></label>
          <label class="picker">${msg('Add a folder')}<input type="file" webkitdirectory ?disabled=${!ready} @change=${this.onPickFolder} /></label>
        </span>
        <p class="hint">${msg('or drop files or a folder here')}</p>
      </div>
      ${this.transfers.length
        ? html`<h3>${msg('Transfers')}</h3>
            <ul aria-live="polite">
              ${this.transfers.map(
                (t) => html`<li class="transfer">
                  <span class="name">${t.direction === 'up' ? msg(str`Uploading ${t.name}`) : msg(str`Downloading ${t.name}`)}</span>
                  <progress max=${t.total || 1} .value=${t.total ? t.loaded : 0} aria-label=${t.direction === 'up' ? msg(str`Upload of ${t.name}`) : msg(str`Download of ${t.name}`)}></progress>
                  <span class="meta">${msg(str`${formatBytes(t.loaded)} of ${formatBytes(t.total)}`)}</span>
                </li>`,
              )}
            </ul>`
        : nothing}
      <div class="files-head">
        <h3>${msg('Files')}</h3>
        <button type="button" class="refresh" ?disabled=${!ready} @click=${() => this.refresh()}>${msg('Refresh')}</button>
      </div>
      ${names.length === 0
        ? html`<p class="empty">${msg('No files yet.')}</p>`
        : html`<ul part="list" aria-label=${msg(str`Files of ${this.doc}`)}>
            ${names.map((name) => {
              const f = this.files[name];
              const link = this.links[name];
              return html`<li>
                <span class="name">${name}</span>
                <span class="meta">${formatBytes(f.length)} · ${f.content_type.split(';')[0]}</span>
                <span class="actions">
                  ${link
                    ? html`<a class="save" data-name=${name} href=${link} download=${name}>${msg(str`Save ${name}`)}</a>`
                    : html`<button type="button" @click=${() => this.download(name)} aria-label=${msg(str`Download ${name}`)}>${msg('Download')}</button>`}
                  ${isEditable(name, f.content_type, f.length)
                    ? html`<button type="button" @click=${() => this.edit(name)} aria-label=${msg(str`Edit ${name}`)}>${msg('Edit')}</button>`
                    : nothing}
                  <button type="button" @click=${() => this.removeFile(name)} aria-label=${msg(str`Remove ${name}`)}>${msg('Remove')}</button>
                </span>
              </li>`;
            })}
          </ul>`}
      ${this.editing
        ? renderEditor(this.editing, {
            change: (text) => { if (this.editing) this.editing = { ...this.editing, text }; },
            save: () => void this.saveEdit(),
            cancel: () => { this.editing = null; },
          })
        : nothing}
      ${this.error ? html`<p class="error" role="alert" part="error">${this.error}</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-file-share': RtcFileShare;
  }
}
