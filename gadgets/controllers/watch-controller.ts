/**
 * Keeps one `watch` (README.md "Live data") open on the `<rtc-master>` or `<rtc-slave>` an element
 * is bound to, for as long as the element is in the page: started when its target appears or its
 * options change, stopped when the target goes, the options become `null` or the element is
 * removed. Used by `<rtc-query-form live>` and `<rtc-chat>`. The watch itself (exactly once, in
 * seq order, across reconnects and master reloads) is the element's; this only manages its life.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChangesResult, WatchOptions } from '../api.js';
import type { DatabaseElement } from '../elements/database-element.js';

export class WatchController implements ReactiveController {
  private stop: (() => void) | null = null;
  private watched: DatabaseElement | null = null;
  private key = '';

  /**
   * @param options what to watch, or `null` for no watch (read again on every `sync`).
   * @param onChange called with each batch `{ results, last_seq }` of the current watch.
   */
  constructor(
    host: ReactiveControllerHost,
    private readonly options: () => WatchOptions | null,
    private readonly onChange: (batch: ChangesResult) => void,
  ) {
    host.addController(this);
  }

  /** Starts, restarts or stops the watch so that it matches `target` and the current options. */
  sync(target: DatabaseElement | null): void {
    const options = target ? this.options() : null;
    const key = options ? JSON.stringify(options) : '';
    if (target === this.watched && key === this.key) return;
    this.halt();
    if (!target || !options) return;
    this.watched = target;
    this.key = key;
    this.stop = target.watch(options, (batch) => {
      if (this.watched === target) this.onChange(batch);
    });
  }

  hostDisconnected(): void {
    this.halt();
  }

  private halt(): void {
    this.stop?.();
    this.stop = null;
    this.watched = null;
    this.key = '';
  }
}
