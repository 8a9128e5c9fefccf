/**
 * The bridge: a small script put first in every HTML page the blob path serves, run inside the
 * sandboxed frame (docs/site.md "The bridge"). It is the site's only way to reach `<rtc-site>`,
 * and only by `postMessage` to `parent`:
 *
 * - a click on a link inside the site → `{ rtcSite: 1, type: 'navigate', href }` (the element
 *   loads that page and keeps the history); a link to another origin opens in a new tab;
 * - a GET form → `navigate` with the form's query string; other methods are refused (no server);
 * - `fetch()` of a URL inside the site, the `src` of `<video>`, `<audio>` and their `<source>`,
 *   and of images and media that scripts add with a relative URL → requests `{ id, method, href, range? }` on a `MessagePort` it sends once
 *   (`{ rtcSite: 1, type: 'port' }`), answered `{ id, status, contentType, size, body: Blob }`;
 * - `{ rtcSite: 1, type: 'loaded', title }` once the page is parsed.
 *
 * The site's own scripts share the frame's realm and can send the same messages: the host
 * ({@link ../site/frame-host.ts}) answers only reads of the site's own document, whoever asks.
 */

/** What the bridge knows of the page it is in. */
export interface BridgeConfig {
  /** The page's site path (`docs/guide.html`). */
  path: string;
  /** Its query string (`?q=tea`, or ''): `location.search` cannot carry it on a Blob URL. */
  search: string;
  /** Its fragment (`#prices`, or ''). */
  hash: string;
  /** The origin that stands for the site (resolve.ts SITE_ORIGIN). */
  site: string;
  /**
   * Whether `fetch()`, and images and media that scripts add, go to the host (default true: the blob
   * path). A Service Worker that puts the bridge in its pages (for the links, forms and history)
   * answers those requests itself, media ranges included: false.
   */
  interceptFetch?: boolean;
}

