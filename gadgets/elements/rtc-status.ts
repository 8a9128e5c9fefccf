import { LitElement, html, css, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { TargetController } from '../controllers/target-controller.js';
import type { ConnectionState } from '../controllers/types.js';
import { hostStyles } from '../styles/host.styles.js';

const LABELS: Record<ConnectionState, string> = {
  disconnected: 'Disconnected',
  connecting: 'Connecting…',
  connected: 'Connected',
  error: 'Error',
};

/**
 * The state of a bound `<rtc-master>` (its room and connected slaves) or `<rtc-slave>` (its
 * connection to the master), and the last error. Announced politely to screen readers.
 *
 * @summary Connection state, peers and last error of a master or slave.
 * @csspart base - The status box.
 * @csspart indicator - The coloured dot (the state is also written out, never colour alone).
 * @csspart peers - The list of connected slaves (master only).
 * @csspart error - The last error.
 * @cssprop --rtc-status-color-connected - Dot colour when connected (default #1a7f37).
 * @cssprop --rtc-status-color-connecting - Dot colour while connecting (default #bf8700).
 * @cssprop --rtc-status-color-error - Dot colour on error (default #cf222e).
 */
export class RtcStatus extends LitElement {
  static override styles = [
    hostStyles,
    css`
      .base {
        border: 1px solid var(--rtc-color-border, #d0d7de);
        border-radius: 8px;
        padding: 0.6rem 0.8rem;
        background: var(--rtc-color-surface, #fff);
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
      }
      .indicator {
        width: 0.75rem;
        height: 0.75rem;
        border-radius: 50%;
        background: #8c959f;
        flex: none;
      }
      :host([state='connected']) .indicator { background: var(--rtc-status-color-connected, #1a7f37); }
      :host([state='connecting']) .indicator { background: var(--rtc-status-color-connecting, #bf8700); }
      :host([state='error']) .indicator { background: var(--rtc-status-color-error, #cf222e); }
      .role { font-weight: 600; }
      .detail { color: var(--rtc-color-muted, #57606a); }
      ul { margin: 0.4rem 0 0; padding-left: 1.2rem; font-size: 0.9em; }
      code { font-size: 0.9em; }
      .error { margin: 0.4rem 0 0; color: var(--rtc-status-color-error, #cf222e); overflow-wrap: anywhere; }
    `,
  ];

  /** Id of the `<rtc-master>` or `<rtc-slave>` to show; default the closest ancestor. */
  @property({ attribute: 'for' }) htmlFor = '';
  /** The bound element's state, reflected for CSS. */
  @property({ reflect: true }) state: ConnectionState = 'disconnected';

  private readonly target = new TargetController(this, () => this.htmlFor);

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('htmlFor') && changed.get('htmlFor') !== undefined) this.target.resolve();
    this.state = this.target.target?.state ?? 'disconnected';
  }

  protected override render() {
    const t = this.target.target;
    if (!t) {
      return html`<div class="base" part="base" role="status">
        <div class="line"><span class="indicator" part="indicator"></span>
          <span>Not bound${this.htmlFor ? html` (no <code>rtc-master</code> or <code>rtc-slave</code> with id <code>${this.htmlFor}</code>)` : nothing}</span></div>
      </div>`;
    }
    const isMaster = t.localName === 'rtc-master';
    const room = (t as unknown as { room: string }).room;
    const peers = t.peers;
    const connected = peers.filter((p) => p.state === 'connected');
    const error = t.lastError;
    return html`<div class="base" part="base" role="status" aria-live="polite">
      <div class="line">
        <span class="indicator" part="indicator"></span>
        <span class="role">${isMaster ? 'Master' : 'Slave'}</span>
        <span class="state">${LABELS[this.state]}</span>
        <span class="detail">room <code>${room}</code>${isMaster
          ? html` · <span class="count">${connected.length} ${connected.length === 1 ? 'slave' : 'slaves'}</span>`
          : nothing}</span>
      </div>
      ${isMaster && peers.length > 0
        ? html`<ul part="peers" aria-label="Connected slaves">
            ${peers.map((p) => html`<li><code>${p.id.slice(0, 8)}</code> ${p.state === 'connected' && p.connectedAt
              ? html`connected at ${new Date(p.connectedAt).toLocaleTimeString()}`
              : 'connecting…'}</li>`)}
          </ul>`
        : nothing}
      ${error ? html`<p class="error" part="error">Last error: ${error.message}</p>` : nothing}
    </div>`;
  }
}
