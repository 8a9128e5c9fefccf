import { css } from 'lit';

/** The styles of `<rtc-chat>` (after hostStyles). */
export const chatStyles = css`
  .base {
    border: 1px solid var(--rtc-color-border, #d0d7de);
    border-radius: 8px;
    background: var(--rtc-color-surface, #fff);
    display: flex;
    flex-direction: column;
    min-width: 0;
  }
  .log {
    height: var(--rtc-chat-height, 22rem);
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 0.6rem 0.8rem;
    background: #f6f8fa;
    border-radius: 8px 8px 0 0;
  }
  .log:focus-visible, textarea:focus-visible, button:focus-visible { outline: 3px solid var(--rtc-color-focus, #0969da); outline-offset: 1px; }
  ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.45rem; }
  li.message {
    max-width: min(36rem, 88%);
    align-self: flex-start;
    background: #fff;
    border: 1px solid #d8dee4;
    border-radius: 10px 10px 10px 3px;
    padding: 0.35rem 0.65rem 0.45rem;
  }
  li.message.mine { align-self: flex-end; background: #ddf4ff; border-color: #b6e3ff; border-radius: 10px 10px 3px 10px; }
  .meta { display: flex; gap: 0.5rem; align-items: baseline; flex-wrap: wrap; font-size: 0.8rem; }
  .from { font-weight: 600; overflow-wrap: anywhere; }
  time { color: var(--rtc-color-muted, #57606a); }
  .text { margin: 0.1rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  .edge { text-align: center; font-size: 0.85rem; color: var(--rtc-color-muted, #57606a); margin: 0 0 0.6rem; }
  .edge button { font: inherit; background: none; border: none; color: var(--rtc-color-accent, #0969da); text-decoration: underline; cursor: pointer; min-height: 32px; }
  .empty { color: var(--rtc-color-muted, #57606a); text-align: center; margin: 2rem 0; }
  form { border-top: 1px solid var(--rtc-color-border, #d0d7de); padding: 0.6rem 0.8rem 0.7rem; display: grid; gap: 0.3rem; }
  label { font-size: 0.85rem; font-weight: 600; }
  .compose { display: flex; gap: 0.5rem; align-items: stretch; }
  textarea {
    flex: 1 1 auto;
    min-width: 0;
    font: inherit;
    resize: vertical;
    min-height: 2.75rem;
    max-height: 12rem;
    padding: 0.45rem 0.55rem;
    border: 1px solid #8c959f;
    border-radius: 6px;
  }
  button.send {
    font: inherit;
    font-weight: 600;
    min-height: 44px;
    min-width: 4.5rem;
    padding: 0.4rem 0.9rem;
    border-radius: 6px;
    border: 1px solid #1f6feb;
    background: var(--rtc-color-accent, #0969da);
    color: #fff;
    cursor: pointer;
  }
  button.send[disabled] { opacity: 0.55; cursor: default; }
  .hint { font-size: 0.8rem; color: var(--rtc-color-muted, #57606a); margin: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; justify-content: space-between; }
  .hint strong { font-weight: 600; color: #1f2933; overflow-wrap: anywhere; }
  .error { margin: 0; padding: 0.4rem 0.6rem; border-radius: 6px; background: #ffebe9; color: #82071e; overflow-wrap: anywhere; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
