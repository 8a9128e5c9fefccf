/**
 * Finds the `<rtc-master>` or `<rtc-slave>` an element is bound to, declaratively: by the id in
 * its `for` attribute (looked up in its root, so it works inside shadow roots), or else its
 * closest master/slave ancestor (after Material's AttachableController). Re-renders the host on
 * the target's `rtc-*` events and re-resolves when `for` changes or the target appears later.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DatabaseElement } from '../elements/database-element.js';

const TAGS = ['rtc-master', 'rtc-slave'];
const EVENTS = ['rtc-state-change', 'rtc-peers-change', 'rtc-name-change', 'rtc-error'] as const;

export class TargetController implements ReactiveController {
  target: DatabaseElement | null = null;
  /** Called after the target changes or fires an event, besides the re-render. */
  onTargetEvent: (type: string) => void = () => {};
  private observer: MutationObserver | null = null;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement, private readonly forId: () => string) {
    host.addController(this);
  }

  hostConnected(): void {
    this.resolve();
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.attach(null);
  }

  /** Looks the target up again (call when `for` changes). */
  resolve(): void {
    const id = this.forId();
    const root = this.host.getRootNode() as Document | ShadowRoot;
    let found: Element | null = id ? (root.getElementById?.(id) ?? null) : this.host.closest(TAGS.join(','));
    if (found && !TAGS.includes(found.localName)) found = null;
    if (found) {
      this.observer?.disconnect();
      this.observer = null;
      const el = found;
      // The tag may be defined after this element: wait for its class before using its API.
      void customElements.whenDefined(el.localName).then(() => {
        if (this.host.isConnected) this.attach(el as unknown as DatabaseElement);
      });
    } else if (!this.observer && root) {
      // Not in the document yet: look again when the tree changes.
      this.observer = new MutationObserver(() => this.resolve());
      this.observer.observe(root, { childList: true, subtree: true });
    }
  }

  private attach(target: DatabaseElement | null): void {
    if (target === this.target) return;
    for (const type of EVENTS) this.target?.removeEventListener(type, this.handleEvent);
    this.target = target;
    for (const type of EVENTS) target?.addEventListener(type, this.handleEvent);
    this.host.requestUpdate();
    this.onTargetEvent('attach');
  }

  private readonly handleEvent = (event: Event): void => {
    if (event.target !== this.target) return; // ignore events bubbling from nested elements
    this.host.requestUpdate();
    this.onTargetEvent(event.type);
  };
}
