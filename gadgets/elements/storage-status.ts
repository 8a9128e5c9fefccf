/**
 * The storage part of `<rtc-status>` for a master: whether the browser keeps the origin's
 * storage, how full it is (usage and quota, `navigator.storage.estimate()`), a warning from
 * {@link STORAGE_WARN_RATIO} of the quota saying what to do, and, while slaves are connected,
 * that the tab must stay open. README.md "Keeping your data" says the same to developers. The
 * usage line changes with every few writes: it is not announced (rtc-status.ts announces only
 * changes of state).
 */
import { css, html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { STORAGE_WARN_RATIO, type StorageReport } from '../storage/persistence.js';
import { formatBytes, formatNumber, formatPercent } from '../i18n/format.js';

/** What the storage part shows, besides the report. */
export interface StorageView {
  /** Slaves connected now. */
  slaves: number;
  /** Asks the browser to keep the storage (the button shown while it is not persistent). */
  persist: () => void;
}

export const storageStyles = css`
  .storage { margin: 0.4rem 0 0; font-size: 0.92rem; }
  .storage p { margin: 0.2rem 0 0; }
  .storage meter { width: 10rem; max-width: 100%; vertical-align: middle; }
  .storage button { font-size: 0.9em; margin-left: 0.3rem; padding: 0.15rem 0.7rem; }
  .storage .warn {
    color: var(--rtc-status-color-error, var(--_danger));
    border-left: 3px solid currentColor;
    padding-left: 0.5rem;
  }
  .storage .keep-open { font-weight: 600; }
  .storage .usage { overflow-wrap: anywhere; }
  @media (pointer: coarse) { .storage button { min-height: 44px; } }
`;

/** The storage part: nothing while nothing is known (a page outside a secure context). */
export function storageSection(report: StorageReport | null, view: StorageView) {
  const keepOpen = view.slaves > 0
    ? html`<p class="keep-open">${view.slaves === 1 ? msg('Keep this tab open: 1 slave depends on it.') : msg(str`Keep this tab open: ${formatNumber(view.slaves)} slaves depend on it.`)}</p>`
    : nothing;
  if (!report || (report.persisted === null && report.usage === null)) return html`<div class="storage" part="storage">${keepOpen}</div>`;
  const { usage, quota, persisted } = report;
  const ratio = usage !== null && quota ? usage / quota : null;
  const full = ratio !== null && ratio >= STORAGE_WARN_RATIO;
  return html`<div class="storage" part="storage">
    <p>${msg('Storage:')} ${persisted === null
      ? nothing
      : persisted
        ? html`<strong>${msg('persistent')}</strong> ${msg('(the browser keeps it)')}`
        : html`<strong>${msg('not persistent')}</strong> ${msg('(the browser may delete it when the disk runs low)')}<button type="button" class="secondary" @click=${view.persist}>${msg("Keep this site's data")}</button>`}</p>
    ${usage !== null && quota
      ? html`<p><meter min="0" max=${quota} value=${usage} high=${quota * STORAGE_WARN_RATIO} aria-label=${msg('Storage used')}></meter>
          <span class="usage">${msg(str`${formatBytes(usage, true)} of ${formatBytes(quota, true)} used (${formatPercent(ratio!)})`)}</span></p>`
      : nothing}
    ${full
      ? html`<p class="warn" part="storage-warning" role="alert">${msg(str`Storage is ${formatPercent(ratio!)} full: writes will soon be refused.`)}
          ${persisted
            ? msg("Back up the database and delete attachments you no longer need, free disk space on this machine, or let the browser keep this site's data.")
            : msg("Back up the database and delete attachments you no longer need, free disk space on this machine, or let the browser keep this site's data (the button above; bookmarking or installing the site helps).")}</p>`
      : nothing}
    ${keepOpen}
  </div>`;
}
