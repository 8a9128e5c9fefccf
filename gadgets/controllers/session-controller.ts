/**
 * Ties a master or slave session to an element's lifetime (Lit ReactiveController): starts it
 * when the element is connected (unless `no-autoconnect`), stops it when the element is removed
 * (so a RenderJS gadget that is dropped closes its connections), and turns the session's
 * callbacks into a re-render and `rtc-*` events on the element. When the page goes away
 * (`pagehide`: closed, reloaded, navigated), the session says goodbye so that the other side
 * knows at once instead of after its heartbeat's silence (channel/heartbeat.ts); a page restored
 * from the back/forward cache (`pageshow` persisted) starts its session again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { RtcErrorEvent, RtcPeersChangeEvent, RtcProgressEvent, RtcStateChangeEvent } from '../events/events.js';
import type { ConnectionState, PeerInfo, SessionListener } from '../session/types.js';
import type { Session } from '../session/session.js';

export class SessionController<S extends Session> implements ReactiveController {
  session: S | null = null;
  state: ConnectionState = 'disconnected';
  peers: PeerInfo[] = [];
  lastError: Error | null = null;

  constructor(
    /** The element: its `state` is kept here, so it is right inside its own rtc-state-change listeners. */
    private readonly host: ReactiveControllerHost & HTMLElement & { state: ConnectionState },
    private readonly create: (listener: SessionListener) => S,
    private readonly autoconnect: () => boolean,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('pagehide', this.onPageHide);
    window.addEventListener('pageshow', this.onPageShow);
    if (this.autoconnect()) this.connect();
  }

  hostDisconnected(): void {
    window.removeEventListener('pagehide', this.onPageHide);
    window.removeEventListener('pageshow', this.onPageShow);
    void this.disconnect();
  }

  private readonly onPageHide = (): void => this.session?.goodbye();

  /** Back from the back/forward cache: the goodbye stopped the session, start it again. */
  private readonly onPageShow = (event: PageTransitionEvent): void => {
    if (event.persisted && this.session && this.state !== 'disconnected') void this.reconfigure();
  };

  /** The session, created from the element's current attributes on first use. */
  ensureSession(): S {
    if (!this.session) {
      this.session = this.create({
        stateChanged: (state, previous) => this.moveTo(state, previous),
        peersChanged: (peers) => {
          this.peers = peers;
          this.host.requestUpdate();
          this.host.dispatchEvent(new RtcPeersChangeEvent(peers));
        },
        error: (error) => this.report(error),
        uploadProgress: (id, name, loaded, total, peer) => {
          this.host.dispatchEvent(new RtcProgressEvent(id, name, loaded, total, peer));
        },
      });
    }
    return this.session;
  }

  /** The element moves to `state`: kept here and on the element (its attribute follows at the next render), then `rtc-state-change`. */
  private moveTo(state: ConnectionState, previous: ConnectionState): void {
    this.state = state;
    this.host.state = state;
    // (Re)connected: what went wrong before is over, and a status showing it would look broken.
    if (state === 'connected') this.lastError = null;
    this.host.requestUpdate();
    this.host.dispatchEvent(new RtcStateChangeEvent(state, previous));
  }

  /** `rtc-error` for `error`, kept as the last error. */
  private report(error: Error): void {
    this.lastError = error;
    this.host.requestUpdate();
    this.host.dispatchEvent(new RtcErrorEvent(error));
  }

  /** Starts (or keeps) the session. Bad configuration (e.g. an unknown `allow` method) is
   * reported as `rtc-error` and the `error` state, never thrown from a lifecycle callback. */
  connect(): void {
    let session: S;
    try {
      session = this.ensureSession();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.lastError = error;
      if (this.state !== 'error') this.moveTo('error', this.state);
      this.report(error);
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
