/**
 * The pairing panel that `<rtc-master signaling="manual">` and `<rtc-slave signaling="manual">`
 * render above their content: a token to give (text with a Copy button, and a QR code) and a box
 * to enter the other side's token (typed, pasted, or scanned with the camera where the browser
 * can). Rendering and UI state only; the sessions do the pairing. Keyboard usable (native
 * buttons and text areas, every field labelled, focus moves to the new token), announced to
 * screen readers (status and alert regions), and one column on a phone.
 */
import { css, html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { PeerInfo } from '../session/types.js';
import type { PairingPhase } from '../session/manual-slave-session.js';
import { decodeToken, groupToken } from '../signaling/token.js';
import { qrSvg } from './qr-code.js';
import { canScanQr, QrScanner } from './qr-scanner.js';

export const pairingStyles = css`
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

/** What the slave's panel shows. */
export interface SlavePairingModel {
  phase: PairingPhase;
  offer: string | null;
  createOffer(): Promise<unknown>;
  acceptAnswer(token: string): Promise<void>;
}

/** What the master's panel shows. */
export interface MasterPairingModel {
  /** The last answer made, and its slave as it is now (undefined once gone). */
  answer: { token: string; peer: PeerInfo | undefined } | null;
  acceptOffer(token: string): Promise<unknown>;
}

/** Addresses, size and warnings of a token, for the line under it. */
function describe(token: string): { text: string; warning: string } {
  try {
    const info = decodeToken(token);
    const addresses = info.candidates.map((c) => c.address);
    const size = info.full ? `full SDP, ${token.length} characters` : `${token.length} characters`;
    const text = `${size} · ${addresses.length === 1 ? 'address' : 'addresses'}: ${addresses.join(', ') || 'none'}`;
    let warning = '';
    if (addresses.length === 0) {
      warning = 'This device found no network address to offer: check that it is on the network (on iPhone and iPad, Safari may need camera access once).';
    } else if (addresses.every((a) => a.endsWith('.local'))) {
      warning = 'Its addresses are mDNS names (.local): the other device must be on the same local network.';
    }
    return { text, warning };
  } catch {
    return { text: '', warning: '' };
  }
}

export class PairingView implements ReactiveController {
  /** Text in the entry box. */
  private entry = '';
  private error = '';
  private busy = false;
  private copied = '';
  private scanner: QrScanner | null = null;
  private scanning = false;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stopScan();
  }

  /** The slave's panel: its offer to give, the master's answer to enter. */
  slave(model: SlavePairingModel): TemplateResult {
    if (model.phase === 'connected') {
      return html`<section class="pairing" part="pairing" aria-labelledby="pairing-title">
        <h2 id="pairing-title">Paired</h2>
        <div class="paired">
          <p class="done">Connected to the master over WebRTC, without a server.</p>
          <button type="button" class="secondary" @click=${() => this.run(() => model.createOffer())}>Pair again</button>
        </div>
      </section>`;
    }
    const connecting = model.phase === 'connecting';
    return html`<section class="pairing" part="pairing" aria-labelledby="pairing-title">
      <h2 id="pairing-title">Pair with a master</h2>
      <p class="intro">No server needed: give this device's offer to the master, then enter the answer it shows.</p>
      <ol class="steps">
        <li>
          <h3>1. Give this offer to the master</h3>
          ${model.offer
            ? this.tokenBox('offer', 'Offer token', model.offer, 'QR code of the offer token')
            : model.phase === 'creating'
              ? html`<p class="waiting" role="status">Creating the offer…</p>`
              : html`<button type="button" @click=${() => this.run(() => model.createOffer())}>Create an offer</button>`}
        </li>
        <li>
          <h3>2. Enter the master's answer</h3>
          ${this.entryForm({
            id: 'answer',
            label: 'Answer token from the master',
            submit: connecting ? 'Connecting…' : 'Connect',
            disabled: connecting || !model.offer,
            onSubmit: (token) => model.acceptAnswer(token),
          })}
        </li>
      </ol>
    </section>`;
  }

  /** The master's panel: a slave's offer to enter, the answer to give back. */
  master(model: MasterPairingModel): TemplateResult {
    const answer = model.answer;
    let step2: TemplateResult;
    if (!answer) {
      step2 = html`<p class="waiting">The answer appears here once you enter an offer.</p>`;
    } else if (answer.peer?.state === 'connected') {
      step2 = html`<p class="done" role="status">Slave <code>${answer.peer.id.slice(0, 8)}</code> is connected.
        To pair another one, enter its offer in step 1.</p>`;
    } else if (!answer.peer) {
      step2 = html`<p class="waiting" role="status">That slave is no longer connected. Enter a new offer to pair again.</p>`;
    } else {
      step2 = html`${this.tokenBox('answer', 'Answer token', answer.token, 'QR code of the answer token')}
        <p class="waiting" role="status">Waiting for the slave to connect…</p>`;
    }
    return html`<section class="pairing" part="pairing" aria-labelledby="pairing-title">
      <h2 id="pairing-title">Pair a slave</h2>
      <p class="intro">No server needed: enter a slave's offer, then give it the answer shown here. Pair slaves one after another.</p>
      <ol class="steps">
        <li>
          <h3>1. Enter the slave's offer</h3>
          ${this.entryForm({
            id: 'offer-in',
            label: 'Offer token from the slave',
            submit: this.busy ? 'Creating the answer…' : 'Create answer',
            disabled: false,
            onSubmit: async (token) => {
              await model.acceptOffer(token);
              await this.host.updateComplete;
              this.focus('answer');
            },
          })}
        </li>
        <li>
          <h3>2. Give this answer to the slave</h3>
          ${step2}
        </li>
      </ol>
    </section>`;
  }

  /** A token to give: the text in groups of four, a Copy button, and its QR code. */
  private tokenBox(id: string, label: string, token: string, qrLabel: string): TemplateResult {
    const { text, warning } = describe(token);
    const qr = qrSvg(token, qrLabel);
    return html`<div class="token">
      <div>
        <label for=${id}>${label}</label>
        <textarea id=${id} readonly rows="5" spellcheck="false" autocapitalize="off" .value=${groupToken(token)}
          aria-describedby="${id}-hint"></textarea>
        <div class="actions">
          <button type="button" class="secondary" @click=${(e: Event) => this.copy(e, id, token)}>Copy ${label.toLowerCase()}</button>
          <span class="copied" role="status">${this.copied === id ? 'Copied' : this.copied === `${id}!` ? 'Select the text and copy it' : ''}</span>
        </div>
        <p class="hint" id="${id}-hint">${text}. It lets that one device connect to this one: give it only to the device you pair.</p>
        ${warning ? html`<p class="hint warn">${warning}</p>` : nothing}
      </div>
      ${qr
        ? html`<figure>${qr}<figcaption>Scan it with the other device</figcaption></figure>`
        : html`<p class="hint">Too long for a QR code: copy the text instead.</p>`}
    </div>`;
  }

  /** The box where the other side's token is typed, pasted or scanned. */
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
        placeholder="Type or paste the token (spaces do not matter)" .value=${this.entry}
        @input=${(e: Event) => {
          this.entry = (e.target as HTMLTextAreaElement).value;
        }}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(e);
        }}></textarea>
      <div class="actions">
        <button type="submit" ?disabled=${o.disabled || this.busy}>${o.submit}</button>
        ${canScanQr() && !this.scanning
          ? html`<button type="button" class="secondary" @click=${() => this.startScan(o.onSubmit)}>Scan QR code</button>`
          : nothing}
      </div>
      ${this.scanning
        ? html`<div class="scanner">
            <video aria-label="Camera view: show the QR code to the camera"></video>
            <button type="button" class="secondary" @click=${() => this.stopScan()}>Stop scanning</button>
          </div>`
        : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </form>`;
  }

  /** Runs a user action: busy while it runs, its error shown in place. */
  private async run(action: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.error = '';
    this.host.requestUpdate();
    try {
      await action();
    } catch (e) {
      this.error = (e as Error).message || String(e);
    } finally {
      this.busy = false;
      this.host.requestUpdate();
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
    this.host.requestUpdate();
  }

  private async startScan(onSubmit: (token: string) => Promise<unknown>): Promise<void> {
    this.stopScan();
    this.scanning = true;
    this.error = '';
    this.host.requestUpdate();
    await this.host.updateComplete;
    const video = this.host.shadowRoot?.querySelector('video');
    if (!video) return;
    const scanner = new QrScanner();
    this.scanner = scanner;
    try {
      const text = await scanner.scan(video);
      this.entry = text;
      this.scanning = false;
      this.host.requestUpdate();
      await this.run(async () => {
        await onSubmit(text);
        this.entry = '';
      });
    } catch (e) {
      if (this.scanner === scanner && (e as Error).message !== 'Scanning stopped') {
        this.error = `Cannot scan: ${(e as Error).message}. Type or paste the token instead.`;
      }
    } finally {
      if (this.scanner === scanner) {
        this.scanner = null;
        this.scanning = false;
        this.host.requestUpdate();
      }
    }
  }

  private stopScan(): void {
    this.scanner?.stop();
    this.scanner = null;
    if (this.scanning) {
      this.scanning = false;
      this.host.requestUpdate();
    }
  }

  private find<T extends HTMLElement>(id: string): T | null {
    return (this.host.shadowRoot?.getElementById(id) as T | null) ?? null;
  }

  private focus(id: string): void {
    this.find(id)?.focus();
  }
}
