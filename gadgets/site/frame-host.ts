/**
 * The host's side of the bridge (bridge.ts): listens to the messages of one frame and answers its
 * reads (docs/site.md "Isolation").
 *
 * - Only messages whose `source` is this frame's window are heard: another frame, another
 *   `<rtc-site>` or a popup cannot speak for it.
 * - A read goes to the {@link SiteFileSource}, which is bound to one document and keeps every
 *   path inside the site (file-source.ts `sitePath`): whatever a script in the frame sends, it can
 *   read the files of its own site and nothing else. Only GET and HEAD (405 otherwise); a
 *   malformed request gets 400; nothing the frame sends throws here.
 */
import type { SiteFileSource } from './types.js';
import { sitePath } from './file-source.js';

/** What the element does with the frame's messages. */
export interface FrameHostEvents {
  /** A link or GET form inside the site: `href` as the bridge resolved it (`/about.html?q=1`). */
  navigate(href: string): void;
  /** The page was parsed; its `<title>`. */
  loaded(title: string): void;
}

interface ReadRequest {
  id: unknown;
  method: unknown;
  href: unknown;
  range?: unknown;
}

/** Longest href read (a request past it gets 400). */
const MAX_HREF = 4096;

/** Answers the bridge of the frame `frame()` returns, from `source()` (see the module doc). */
export class FrameHost {
  /** Site paths the frame read through `fetch` or media since {@link reset} (for live reload). */
  readonly fetched = new Set<string>();
  private ports: MessagePort[] = [];

  constructor(
    private readonly frame: () => HTMLIFrameElement | null,
    private readonly source: () => SiteFileSource | null,
    private readonly events: FrameHostEvents,
  ) {}

  /** Starts hearing the page's `message` events (once per element lifetime). */
  start(): void {
    window.addEventListener('message', this.onMessage);
  }

  /** Stops hearing them and closes the frame's ports. */
  stop(): void {
    window.removeEventListener('message', this.onMessage);
    this.reset();
  }

  /** Forget the ports and reads of the page before (a new page is being loaded). */
  reset(): void {
    for (const port of this.ports) port.close();
    this.ports = [];
    this.fetched.clear();
  }

  private readonly onMessage = (e: MessageEvent): void => {
    const frame = this.frame();
    if (!frame || e.source !== frame.contentWindow) return;
    const data = e.data as { rtcSite?: unknown; type?: unknown; href?: unknown; title?: unknown } | null;
    if (!data || typeof data !== 'object' || data.rtcSite !== 1) return;
    if (data.type === 'navigate' && typeof data.href === 'string' && data.href.length <= MAX_HREF) {
      this.events.navigate(data.href);
    } else if (data.type === 'loaded') {
      this.events.loaded(typeof data.title === 'string' ? data.title.slice(0, 200) : '');
    } else if (data.type === 'port' && e.ports[0]) {
      const port = e.ports[0];
      this.ports.push(port);
      port.onmessage = (m: MessageEvent) => void this.answer(port, m.data as ReadRequest);
    }
  };

  private async answer(port: MessagePort, req: ReadRequest): Promise<void> {
    if (!req || typeof req !== 'object' || typeof req.id !== 'number') return;
    const reply = (status: number, contentType = 'text/plain;charset=utf-8', body = new Blob([]), size = body.size): void =>
      port.postMessage({ id: req.id, status, contentType, size, body });
    const range = req.range === undefined || req.range === null ? undefined : req.range;
    const rangeOk = range === undefined
      || (Array.isArray(range) && range.length === 2 && range.every((n) => Number.isSafeInteger(n) && n >= 0));
    if (typeof req.href !== 'string' || req.href.length > MAX_HREF || !rangeOk) return reply(400);
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405);
    const source = this.source();
    if (!source) return reply(503);
    try {
      const path = req.href.replace(/[?#].*$/s, '');
      const r = await source.read(path, range as [number, number] | undefined);
      this.fetched.add(sitePath(path) ?? path);
      reply(r.status, r.contentType, r.body, r.size);
    } catch (error) {
      reply(500, 'text/plain;charset=utf-8', new Blob([(error as Error).message]));
    }
  }
}
