/**
 * Ties a master or slave session to an element's lifetime (Lit ReactiveController): starts it
 * when the element is connected (unless `no-autoconnect`), stops it when the element is removed
 * (so a RenderJS gadget that is dropped closes its connections), and turns the session's
 * callbacks into a re-render and `rtc-*` events on the element.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { RtcErrorEvent, RtcPeersChangeEvent, RtcProgressEvent, RtcStateChangeEvent } from '../events/events.js';
import type { ConnectionState, PeerInfo } from './types.js';

/** What the controller needs of a session. */
export interface Session {
  readonly state: ConnectionState;
  start(): void;
  stop(): Promise<void>;
}

/** The callbacks a session reports through. */
export interface SessionListener {
  stateChanged(state: ConnectionState, previous: ConnectionState): void;
  peersChanged(peers: PeerInfo[]): void;
  error(error: Error): void;
  /** Bytes stored of an attachment a slave is uploading to this master (`peer`: the slave's id). */
  uploadProgress?(id: string, name: string, loaded: number, total: number, peer: string): void;
}

export class SessionController<S extends Session> implements ReactiveController {
  session: S | null = null;
  state: ConnectionState = 'disconnected';
  peers: PeerInfo[] = [];
  lastError: Error | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly create: (listener: SessionListener) => S,
    private readonly autoconnect: () => boolean,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.autoconnect()) this.connect();
  }

  hostDisconnected(): void {
    void this.disconnect();
  }

  /** The session, created from the element's current attributes on first use. */
  ensureSession(): S {
    if (!this.session) {
      this.session = this.create({
        stateChanged: (state, previous) => {
          this.state = state;
          // The element's `state` is right inside its own rtc-state-change listeners (the
          // attribute follows at the next render).
          if ('state' in this.host) (this.host as unknown as { state: ConnectionState }).state = state;
          // (Re)connected: what went wrong before is over, and a status showing it would look broken.
          if (state === 'connected') this.lastError = null;
          this.host.requestUpdate();
          this.host.dispatchEvent(new RtcStateChangeEvent(state, previous));
        },
        peersChanged: (peers) => {
          this.peers = peers;
          this.host.requestUpdate();
          this.host.dispatchEvent(new RtcPeersChangeEvent(peers));
        },
        error: (error) => {
          this.lastError = error;
          this.host.requestUpdate();
          this.host.dispatchEvent(new RtcErrorEvent(error));
        },
        uploadProgress: (id, name, loaded, total, peer) => {
          this.host.dispatchEvent(new RtcProgressEvent(id, name, loaded, total, peer));
        },
      });
    }
    return this.session;
  }

  /** Starts (or keeps) the session. Bad configuration (e.g. an unknown `allow` method) is
   * reported as `rtc-error` and the `error` state, never thrown from a lifecycle callback. */
  connect(): void {
    let session: S;
    try {
      session = this.ensureSession();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      const previous = this.state;
      this.state = 'error';
      this.lastError = error;
      this.host.requestUpdate();
      if (previous !== 'error') this.host.dispatchEvent(new RtcStateChangeEvent('error', previous));
      this.host.dispatchEvent(new RtcErrorEvent(error));
      return;
    }
    session.start();
  }

  /** Stops the session; a later call to any method creates a fresh one. */
  async disconnect(): Promise<void> {
    const session = this.session;
    this.session = null;
    await session?.stop();
  }

  /** Applies changed attributes: a running session restarts with them. */
  async reconfigure(): Promise<void> {
    if (!this.session) return;
    const wasRunning = this.state !== 'disconnected';
    await this.disconnect();
    if (wasRunning) this.connect();
  }
}
