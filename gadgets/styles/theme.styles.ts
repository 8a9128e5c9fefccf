import { css, unsafeCSS } from 'lit';

/**
 * The theme (README "Theme and languages", docs/theme.md): every colour of every element is a
 * custom property `--rtc-color-*` a page may set (on `:root`, a container or an element), read
 * here into a private `--_*` token with its default. This is the only file with colour values.
 *
 * Defaults come in a light and a dark version, chosen by `light-dark()` from the element's
 * `color-scheme`, which it inherits from the page: a page with `color-scheme: light dark` follows
 * the system's `prefers-color-scheme`, `color-scheme: dark` forces dark, and a page that says
 * nothing stays light (an element never turns dark on a light page). Browsers without
 * `light-dark()` (before Chrome 123, Firefox 120, Safari 17.5) get the light defaults.
 * Every default pair passes WCAG AA contrast for the text drawn on it (axe, test/elements/theme.test.ts).
 */
const tokens = (pick: (light: string, dark: string) => string) => `
  --_text: var(--rtc-color-text, ${pick('#1f2933', '#e6edf3')});
  --_muted: var(--rtc-color-muted, ${pick('#57606a', '#9198a1')});
  --_surface: var(--rtc-color-surface, ${pick('#ffffff', '#151b23')});
  --_sunken: var(--rtc-color-surface-sunken, ${pick('#f6f8fa', '#0d1117')});
  --_border: var(--rtc-color-border, ${pick('#d0d7de', '#3d444d')});
  --_border-strong: var(--rtc-color-border-strong, ${pick('#8c959f', '#656c76')});
  --_accent: var(--rtc-color-accent, ${pick('#0969da', '#1f6feb')});
  --_on-accent: var(--rtc-color-on-accent, ${pick('#ffffff', '#ffffff')});
  --_link: var(--rtc-color-link, ${pick('#0969da', '#4493f8')});
  --_focus: var(--rtc-color-focus, ${pick('#0969da', '#4493f8')});
  --_danger: var(--rtc-color-danger, ${pick('#cf222e', '#f85149')});
  --_danger-strong: var(--rtc-color-danger-strong, ${pick('#cf222e', '#b62324')});
  --_danger-surface: var(--rtc-color-danger-surface, ${pick('#ffebe9', '#3c1618')});
  --_danger-text: var(--rtc-color-danger-text, ${pick('#82071e', '#ffa198')});
  --_ok: var(--rtc-color-ok, ${pick('#1a7f37', '#3fb950')});
  --_ok-surface: var(--rtc-color-ok-surface, ${pick('#dafbe1', '#12261e')});
  --_ok-border: var(--rtc-color-ok-border, ${pick('#4ac26b', '#238636')});
  --_warn: var(--rtc-color-warn, ${pick('#bf8700', '#d29922')});
  --_warn-text: var(--rtc-color-warn-text, ${pick('#7d4e00', '#e3b341')});
  --_warn-surface: var(--rtc-color-warn-surface, ${pick('#fff8c5', '#272115')});
  --_warn-border: var(--rtc-color-warn-border, ${pick('#d4a72c', '#9e6a03')});
  --_info-surface: var(--rtc-color-info-surface, ${pick('#ddf4ff', '#0d2142')});
  --_info-text: var(--rtc-color-info-text, ${pick('#0a3069', '#cae8ff')});
  --_info-border: var(--rtc-color-info-border, ${pick('#b6e3ff', '#1f6feb')});
  --_highlight: var(--rtc-color-highlight, ${pick('#fff1a8', '#332800')});
  --_neutral: var(--rtc-color-neutral, ${pick('#8c959f', '#656c76')});
  --_backdrop: var(--rtc-color-backdrop, ${pick('rgb(15 23 42 / 45%)', 'rgb(1 4 9 / 70%)')});
  --_shadow: var(--rtc-color-shadow, ${pick('rgb(0 0 0 / 25%)', 'rgb(1 4 9 / 80%)')});
`;

/** The `--_*` tokens on each element's host (part of hostStyles). */
// unsafeCSS: the text is this module's own constant, built from the table above.
export const theme = unsafeCSS(`
  :host {
    ${tokens((light, dark) => `light-dark(${light}, ${dark})`)}
  }
  @supports not (color: light-dark(white, black)) {
    :host {
      ${tokens((light) => light)}
    }
  }
`);

/** The focus ring, written once: every focusable thing of every element shows it the same way. */
export const focusRing = css`
  :is(button, a, input, select, textarea, summary, [tabindex]):focus-visible,
  .picker:focus-within {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
`;

/** Buttons: accent by default, `.secondary` quiet, `.danger` destructive; sizes stay with each element. */
export const buttonStyles = css`
  button {
    font: inherit;
    padding: 0.45rem 0.9rem;
    border-radius: 6px;
    border: 1px solid var(--_accent);
    background: var(--_accent);
    color: var(--_on-accent);
    cursor: pointer;
  }
  button.secondary { background: var(--_sunken); color: var(--_text); border-color: var(--_border); }
  button.danger { background: var(--_danger-strong); color: var(--_on-accent); border-color: var(--_danger-strong); }
  button[disabled] { opacity: 0.55; cursor: default; }
`;

/** Text for screen readers only. */
export const visuallyHidden = css`
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
