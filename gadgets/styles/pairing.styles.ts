import { css } from 'lit';

/** The pairing panel's look (`<rtc-pairing-panel>`): one column on a phone, two from 34rem. */
export const pairingStyles = css`
  :host { margin-bottom: 1rem; }
  .pairing {
    border: 1px solid var(--rtc-color-border, #d0d7de);
    border-radius: 10px;
    padding: 1rem;
    background: var(--rtc-color-surface, #fff);
    container-type: inline-size;
  }
  .pairing h2 { margin: 0 0 0.25rem; font-size: 1.05rem; }
  .pairing h3 { margin: 0 0 0.45rem; font-size: 0.98rem; }
  .intro, .hint, figcaption { color: var(--rtc-color-muted, #57606a); }
  .intro { margin: 0 0 0.9rem; font-size: 0.92rem; }
  .hint { margin: 0.35rem 0 0; font-size: 0.82rem; overflow-wrap: anywhere; }
  .hint.warn { color: #7d4e00; }
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
    border: 1px solid #8c959f;
    border-radius: 6px;
    resize: vertical;
    min-height: 4.5rem;
    field-sizing: content;
    color: inherit;
    background: #fff;
  }
  textarea[readonly] { background: #f6f8fa; }
  .actions { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin-top: 0.5rem; }
  button {
    font: inherit;
    padding: 0.45rem 0.9rem;
    border-radius: 6px;
    border: 1px solid #1f6feb;
    background: var(--rtc-color-accent, #0969da);
    color: #fff;
    cursor: pointer;
  }
  button.secondary { background: #f6f8fa; color: #1f2933; border-color: #d0d7de; }
  button[disabled] { opacity: 0.55; cursor: default; }
  button:focus-visible, textarea:focus-visible { outline: 3px solid var(--rtc-color-focus, #0969da); outline-offset: 1px; }
  .copied { font-size: 0.88rem; color: #1a7f37; }
  figure { margin: 0; display: grid; justify-items: center; gap: 0.3rem; }
  .qr-code { display: block; width: 100%; max-width: 15rem; height: auto; border: 1px solid #d0d7de; border-radius: 6px; }
  figcaption { font-size: 0.8rem; text-align: center; }
  .error { margin: 0.5rem 0 0; padding: 0.5rem 0.7rem; border-radius: 6px; background: #ffebe9; color: #82071e; overflow-wrap: anywhere; }
  .done { margin: 0; color: #1a7f37; font-weight: 600; }
  .waiting { margin: 0; color: var(--rtc-color-muted, #57606a); }
  .paired { display: flex; flex-wrap: wrap; align-items: center; gap: 0.6rem 1rem; }
  .paired p { margin: 0; }
  .scanner { margin-top: 0.6rem; display: grid; gap: 0.4rem; justify-items: start; }
  video { width: 100%; max-width: 20rem; border-radius: 6px; background: #000; }
`;
