import { css } from 'lit';
import { buttonStyles, visuallyHidden } from '../styles/theme.styles.js';

/** The styles of `<rtc-chat>` (after hostStyles). */
export const chatStyles = [buttonStyles, visuallyHidden, css`
  .base {
    border: 1px solid var(--_border);
    border-radius: 8px;
    background: var(--_surface);
    display: flex;
    flex-direction: column;
    min-width: 0;
  }
  .log {
    height: var(--rtc-chat-height, 22rem);
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 0.6rem 0.8rem;
    background: var(--_sunken);
    border-radius: 8px 8px 0 0;
  }
  ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.45rem; }
  li.message {
    max-width: min(36rem, 88%);
    align-self: flex-start;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 10px 10px 10px 3px;
    padding: 0.35rem 0.65rem 0.45rem;
  }
  li.message.mine { align-self: flex-end; background: var(--_info-surface); border-color: var(--_info-border); border-radius: 10px 10px 3px 10px; }
  .meta { display: flex; gap: 0.5rem; align-items: baseline; flex-wrap: wrap; font-size: 0.8rem; }
  .from { font-weight: 600; overflow-wrap: anywhere; }
  time { color: var(--_muted); }
  .text { margin: 0.1rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  .edge { text-align: center; font-size: 0.85rem; color: var(--_muted); margin: 0 0 0.6rem; }
  .edge button { font: inherit; background: none; border: none; color: var(--_link); text-decoration: underline; cursor: pointer; min-height: 32px; }
  .empty { color: var(--_muted); text-align: center; margin: 2rem 0; }
  form { border-top: 1px solid var(--_border); padding: 0.6rem 0.8rem 0.7rem; display: grid; gap: 0.3rem; }
  label { font-size: 0.85rem; font-weight: 600; }
  .compose { display: flex; gap: 0.5rem; align-items: stretch; }
  textarea {
    flex: 1 1 auto;
    width: 0; /* no intrinsic width (cols): a longer button label in French must not widen a phone page */
    min-width: 0;
    font: inherit;
    resize: vertical;
    min-height: 2.75rem;
    max-height: 12rem;
    padding: 0.45rem 0.55rem;
    border: 1px solid var(--_border-strong);
    border-radius: 6px;
  }
  button.send {
    font-weight: 600;
    min-height: 44px;
    min-width: 4.5rem;
    padding: 0.4rem 0.9rem;
  }
  .hint { font-size: 0.8rem; color: var(--_muted); margin: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; justify-content: space-between; }
  .hint strong { font-weight: 600; color: var(--_text); overflow-wrap: anywhere; }
  .error { margin: 0; padding: 0.4rem 0.6rem; border-radius: 6px; background: var(--_danger-surface); color: var(--_danger-text); overflow-wrap: anywhere; }
`];
