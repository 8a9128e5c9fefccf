import { css } from 'lit';

/** Shared host rules for every element (after Shoelace's component.styles.ts). */
export const hostStyles = css`
  :host {
    display: block;
    box-sizing: border-box;
    font-family: var(--rtc-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    color: var(--rtc-color-text, #1f2933);
  }
  :host *,
  :host *::before,
  :host *::after {
    box-sizing: inherit;
  }
  [hidden] {
    display: none !important;
  }
`;
