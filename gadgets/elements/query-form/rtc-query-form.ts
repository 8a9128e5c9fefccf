import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { msg, str } from '@lit/localize';
import { localized } from '../../i18n/locale.js';
import { formatNumber } from '../../i18n/format.js';
import type { ChangesResult, DatabaseApi, Row } from '../../api.js';
import { TargetController } from '../../controllers/target-controller.js';
import { WatchController } from '../../controllers/watch-controller.js';
import { searchToQuery } from './search-query.js';
import { RtcRecordCreateEvent } from '../../events/events.js';
import { hostStyles } from '../../styles/host.styles.js';
import { queryFormStyles } from './query-form.styles.js';
import { applyEdits, firstInvalid, parseFields, type FieldSpec } from './fields.js';
import { RecordEditor } from './record-editor.js';
import { columnsOf, describe, queued, resultsTable } from './table-parts.js';
import { busyLine, createForm, importInto, importPart, liveNote, pager, RowFlash, searchForm } from './form-parts.js';

export { describe };

type Direction = 'ascending' | 'descending';

/**
 * A form bound to an `<rtc-master>` or `<rtc-slave>`: creates records with the listed fields,
 * searches (plain words → full text; text with `:` → a jIO query as typed), and shows the
 * results in a table with sortable columns and paging. Errors are shown in place.
 * With `import`, a file picker imports a JSON or CSV file through `bulkPut`, with a progress bar.
 * With `live`, it watches the database and runs the current search again when a change may touch
 * the results (debounced), keeping the page, the sort, the search text and the focus, and a
 * changed or new row flashes briefly (`--rtc-color-highlight`; still under prefers-reduced-motion).
 * Each row's Edit button opens it in a dialog (record-editor.ts): Save, Cancel (Escape), Delete
 * with a confirmation, and a message instead of an overwrite when another device changed or
 * deleted it meanwhile. A field typed `:number` (`fields="name,population:number"`) stores numbers.
 * A search still running after {@link SLOW_MS} shows a busy line with Cancel, which aborts it
 * (on a slave, the request is cancelled on the master).
 *
 * @tagname rtc-query-form
 * @summary Create, search, sort and page records of a master's database.
 * @fires rtc-record-create - `{ id }` after a record was created.
 * @csspart create - The "new record" form.
 * @csspart search - The search form.
 * @csspart results - The results table.
 * @csspart error - The error message.
 * @csspart busy - The "Searching…" line with its Cancel button (a search running for a while).
 * @csspart editor - The edit dialog.
 * @cssprop --rtc-color-highlight - Background of a row that just changed (`live`; README "Theme and languages").
 */
@localized()
export class RtcQueryForm extends LitElement {
  static override styles = [hostStyles, queryFormStyles];

  /** Id of the `<rtc-master>` or `<rtc-slave>` to use; default the closest ancestor. */
  @property({ attribute: 'for' }) htmlFor = '';
  /**
   * Comma-separated field names, each optionally typed (`name,population:number`): the inputs of
   * the create and edit forms and the table's columns. Types: `text` (default), `number`.
   */
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
  /** The create form's field whose value is not of its type (aria-invalid). */
  @state() private invalid = '';
  @state() private importing: { loaded: number; total: number } | null = null;
  /** live: rows that just changed, highlighted for FLASH_MS. */
  private readonly flashes = new RowFlash(FLASH_MS, () => this.requestUpdate());
  /** The one polite announcement (live changes, a slow search, a cancel), in a visually hidden status. */
  @state() private liveNote = '';
  /** A search has run longer than SLOW_MS: the busy line with Cancel shows. */
  @state() private slow = false;
  /** The search running now, to abort when a newer one starts or Cancel is pressed. */
  private running: AbortController | null = null;
  private slowTimer: ReturnType<typeof setTimeout> | undefined;
  /** The search the rows shown answer: what Cancel goes back to. */
  private answered: { query: string; page: number; sortKey: string; sortDirection: Direction } = { query: '', page: 0, sortKey: '', sortDirection: 'ascending' };
  private readonly editor = new RecordEditor({
    root: () => this.renderRoot, requestUpdate: () => this.requestUpdate(), whenUpdated: () => this.updateComplete,
    database: () => this.target.target as DatabaseApi | null, fieldSpecs: () => this.fieldSpecs().specs,
    editorClosed: (id, done) => this.editorClosed(id, done), describe,
  });
  private loaded = false;
  private generation = 0;
  /** live: ids changed since the last refresh began, and the debounce timer. */
  private changed = new Set<string>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<void> | null = null;

