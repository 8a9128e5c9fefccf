/**
 * The edit dialog of `<rtc-query-form>` (README.md `<rtc-query-form>`): a row opened for editing
 * in a modal `<dialog>` with the same labelled fields as the creation form, Save, Cancel (also
 * Escape) and Delete with a confirmation step. The host owns the element; this class keeps the
 * editing state and renders the dialog, as `status-names.ts` does for a rename.
 *
 * Nothing is overwritten silently: the record is read again before a save or a delete and
 * compared with the version the edits started from (`sameDoc`), and the host passes the changes
 * feed's batches (`noticeChanges`), so a record another device changed or deleted while it was
 * open shows a message at once, with the choice to load their version or save anyway. A save
 * changes only the fields whose text was edited (`applyEdits`); other keys stay as stored.
 */
import { html, nothing } from 'lit';
import { ref } from 'lit/directives/ref.js';
import { msg, str } from '@lit/localize';
import type { ChangesResult, DatabaseApi, Doc } from '../../api.js';
import { applyEdits, fieldText, firstInvalid, sameDoc, type FieldSpec } from './fields.js';
import { fieldInputs } from './form-parts.js';

/** What the editor needs from the element that shows it. */
export interface EditorHost {
  /** Where the dialog is rendered (the host's shadow root). */
  root(): ParentNode;
  /** Renders the host again (its render calls `render()` here). */
  requestUpdate(): void;
  /** Settles once the host has rendered. */
  whenUpdated(): Promise<unknown>;
  /** The bound master or slave, or null. */
  database(): DatabaseApi | null;
  /** The form's fields. */
  fieldSpecs(): FieldSpec[];
  /** The dialog closed: `done` says what happened to record `id` (the host refreshes and moves the focus back). */
  editorClosed(id: string, done: 'saved' | 'deleted' | 'cancelled'): void;
  /** An error as a person reads it. */
  describe(e: unknown): string;
}

/** Why the record can no longer be saved as it was opened: another device changed or deleted it. */
type Conflict = { kind: 'changed'; theirs: Doc } | { kind: 'deleted' } | null;

export class RecordEditor {
  /** The record open for editing, or null. */
  id: string | null = null;
  private base: Doc = {};
  /** What each input showed when it was filled: a field left so keeps its stored value. */
  private shown: Record<string, string> = {};
  private conflict: Conflict = null;
  private confirming = false;
  private working = false;
  private error = '';
  private invalid = '';

  constructor(private readonly host: EditorHost) {}

  /** Whether a record is open. */
  get open(): boolean {
    return this.id !== null;
  }

  /**
   * Reads record `id` and opens it for editing (the first field gets the focus).
   * @throws RtcError from `get` (404 when it is gone), for the host to show.
   */
  async start(id: string): Promise<void> {
    const db = this.host.database();
    if (!db) return;
    const doc = await db.get(id);
    this.reset();
    this.id = id;
    this.load(doc);
    this.host.requestUpdate();
  }

  /** A batch of the changes feed: a change to the open record by someone else shows a conflict. */
  noticeChanges(batch: ChangesResult): void {
    const id = this.id;
    const db = this.host.database();
    if (id === null || !db || this.working || !batch.results.some((r) => r.id === id)) return;
    db.get(id).then(
      (doc) => {
        if (this.id === id && !this.working && !sameDoc(doc, this.base)) this.setConflict({ kind: 'changed', theirs: doc });
      },
      () => {
        if (this.id === id && !this.working) this.setConflict({ kind: 'deleted' });
      },
    );
  }

  /** Closes without saving (Cancel, Escape, the dialog closed). */
  cancel(): void {
    this.close('cancelled');
  }

  private reset(): void {
    this.conflict = null;
    this.confirming = false;
    this.working = false;
    this.error = '';
    this.invalid = '';
  }

  /** Makes `doc` the version being edited; `refill` also puts its values in the inputs. */
  private load(doc: Doc, refill = false): void {
    this.base = doc;
    this.shown = Object.fromEntries(this.host.fieldSpecs().map((f) => [f.name, fieldText(doc[f.name])]));
    if (!refill) return;
    for (const input of this.inputs()) input.value = this.shown[input.name] ?? '';
  }

  private setConflict(conflict: Conflict): void {
    this.conflict = conflict;
    this.host.requestUpdate();
  }

  private close(done: 'saved' | 'deleted' | 'cancelled'): void {
    const id = this.id;
    if (id === null) return;
    this.id = null;
    this.reset();
    this.host.requestUpdate();
    this.host.editorClosed(id, done);
  }

  private inputs(): HTMLInputElement[] {
    return [...this.host.root().querySelectorAll<HTMLInputElement>('dialog.editor input')];
  }

  private focus(selector: string): void {
    void this.host.whenUpdated().then(() => this.host.root().querySelector<HTMLElement>(`dialog.editor ${selector}`)?.focus());
  }

  /** The record as stored now, or null when it is gone (404). */
  private async current(db: DatabaseApi, id: string): Promise<Doc | null> {
    try {
      return await db.get(id);
    } catch (e) {
      if ((e as { status_code?: number }).status_code === 404) return null;
      throw e;
    }
  }

