/**
 * Rewrites one HTML page of a site for the blob path (docs/site.md "Blob path"): every resource
 * it references inside the site becomes a `data:` URL (a stylesheet with its own `url()` and
 * `@import` done first, a module with its imports done first), media sources are left for the
 * bridge to read, and the bridge goes first in `<head>`.
 *
 * Why `data:` URLs and not Blob URLs: the frame has an opaque origin (no `allow-same-origin`),
 * and neither Chromium nor Firefox lets it load a subresource from a Blob URL of the host's
 * origin ("Not allowed to load local resource"); the page itself, a navigation, may be one.
 */
import type { SiteFileSource } from './types.js';
import { resolveRef, SITE_ORIGIN, type SiteHref } from './resolve.js';
import { cssRefs, jsRefs, rewriteCss, rewriteJs } from './rewrite-text.js';
import { bridgeSource } from './bridge.js';

type Kind = 'plain' | 'css' | 'module';

/** Reads and converts the resources of one page; each file once, whatever refers to it. */
export class PageResources {
  private readonly cache = new Map<string, Promise<string | undefined>>();
  /** Every site path read for this page (the page, its resources, found or not). */
  readonly files = new Set<string>();

  constructor(private readonly source: SiteFileSource) {}

  /** The `data:` URL of `ref` as written in the file at `from`, or `undefined` (outside the site, missing, a cycle). */
  async dataUrl(ref: string, from: string, kind: Kind, chain: string[] = []): Promise<string | undefined> {
    const target = resolveRef(ref, from);
    if (!target) return undefined;
    const key = `${kind}:${target.path}`;
    if (chain.includes(key)) return undefined; // an import cycle: cannot be expressed with data: URLs
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.load(target, kind, [...chain, key]);
      this.cache.set(key, entry);
    }
    return entry;
  }

  private async load(target: SiteHref, kind: Kind, chain: string[]): Promise<string | undefined> {
    this.files.add(target.path);
    const r = await this.source.read(target.path);
    if (r.status !== 200) return undefined;
    if (kind === 'plain') return toDataUrl(r.body, r.contentType);
    const text = await r.body.text();
    const refs = kind === 'css' ? cssRefs(text) : jsRefs(text);
    const map = await this.mapOf(refs, target.path, kind === 'css' ? 'plain' : 'module', chain, kind === 'css' ? text : '');
    const out = kind === 'css' ? rewriteCss(text, map) : rewriteJs(text, map);
    return toDataUrl(new Blob([out]), kind === 'css' ? 'text/css;charset=utf-8' : 'text/javascript;charset=utf-8');
  }

  /**
   * Loads `refs` (written in the file at `from`) at once and returns the lookup the rewriters
   * take. In CSS an `@import` is a stylesheet, every other `url()` a plain file.
   */
  async mapOf(refs: string[], from: string, kind: Kind, chain: string[] = [], css = ''): Promise<(ref: string) => string | undefined> {
    const imports = new Set(css ? [...css.matchAll(/@import\s+(?:url\(\s*)?(['"]?)([^'")\s;]+)\1/gi)].map((m) => m[2]) : []);
    const unique = [...new Set(refs)];
    const urls = await Promise.all(unique.map((ref) => this.dataUrl(ref, from, imports.has(ref) ? 'css' : kind, chain)));
    const map = new Map(unique.map((ref, i) => [ref, urls[i]]));
    return (ref) => map.get(ref);
  }
}

/** A Blob as a `data:` URL of type `type` (FileReader: native base64, no string building here). */
export function toDataUrl(body: Blob, type: string): Promise<string> {
  const typed = new Blob([body], { type });
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(typed);
  });
}

/** The `url` of each candidate of a `srcset` (`a.png 1x, b.png 2x`). */
function srcsetUrls(srcset: string): string[] {
  return srcset.split(/,\s+/).map((c) => c.trim().split(/\s+/)[0]).filter(Boolean);
}

/** Media elements whose source the bridge reads (whole) after parsing. */
const MEDIA = 'video[src], audio[src], video > source[src], audio > source[src]';

/**
 * Rewrites the page `html` found at site path `path` (query and fragment in `href`) for the blob
 * path. Returns the new HTML and the site paths it read.
 */
export async function rewritePage(html: string, href: SiteHref, source: SiteFileSource): Promise<{ html: string; files: string[] }> {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const res = new PageResources(source);
  res.files.add(href.path);
  // `<base href>` moves where references resolve from; it cannot stay (the frame's URL is a Blob URL).
  let from = href.path;
  const base = doc.querySelector('base[href]');
  if (base) {
    try {
      const url = new URL(base.getAttribute('href')!.trim(), `${SITE_ORIGIN}/${href.path}`);
      if (url.origin === SITE_ORIGIN) from = url.pathname.slice(1);
    } catch {
      // an unusable <base> is ignored, as a browser does
    }
    base.remove();
  }
  const jobs: Promise<void>[] = [];
  const swap = (el: Element, attr: string, kind: Kind): void => {
    const ref = el.getAttribute(attr);
    if (ref === null) return;
    jobs.push(res.dataUrl(ref, from, kind).then((url) => {
      if (url !== undefined) el.setAttribute(attr, url);
    }));
  };
  for (const el of doc.querySelectorAll('link[href]')) {
    const rel = (el.getAttribute('rel') ?? '').toLowerCase().split(/\s+/);
    if (rel.includes('stylesheet')) swap(el, 'href', 'css');
    else if (rel.includes('icon')) swap(el, 'href', 'plain');
    else if (rel.includes('preload') || rel.includes('modulepreload')) el.remove();
  }
  for (const el of doc.querySelectorAll('script[src]')) swap(el, 'src', el.getAttribute('type') === 'module' ? 'module' : 'plain');
  for (const el of doc.querySelectorAll('img[src], input[type=image][src], track[src], picture > source[src]')) swap(el, 'src', 'plain');
  for (const el of doc.querySelectorAll('video[poster]')) swap(el, 'poster', 'plain');
  for (const el of doc.querySelectorAll('img[srcset], picture > source[srcset]')) {
    const srcset = el.getAttribute('srcset')!;
    jobs.push(res.mapOf(srcsetUrls(srcset), from, 'plain').then((map) => {
      el.setAttribute('srcset', srcset.split(/,\s+/).map((c) => {
        const [url, ...rest] = c.trim().split(/\s+/);
        return [map(url) ?? url, ...rest].join(' ');
      }).join(', '));
    }));
  }
  for (const el of doc.querySelectorAll(MEDIA)) {
    const target = resolveRef(el.getAttribute('src')!, from);
    if (!target) continue;
    res.files.add(target.path);
    el.setAttribute('data-rtc-src', `/${target.path}${target.search}`);
    el.removeAttribute('src');
  }
  for (const el of doc.querySelectorAll('style')) {
    const text = el.textContent ?? '';
    jobs.push(res.mapOf(cssRefs(text), from, 'plain', [], text).then((map) => { el.textContent = rewriteCss(text, map); }));
  }
  for (const el of doc.querySelectorAll('[style]')) {
    const text = el.getAttribute('style')!;
    jobs.push(res.mapOf(cssRefs(text), from, 'plain').then((map) => el.setAttribute('style', rewriteCss(text, map))));
  }
  for (const el of doc.querySelectorAll('script:not([src])[type=module]')) {
    const text = el.textContent ?? '';
    jobs.push(res.mapOf(jsRefs(text), from, 'module').then((map) => { el.textContent = rewriteJs(text, map); }));
  }
  await Promise.all(jobs);
  const bridge = doc.createElement('script');
  bridge.textContent = bridgeSource({ path: href.path, search: href.search, hash: href.hash, site: SITE_ORIGIN });
  doc.head.prepend(bridge);
  const doctype = doc.doctype ? `<!DOCTYPE ${doc.doctype.name}>` : '';
  return { html: `${doctype}\n${doc.documentElement.outerHTML}`, files: [...res.files] };
}
