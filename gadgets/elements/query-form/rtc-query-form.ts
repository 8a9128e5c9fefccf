import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ChangesResult, Doc, Row } from '../../api.js';
import { TargetController } from '../../controllers/target-controller.js';
import { WatchController } from '../../controllers/watch-controller.js';
import { searchToQuery } from './search-query.js';
import { readImportFile } from './import-file.js';
import { RtcRecordCreateEvent } from '../../events/events.js';
import { hostStyles } from '../../styles/host.styles.js';
import type { PendingWrite } from '../../session/outbox.js';
import { queryFormStyles } from './query-form.styles.js';

type Direction = 'ascending' | 'descending';

/**
 * A form bound to an `<rtc-master>` or `<rtc-slave>`: creates records with the listed fields,
 * searches (plain words → full text; text with `:` → a jIO query as typed), and shows the
 * results in a table with sortable columns and paging. Errors are shown in place.
 * With `import`, a file picker imports a JSON or CSV file through `bulkPut`, with a progress bar.
 * With `live`, it watches the database and runs the current search again when a change may touch
 * the results (debounced), keeping the page, the sort, the search text and the focus, and a
 * changed or new row flashes briefly (`--rtc-color-highlight`; still under prefers-reduced-motion).
 *
 * @tagname rtc-query-form
 * @summary Create, search, sort and page records of a master's database.
 * @fires rtc-record-create - `{ id }` after a record was created.
 * @csspart create - The "new record" form.
 * @csspart search - The search form.
 * @csspart results - The results table.
 * @csspart error - The error message.
 * @cssprop --rtc-color-highlight - Background of a row that just changed (`live`; default #fff1a8).
 */
export class RtcQueryForm extends LitElement {
  static override styles = [hostStyles, queryFormStyles];

  /** Id of the `<rtc-master>` or `<rtc-slave>` to use; default the closest ancestor. */
  @property({ attribute: 'for' }) htmlFor = '';
  /** Comma-separated field names: the inputs of the create form and the table's columns. */
  @property() fields = '';
  /** Show a file picker that imports JSON or CSV records (through `bulkPut`). */
  @property({ type: Boolean, attribute: 'import' }) allowImport = false;
  /** Rows per page. */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 20;
  /** Watch the database and update the results as others write (on a master or a slave). */
  @property({ type: Boolean, reflect: true }) live = false;

  @state() private rows: Row[] = [];
  @state() private hasNext = false;
  @state() private page = 0;
  @state() private sortKey = '';
  @state() private sortDirection: Direction = 'ascending';
  @state() private query = '';
  @state() private error = '';
  @state() private notice = '';
  @state() private busy = false;
  @state() private importing: { loaded: number; total: number } | null = null;
  /** live: ids of rows to flash, with the animation name (0 or 1) each flashes with. */
  @state() private flashing = new Map<string, number>();
  @state() private liveNote = '';
  private loaded = false;
  private generation = 0;
  /** live: ids changed since the last refresh began, and the debounce timer. */
  private changed = new Set<string>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<void> | null = null;
  private flashTimers = new Map<string, ReturnType<typeof setTimeout>>();

  private readonly target = new TargetController(this, () => this.htmlFor);
  // Every change (no docs, no query): a write may enter, leave or change the page whatever its
  // query, so the form asks the database again rather than guessing from the document.
  private readonly watcher = new WatchController(this, () => (this.live ? { since: 'now' } : null), (batch) => this.onChanges(batch));

  constructor() {
    super();
    this.target.onTargetEvent = (type) => {
      // (Re)load once the target can answer: a master at once, a slave when connected.
      const t = this.target.target;
      this.watcher.sync(t);
      if (!t) return;
      const ready = t.localName === 'rtc-master' || t.state === 'connected';
      // A slave's outbox emptied: what it held is on the master now.
      const drained = type === 'rtc-queue-change' && queued(t).size === 0;
      if (ready && (!this.loaded || type === 'rtc-state-change' || drained)) void this.search();
    };
  }

