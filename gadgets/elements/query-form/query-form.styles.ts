import { css } from 'lit';
import { buttonStyles, visuallyHidden } from '../../styles/theme.styles.js';

/** The styles of `<rtc-query-form>` (after hostStyles). */
export const queryFormStyles = [buttonStyles, visuallyHidden, css`
      form, .results { margin: 0 0 1rem; }
      fieldset { border: 1px solid var(--_border); border-radius: 8px; padding: 0.6rem 0.8rem; margin: 0; }
      legend { font-weight: 600; padding: 0 0.3rem; }
      .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 0.5rem 0.8rem; margin-bottom: 0.6rem; }
      label { display: flex; flex-direction: column; gap: 0.2rem; font-size: 0.9rem; }
      input { font: inherit; padding: 0.45rem 0.5rem; border: 1px solid var(--_border-strong); border-radius: 6px; min-width: 0; }
      .search-row { display: flex; gap: 0.5rem; align-items: flex-end; flex-wrap: wrap; }
      .search-row label { flex: 1 1 14rem; }
      .hint { font-size: 0.8rem; color: var(--_muted); margin: 0.3rem 0 0; }
      .notice { margin: 0 0 0.8rem; color: var(--_ok); overflow-wrap: anywhere; }
      .error { margin: 0 0 0.8rem; padding: 0.5rem 0.7rem; border-radius: 6px; background: var(--_danger-surface); color: var(--_danger-text); overflow-wrap: anywhere; white-space: pre-wrap; }
      .error.multiline { font-family: ui-monospace, monospace; font-size: 0.85rem; }
      /* inline-size containment: a wide table scrolls in here instead of widening the page on a phone. */
      .table-wrap { contain: inline-size; overflow-x: auto; border: 1px solid var(--_border); border-radius: 8px; }
      table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
      caption { text-align: left; padding: 0.5rem 0.7rem; font-weight: 600; }
      th, td { text-align: left; padding: 0.4rem 0.7rem; border-top: 1px solid var(--_border); vertical-align: top; overflow-wrap: break-word; }
      th button { all: unset; cursor: pointer; font-weight: 600; display: inline-flex; gap: 0.3rem; }
      /* Ids are long UUIDs: cut them visually (the full id stays in the text and the title). */
      td.id { font-family: ui-monospace, monospace; font-size: 0.8rem; color: var(--_muted); white-space: nowrap; }
      .id-text { display: inline-block; vertical-align: middle; max-width: 5rem; overflow: hidden; text-overflow: ellipsis; }
      @media (min-width: 48rem) { .id-text { max-width: 20rem; } }
      /* A phone: the id goes under its Edit button, so the values keep the width. */
      @media (max-width: 30rem) { .id-text { display: block; margin-top: 0.2rem; } }
      button.edit { font: 600 0.8rem system-ui, sans-serif; padding: 0.2rem 0.6rem; margin-right: 0.4rem; vertical-align: middle; }
      @media (pointer: coarse) { button.edit { min-height: 44px; min-width: 44px; } }
      input[aria-invalid='true'] { border-color: var(--_danger); box-shadow: 0 0 0 1px var(--_danger); }
      button.danger { background: var(--_surface); color: var(--_danger-text); border-color: var(--_danger); }
      .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
      .actions .delete { margin-left: auto; }
      /* The edit dialog: modal, as wide as the page allows on a phone. */
      dialog.editor { width: min(40rem, calc(100vw - 1.5rem)); max-height: calc(100dvh - 1.5rem); padding: 1rem 1.1rem; border: 1px solid var(--_border); border-radius: 10px; color: inherit; background: var(--_surface); box-shadow: 0 10px 30px var(--_shadow); }
      dialog.editor::backdrop { background: var(--_backdrop); }
      dialog.editor h2 { margin: 0 0 0.2rem; font-size: 1.15rem; }
      .record-id { margin: 0 0 0.8rem; font-size: 0.85rem; color: var(--_muted); overflow-wrap: anywhere; }
      dialog.editor .hint { margin: 0 0 0.8rem; }
      .conflict { margin: 0 0 0.8rem; padding: 0.6rem 0.7rem; border-radius: 6px; border-left: 4px solid var(--_warn); background: var(--_warn-surface); color: var(--_text); }
      .conflict p { margin: 0 0 0.5rem; }
      .confirm { padding: 0.6rem 0.7rem; border-radius: 6px; background: var(--_danger-surface); color: var(--_danger-text); }
      .confirm p { margin: 0 0 0.5rem; }
      /* A search that takes a while: a visible busy line with its Cancel. */
      .busy { display: flex; align-items: center; flex-wrap: wrap; gap: 0.6rem; margin: 0 0 0.8rem; padding: 0.4rem 0.7rem; border-radius: 6px; background: var(--_info-surface); color: var(--_info-text); }
      .spinner { width: 1rem; height: 1rem; border-radius: 50%; border: 2px solid currentColor; border-right-color: transparent; animation: rtc-spin 0.8s linear infinite; }
      @keyframes rtc-spin { to { transform: rotate(360deg); } }
      @media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 2.4s; } }
      .import { margin: 0 0 1rem; display: grid; gap: 0.4rem; }
      .import input[type='file'] { border: none; padding: 0.2rem 0; }
      progress { width: 100%; height: 1rem; }
      .pending-badge { display: inline-block; margin-right: 0.3rem; padding: 0 0.35rem; border-radius: 999px; background: var(--_warn-surface); color: var(--_warn-text); border: 1px solid var(--_warn-border); font: 600 0.72rem system-ui, sans-serif; }
      tr.queued td { background: var(--_warn-surface); }
      nav { display: flex; align-items: center; gap: 0.8rem; margin-top: 0.6rem; flex-wrap: wrap; }
      /* live: a changed or new row flashes; two names so that a row changed again restarts it. */
      tr.changed-0 { animation: rtc-row-flash-0 1.8s ease-out; }
      tr.changed-1 { animation: rtc-row-flash-1 1.8s ease-out; }
      @keyframes rtc-row-flash-0 { from { background: var(--_highlight); } to { background: transparent; } }
      @keyframes rtc-row-flash-1 { from { background: var(--_highlight); } to { background: transparent; } }
      @media (prefers-reduced-motion: reduce) {
        tr.changed-0, tr.changed-1 { animation: none; background: var(--_highlight); }
      }
      .live { font-size: 0.8rem; font-weight: 400; color: var(--_muted); margin-left: 0.4rem; }
`];
