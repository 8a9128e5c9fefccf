/**
 * Parts of `<rtc-query-form>` that render from what they are given: the creation form, the
 * import picker with its progress, the search form, the pager, the busy line of a slow search,
 * and the highlight of rows that changed (`live`) with its announcement. The element keeps the state and passes it in.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';
import type { FieldSpec } from './fields.js';
import { formatNumber } from '../../i18n/format.js';
import type { DatabaseElement } from '../database-element.js';
import { readImportFile } from './import-file.js';

/** The labelled inputs of `specs` (a number field gets a decimal keyboard), `invalid` marked. */
export function fieldInputs(specs: readonly FieldSpec[], invalid: string, value: (name: string) => string | undefined = () => undefined, first?: boolean): TemplateResult[] {
  return specs.map((f, i) => html`<label>${f.name}<input name=${f.name} autocomplete="off" .value=${value(f.name) ?? ''}
    inputmode=${f.type === 'number' ? 'decimal' : 'text'} aria-invalid=${invalid === f.name ? 'true' : 'false'} ?autofocus=${first === true && i === 0} /></label>`);
}

/** The "New record" form. */
export function createForm(specs: readonly FieldSpec[], invalid: string, bound: boolean, submit: (event: SubmitEvent) => void) {
  if (specs.length === 0) return nothing;
  return html`<form part="create" novalidate @submit=${submit} aria-label=${msg('New record')}>
    <fieldset ?disabled=${!bound}>
      <legend>${msg('New record')}</legend>
      <div class="fields">${fieldInputs(specs, invalid)}</div>
      <button type="submit">${msg('Add record')}</button>
    </fieldset>
  </form>`;
}

/** The import picker and, while importing, its progress bar. */
export function importPart(importing: { loaded: number; total: number } | null, bound: boolean, change: (event: Event) => void) {
  return html`<div class="import">
    <label>${msg('Import records (JSON or CSV)')}
      <input type="file" accept=".json,.csv,application/json,text/csv" ?disabled=${!bound || importing !== null} @change=${change} />
    </label>
    ${importing
      ? html`<label class="progress">${msg(str`Importing ${formatNumber(importing.loaded)} of ${importing.total ? formatNumber(importing.total) : '…'} records`)}
          <progress max=${importing.total || 1} .value=${importing.loaded}></progress></label>`
      : nothing}
  </div>`;
}

/**
 * Imports `file` (JSON or CSV, import-file.ts) into `t` through `bulkPut`, telling `progress` the
 * documents stored after each chunk (`rtc-bulk-progress`). @returns how many were imported.
 * @throws RtcError from reading the file or from the master.
 */
export async function importInto(t: DatabaseElement, file: File, progress: (p: { loaded: number; total: number }) => void): Promise<number> {
  const onProgress = (e: Event): void => progress((e as CustomEvent<{ loaded: number; total: number }>).detail);
  t.addEventListener('rtc-bulk-progress', onProgress);
  try {
    progress({ loaded: 0, total: 0 });
    return (await t.bulkPut(await readImportFile(file))).length;
  } finally {
    t.removeEventListener('rtc-bulk-progress', onProgress);
  }
}

/** A search running for a while: a spinner (still under reduced motion, slower), the words, and Cancel. */
export function busyLine(cancel: () => void) {
  return html`<div class="busy" part="busy"><span class="spinner" aria-hidden="true"></span><span>${msg('Searching…')}</span>
    <button type="button" class="secondary" @click=${cancel}>${msg('Cancel search')}</button></div>`;
}

/**
 * live: rows that just changed, each with the animation name (0 or 1) it flashes with, for
 * `ms` (the CSS animation lasts as long); a row changed again restarts with the other name.
 */
export class RowFlash {
  private readonly flashing = new Map<string, number>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly ms: number, private readonly update: () => void) {}

  /** The class of row `id`: `changed-0`, `changed-1` or ''. */
  classOf(id: string): string {
    const n = this.flashing.get(id);
    return n === undefined ? '' : `changed-${n}`;
  }

  flash(id: string): void {
    this.flashing.set(id, this.flashing.get(id) === 0 ? 1 : 0);
    clearTimeout(this.timers.get(id));
    this.timers.set(id, setTimeout(() => {
      this.timers.delete(id);
      this.flashing.delete(id);
      this.update();
    }, this.ms));
    this.update();
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

/** The search form: `query` shown, submit disabled until the form has a database (`bound`). */
export function searchForm(query: string, bound: boolean, submit: (event: SubmitEvent) => void) {
  return html`<form part="search" role="search" @submit=${submit}>
    <div class="search-row">
      <label>${msg('Search')}<input type="search" name="q" .value=${query} placeholder=${msg('words, or a query like name:"%an%"')} /></label>
      <button type="submit" ?disabled=${!bound}>${msg('Search')}</button>
    </div>
    <p class="hint">${msg(html`Plain words search every field; text with <code>:</code> is a jIO query, e.g. <code>region:Europe AND area:&gt;100000</code>.`)}</p>
  </form>`;
}

/** Previous / Page N / Next; `page` counts from 0, `turn` gets −1 or +1. */
export function pager(page: number, hasNext: boolean, busy: boolean, turn: (delta: number) => void) {
  return html`<nav aria-label=${msg('Result pages')}>
    <button type="button" class="secondary" ?disabled=${page === 0 || busy} @click=${() => turn(-1)}>${msg('Previous')}</button>
    <span>${msg(str`Page ${formatNumber(page + 1)}`)}</span>
    <button type="button" class="secondary" ?disabled=${!hasNext || busy} @click=${() => turn(1)}>${msg('Next')}</button>
  </nav>`;
}

/** What a live refresh announces: `2 new, 1 changed records`. */
export function liveNote(added: number, updated: number): string {
  const parts = [added && msg(str`${formatNumber(added)} new`), updated && msg(str`${formatNumber(updated)} changed`)].filter(Boolean).join(', ');
  return added + updated === 1 ? msg(str`${parts} record`) : msg(str`${parts} records`);
}
