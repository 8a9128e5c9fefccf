import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { parseAllow } from '../methods.js';
import { RtcError } from '../errors.js';
import type { Database } from '../storage/database.js';
import type { JournalStatus } from '../storage/journal.js';
import { scanCacheOption } from '../storage/scan-cache.js';
import { DatabaseElement } from './database-element.js';
import { SessionController } from '../controllers/session-controller.js';
import { KeepAliveController, type WakeLockState } from '../controllers/keep-alive-controller.js';
import { MasterSession } from '../session/master-session.js';
import { ManualMasterSession, type ManualAnswer } from '../session/manual-master-session.js';
import { pairingPanel } from './pairing-panel.js';
import type { ConnectionState, PeerInfo } from '../session/types.js';
import { defaultSignalingUrl } from '../signaling/signaling-socket.js';
import { hostStyles } from '../styles/host.styles.js';
import { cleanName } from '../channel/handshake.js';
import { RtcNameChangeEvent } from '../events/events.js';

/**
 * The master: owns the IndexedDB database `rtc:<database>`, joins `room` on the broadcaster and
 * serves every slave that connects over its own RTCPeerConnection and data channel. The
 * database API runs locally.
 *
 * With `signaling="manual"` there is no broadcaster: it shows a box for a slave's offer token
 * and then its answer token (text and QR code); scripts call `acceptOffer(token)`. Slaves pair
 * one after another. With `secret`, a slave is served only once it proved it knows the secret.
 *
 * While slaves are connected, closing the tab asks for confirmation, and with `wake-lock` the
 * screen is kept on (controllers/keep-alive-controller.ts). Opening the database asks the browser
 * to keep the origin's storage (`navigator.storage.persist()`, storage/persistence.ts).
 *
 * @tagname rtc-master
 * @summary Owns the database and serves slaves over WebRTC.
 * @slot - Anything, typically `<rtc-status>` and `<rtc-query-form>`.
 * @fires rtc-state-change - `{ state, previous }` on every state transition.
 * @fires rtc-peers-change - `{ peers }` when a slave connects, leaves or changes its name.
 * @fires rtc-error - `{ error }` when something fails (the master keeps serving).
 * @fires rtc-name-change - `{ name }` when its `name` changes.
 * @fires rtc-progress - `{ id, name, loaded, total, peer? }` bytes of an attachment stored so far: its own transfers, and (with `peer`) each slave's upload.
 * @fires rtc-bulk-progress - `{ loaded, total }` documents of a `bulkPut` stored so far.
 * @csspart pairing - The pairing panel (`signaling="manual"`).
 * @csspart qr - The QR code of the answer token.
 */
export class RtcMaster extends DatabaseElement {
  static override styles = hostStyles;

  /** The IndexedDB database is `rtc:<database>`. */
  @property() database = 'default';
  /** The room it serves on the broadcaster. */
  @property() room = 'default';
  /**
   * WebSocket URL of the broadcaster; default `ws(s)://<page host>/signal`. `manual`: no
   * broadcaster, slaves pair by offer and answer tokens (typed, pasted or scanned).
   */
  @property() signaling = '';
  /** Room secret: a slave is served only after proving it knows it (challenge/response). */
  @property() secret = '';
  /** Comma-separated methods slaves may call; default every read and write method. */
  @property() allow = '';
  /** Comma-separated keys to index in IndexedDB (identifiers), for faster queries on them. */
  @property() indexes = '';
  /** Hold a screen wake lock while slaves are connected, where the browser offers one. */
  @property({ type: Boolean, attribute: 'wake-lock' }) wakeLock = false;

  /**
   * This master's name, which a chat shows as the sender of its messages. Cleaned as a slave's
   * name is (1–64 characters, no control characters: `cleanName`); empty or unusable means the
   * default, `Master`.
   */
  @property()
  get name(): string {
    return this.masterName;
  }

  set name(value: string) {
    const name = cleanName(value) ?? 'Master';
    if (name === this.masterName) return;
    this.masterName = name;
    this.dispatchEvent(new RtcNameChangeEvent(name));
  }

  private masterName = 'Master';