  /**
   * Runs `work` with the buttons disabled, showing its error in the dialog. `check`: stop with
   * a conflict when the record is no longer the version the edits started from.
   */
  private async act(check: boolean, work: (db: DatabaseApi, id: string, current: Doc | null) => Promise<void>): Promise<void> {
    const db = this.host.database();
    const id = this.id;
    if (!db || id === null || this.working) return;
    this.working = true;
    this.error = '';
    this.host.requestUpdate();
    try {
      const current = await this.current(db, id);
      if (this.id !== id) return;
      const conflict: Conflict = current === null ? { kind: 'deleted' } : sameDoc(current, this.base) ? null : { kind: 'changed', theirs: current };
      if (check && conflict) {
        this.conflict = conflict;
        this.confirming = false;
        this.focus('.conflict button');
        return;
      }
      await work(db, id, current);
    } catch (e) {
      this.error = this.host.describe(e);
    } finally {
      this.working = false;
      this.host.requestUpdate();
    }
  }

  /** Saves the edited fields; `force`: over a conflict (their other changes are kept). */
  private save(force: boolean): void {
    const texts = Object.fromEntries(this.inputs().map((i) => [i.name, i.value]));
    const fields = this.host.fieldSpecs();
    const bad = firstInvalid(fields, texts, this.shown);
    this.invalid = bad?.name ?? '';
    if (bad) {
      this.error = bad.message;
      this.host.requestUpdate();
      this.focus(`input[name="${CSS.escape(bad.name)}"]`);
      return;
    }
    void this.act(!force, async (db, id, current) => {
      await db.put(id, applyEdits(current ?? this.base, fields, texts, this.shown));
      this.close('saved');
    });
  }

  private askDelete(confirming: boolean): void {
    this.confirming = confirming;
    this.host.requestUpdate();
    this.focus(confirming ? 'button.keep' : 'button.delete');
  }

  private loadTheirs(): void {
    if (this.conflict?.kind !== 'changed') return;
    this.load(this.conflict.theirs, true);
    this.conflict = null;
    this.host.requestUpdate();
    this.focus('input');
  }

  /** The dialog, while a record is open. */
  render() {
    if (this.id === null) return nothing;
    const fields = this.host.fieldSpecs();
    const listed = new Set(fields.map((f) => f.name));
    const others = Object.keys(this.base).filter((k) => !listed.has(k));
    // Shown as modal once it is in the page (a ref runs before the template is inserted).
    const show = (el?: Element): void => {
      if (el instanceof HTMLDialogElement) void this.host.whenUpdated().then(() => el.isConnected && !el.open && el.showModal());
    };
    const submit = (event: SubmitEvent): void => {
      event.preventDefault();
      this.save(false);
    };
    return html`<dialog class="editor" part="editor" aria-labelledby="editor-title" aria-describedby="editor-id"
        @close=${() => this.cancel()} ${ref(show)}>
      <form novalidate @submit=${submit} aria-busy=${this.working ? 'true' : 'false'}>
        <h2 id="editor-title">${msg('Edit record')}</h2>
        <p class="record-id" id="editor-id">${msg(html`Record <code>${this.id}</code>`)}</p>
        ${this.renderConflict()}
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <div class="fields">
          ${fieldInputs(fields, this.invalid, (name) => this.shown[name], true)}
        </div>
        ${others.length > 0 ? html`<p class="hint">${msg(str`Kept as they are: ${others.join(', ')}.`)}</p>` : nothing}
        ${this.confirming
          ? html`<div class="confirm" role="group" aria-labelledby="confirm-text">
              <p id="confirm-text"><strong>${msg('Delete this record?')}</strong> ${msg('This cannot be undone.')}</p>
              <div class="actions">
                <button type="button" class="danger" ?disabled=${this.working} @click=${() => void this.act(true, async (db, id) => {
                  await db.remove(id);
                  this.close('deleted');
                })}>${msg('Delete record')}</button>
                <button type="button" class="secondary keep" @click=${() => this.askDelete(false)}>${msg('Keep it')}</button>
              </div>
            </div>`
          : html`<div class="actions">
              <button type="submit" ?disabled=${this.working}>${msg('Save')}</button>
              <button type="button" class="secondary" @click=${() => this.cancel()}>${msg('Cancel')}</button>
              <button type="button" class="danger delete" ?disabled=${this.working} @click=${() => this.askDelete(true)}>${msg('Delete…')}</button>
            </div>`}
      </form>
    </dialog>`;
  }

  private renderConflict() {
    if (!this.conflict) return nothing;
    const anyway = html`<button type="button" ?disabled=${this.working} @click=${() => this.save(true)}>${msg('Save mine anyway')}</button>`;
    return this.conflict.kind === 'changed'
      ? html`<div class="conflict" role="alert">
          <p><strong>${msg('Changed on another device.')}</strong> ${msg('Someone changed this record while you were editing it: saving now would overwrite their change.')}</p>
          <div class="actions"><button type="button" class="secondary" @click=${() => this.loadTheirs()}>${msg('Load their version')}</button>${anyway}</div>
        </div>`
      : html`<div class="conflict" role="alert">
          <p><strong>${msg('Deleted on another device.')}</strong> ${msg('Someone deleted this record while you were editing it. Saving puts it back with your values.')}</p>
          <div class="actions">${anyway}</div>
        </div>`;
  }
}
