/**
 * `<rtc-pairing-panel>`, internal: the pairing panel that `<rtc-master signaling="manual">` and
 * `<rtc-slave signaling="manual">` render above their content: a token to give (text with a Copy
 * button, and a QR code) and a box to enter the other side's token (typed, pasted, read from a
 * photo of its QR code, or scanned with the camera where the browser can). The host passes what
 * to show and the actions to run as one `model` property (a new object each time it renders);
 * the panel keeps its own UI state (the text typed, busy, errors, copy and scan feedback) and
 * calls the model's methods. The sessions do the pairing. Keyboard usable (native buttons and
 * text areas, every field labelled, focus moves to the new token), announced to screen readers
 * (status and alert regions), and one column on a phone. Its parts are exported to the host
 * (`pairing`, `qr`).
 */
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { msg, str } from '@lit/localize';
import { localized } from '../i18n/locale.js';
import { formatNumber } from '../i18n/format.js';
import { decodeToken, groupToken } from '../signaling/token.js';
import { hostStyles } from '../styles/host.styles.js';
import { pairingStyles } from '../styles/pairing.styles.js';
import { qrSvg } from './qr-code.js';
import { readQrPhoto } from './qr-photo.js';
import { canScanQr, QrScanner } from './qr-scanner.js';

/**
 * What the slave's panel shows, and its actions. `phase` is the manual slave session's: no offer
 * yet, making one, offer shown, connecting with an answer, connected. (The panel names the shapes
 * it reads instead of importing the sessions: the host checks that its session fits them.)
 */
export interface SlavePairingModel {
  role: 'slave';
  phase: 'idle' | 'creating' | 'offer' | 'connecting' | 'connected';
  offer: string | null;
  createOffer(): Promise<unknown>;
  acceptAnswer(token: string): Promise<void>;
}

/** What the master's panel shows, and its action. */
export interface MasterPairingModel {
  role: 'master';
  /** The last answer made, and its slave as it is now (undefined once gone); `name`: its device name. */
  answer: { token: string; peer: { id: string; name?: string; state: 'connecting' | 'connected' } | undefined } | null;
  acceptOffer(token: string): Promise<unknown>;
}

export type PairingModel = SlavePairingModel | MasterPairingModel;

/** Addresses, size and warnings of a token, for the line under it. */
function describe(token: string): { text: string; warning: string } {
  try {
    const info = decodeToken(token);
    const addresses = info.candidates.map((c) => c.address);
    const chars = formatNumber(token.length);
    const size = info.full ? msg(str`full SDP, ${chars} characters`) : msg(str`${chars} characters`);
    const list = addresses.join(', ') || msg('none');
    const text = `${size} · ${addresses.length === 1 ? msg(str`address: ${list}`) : msg(str`addresses: ${list}`)}`;
    let warning = '';
    if (addresses.length === 0) {
      warning = msg('This device found no network address to offer: check that it is on the network (on iPhone and iPad, Safari may need camera access once).');
    } else if (addresses.every((a) => a.endsWith('.local'))) {
      warning = msg('Its addresses are mDNS names (.local): the other device must be on the same local network.');
    }
    return { text, warning };
  } catch {
    return { text: '', warning: '' };
  }
}

export const PAIRING_PANEL_TAG = 'rtc-pairing-panel';

/**
 * The panel for `model`, as its hosts render it (parts exported, the tag defined on first use:
 * hosts registered under other names, without define.ts, still get their panel).
 */
export function pairingPanel(model: PairingModel): TemplateResult {
  if (!customElements.get(PAIRING_PANEL_TAG)) customElements.define(PAIRING_PANEL_TAG, RtcPairingPanel);
  return html`<rtc-pairing-panel exportparts="pairing, qr" .model=${model}></rtc-pairing-panel>`;
}

/**
 * @internal
 * @tagname rtc-pairing-panel
 * @summary Internal: the pairing panel of `<rtc-master>` and `<rtc-slave>` with `signaling="manual"`.
 * @csspart pairing - The panel.
 * @csspart qr - The QR code of the token to give.
 */
@localized()
export class RtcPairingPanel extends LitElement {
  static override styles = [hostStyles, pairingStyles];

  /** What to show and the actions to run; set by the host on each render. */
  @property({ attribute: false }) model: PairingModel | null = null;