/** The bridge itself; it runs in the frame, so it uses nothing but the frame's globals. */
function bridgeMain(cfg: BridgeConfig): void {
  const page = `${cfg.site}/${cfg.path}${cfg.search}`;
  const w = window as unknown as Record<string, unknown>;
  w.rtcSite = Object.freeze({ path: cfg.path, search: cfg.search, hash: cfg.hash });
  const tell = (message: Record<string, unknown>): void => parent.postMessage({ rtcSite: 1, ...message }, '*');
  const resolve = (raw: string): URL | null => {
    try {
      return new URL(raw, page);
    } catch {
      return null;
    }
  };
  const inSite = (url: URL): string => url.pathname + url.search + url.hash;
  const external = (url: URL): boolean => url.protocol === 'http:' || url.protocol === 'https:';

  // Requests to the host, on one MessagePort.
  let port: MessagePort | null = null;
  let seq = 0;
  const pending = new Map<number, (reply: { status: number; contentType: string; size: number; body: Blob }) => void>();
  const request = (href: string, method = 'GET', range?: [number, number]) =>
    new Promise<{ status: number; contentType: string; size: number; body: Blob }>((done) => {
      if (!port) {
        const channel = new MessageChannel();
        port = channel.port1;
        port.onmessage = (e: MessageEvent) => {
          const reply = e.data as { id: number; status: number; contentType: string; size: number; body: Blob };
          pending.get(reply.id)?.(reply);
          pending.delete(reply.id);
        };
        parent.postMessage({ rtcSite: 1, type: 'port' }, '*', [channel.port2]);
      }
      const id = ++seq;
      pending.set(id, done);
      port.postMessage({ id, method, href, range });
    });

  const realFetch = window.fetch.bind(window);
  if (cfg.interceptFetch !== false) window.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const raw = input instanceof Request ? input.url : String(input);
    const url = resolve(raw);
    if (!url || url.origin !== cfg.site) return realFetch(input, init);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const rangeHeader = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).get('range');
    const m = /^bytes=(\d+)-(\d*)$/.exec(rangeHeader ?? '');
    const range: [number, number] | undefined = m ? [Number(m[1]), m[2] ? Number(m[2]) + 1 : Number.MAX_SAFE_INTEGER] : undefined;
    return request(inSite(url), method, range).then((r) => {
      const headers: Record<string, string> = { 'content-type': r.contentType, 'content-length': String(r.body.size) };
      if (r.status === 206) headers['content-range'] = `bytes ${range![0]}-${range![0] + r.body.size - 1}/${r.size}`;
      return new Response(method === 'HEAD' ? null : r.body, { status: r.status, headers });
    });
  };

  // Links: inside the site → the element navigates; another origin → a new tab.
  window.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0) return;
    const a = (e.composedPath() as Element[]).find((n) => n.localName === 'a' || n.localName === 'area') as HTMLAnchorElement | undefined;
    const raw = a?.getAttribute('href');
    if (!a || raw === null || raw === undefined || raw.trim().startsWith('#')) return;
    const url = resolve(raw);
    if (!url) return;
    if (url.origin === cfg.site) {
      e.preventDefault();
      tell({ type: 'navigate', href: inSite(url) });
    } else if (external(url)) {
      e.preventDefault();
      window.open(url.href, '_blank', 'noopener');
    }
  });

  // Forms: GET navigates with its query string; a form has no server to post to.
  window.addEventListener('submit', (e) => {
    if (e.defaultPrevented) return;
    const form = e.target as HTMLFormElement;
    const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null;
    const method = (submitter?.getAttribute('formmethod') ?? form.getAttribute('method') ?? 'get').toLowerCase();
    const url = resolve(submitter?.getAttribute('formaction') ?? form.getAttribute('action') ?? '');
    if (!url) return;
    e.preventDefault();
    if (method !== 'get') {
      console.warn(`rtc-site: a ${method.toUpperCase()} form has no server to go to in a site served from a browser`);
      return;
    }
    const query = new URLSearchParams();
    for (const [k, v] of new FormData(form, submitter)) query.append(k, typeof v === 'string' ? v : v.name);
    url.search = query.toString();
    url.hash = '';
    if (url.origin === cfg.site) tell({ type: 'navigate', href: inSite(url) });
    else if (external(url)) window.open(url.href, '_blank', 'noopener');
  });

  // Media sources are read whole through the host, then given as Blob URLs of this frame.
  const media = (): void => {
    for (const el of document.querySelectorAll<HTMLMediaElement | HTMLSourceElement>('[data-rtc-src]')) {
      const href = el.getAttribute('data-rtc-src')!;
      el.removeAttribute('data-rtc-src');
      void request(href).then((r) => {
        if (r.status !== 200) return;
        el.src = URL.createObjectURL(r.body.type ? r.body : new Blob([r.body], { type: r.contentType }));
        const player = el.localName === 'source' ? (el.parentElement as HTMLMediaElement | null) : null;
        player?.load?.();
      });
    }
  };
  // Images and media that scripts add (or point elsewhere) with a relative URL: read through the host.
  const dynamic = (el: Element): void => {
    if (!/^(img|video|audio|source)$/.test(el.localName)) return;
    const raw = el.getAttribute('src');
    const url = raw === null ? null : resolve(raw);
    if (!url || url.origin !== cfg.site) return;
    el.setAttribute('data-rtc-src', inSite(url));
    el.removeAttribute('src');
    if (document.readyState !== 'loading') media();
  };
  // Behind a Service Worker (interceptFetch false) the frame's own requests reach the site, ranges included.
  if (cfg.interceptFetch !== false) new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') dynamic(r.target as Element);
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        dynamic(n as Element);
        for (const child of (n as Element).querySelectorAll('img[src], video[src], audio[src], source[src]')) dynamic(child);
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
  document.addEventListener('DOMContentLoaded', () => {
    media();
    tell({ type: 'loaded', title: document.title });
  });
}

/** The bridge as the text of an inline `<script>`, configured for one page. */
export function bridgeSource(config: BridgeConfig): string {
  // `<` escaped so that no `</script>` in a path can end the script early.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `(${bridgeMain.toString()})(${json});`;
}