  /** The field names, trimmed. */
  get fieldList(): string[] {
    return this.fields.split(',').map((f) => f.trim()).filter(Boolean);
  }

  /** Runs the current search again (e.g. after another peer wrote). */
  async refresh(): Promise<void> {
    await this.search();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('htmlFor') && changed.get('htmlFor') !== undefined) this.target.resolve();
    if (changed.has('live')) this.watcher.sync(this.target.target);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.refreshTimer);
    for (const timer of this.flashTimers.values()) clearTimeout(timer);
    this.flashTimers.clear();
  }

  /** live: remembers the changed ids and schedules one refresh (trailing, never two at once). */
  private onChanges(batch: ChangesResult): void {
    for (const change of batch.results) this.changed.add(change.id);
    if (this.changed.size === 0) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.liveRefresh(), LIVE_DEBOUNCE_MS);
  }

  private async liveRefresh(): Promise<void> {
    if (this.refreshing) {
      // One at a time: the changes that arrive meanwhile are read by the next one.
      await this.refreshing;
      if (this.changed.size > 0) this.onChanges({ results: [], last_seq: 0 });
      return;
    }
    const ids = this.changed;
    this.changed = new Set();
    const before = new Set(this.rows.map((r) => r.id));
    this.refreshing = this.search(true);
    try {
      await this.refreshing;
    } finally {
      this.refreshing = null;
    }
    // A deletion emptied the last page: show the one before rather than an empty table.
    if (this.rows.length === 0 && this.page > 0) {
      this.page--;
      await this.search(true);
    }
    const shown = this.rows.filter((r) => ids.has(r.id));
    for (const row of shown) this.flash(row.id);
    const added = shown.filter((r) => !before.has(r.id)).length;
    const updated = shown.length - added;
    if (shown.length > 0) this.liveNote = [added && `${added} new`, updated && `${updated} changed`].filter(Boolean).join(', ') + ` record${shown.length === 1 ? '' : 's'}`;
  }

  /** Flashes row `id` (restarting its animation when it is already flashing) for a moment. */
  private flash(id: string): void {
    const flashing = new Map(this.flashing);
    flashing.set(id, flashing.get(id) === 0 ? 1 : 0);
    this.flashing = flashing;
    clearTimeout(this.flashTimers.get(id));
    this.flashTimers.set(id, setTimeout(() => {
      this.flashTimers.delete(id);
      const rest = new Map(this.flashing);
      rest.delete(id);
      this.flashing = rest;
    }, FLASH_MS));
  }

  /**
   * Runs the current search. `quiet` (a live refresh) leaves `busy` alone: busy disables the
   * paging buttons, and a disabled button loses the focus of whoever is on it.
   */
  private async search(quiet = false): Promise<void> {
    const t = this.target.target;
    if (!t) return;
    const generation = ++this.generation;
    if (!quiet) this.busy = true;
    const fields = this.fieldList;
    try {
      const result = await t.allDocs({
        query: searchToQuery(this.query),
        sort_on: this.sortKey ? [[this.sortKey, this.sortDirection]] : undefined,
        limit: [this.page * this.pageSize, this.pageSize + 1],
        ...(fields.length > 0 ? { select_list: fields } : { include_docs: true }),
      });
      if (generation !== this.generation) return; // a newer search finished first
      const rows = result.data.rows;
      this.hasNext = rows.length > this.pageSize;
      this.rows = rows.slice(0, this.pageSize);
      this.error = '';
      this.loaded = true;
    } catch (e) {
      if (generation === this.generation) this.error = describe(e);
    } finally {
      if (generation === this.generation && !quiet) this.busy = false;
    }
  }

  private async handleCreate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const t = this.target.target;
    const form = event.currentTarget as HTMLFormElement;
    if (!t) return;
    const doc: Doc = {};
    for (const field of this.fieldList) {
      const value = (form.elements.namedItem(field) as HTMLInputElement | null)?.value.trim() ?? '';
      if (value !== '') doc[field] = value;
    }
    if (Object.keys(doc).length === 0) {
      this.error = 'Fill in at least one field.';
      return;
    }
    try {
      const id = await t.post(doc);
      form.reset();
      this.notice = `Created record ${id}${queued(t).has(id) ? ' (queued on this device until the master answers)' : ''}`;
      this.error = '';
      this.dispatchEvent(new RtcRecordCreateEvent(id));
      (form.elements.namedItem(this.fieldList[0]) as HTMLInputElement | null)?.focus();
      await this.search();
    } catch (e) {
      this.error = describe(e);
    }
  }

  private async handleImport(event: Event): Promise<void> {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    const t = this.target.target;
    if (!file || !t) return;
    const onProgress = (e: Event): void => {
      const { loaded, total } = (e as CustomEvent<{ loaded: number; total: number }>).detail;
      this.importing = { loaded, total };
    };
    t.addEventListener('rtc-bulk-progress', onProgress);
    try {
      this.importing = { loaded: 0, total: 0 };
      const entries = await readImportFile(file);
      const ids = await t.bulkPut(entries);
      this.notice = `Imported ${ids.length} record${ids.length === 1 ? '' : 's'} from ${file.name}`;
      this.error = '';
      input.value = '';
      await this.search();
    } catch (e) {
      this.error = describe(e);
    } finally {
      t.removeEventListener('rtc-bulk-progress', onProgress);
      this.importing = null;
    }
  }

  private handleSearch(event: SubmitEvent): void {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('q') as HTMLInputElement;
    this.query = input.value;
    this.page = 0;
    this.notice = '';
    void this.search();
  }

  private sortBy(key: string): void {
    if (this.sortKey === key) this.sortDirection = this.sortDirection === 'ascending' ? 'descending' : 'ascending';
    else {
      this.sortKey = key;
      this.sortDirection = 'ascending';
    }
    this.page = 0;
    void this.search();
  }

  private turnPage(delta: number): void {
    this.page = Math.max(0, this.page + delta);
    void this.search();
  }

  protected override render() {
    const fields = this.fieldList;
    const columns = fields.length > 0 ? fields : columnsOf(this.rows);
    const bound = this.target.target !== null;
    const waiting = queued(this.target.target);
    return html`
      ${fields.length > 0
        ? html`<form part="create" @submit=${this.handleCreate} aria-label="New record">
            <fieldset ?disabled=${!bound}>
              <legend>New record</legend>
              <div class="fields">
                ${fields.map((f) => html`<label>${f}<input name=${f} autocomplete="off" /></label>`)}
              </div>
              <button type="submit">Add record</button>
            </fieldset>
          </form>`
        : nothing}
      ${this.allowImport
        ? html`<div class="import">
            <label>Import records (JSON or CSV)
              <input type="file" accept=".json,.csv,application/json,text/csv" ?disabled=${!bound || this.importing !== null} @change=${this.handleImport} />
            </label>
            ${this.importing
              ? html`<label class="progress">Importing ${this.importing.loaded} of ${this.importing.total || '…'} records
                  <progress max=${this.importing.total || 1} .value=${this.importing.loaded}></progress></label>`
              : nothing}
          </div>`
        : nothing}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
      <form part="search" role="search" @submit=${this.handleSearch}>
        <div class="search-row">
          <label>Search<input type="search" name="q" .value=${this.query} placeholder="words, or a query like name:&quot;%an%&quot;" /></label>
          <button type="submit" ?disabled=${!bound}>Search</button>
        </div>
        <p class="hint">Plain words search every field; text with <code>:</code> is a jIO query, e.g. <code>region:Europe AND area:&gt;100000</code>.</p>
      </form>
      ${this.error ? html`<p class="error ${this.error.includes('\n') ? 'multiline' : ''}" part="error" role="alert">${this.error}</p>` : nothing}
      <div class="results">
        <div class="table-wrap">
          <table part="results" aria-busy=${this.busy ? 'true' : 'false'}>
            <caption>Results${this.rows.length > 0 ? html` ${this.page * this.pageSize + 1}–${this.page * this.pageSize + this.rows.length}` : html`: none`}${waiting.size > 0 ? ` · ${waiting.size} waiting to be sent` : nothing}${this.live ? html`<span class="live">· live</span>` : nothing}</caption>
            <thead>
              <tr>
                <th scope="col">id</th>
                ${columns.map((c) => html`<th scope="col" aria-sort=${this.sortKey === c ? this.sortDirection : 'none'}>
                  <button type="button" @click=${() => this.sortBy(c)} aria-label="Sort by ${c}">${c}<span aria-hidden="true">${this.sortKey === c ? (this.sortDirection === 'ascending' ? '▲' : '▼') : '↕'}</span></button>
                </th>`)}
              </tr>
            </thead>
            <tbody>
              ${repeat(this.rows, (row) => row.id, (row) => {
                const doc = fields.length > 0 ? row.value : row.doc ?? {};
                const flash = this.flashing.get(row.id);
                return html`<tr data-id=${row.id} class=${flash === undefined ? '' : `changed-${flash}`}><td class="id" title=${row.id}>${pendingBadge(waiting.get(row.id))}${row.id}</td>${columns.map((c) => html`<td>${display(doc[c])}</td>`)}</tr>`;
              })}
              ${[...waiting.values()].filter((w) => w.doc && !this.rows.some((r) => r.id === w.id)).slice(0, this.pageSize).map((w) => html`<tr class="queued">
                <td class="id" title=${w.id}>${pendingBadge(w)}${w.id}</td>${columns.map((c) => html`<td>${display(w.doc![c])}</td>`)}</tr>`)}
            </tbody>
          </table>
        </div>
        ${this.live ? html`<p class="visually-hidden" role="status">${this.liveNote}</p>` : nothing}
        <nav aria-label="Result pages">
          <button type="button" class="secondary" ?disabled=${this.page === 0 || this.busy} @click=${() => this.turnPage(-1)}>Previous</button>
          <span>Page ${this.page + 1}</span>
          <button type="button" class="secondary" ?disabled=${!this.hasNext || this.busy} @click=${() => this.turnPage(1)}>Next</button>
        </nav>
      </div>
    `;
  }
}