  private readonly target = new TargetController(this, () => this.htmlFor);
  // Every change (no docs, no query): a write may enter, leave or change the page whatever its
  // query, so the form asks the database again rather than guessing from the document. Also while
  // a record is open for editing, to tell at once that another device changed it.
  private readonly watcher = new WatchController(this, () => (this.live || this.editor.open ? { since: 'now' } : null), (batch) => this.onChanges(batch));

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

  /** The field names, trimmed (without their types). */
  get fieldList(): string[] {
    return this.fieldSpecs().specs.map((f) => f.name);
  }

  /** `fields` parsed (fields.ts; a split, cheap enough for every render); an unknown type is an error shown in place. */
  private fieldSpecs(): { specs: FieldSpec[]; error: string } {
    try {
      return { specs: parseFields(this.fields), error: '' };
    } catch (e) {
      return { specs: [], error: describe(e) };
    }
  }

  /** Runs the current search again (e.g. after another peer wrote). */
  async refresh(): Promise<void> {
    await this.search();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('htmlFor') && changed.get('htmlFor') !== undefined) this.target.resolve();
    // Cheap when nothing changed: `live` or the editor opening or closing starts or stops the watch.
    this.watcher.sync(this.target.target);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.refreshTimer);
    this.running?.abort();
    this.editor.cancel();
    this.flashes.clear();
  }

  /** live: remembers the changed ids and schedules one refresh (trailing, never two at once). */
  private onChanges(batch: ChangesResult): void {
    this.editor.noticeChanges(batch);
    if (!this.live) return;
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
    for (const row of shown) this.flashes.flash(row.id);
    const added = shown.filter((r) => !before.has(r.id)).length;
    const updated = shown.length - added;
    if (shown.length > 0) this.liveNote = liveNote(added, updated);
  }

  /**
   * Runs the current search, aborting the one still running (on a slave, the master stops it).
   * `quiet` (a live refresh) leaves `busy` alone: busy disables the paging buttons, and a
   * disabled button loses the focus of whoever is on it. A search still running after SLOW_MS
   * shows the busy line with Cancel.
   */
  private async search(quiet = false): Promise<void> {
    const t = this.target.target;
    if (!t) return;
    const generation = ++this.generation;
    this.running?.abort();
    const running = new AbortController();
    this.running = running;
    clearTimeout(this.slowTimer);
    this.slow = false;
    if (!quiet) {
      this.busy = true;
      this.slowTimer = setTimeout(() => {
        this.slow = true;
        this.liveNote = msg('Searching…');
      }, SLOW_MS);
    }
    const fields = this.fieldList;
    try {
      const result = await t.allDocs({
        query: searchToQuery(this.query),
        sort_on: this.sortKey ? [[this.sortKey, this.sortDirection]] : undefined,
        limit: [this.page * this.pageSize, this.pageSize + 1],
        ...(fields.length > 0 ? { select_list: fields } : { include_docs: true }),
      }, { signal: running.signal });
      if (generation !== this.generation) return; // a newer search finished first
      const rows = result.data.rows;
      this.hasNext = rows.length > this.pageSize;
      this.rows = rows.slice(0, this.pageSize);
      this.error = '';
      this.loaded = true;
      this.answered = { query: this.query, page: this.page, sortKey: this.sortKey, sortDirection: this.sortDirection };
    } catch (e) {
      if (generation === this.generation && !running.signal.aborted) this.error = describe(e);
    } finally {
      if (generation === this.generation) this.settle(quiet);
    }
  }

  /** The search running is over (answered, failed or cancelled): no busy line; `quiet` leaves `busy` alone. */
  private settle(quiet: boolean): void {
    this.running = null;
    clearTimeout(this.slowTimer);
    this.slow = false;
    if (!quiet) this.busy = false;
  }

  /** Cancel: stops the search running (on a slave, the master stops it) and says so. */
  private cancelSearch(): void {
    if (!this.running) return;
    this.running.abort();
    this.generation++;
    this.settle(false);
    // Back to the search the rows shown answer, so that paging and live refreshes do not run it again.
    ({ query: this.query, page: this.page, sortKey: this.sortKey, sortDirection: this.sortDirection } = this.answered);
    this.liveNote = msg('Search cancelled');
    this.notice = msg('Search cancelled: the results shown are those of the search before it.');
    // The Cancel button is gone: the search box is where a person goes next.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('input[name=q]')?.focus());
  }

  /** Edit: opens record `id` in the dialog; a record gone meanwhile is said in place. */
  private async edit(id: string): Promise<void> {
    try {
      await this.editor.start(id);
    } catch (e) {
      this.error = describe(e);
    }
  }

  /** The dialog closed: say what happened, read the results again, and put the focus back on the row's Edit button. */
  private editorClosed(id: string, done: 'saved' | 'deleted' | 'cancelled'): void {
    const index = this.rows.findIndex((r) => r.id === id);
    if (done !== 'cancelled') {
      this.notice = this.done(done, id);
      this.error = '';
    }
    const refreshed = done === 'cancelled' ? Promise.resolve() : this.search();
    void refreshed.then(() => this.updateComplete).then(() => {
      const buttons = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('button.edit')];
      // The same row, else (deleted) the one that took its place or the last, else the search box.
      const target = buttons.find((b) => b.dataset.id === id) ?? buttons[Math.min(index, buttons.length - 1)];
      (target ?? this.renderRoot.querySelector<HTMLInputElement>('input[name=q]'))?.focus();
    });
  }

  /** "Created record <id>", and whether it waits in a slave's outbox. */
  private done(what: 'created' | 'saved' | 'deleted', id: string): string {
    const text = what === 'created' ? msg(str`Created record ${id}`) : what === 'saved' ? msg(str`Saved record ${id}`) : msg(str`Deleted record ${id}`);
    return queued(this.target.target).has(id) ? `${text} ${msg('(queued on this device until the master answers)')}` : text;
  }

  private async handleCreate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const t = this.target.target;
    const form = event.currentTarget as HTMLFormElement;
    if (!t) return;
    const specs = this.fieldSpecs().specs;
    const texts = Object.fromEntries(specs.map((f) => [f.name, (form.elements.namedItem(f.name) as HTMLInputElement | null)?.value ?? '']));
    const bad = firstInvalid(specs, texts);
    this.invalid = bad?.name ?? '';
    if (bad) {
      this.error = bad.message;
      (form.elements.namedItem(bad.name) as HTMLInputElement | null)?.focus();
      return;
    }
    const doc = applyEdits({}, specs, texts, {});
    if (Object.keys(doc).length === 0) {
      this.error = msg('Fill in at least one field.');
      return;
    }
    try {
      const id = await t.post(doc);
      form.reset();
      this.notice = this.done('created', id);
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
    try {
      const n = await importInto(t, file, (progress) => (this.importing = progress));
      this.notice = n === 1 ? msg(str`Imported 1 record from ${file.name}`) : msg(str`Imported ${formatNumber(n)} records from ${file.name}`);
      this.error = '';
      input.value = '';
      await this.search();
    } catch (e) {
      this.error = describe(e);
    } finally {
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
    const { specs, error: fieldsError } = this.fieldSpecs();
    const fields = specs.map((f) => f.name);
    const error = fieldsError || this.error;
    const columns = fields.length > 0 ? fields : columnsOf(this.rows);
    const bound = this.target.target !== null;
    const waiting = queued(this.target.target);
    return html`
      ${createForm(specs, this.error ? this.invalid : '', bound, (e) => void this.handleCreate(e))}
      ${this.allowImport ? importPart(this.importing, bound, (e) => void this.handleImport(e)) : nothing}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
      ${searchForm(this.query, bound, (e) => this.handleSearch(e))}
      ${error ? html`<p class="error ${error.includes('\n') ? 'multiline' : ''}" part="error" role="alert">${error}</p>` : nothing}
      ${this.slow ? busyLine(() => this.cancelSearch()) : nothing}
      <div class="results">
        <div class="table-wrap">
          ${resultsTable({
            rows: this.rows, columns, editable: fields.length > 0, waiting, pageSize: this.pageSize, busy: this.busy,
            caption: html`${this.rows.length > 0
              ? msg(str`Results ${formatNumber(this.page * this.pageSize + 1)}–${formatNumber(this.page * this.pageSize + this.rows.length)}`)
              : msg('Results: none')}${waiting.size > 0 ? ` · ${msg(str`${formatNumber(waiting.size)} waiting to be sent`)}` : nothing}${this.live ? html`<span class="live">· ${msg('live')}</span>` : nothing}`,
            sortKey: this.sortKey, sortDirection: this.sortDirection, rowClass: (id) => this.flashes.classOf(id),
            sortBy: (c) => this.sortBy(c), edit: (id) => void this.edit(id),
          })}
        </div>
        <p class="visually-hidden" role="status">${this.liveNote}</p>
        ${pager(this.page, this.hasNext, this.busy, (delta) => this.turnPage(delta))}
      </div>
      ${this.editor.render()}
    `;
  }
}

/** live: how long changes gather before the results are read again, ms. */
const LIVE_DEBOUNCE_MS = 150;
/** live: how long a changed row stays highlighted, ms (the CSS animation lasts as long). */
const FLASH_MS = 1800;
/** How long a search runs before the busy line with Cancel shows, ms (a quick one never flickers it). */
const SLOW_MS = 400;

declare global {
  interface HTMLElementTagNameMap {
    'rtc-query-form': RtcQueryForm;
  }
}
