import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { DatabaseApi } from '../api.js';
import { DatabaseElement } from './database-element.js';
import { SessionController } from '../controllers/session-controller.js';
import { SlaveSession } from '../session/slave-session.js';
import { ManualSlaveSession } from '../session/manual-slave-session.js';
import { RtcError } from '../errors.js';
import { pairingPanel } from './pairing-panel.js';
import type { ConnectionState, PeerInfo } from '../session/types.js';
import { RemoteDatabase } from '../channel/remote-database.js';
import { defaultSignalingUrl } from '../signaling/signaling-socket.js';
import { hostStyles } from '../styles/host.styles.js';
import { cleanName } from '../channel/handshake.js';
import { NameFeed, storeDeviceName, storedDeviceName } from './device-name.js';
import { RtcNameChangeEvent } from '../events/events.js';

/** Per-request timeout when none (or an invalid one) is set, ms. */
const DEFAULT_TIMEOUT_MS = 30000;

/**
 * A slave: connects to its room's master through the broadcaster, then talks to it over a
 * WebRTC data channel only (the WebSocket is closed once the channel is open). The database API
 * goes to the master; when the master reloads, the slave reconnects by itself and re-sends
 * requests that were never answered, without ever applying a write twice.
 *
 * With `signaling="manual"` there is no broadcaster: it shows its offer token (text and QR
 * code) and a box for the master's answer; scripts call `createOffer()` and
 * `acceptAnswer(token)`. With `secret`, it proves the room secret to the master (and expects
 * the master to prove it back); a master that refuses it makes every request reject with 403.
 *
 * @tagname rtc-slave
 * @summary The master's database, reached over WebRTC.
 * @slot - Anything, typically `<rtc-status>` and `<rtc-query-form>`.
 * @fires rtc-state-change - `{ state, previous }` on every state transition.
 * @fires rtc-error - `{ error }` when something fails (the slave keeps retrying).
 * @fires rtc-name-change - `{ name }` when its `name` changes.
 * @fires rtc-progress - `{ id, name, loaded, total }` bytes of an upload or download stored by the receiver so far.
 * @fires rtc-bulk-progress - `{ loaded, total }` documents of a `bulkPut` stored by the master so far.
 * @csspart pairing - The pairing panel (`signaling="manual"`).
 * @csspart qr - The QR code of the offer token.
 */
export class RtcSlave extends DatabaseElement {
  static override styles = hostStyles;

  /**
   * The room whose master it connects to. Without the attribute: the `room` parameter of the
   * page's address (`slave.html?room=shop`, what a master's `<rtc-status>` link and QR code
   * carry), else `default`.
   */
  @property() room = roomOfPage();
  /**
   * WebSocket URL of the broadcaster; default `ws(s)://<page host>/signal`. `manual`: no
   * broadcaster, it pairs by offer and answer tokens (typed, pasted or scanned).
   */
  @property() signaling = '';
  /** Room secret to prove to the master (the master's `secret`). */
  @property() secret = '';
  /**
   * Per-request timeout, ms (a request unanswered by then rejects with 504). Anything but a
   * positive number (`0`, `-5`, `abc`) means the default, 30000, whenever it is set.
   */
  @property({ type: Number })
  get timeout(): number {
    return this.requestTimeout;
  }

  set timeout(value: number) {
    // Checked on every set, attribute or property: a timeout of 0 would fail every request at once.
    this.requestTimeout = Number.isFinite(value) && value > 0 ? value : DEFAULT_TIMEOUT_MS;
  }

  private requestTimeout = DEFAULT_TIMEOUT_MS;

  /**
   * This device's name, which the master lists (`peers`) and a chat shows as the sender. Default:
   * the name this browser keeps in localStorage (`rtc-gadgets:name`), else a new readable one, the
   * platform and a short id (`Android · 4F2A`), kept there for the next page. Setting it (the
   * attribute, the property, or the rename field of `<rtc-status>`) cleans it (1–64 characters, no
   * control characters: `cleanName`), keeps it in localStorage and tells a connected master at
   * once; an empty or unusable value is ignored.
   */
  @property()
  get name(): string {
    return (this.deviceName ??= storedDeviceName());
  }

