import { css } from 'lit';
import { hostStyles } from '../styles/host.styles.js';

/** `<rtc-replicate>`'s styles (its parts: base, status, sync, counts, conflicts, error, next). */
export const replicateStyles = [
  hostStyles,
  css`
    .base { border: 1px solid var(--_border); border-radius: 8px; padding: 0.8rem; background: var(--_surface); display: grid; gap: 0.6rem; }
    .head { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; justify-content: space-between; }
    .title { margin: 0; font-size: 1rem; font-weight: 600; }
    .remote { color: var(--_muted); font-size: 0.9em; overflow-wrap: anywhere; }
    .status { display: inline-flex; align-items: center; gap: 0.4rem; }
    .dot { width: 0.7rem; height: 0.7rem; border-radius: 50%; background: var(--rtc-sync-color, var(--_neutral)); flex: none; }
    :host([state='syncing']) { --rtc-sync-color: var(--rtc-status-color-connecting, var(--_warn)); }
    :host([state='ok']) { --rtc-sync-color: var(--rtc-status-color-connected, var(--_ok)); }
    :host([state='error']), :host([state='conflict']) { --rtc-sync-color: var(--rtc-status-color-error, var(--_danger)); }
    button {
      font: inherit; min-height: 44px; padding: 0.4rem 1rem; border-radius: 6px; cursor: pointer; font-weight: 600;
      border: 1px solid var(--_accent); background: var(--_accent); color: var(--_on-accent);
    }
    button:disabled { opacity: 0.6; cursor: default; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 0.8rem; margin: 0; }
    dt { color: var(--_muted); }
    dd { margin: 0; font-variant-numeric: tabular-nums; }
    progress { width: 100%; height: 0.9rem; }
    .conflicts { margin: 0; padding: 0.5rem 0.7rem; border-radius: 6px; background: var(--_warn-surface); border: 1px solid var(--_warn-border); }
    .conflicts ul { margin: 0.3rem 0 0; padding-left: 1.2rem; }
    .conflicts code { overflow-wrap: anywhere; }
    .error { margin: 0; color: var(--_danger); overflow-wrap: anywhere; }
    .missing { margin: 0; padding: 0.5rem 0.7rem; border-radius: 6px; background: var(--_sunken); border: 1px solid var(--_border); }
  `,
];
