import { html, css } from 'lit';
import { property } from 'lit/decorators.js';
import type { DatabaseApi } from '../api.js';
import { DatabaseElement } from './database-element.js';
import { SessionController } from '../controllers/session-controller.js';
import { SlaveSession } from '../controllers/slave-session.js';
import type { ConnectionState, PeerInfo } from '../controllers/types.js';
import { RemoteDatabase } from '../channel/remote-database.js';
import { defaultSignalingUrl } from '../signaling/signaling-socket.js';
import { hostStyles } from '../styles/host.styles.js';

/**
 * A slave: connects to its room's master through the broadcaster, then talks to it over a
 * WebRTC data channel only (the WebSocket is closed once the channel is open). The database API
 * goes to the master; when the master reloads, the slave reconnects by itself and re-sends
 * requests that were never answered, without ever applying a write twice.
 *
 * @summary The master's database, reached over WebRTC.
 * @slot - Anything, typically `<rtc-status>` and `<rtc-query-form>`.
 * @fires rtc-state-change - `{ state, previous }` on every state transition.
 * @fires rtc-error - `{ error }` when something fails (the slave keeps retrying).
 */
export class RtcSlave extends DatabaseElement {
  static override styles = [hostStyles, css``];

  /** The room whose master it connects to. */
  @property() room = 'default';
  /** WebSocket URL of the broadcaster; default `ws(s)://<page host>/signal`. */
  @property() signaling = '';
  /** Per-request timeout, ms (a request unanswered by then rejects with 504). */
  @property({ type: Number }) timeout = 30000;
  /** Do not connect when connected to the document. */
  @property({ type: Boolean, attribute: 'no-autoconnect' }) noAutoconnect = false;
  /** `disconnected`, `connecting`, `connected` (data channel to the master open) or `error`. */
  @property({ reflect: true }) state: ConnectionState = 'disconnected';

  private readonly controller = new SessionController<SlaveSession>(
    this,
    (listener) => new SlaveSession({
      room: this.room || 'default',
      signaling: this.signaling || defaultSignalingUrl(),
      timeout: this.timeout > 0 ? this.timeout : 30000,
    }, listener),
    () => !this.noAutoconnect,
  );
  private remote: { session: SlaveSession; api: RemoteDatabase } | null = null;

  /** A slave serves no peers: always empty. */
  get peers(): PeerInfo[] {
    return [];
  }

  get lastError(): Error | null {
    return this.controller.lastError;
  }

  /** The master's database: calls wait for the channel (up to `timeout`). */
  protected override async backend(): Promise<DatabaseApi> {
    const session = this.controller.ensureSession();
    if (this.remote?.session !== session) this.remote = { session, api: new RemoteDatabase(session.rpc) };
    return this.remote.api;
  }

  /** Connects to the master (when `no-autoconnect` is set, or after `disconnect()`). */
  connect(): void {
    this.controller.connect();
  }

  /** Closes the connection; pending requests reject with 500. */
  disconnect(): Promise<void> {
    return this.controller.disconnect();
  }

  protected override willUpdate(): void {
    this.state = this.controller.state;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('timeout') && this.controller.session) this.controller.session.rpc.timeout = this.timeout;
    if (['room', 'signaling'].some((k) => changed.has(k) && changed.get(k) !== undefined)) void this.controller.reconfigure();
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}