  set name(value: string) {
    const clean = cleanName(value);
    if (clean === null || clean === this.deviceName) return;
    this.deviceName = clean;
    storeDeviceName(clean);
    this.nameFeed.changed();
    this.dispatchEvent(new RtcNameChangeEvent(clean));
  }

  private deviceName: string | null = null;
  /** What the session reads and watches to tell the master (`session/peer-link.ts`). */
  private readonly nameFeed = new NameFeed(() => this.name);
  /** Do not connect when connected to the document. */
  @property({ type: Boolean, attribute: 'no-autoconnect' }) noAutoconnect = false;
  /** `disconnected`, `connecting`, `connected` (data channel to the master open) or `error`. */
  @property({ reflect: true }) state: ConnectionState = 'disconnected';

  private readonly controller = new SessionController<SlaveSession | ManualSlaveSession>(
    this,
    (listener) => {
      const timeout = this.timeout;
      return this.manual
        ? new ManualSlaveSession({ timeout, secret: this.secret, name: this.nameFeed, onPairingChange: () => this.requestUpdate() }, listener)
        : new SlaveSession({ room: this.room || 'default', signaling: this.signaling || defaultSignalingUrl(), timeout, secret: this.secret, name: this.nameFeed }, listener);
    },
    () => !this.noAutoconnect,
  );
  private remote: { session: SlaveSession | ManualSlaveSession; api: RemoteDatabase } | null = null;

  /** True with `signaling="manual"` (no broadcaster). */
  get manual(): boolean {
    return this.signaling.trim().toLowerCase() === 'manual';
  }

  /**
   * The offer token to give to the master (`signaling="manual"`): the one waiting for its answer
   * if there is one, else a new one. The panel shows it too.
   * @throws RtcError 400 without `signaling="manual"`.
   */
  async createOffer(): Promise<string> {
    return this.manualSession('createOffer').createOffer();
  }

  /**
   * Connects with the master's answer token (`signaling="manual"`); resolves once the data
   * channel is open and the master admitted this slave.
   * @throws RtcError 400 for a mistyped token, an offer token or a wrong answer; 403 when the
   *   master refused this slave (room secret); 504 when the channel did not open.
   */
  async acceptAnswer(token: string): Promise<void> {
    return this.manualSession('acceptAnswer').acceptAnswer(token);
  }

  private manualSession(method: string): ManualSlaveSession {
    const session = this.controller.ensureSession();
    if (!(session instanceof ManualSlaveSession)) throw new RtcError(`${method}() needs signaling="manual"`, 400);
    return session;
  }

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
    if (session.refused) throw session.refused; // the master refused this slave (403)
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

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('timeout') && this.controller.session) this.controller.session.rpc.timeout = this.timeout;
    if (['room', 'signaling', 'secret'].some((k) => changed.has(k) && changed.get(k) !== undefined)) void this.controller.reconfigure();
  }

  protected override render() {
    const session = this.controller.session;
    const panel = this.manual
      ? pairingPanel({
        role: 'slave',
        phase: session instanceof ManualSlaveSession ? session.phase : 'idle',
        offer: session instanceof ManualSlaveSession ? session.offer : null,
        createOffer: () => this.createOffer(),
        acceptAnswer: (token) => this.acceptAnswer(token),
      })
      : nothing;
    return html`${panel}<slot></slot>`;
  }
}

/** The `room` parameter of this page's address, else `default`. */
function roomOfPage(): string {
  try {
    const room = new URLSearchParams(globalThis.location?.search ?? '').get('room');
    return room ? room : 'default';
  } catch {
    return 'default';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-slave': RtcSlave;
  }
}
