/**
 * Keeps a master's tab alive while slaves depend on it (Lit ReactiveController): with at least
 * one slave connected, closing or reloading the tab asks for confirmation (a `beforeunload`
 * listener, added only then: an idle page keeps the browser's back/forward cache), and, when the
 * host asks for it (`wake-lock`), a screen wake lock (Screen Wake Lock API,
 * https://w3c.github.io/screen-wake-lock/) stops the screen from sleeping, which on many laptops
 * and phones would suspend the tab. The browser releases a wake lock when the page is hidden;
 * it is asked for again when the page is visible. Where the API is missing (Firefox before 126,
 * pages that are not a secure context) or the browser refuses, nothing fails: `wakeLock` says so.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PeerInfo } from '../session/types.js';

/**
 * Where the wake lock stands: `off` (not wanted: no `wake-lock`, or no slave connected), `held`,
 * `released` (by the browser, the page being hidden: asked again once visible), `unavailable`
 * (no Screen Wake Lock API here) or `refused` (by the browser: asked again once the page is
 * visible again, or when slaves connect anew).
 */
export type WakeLockState = 'off' | 'held' | 'released' | 'unavailable' | 'refused';

/** What the controller reads from its host. */
export interface KeepAliveHost extends ReactiveControllerHost, HTMLElement {
  readonly peers: PeerInfo[];
  /** Whether to hold a screen wake lock while slaves are connected. */
  wakeLock: boolean;
}

export class KeepAliveController implements ReactiveController {
  /** The wake lock's state (read by `<rtc-status>`). */
  wakeLockState: WakeLockState = 'off';
  /** The last reason the browser gave for refusing a wake lock, or null. */
  wakeLockError: Error | null = null;
  private guarding = false;
  private sentinel: WakeLockSentinel | null = null;
  private requesting: Promise<void> | null = null;
  private watching = false;

  constructor(private readonly host: KeepAliveHost) {
    host.addController(this);
  }

  /** Asks the user to confirm leaving (the browser shows its own wording; the text is ignored). */
  private readonly confirmLeave = (event: BeforeUnloadEvent): void => {
    event.preventDefault();
    event.returnValue = ''; // still what Chromium before 119 and Safari look at
  };

  private readonly onVisibility = (): void => this.sync(true);

  /** Whether any slave is connected now. */
  private get needed(): boolean {
    return this.host.isConnected && this.host.peers.some((p) => p.state === 'connected');
  }

  hostConnected(): void {
    this.sync();
  }

  hostUpdated(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.sync();
  }

  /**
   * Adds or removes the guard and takes or releases the wake lock to match the peers now.
   * @param retry ask for a wake lock the browser refused before (the page became visible).
   */
  sync(retry = false): void {
    const needed = this.needed;
    if (needed !== this.guarding) {
      this.guarding = needed;
      if (needed) window.addEventListener('beforeunload', this.confirmLeave);
      else window.removeEventListener('beforeunload', this.confirmLeave);
    }
    const wantLock = needed && this.host.wakeLock;
    if (wantLock !== this.watching) {
      this.watching = wantLock;
      if (wantLock) document.addEventListener('visibilitychange', this.onVisibility);
      else document.removeEventListener('visibilitychange', this.onVisibility);
    }
    if (!wantLock) this.release();
    else if (retry || this.wakeLockState !== 'refused') void this.acquire();
  }

  private acquire(): Promise<void> {
    if ((this.sentinel && !this.sentinel.released) || document.visibilityState !== 'visible') return Promise.resolve();
    if (!('wakeLock' in navigator)) {
      this.setState('unavailable');
      return Promise.resolve();
    }
    this.requesting ??= navigator.wakeLock.request('screen').then((sentinel) => {
      this.sentinel = sentinel;
      this.wakeLockError = null;
      sentinel.addEventListener('release', () => {
        if (this.sentinel === sentinel) this.setState(this.watching ? 'released' : 'off');
      });
      if (!this.watching) this.release(); // no longer wanted while it was being asked for
      else this.setState('held');
    }, (e: unknown) => {
      // Refused (not visible, a policy, low battery): said in the status, never thrown.
      this.wakeLockError = e instanceof Error ? e : new Error(String(e));
      this.setState('refused');
    }).finally(() => (this.requesting = null));
    return this.requesting;
  }

  private release(): void {
    const sentinel = this.sentinel;
    this.sentinel = null;
    if (sentinel && !sentinel.released) sentinel.release().catch(() => {});
    if (this.wakeLockState !== 'off') this.setState('off');
  }

  private setState(state: WakeLockState): void {
    if (state === this.wakeLockState) return;
    this.wakeLockState = state;
    queueMicrotask(() => this.host.requestUpdate()); // often called from hostUpdated: not within the update
  }
}
