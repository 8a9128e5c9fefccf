/**
 * Editing a text attachment in place, for `<rtc-file-share>`: the file is read as text into a
 * text box; *Save* stores it again under the same name and type (a new version: `<rtc-site>`
 * pages showing it reload), *Cancel* drops the changes.
 */
import { html, css } from 'lit';
import { msg, str } from '@lit/localize';

/** A file being edited. */
export interface TextEdit {
  name: string;
  contentType: string;
  text: string;
  saving: boolean;
}

/** Styles of the in-place text editor of `<rtc-file-share>` (theme tokens, theme.styles.ts). */
export const editorStyles = css`
  .editor { display: grid; gap: 0.4rem; margin-top: 0.8rem; }
  .editor label { font-weight: 600; overflow-wrap: anywhere; }
  .editor textarea {
    font: 0.9rem/1.4 var(--rtc-font-mono, ui-monospace, monospace);
    min-height: 16rem;
    width: 100%;
    padding: 0.5rem;
    border-radius: 6px;
    border: 1px solid var(--_border);
    resize: vertical;
  }
  .editor .row { display: flex; gap: 0.4rem; flex-wrap: wrap; }
`;

/** The editor of `edit`; `change(text)` as the text is typed, `save()`, `cancel()`. */
export function renderEditor(edit: TextEdit, on: { change(text: string): void; save(): void; cancel(): void }) {
  return html`<form class="editor" part="editor" @submit=${(e: Event) => { e.preventDefault(); on.save(); }}>
    <label for="edit-text">${msg(str`Editing ${edit.name}`)}</label>
    <textarea id="edit-text" spellcheck="false" .value=${edit.text} @input=${(e: Event) => on.change((e.target as HTMLTextAreaElement).value)}></textarea>
    <div class="row">
      <button type="submit" class="save-edit" ?disabled=${edit.saving}>${edit.saving ? msg('Saving…') : msg('Save')}</button>
      <button type="button" @click=${on.cancel} ?disabled=${edit.saving}>${msg('Cancel')}</button>
    </div>
  </form>`;
}
