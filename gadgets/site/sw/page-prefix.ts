/**
 * A {@link SiteFileSource} that puts some HTML before every HTML page it serves: how `<rtc-site>`
 * gives the Service Worker path's pages its bridge script (links, forms and history told to the
 * element; docs/site.md). Other files pass through untouched, ranges included.
 */
import { sitePath } from '../file-source.js';
import type { SiteFileSource, SiteResponse } from '../types.js';

/** How many prefixed pages are kept, and how long (ms), for the reads of one page's later ranges. */
const KEEP = 4;
const KEEP_MS = 10_000;

/**
 * Wrap `source`: a `text/html` file is read whole, `prefix(path)` (HTML text; `path` normalised by
 * `sitePath`) put after its doctype (else first), and the
 * result served whole or in ranges, its `size` the prefixed size. The last {@link KEEP} pages are kept
 * {@link KEEP_MS} (a large page is asked for in several ranges; a changed page is seen after that).
 */
export function withPagePrefix(source: SiteFileSource, prefix: (path: string) => string): SiteFileSource {
  const pages = new Map<string, { at: number; page: Promise<SiteResponse> }>();
  /** Keep the prefixed page made from `read`, a response holding the whole file. */
  const keep = (path: string, read: Promise<SiteResponse>): Promise<SiteResponse> => {
    const page = read.then(async (r) => {
      // After the doctype, not before it: a script ahead of `<!DOCTYPE html>` puts the page in quirks mode.
      const doctype = /^\uFEFF?\s*<!doctype[^>]*>/i.exec(await r.body.slice(0, 1024).text());
      const cut = doctype ? new TextEncoder().encode(doctype[0]).length : 0;
      const body = new Blob([r.body.slice(0, cut), prefix(path), r.body.slice(cut)]);
      return { ...r, status: 200, body, size: body.size, range: undefined };
    });
    page.catch(() => pages.delete(path));
    pages.set(path, { at: Date.now(), page });
    if (pages.size > KEEP) pages.delete(pages.keys().next().value as string);
    return page;
  };
  return {
    doc: source.doc,
    async read(raw, range) {
      // The prefix and the cache see the page's own path (`''` and `a/../index.html` are `index.html`).
      const path = sitePath(raw) ?? raw;
      const kept = pages.get(path);
      let page = kept && Date.now() - kept.at < KEEP_MS ? kept.page : undefined;
      if (!page) {
        const first = await source.read(path, range);
        if (!/^text\/html\b/i.test(first.contentType) || first.status === 404) return first;
        const isWhole = first.status === 200 || (first.status === 206 && first.range?.[0] === 0 && first.range[1] === first.size);
        page = keep(path, isWhole ? Promise.resolve(first) : source.read(path));
      }
      return slice(await page, range);
    },
  };
}

/** `page` (status 200, whole) cut to `range`: 206, or 416 past its end. */
function slice(page: SiteResponse, range?: [number, number]): SiteResponse {
  if (!range) return page;
  const [start, end] = [range[0], Math.min(range[1], page.size)];
  if (!(start >= 0 && start < end)) return { ...page, status: 416, body: new Blob([]), range: undefined };
  return { ...page, status: 206, body: page.body.slice(start, end), range: [start, end] };
}
