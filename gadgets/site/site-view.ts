/**
 * What `<rtc-site>` does, without its rendering: the source, the server, the frames, the history,
 * the bridge's messages and the reload on change (docs/site.md). The element calls
 * {@link SiteView.open} when its target, document or `serve` change, and renders
 * {@link SiteView.state} after each `onChange`.
 */
import { msg } from '@lit/localize';
import type { ChangesResult } from '../api.js';
import type { SiteServer } from './types.js';
import { DatabaseSiteSource, sitePath, type Listing, type SiteDatabase } from './file-source.js';
import { chooseSiteServer, type ServeMode } from './choose-server.js';
import { FrameHost } from './frame-host.js';
import { SiteHistory } from './history.js';
import { splitHref, joinHref } from './resolve.js';

/** The sandbox of the frame: scripts, forms and new tabs, never `allow-same-origin` (docs/site.md "Isolation"). */
export const FRAME_SANDBOX = 'allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox';

export interface SiteViewState {
  /** `idle` (nothing to show yet), `loading`, `shown`, `error`. */
  phase: 'idle' | 'loading' | 'shown' | 'error';
  /** The site href shown or being loaded (`about.html?q=1`). */
  href: string;
  /** The page's `<title>`. */
  title: string;
  /** The way of serving in use, once started. */
  kind: SiteServer['kind'] | '';
  error: string;
  canBack: boolean;
  canForward: boolean;
}

/** `<rtc-site>`'s state and behaviour, DOM work limited to its frames (see the module doc). */
export class SiteView {
  readonly history = new SiteHistory();
  state: SiteViewState = { phase: 'idle', href: '', title: '', kind: '', error: '', canBack: false, canForward: false };
  private source: DatabaseSiteSource | null = null;
  private server: SiteServer | null = null;
  private frame: HTMLIFrameElement | null = null;
  private seq = 0;
  private listing: Listing = {};
  private readonly host = new FrameHost(() => this.frame, () => this.source, {
    navigate: (href) => void this.go(href),
    loaded: (title) => this.set({ title }),
  });

  /**
   * @param container where the frames go (one shown, and the next while it loads)
   * @param onChange called after every change of {@link state}
   */
  constructor(private readonly container: () => HTMLElement | null, private readonly onChange: () => void) {
    this.host.start();
  }

  /** Shows site `doc` of `db` from its page `start`, served as `mode` asks. Restarts from scratch. */
  async open(db: SiteDatabase, doc: string, start: string, mode: ServeMode): Promise<void> {
    this.close();
    const seq = ++this.seq;
    this.source = new DatabaseSiteSource(db, doc);
    this.set({ phase: 'loading', error: '' });
    try {
      const server = await chooseSiteServer(this.source, mode);
      if (seq !== this.seq) return server.dispose();
      this.server = server;
      this.set({ kind: server.kind });
    } catch (e) {
      if (seq === this.seq) this.set({ phase: 'error', error: (e as Error).message });
      return;
    }
    await this.go(start);
  }

  /** Follows a link: loads `href` (site href, `/` or not) and adds it to the history. */
  go(href: string): Promise<void> {
    return this.load(this.normal(href), 'push');
  }

  /** Back (−1) or forward (+1) in the history; nothing when there is no page there. */
  async move(delta: number): Promise<void> {
    const href = this.history.go(delta);
    if (href !== null) await this.load(href, 'none');
  }

  /** Loads the page shown again (its files read anew). */
  reload(): Promise<void> {
    this.source?.invalidate();
    return this.load(this.history.current || this.state.href, 'none');
  }

  /**
   * A batch of the live changes feed: when document `doc` changed, lists its files again and
   * reloads the page shown if one of the files it read changed (or, for a server that does not
   * say which it read, if any did).
   */
  async changed(batch: ChangesResult): Promise<void> {
    const source = this.source;
    if (!source || !batch.results.some((r) => r.id === source.doc)) return;
    source.invalidate();
    const before = this.listing;
    const after = await source.files().catch(() => ({}) as Listing);
    if (source !== this.source) return;
    const used = this.server?.pageFiles ? [...this.server.pageFiles(), ...this.host.fetched] : null;
    const names = used ?? [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const differs = names.some((name) => {
      const [a, b] = [before[name], after[name]];
      return !a !== !b || (a && b && (a.digest !== b.digest || a.length !== b.length));
    });
    if (differs && this.state.phase !== 'loading') await this.load(this.history.current, 'none');
  }

  /** Stops: frames removed, server disposed, history forgotten. */
  close(): void {
    this.seq++;
    this.server?.dispose();
    this.server = null;
    this.source = null;
    this.frame = null;
    this.host.reset();
    this.container()?.replaceChildren();
    this.history.clear();
    this.set({ phase: 'idle', href: '', title: '', kind: '', error: '' });
  }

  /** Stops for good (the element left the page). */
  dispose(): void {
    this.close();
    this.host.stop();
  }

  private normal(href: string): string {
    const h = splitHref(href.replace(/^\/*/, '/'));
    return joinHref({ ...h, path: sitePath(h.path) ?? h.path });
  }

  private async load(href: string, how: 'push' | 'none'): Promise<void> {
    const server = this.server;
    const source = this.source;
    if (!server || !source) return;
    const seq = ++this.seq;
    this.set({ phase: 'loading', href, error: '' });
    let url: string;
    try {
      url = await server.urlFor(href);
      this.listing = await source.files();
    } catch (e) {
      if (seq === this.seq) this.set({ phase: 'error', error: (e as Error).message });
      return;
    }
    if (seq !== this.seq) return;
    if (how === 'push') this.history.push(href);
    this.host.reset();
    this.show(url, seq);
    this.set({});
  }

  /** A new frame for each page: a fresh window, no entry in the host page's history, no flash (the old one stays until the new one loaded). */
  private show(url: string, seq: number): void {
    const container = this.container();
    if (!container) return;
    const frame = document.createElement('iframe');
    // The Service Worker path needs `allow-same-origin` on its own site origin (site/sw/index.ts).
    frame.setAttribute('sandbox', this.server?.sandbox ?? FRAME_SANDBOX);
    frame.setAttribute('part', 'frame');
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.className = 'next';
    frame.title = this.state.title || msg('Site');
    frame.addEventListener('load', () => {
      if (seq !== this.seq || frame !== this.frame) return;
      for (const old of [...container.children]) if (old !== frame) old.remove();
      frame.className = '';
      this.set({ phase: 'shown' });
    }, { once: true });
    frame.src = url;
    this.frame = frame;
    container.append(frame);
  }

  private set(patch: Partial<SiteViewState>): void {
    this.state = { ...this.state, ...patch, canBack: this.history.canBack, canForward: this.history.canForward };
    if (this.frame && patch.title !== undefined) this.frame.title = patch.title || msg('Site');
    this.onChange();
  }
}
