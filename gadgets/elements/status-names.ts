/**
 * The device-name parts of `<rtc-status>`: a master's list of its slaves by name, and a slave's
 * own name with a rename field. Templates only; the status element keeps the editing state and
 * passes it in a model (as `pairing-panel.ts` does). Names are slave-supplied text: they are
 * only ever interpolated as text, never as markup or attributes that run anything.
 */
import { html, css, nothing } from 'lit';
import { ref } from 'lit/directives/ref.js';
import type { PeerInfo } from '../session/types.js';
import { msg, str } from '@lit/localize';
import { MAX_NAME_LENGTH } from '../channel/handshake.js';
import { buttonStyles } from '../styles/theme.styles.js';
import { formatTime } from '../i18n/format.js';

export const nameStyles = [buttonStyles, css`
  ul.peers li { overflow-wrap: anywhere; }
  .peer-name { font-weight: 600; }
  .name { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.5rem; margin-top: 0.4rem; }
  .name .label, .name label { color: var(--_muted); }
  .name .device-name { font-weight: 600; overflow-wrap: anywhere; }
  .name input { font: inherit; flex: 1 1 12rem; max-width: 24rem; padding: 0.25rem 0.45rem; border: 1px solid var(--_border-strong); border-radius: 6px; }
  .name button { font-size: 0.9em; padding: 0.15rem 0.7rem; }
  .name .detail { font-size: 0.85em; }
`];

/** The master's slaves by name (the id in a tooltip), with when each connected. */
export function peerList(peers: readonly PeerInfo[]) {
  if (peers.length === 0) return nothing;
  return html`<ul class="peers" part="peers" aria-label=${msg('Connected slaves')}>
    ${peers.map((p) => html`<li><span class="peer-name" title=${msg(str`id ${p.id}`)}>${p.name}</span> ${p.state === 'connected' && p.connectedAt
      ? msg(str`connected at ${formatTime(p.connectedAt)}`)
      : msg('connecting…')}</li>`)}
  </ul>`;
}

export interface NameEditorModel {
  /** The slave's current name. */
  name: string;
  /** True while the rename field is shown. */
  editing: boolean;
  /** Shows the field (focused, its text selected). */
  start(): void;
  /**
   * Saves `value` as the name (an unusable one is ignored by the slave) and closes the field;
   * `returnFocus`: by a key (Enter), so the focus goes back to the Rename button, not by leaving.
   */
  save(value: string, returnFocus: boolean): void;
  /** Closes the field without saving (Escape); the focus goes back to the Rename button. */
  cancel(): void;
}

/**
 * A slave's name and a Rename button; while editing, a labelled text field instead: Enter or
 * leaving the field saves, Escape cancels. The button gets the focus back when the field closes
 * by a key (the caller focuses `button.rename` after its update).
 */
export function nameEditor(model: NameEditorModel) {
  if (!model.editing) {
    return html`<div class="name" part="name">
      <span class="label">${msg('Device name')}</span> <span class="device-name">${model.name}</span>
      <button type="button" class="rename secondary" part="rename" aria-label=${msg(str`Rename this device (${model.name})`)} @click=${model.start}>${msg('Rename')}</button>
    </div>`;
  }
  const keydown = (event: KeyboardEvent): void => {
    if (event.key === 'Enter') {
      event.preventDefault();
      model.save((event.target as HTMLInputElement).value, true);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      model.cancel();
    }
  };
  const focus = (el?: Element): void => {
    if (!(el instanceof HTMLInputElement) || el.dataset.focused) return;
    el.dataset.focused = 'yes';
    queueMicrotask(() => {
      el.focus();
      el.select();
    });
  };
  return html`<div class="name" part="name">
    <label for="device-name">${msg('Device name')}</label>
    <input id="device-name" part="name-input" type="text" autocomplete="off" spellcheck="false"
      maxlength=${MAX_NAME_LENGTH} .value=${model.name} aria-describedby="device-name-hint"
      @keydown=${keydown} @blur=${(event: FocusEvent) => model.save((event.target as HTMLInputElement).value, false)} ${ref(focus)}>
    <span id="device-name-hint" class="detail">${msg('Enter saves, Escape cancels')}</span>
  </div>`;
}
