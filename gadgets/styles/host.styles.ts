import { css } from 'lit';
import { focusRing, theme } from './theme.styles.js';

/** Shared host rules for every element (after Shoelace's component.styles.ts): the theme's tokens, the focus ring. */
export const hostStyles = [
  theme,
  focusRing,
  css`
    :host {
      display: block;
      box-sizing: border-box;
      font-family: var(--rtc-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
      color: var(--_text);
    }
    :host *,
    :host *::before,
    :host *::after {
      box-sizing: inherit;
    }
    [hidden] {
      display: none !important;
    }
  `,
];