  /** Text in the entry box. */
  @state() private entry = '';
  @state() private error = '';
  @state() private busy = false;
  @state() private copied = '';
  @state() private scanning = false;
  private scanner: QrScanner | null = null;
  /** The id of a field to focus once it is rendered (the answer, after an offer was entered). */
  private focusNext: string | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopScan();
  }

  protected override updated(): void {
    if (this.focusNext && this.find(this.focusNext)) {
      this.find(this.focusNext)!.focus();
      this.focusNext = null;
    }
  }

  protected override render() {
    const model = this.model;
    if (!model) return nothing;
    return model.role === 'slave' ? this.slave(model) : this.master(model);
  }

  /** The slave's panel: its offer to give, the master's answer to enter. */
  private slave(model: SlavePairingModel): TemplateResult {
    if (model.phase === 'connected') {
      return html`<section class="pairing" part="pairing" aria-labelledby="pairing-title">
        <h2 id="pairing-title">${msg('Paired')}</h2>
        <div class="paired">
          <p class="done">${msg('Connected to the master over WebRTC, without a server.')}</p>
          <button type="button" class="secondary" @click=${() => this.run(() => model.createOffer())}>${msg('Pair again')}</button>
        </div>
      </section>`;
    }
    const connecting = model.phase === 'connecting';
    return html`<section class="pairing" part="pairing" aria-labelledby="pairing-title">
      <h2 id="pairing-title">${msg('Pair with a master')}</h2>
      <p class="intro">${msg("No server needed: give this device's offer to the master, then enter the answer it shows.")}</p>
      <ol class="steps">
        <li>
          <h3>${msg('1. Give this offer to the master')}</h3>
          ${model.offer
            ? this.tokenBox('offer', msg('Offer token'), msg('Copy offer token'), model.offer, msg('QR code of the offer token'))
            : model.phase === 'creating'
              ? html`<p class="waiting" role="status">${msg('Creating the offer…')}</p>`
              : html`<button type="button" @click=${() => this.run(() => model.createOffer())}>${msg('Create an offer')}</button>`}
        </li>
        <li>
          <h3>${msg("2. Enter the master's answer")}</h3>
          ${this.entryForm({
            id: 'answer',
            label: msg('Answer token from the master'),
            submit: connecting ? msg('Connecting…') : msg('Connect'),
            disabled: connecting || !model.offer,
            onSubmit: (token) => model.acceptAnswer(token),
          })}
        </li>
      </ol>
    </section>`;
  }

  /** The master's panel: a slave's offer to enter, the answer to give back. */
  private master(model: MasterPairingModel): TemplateResult {
    const answer = model.answer;
    let step2: TemplateResult;
    if (!answer) {
      step2 = html`<p class="waiting">${msg('The answer appears here once you enter an offer.')}</p>`;
    } else if (answer.peer?.state === 'connected') {
      const name = answer.peer.name ?? answer.peer.id.slice(0, 8);
      step2 = html`<p class="done" role="status">${msg(html`Slave <strong>${name}</strong> is connected.`)}
        ${msg('To pair another one, enter its offer in step 1.')}</p>`;
    } else if (!answer.peer) {
      step2 = html`<p class="waiting" role="status">${msg('That slave is no longer connected. Enter a new offer to pair again.')}</p>`;
    } else {
      step2 = html`${this.tokenBox('answer', msg('Answer token'), msg('Copy answer token'), answer.token, msg('QR code of the answer token'))}
        <p class="waiting" role="status">${msg('Waiting for the slave to connect…')}</p>`;
    }
    return html`<section class="pairing" part="pairing" aria-labelledby="pairing-title">
      <h2 id="pairing-title">${msg('Pair a slave')}</h2>
      <p class="intro">${msg("No server needed: enter a slave's offer, then give it the answer shown here. Pair slaves one after another.")}</p>
      <ol class="steps">
        <li>
          <h3>${msg("1. Enter the slave's offer")}</h3>
          ${this.entryForm({
            id: 'offer-in',
            label: msg('Offer token from the slave'),
            submit: this.busy ? msg('Creating the answer…') : msg('Create answer'),
            disabled: false,
            onSubmit: async (token) => {
              await model.acceptOffer(token);
              this.focusNext = 'answer';
            },
          })}
        </li>
        <li>
          <h3>${msg('2. Give this answer to the slave')}</h3>
          ${step2}
        </li>
      </ol>
    </section>`;
  }

  /** A token to give: the text in groups of four, a Copy button, and its QR code. */
  private tokenBox(id: string, label: string, copyLabel: string, token: string, qrLabel: string): TemplateResult {
    const { text, warning } = describe(token);
    const qr = qrSvg(token, qrLabel);
    return html`<div class="token">
      <div>
        <label for=${id}>${label}</label>
        <textarea id=${id} readonly rows="5" spellcheck="false" autocapitalize="off" .value=${groupToken(token)}
          aria-describedby="${id}-hint"></textarea>
        <div class="actions">
          <button type="button" class="secondary" @click=${(e: Event) => this.copy(e, id, token)}>${copyLabel}</button>
          <span class="copied" role="status">${this.copied === id ? msg('Copied') : this.copied === `${id}!` ? msg('Select the text and copy it') : ''}</span>
        </div>
        <p class="hint" id="${id}-hint">${text}. ${msg('It lets that one device connect to this one: give it only to the device you pair.')}</p>
        ${warning ? html`<p class="hint warn">${warning}</p>` : nothing}
      </div>
      ${qr
        ? html`<figure>${qr}<figcaption>${msg('Scan it with the other device')}</figcaption></figure>`
        : html`<p class="hint">${msg('Too long for a QR code: copy the text instead.')}</p>`}
    </div>`;
  }

  /** The box where the other side's token is typed, pasted, read from a photo or scanned. */
  private entryForm(o: { id: string; label: string; submit: string; disabled: boolean; onSubmit: (token: string) => Promise<unknown> }): TemplateResult {
    const submit = async (e: Event): Promise<void> => {
      e.preventDefault();
      const token = this.entry;
      await this.run(async () => {
        await o.onSubmit(token);
        this.entry = '';
      });
    };
    return html`<form @submit=${submit} novalidate>
      <label for=${o.id}>${o.label}</label>
      <textarea id=${o.id} name=${o.id} rows="3" spellcheck="false" autocomplete="off" autocapitalize="characters"
        placeholder=${msg('Type or paste the token (spaces do not matter)')} .value=${this.entry}
        @input=${(e: Event) => {
          this.entry = (e.target as HTMLTextAreaElement).value;
        }}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(e);
        }}></textarea>
      <div class="actions">
        <button type="submit" ?disabled=${o.disabled || this.busy}>${o.submit}</button>
        <button type="button" class="secondary" @click=${() => this.find<HTMLInputElement>(`${o.id}-photo`)?.click()}>${msg('Read a photo of the QR code')}</button>
        <input type="file" id="${o.id}-photo" accept="image/*" capture="environment" hidden aria-label=${msg('Photo of the QR code')}
          @change=${(e: Event) => this.readPhoto(e.target as HTMLInputElement, o.id)}>
        ${canScanQr() && !this.scanning
          ? html`<button type="button" class="secondary" @click=${() => this.startScan(o.onSubmit)}>${msg('Scan QR code')}</button>`
          : nothing}
      </div>
      ${this.scanning
        ? html`<div class="scanner">
            <video aria-label=${msg('Camera view: show the QR code to the camera')}></video>
            <button type="button" class="secondary" @click=${() => this.stopScan()}>${msg('Stop scanning')}</button>
          </div>`
        : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </form>`;
  }

  /** Runs a user action: busy while it runs, its error shown in place. */
  private async run(action: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.error = '';
    this.focusNext = null;
    try {
      await action();
    } catch (e) {
      this.error = (e as Error).message || String(e);
    } finally {
      this.busy = false;
    }
  }

  /** The QR code of a chosen or taken photo goes into the box, as if typed. */
  private async readPhoto(input: HTMLInputElement, boxId: string): Promise<void> {
    const file = input.files?.[0];
    input.value = ''; // the same photo can be chosen again
    if (!file) return;
    this.error = '';
    try {
      this.entry = await readQrPhoto(file);
      this.focusNext = boxId;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async copy(event: Event, id: string, token: string): Promise<void> {
    let ok = false;
    try {
      if (globalThis.isSecureContext && navigator.clipboard) {
        await navigator.clipboard.writeText(token);
        ok = true;
      }
    } catch {
      ok = false;
    }
    if (!ok) {
      // No clipboard API (LAN pages over http): copy the selected text the old way.
      const area = this.find<HTMLTextAreaElement>(id);
      if (area) {
        area.focus();
        area.select();
        try {
          ok = document.execCommand('copy');
        } catch {
          ok = false;
        }
        (event.target as HTMLElement).focus();
      }
    }
    this.copied = ok ? id : `${id}!`;
  }

  private async startScan(onSubmit: (token: string) => Promise<unknown>): Promise<void> {
    this.stopScan();
    this.scanning = true;
    this.error = '';
    await this.updateComplete;
    const video = this.renderRoot.querySelector('video');
    if (!video) return;
    const scanner = new QrScanner();
    this.scanner = scanner;
    try {
      const text = await scanner.scan(video);
      this.entry = text;
      this.scanning = false;
      await this.run(async () => {
        await onSubmit(text);
        this.entry = '';
      });
    } catch (e) {
      if (this.scanner === scanner && (e as Error).message !== 'Scanning stopped') {
        this.error = msg(str`Cannot scan: ${(e as Error).message}. Type or paste the token instead.`);
      }
    } finally {
      if (this.scanner === scanner) {
        this.scanner = null;
        this.scanning = false;
      }
    }
  }

  private stopScan(): void {
    this.scanner?.stop();
    this.scanner = null;
    this.scanning = false;
  }

  private find<T extends HTMLElement>(id: string): T | null {
    return (this.renderRoot.querySelector(`#${CSS.escape(id)}`) as T | null) ?? null;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-pairing-panel': RtcPairingPanel;
  }
}
