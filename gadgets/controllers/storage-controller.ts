/**
 * The origin's storage report for an element that shows it (Lit ReactiveController): subscribed
 * to the page's storage monitor (storage/persistence.ts) while `active()` says so (for
 * `<rtc-status>`: bound to a master) and the element is in the page, re-rendering it on each
 * new report. The monitor re-estimates after writes at a bounded rate.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { monitor, requestPersistence, type StorageReport } from '../storage/persistence.js';

export class StorageController implements ReactiveController {
  /** The last report, or null while not subscribed. */
  report: StorageReport | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement, private readonly active: () => boolean) {
    host.addController(this);
  }

  hostUpdated(): void {
    const want = this.host.isConnected && this.active();
    if (want && !this.unsubscribe) {
      this.unsubscribe = monitor.subscribe((report) => {
        this.report = report;
        queueMicrotask(() => this.host.requestUpdate()); // the first comes now, from hostUpdated
      });
    } else if (!want && this.unsubscribe) {
      this.stop();
    }
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Asks the browser again to keep the origin's storage (a user's click: Firefox then asks them). */
  requestPersistence(): Promise<boolean | null> {
    return requestPersistence();
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.report = null;
  }
}