  /** Keep no journal (the copy of acknowledged writes outside IndexedDB; README "Keeping your data"). */
  @property({ type: Boolean, attribute: 'no-journal' }) noJournal = false;
  /**
   * The scan cache (README "The scan cache"): `off`, or its cap in MiB (default 256). A second
   * master tab of the same database must say `off`: it would not see the other tab's writes.
   */
  @property({ attribute: 'scan-cache' }) scanCache = '';
  /** Do not join the room when connected to the document. */
  @property({ type: Boolean, attribute: 'no-autoconnect' }) noAutoconnect = false;
  /** `disconnected`, `connecting`, `connected` (in its room, accepting slaves) or `error`. */
  @property({ reflect: true }) state: ConnectionState = 'disconnected';

  private readonly controller = new SessionController<MasterSession | ManualMasterSession>(
    this,
    (listener) => {
      const common = {
        database: this.database || 'default',
        indexes: this.indexes.split(',').map((s) => s.trim()).filter(Boolean),
        allow: parseAllow(this.allow),
        secret: this.secret,
        journal: !this.noJournal,
        scanCache: scanCacheOption(this.scanCache),
      };
      return this.manual
        ? new ManualMasterSession(common, listener)
        : new MasterSession({ ...common, room: this.room || 'default', signaling: this.signaling || defaultSignalingUrl() }, listener);
    },
    () => !this.noAutoconnect,
  );
  private readonly keepAlive = new KeepAliveController(this);
  /** The last answer made by `acceptOffer`, shown by the pairing panel. */
  @state() private lastAnswer: ManualAnswer | null = null;

  /** True with `signaling="manual"` (no broadcaster). */
  get manual(): boolean {
    return this.signaling.trim().toLowerCase() === 'manual';
  }

  /**
   * Answers a slave's offer token (`signaling="manual"`); the slave is served once it connects
   * with the answer. The panel shows the answer too.
   * @returns the answer token to give to the slave.
   * @throws RtcError 400 for a mistyped token or one that is not an offer, or without
   *   `signaling="manual"`.
   */
  async acceptOffer(token: string): Promise<string> {
    const session = this.controller.ensureSession();
    if (!(session instanceof ManualMasterSession)) {
      throw new RtcError('acceptOffer() needs signaling="manual"', 400);
    }
    const answer = await session.acceptOffer(token);
    if (this.controller.session === session) this.lastAnswer = answer;
    return answer.token;
  }

  /**
   * The connected slaves, each `{ id, name, state, connectedAt }`: `name` is the one the slave
   * gave (its `name`), else the first 8 characters of `id`; `rtc-peers-change` fires when a slave
   * connects, leaves or changes its name.
   */
  get peers(): PeerInfo[] {
    return this.controller.peers;
  }

  /** The screen wake lock: `off`, `held`, `released` (page hidden), `unavailable` or `refused` (controllers/keep-alive-controller.ts). */
  get wakeLockState(): WakeLockState {
    return this.keepAlive.wakeLockState;
  }

  /**
   * The journal (README "Keeping your data"): `{ on, reason, bytes, restored }`, where `reason` says
   * why it is off and `restored` is `{ documents, lostAttachments, at }` after a wiped database
   * was rebuilt from it; null until the database is open.
   */
  get journal(): JournalStatus | null {
    return this.controller.session?.journalStatus ?? null;
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

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // An answer belongs to the session it was made in.
    if (['signaling', 'secret', 'database'].some((k) => changed.has(k) && changed.get(k) !== undefined)) this.lastAnswer = null;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    const keys = ['database', 'indexes', 'room', 'signaling', 'allow', 'secret', 'noJournal'];
    if (keys.some((k) => changed.has(k) && changed.get(k) !== undefined)) void this.controller.reconfigure();
  }

  protected override render() {
    const session = this.controller.session;
    const panel = this.manual
      ? pairingPanel({
        role: 'master',
        answer: this.lastAnswer
          ? { token: this.lastAnswer.token, peer: session instanceof ManualMasterSession ? session.peer(this.lastAnswer.peerId) : undefined }
          : null,
        acceptOffer: (token) => this.acceptOffer(token),
      })
      : nothing;
    return html`${panel}<slot></slot>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-master': RtcMaster;
  }
}
