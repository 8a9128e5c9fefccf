import { html, css } from 'lit';
import { property } from 'lit/decorators.js';
import { ALL_METHODS } from '../api.js';
import { RtcError } from '../errors.js';
import type { Database } from '../storage/database.js';
import { DatabaseElement } from './database-element.js';
import { SessionController } from '../controllers/session-controller.js';
import { MasterSession } from '../controllers/master-session.js';
import type { ConnectionState, PeerInfo } from '../controllers/types.js';
import { defaultSignalingUrl } from '../signaling/signaling-socket.js';
import { hostStyles } from '../styles/host.styles.js';

/**
 * The master: owns the IndexedDB database `rtc:<database>`, joins `room` on the broadcaster and
 * serves every slave that connects over its own RTCPeerConnection and data channel. The
 * database API runs locally.
 *
 * @summary Owns the database and serves slaves over WebRTC.
 * @slot - Anything, typically `<rtc-status>` and `<rtc-query-form>`.
 * @fires rtc-state-change - `{ state, previous }` on every state transition.
 * @fires rtc-peers-change - `{ peers }` when a slave connects or leaves.
 * @fires rtc-error - `{ error }` when something fails (the master keeps serving).
 */
export class RtcMaster extends DatabaseElement {
  static override styles = [hostStyles, css``];

  /** The IndexedDB database is `rtc:<database>`. */
  @property() database = 'default';
  /** The room it serves on the broadcaster. */
  @property() room = 'default';
  /** WebSocket URL of the broadcaster; default `ws(s)://<page host>/signal`. */
  @property() signaling = '';
  /** Comma-separated methods slaves may call; default every read and write method. */
  @property() allow = '';
  /** Comma-separated keys to index in IndexedDB (identifiers), for faster queries on them. */
  @property() indexes = '';
  /** Do not join the room when connected to the document. */
  @property({ type: Boolean, attribute: 'no-autoconnect' }) noAutoconnect = false;
  /** `disconnected`, `connecting`, `connected` (in its room, accepting slaves) or `error`. */
  @property({ reflect: true }) state: ConnectionState = 'disconnected';

  private readonly controller = new SessionController<MasterSession>(
    this,
    (listener) => new MasterSession({
      database: this.database || 'default',
      indexes: this.indexes.split(',').map((s) => s.trim()).filter(Boolean),
      room: this.room || 'default',
      signaling: this.signaling || defaultSignalingUrl(),
      allow: parseAllow(this.allow),
    }, listener),
    () => !this.noAutoconnect,
  );

  /** The connected slaves, each `{ id, state, connectedAt }`. */
  get peers(): PeerInfo[] {
    return this.controller.peers;
  }

  get lastError(): Error | null {
    return this.controller.lastError;
  }

  /** The local database (opened on first use). */
  protected override backend(): Promise<Database> {
    return this.controller.ensureSession().database();
  }

  /** Joins the room (when `no-autoconnect` is set, or after `disconnect()`). */
  connect(): void {
    this.controller.connect();
  }

  /** Leaves the room and closes every slave's connection. */
  disconnect(): Promise<void> {
    return this.controller.disconnect();
  }

  protected override willUpdate(): void {
    this.state = this.controller.state;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    const keys = ['database', 'indexes', 'room', 'signaling', 'allow'];
    if (keys.some((k) => changed.has(k) && changed.get(k) !== undefined)) void this.controller.reconfigure();
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}

/** Parses `allow` into a set of method names. @throws RtcError 400 on an unknown name. */
function parseAllow(allow: string): Set<string> {
  const names = allow.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) return new Set(ALL_METHODS);
  for (const name of names) {
    if (!(ALL_METHODS as readonly string[]).includes(name)) {
      throw new RtcError(`allow: unknown method '${name}' (known: ${ALL_METHODS.join(', ')})`, 400);
    }
  }
  return new Set(names);
}