/** A `<rtc-slave queue>`'s queued writes by document id, the last one of each (session/outbox.ts). */
function queued(t: HTMLElement | null): Map<string, PendingWrite> {
  const writes = (t as { pendingWrites?: PendingWrite[] } | null)?.pendingWrites ?? [];
  return new Map(writes.map((w) => [w.id, w]));
}

/** "pending" (or "pending removal") before the id of a record whose write waits in the outbox. */
function pendingBadge(w: PendingWrite | undefined) {
  if (!w) return nothing;
  return html`<span class="pending-badge" title="Queued on this device: not yet on the master">${w.kind === 'remove' ? 'pending removal' : 'pending'}</span>`;
}

/** live: how long changes gather before the results are read again, ms. */
const LIVE_DEBOUNCE_MS = 150;
/** live: how long a changed row stays highlighted, ms (the CSS animation lasts as long). */
const FLASH_MS = 1800;

function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function columnsOf(rows: Row[]): string[] {
  const keys = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row.doc ?? {})) if (keys.size < 8) keys.add(k);
  return [...keys];
}

/** An error as a person reads it: its message and, for a database error, its status code. */
export function describe(e: unknown): string {
  const err = e as { message?: string; status_code?: number };
  const code = typeof err?.status_code === 'number' ? ` (${err.status_code})` : '';
  return `${err?.message ?? String(e)}${code}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-query-form': RtcQueryForm;
  }
}
