/**
 * How safe the origin's storage is: whether the browser keeps it under storage pressure
 * (`navigator.storage.persist()` / `persisted()`) and how full it is (`navigator.storage.estimate()`:
 * usage and quota of the whole origin, every database of it together). Storage Standard,
 * https://storage.spec.whatwg.org/ ("Persistence", "Usage and quota"). Both are missing outside a
 * secure context (a LAN page over plain http); then nothing is known and nothing fails.
 * The master asks for persistence when it opens its database; `<rtc-status>` shows the report
 * (README.md "Keeping your data").
 */

/** What is known of the origin's storage; null where the browser does not say. */
export interface StorageReport {
  /** True when the browser will not evict the origin's data under storage pressure. */
  persisted: boolean | null;
  /** Bytes used by the origin (an estimate, which browsers round). */
  usage: number | null;
  /** Bytes the origin may use (an estimate, usually a share of the free disk). */
  quota: number | null;
}

/** Share of the quota from which `<rtc-status>` warns. */
export const STORAGE_WARN_RATIO = 0.8;
/** Shortest time between two estimates after writes, ms: writes come by thousands, estimates cost. */
export const ESTIMATE_INTERVAL_MS = 3000;

type Listener = (report: StorageReport) => void;

const storage = (): StorageManager | undefined => (typeof navigator === 'undefined' ? undefined : navigator.storage);

/**
 * Asks the browser to keep the origin's storage (`navigator.storage.persist()`, once granted it
 * stays so). Chromium grants or refuses without asking, by its heuristics (an installed app, a
 * bookmarked or much-used site); Firefox asks the user. Never rejects.
 * @returns whether storage is persistent now; null where the API is missing.
 */
export async function requestPersistence(): Promise<boolean | null> {
  const manager = storage();
  if (!manager?.persist) return null;
  try {
    const granted = (await manager.persisted?.()) || (await manager.persist());
    monitor.update({ persisted: granted });
    return granted;
  } catch {
    return null;
  }
}

/**
 * The origin's storage report, shared by everything in the page (the estimate is per origin).
 * `subscribe` reads it at once; `noteWrite` (the write paths call it) asks for a new estimate at
 * most every {@link ESTIMATE_INTERVAL_MS}.
 */
class StorageMonitor {
  private report: StorageReport = { persisted: null, usage: null, quota: null };
  private readonly listeners = new Set<Listener>();
  private lastEstimate = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private reading: Promise<void> | null = null;

  /** The last report. */
  get current(): StorageReport {
    return this.report;
  }

  /** Calls `listener` with each new report (now, once read, then after writes). @returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    listener(this.report);
    void this.refresh();
    return () => this.listeners.delete(listener);
  }

  /** A write was stored (or refused): re-estimate soon, at a bounded rate; nothing while no one listens. */
  noteWrite(): void {
    if (this.listeners.size === 0 || this.timer) return;
    const wait = Math.max(0, this.lastEstimate + ESTIMATE_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, wait);
  }

  /** Reads `persisted()` and `estimate()` now. Never rejects. */
  refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = null));
    return this.reading;
  }

  update(part: Partial<StorageReport>): void {
    this.report = { ...this.report, ...part };
    for (const listener of this.listeners) listener(this.report);
  }

  private async read(): Promise<void> {
    const manager = storage();
    if (!manager) return;
    this.lastEstimate = Date.now();
    const part: Partial<StorageReport> = {};
    try {
      if (manager.persisted) part.persisted = await manager.persisted();
      if (manager.estimate) {
        const { usage, quota } = await manager.estimate();
        part.usage = usage ?? null;
        part.quota = quota ?? null;
      }
    } catch {
      // a browser that refuses says nothing: keep what is known
    }
    this.update(part);
  }
}

/** The page's storage monitor (see {@link StorageMonitor}). */
export const monitor = new StorageMonitor();

/** Tells the monitor that a write happened (cheap: it only schedules an estimate). */
export function noteStorageWrite(): void {
  monitor.noteWrite();
}

