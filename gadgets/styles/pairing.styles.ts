import { css } from 'lit';
import { buttonStyles } from './theme.styles.js';

/** The pairing panel's look (`<rtc-pairing-panel>`): one column on a phone, two from 34rem. */
export const pairingStyles = [buttonStyles, css`
  :host { margin-bottom: 1rem; }
  .pairing {
    border: 1px solid var(--_border);
    border-radius: 10px;
    padding: 1rem;
    background: var(--_surface);
    container-type: inline-size;
  }
  .pairing h2 { margin: 0 0 0.25rem; font-size: 1.05rem; }
  .pairing h3 { margin: 0 0 0.45rem; font-size: 0.98rem; }
  .intro, .hint, figcaption { color: var(--_muted); }
  .intro { margin: 0 0 0.9rem; font-size: 0.92rem; }
  .hint { margin: 0.35rem 0 0; font-size: 0.82rem; overflow-wrap: anywhere; }
  .hint.warn { color: var(--_warn-text); }
  .steps { list-style: none; margin: 0; padding: 0; display: grid; gap: 1.1rem; }
  .token { display: grid; gap: 0.7rem; }
  @container (min-width: 34rem) {
    .token { grid-template-columns: minmax(0, 1fr) 12.5rem; align-items: start; }
  }
  label { display: block; font-size: 0.9rem; font-weight: 600; margin-bottom: 0.25rem; }
  textarea {
    display: block;
    width: 100%;
    font: 1rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    letter-spacing: 0.03em;
    padding: 0.5rem 0.6rem;
    border: 1px solid var(--_border-strong);
    border-radius: 6px;
    resize: vertical;
    min-height: 4.5rem;
    field-sizing: content;
    color: inherit;
    background: var(--_surface);
  }
  textarea[readonly] { background: var(--_sunken); }
  .actions { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin-top: 0.5rem; }
  .copied { font-size: 0.88rem; color: var(--_ok); }
  figure { margin: 0; display: grid; justify-items: center; gap: 0.3rem; }
  .qr-code { display: block; width: 100%; max-width: 15rem; height: auto; border: 1px solid var(--_border); border-radius: 6px; }
  figcaption { font-size: 0.8rem; text-align: center; }
  .error { margin: 0.5rem 0 0; padding: 0.5rem 0.7rem; border-radius: 6px; background: var(--_danger-surface); color: var(--_danger-text); overflow-wrap: anywhere; }
  .done { margin: 0; color: var(--_ok); font-weight: 600; }
  .waiting { margin: 0; color: var(--_muted); }
  .paired { display: flex; flex-wrap: wrap; align-items: center; gap: 0.6rem 1rem; }
  .paired p { margin: 0; }
  .scanner { margin-top: 0.6rem; display: grid; gap: 0.4rem; justify-items: start; }
  video { width: 100%; max-width: 20rem; border-radius: 6px; background: black; }
`];
