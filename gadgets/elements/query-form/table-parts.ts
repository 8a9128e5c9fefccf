/**
 * Small pieces of `<rtc-query-form>`'s results table: a slave's queued writes by id and their
 * badge (session/outbox.ts), the columns of a form without `fields`, and errors as text.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { msg, str } from '@lit/localize';
import type { Row } from '../../api.js';
import type { PendingWrite } from '../../session/outbox.js';
import { fieldText } from './fields.js';

/** What the results table shows, and what its buttons call. */
export interface ResultsModel {
  rows: Row[];
  columns: string[];
  /** The form lists fields: rows have an Edit button and their values are `row.value`. */
  editable: boolean;
  /** A slave's queued writes by id. */
  waiting: Map<string, PendingWrite>;
  pageSize: number;
  busy: boolean;
  caption: TemplateResult;
  sortKey: string;
  sortDirection: 'ascending' | 'descending';
  rowClass(id: string): string;
  sortBy(column: string): void;
  edit(id: string): void;
}

/** The results table: sortable column headers (`aria-sort`), then one row per record, then the queued ones. */
export function resultsTable(m: ResultsModel) {
  const { rows, columns, waiting } = m;
  return html`<table part="results" aria-busy=${m.busy ? 'true' : 'false'}>
    <caption>${m.caption}</caption>
    <thead>
      <tr>
        <th scope="col">id</th>
        ${columns.map((c) => html`<th scope="col" aria-sort=${m.sortKey === c ? m.sortDirection : 'none'}>
          <button type="button" @click=${() => m.sortBy(c)} aria-label=${msg(str`Sort by ${c}`)}>${c}<span aria-hidden="true">${m.sortKey === c ? (m.sortDirection === 'ascending' ? '▲' : '▼') : '↕'}</span></button>
        </th>`)}
      </tr>
    </thead>
    <tbody>
      ${repeat(rows, (row) => row.id, (row) => {
        const doc = m.editable ? row.value : row.doc ?? {};
        // The Edit button sits in the id cell: the cells after it are the record's values.
        const edit = m.editable
          ? html`<button type="button" class="edit secondary" data-id=${row.id} aria-label=${msg(str`Edit record ${row.id}`)} @click=${() => m.edit(row.id)}>${msg('Edit')}</button>`
          : nothing;
        return html`<tr data-id=${row.id} class=${m.rowClass(row.id)}><td class="id">${edit}${pendingBadge(waiting.get(row.id))}<span class="id-text" title=${row.id}>${row.id}</span></td>${columns.map((c) => html`<td>${fieldText(doc[c])}</td>`)}</tr>`;
      })}
      ${[...waiting.values()].filter((w) => w.doc && !rows.some((r) => r.id === w.id)).slice(0, m.pageSize).map((w) => html`<tr class="queued">
        <td class="id">${pendingBadge(w)}<span class="id-text" title=${w.id}>${w.id}</span></td>${columns.map((c) => html`<td>${fieldText(w.doc![c])}</td>`)}</tr>`)}
    </tbody>
  </table>`;
}

/** A `<rtc-slave queue>`'s queued writes by document id, the last one of each (session/outbox.ts). */
export function queued(t: HTMLElement | null): Map<string, PendingWrite> {
  const writes = (t as { pendingWrites?: PendingWrite[] } | null)?.pendingWrites ?? [];
  return new Map(writes.map((w) => [w.id, w]));
}

/** "pending" (or "pending removal") before the id of a record whose write waits in the outbox. */
export function pendingBadge(w: PendingWrite | undefined) {
  if (!w) return nothing;
  return html`<span class="pending-badge" title=${msg('Queued on this device: not yet on the master')}>${w.kind === 'remove' ? msg('pending removal') : msg('pending')}</span>`;
}

/** The keys of the documents shown (at most 8), for a form without `fields`. */
export function columnsOf(rows: Row[]): string[] {
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
