/**
 * Resolving the references a site's files make (`../css/site.css`, `img/a.png?v=2#x`) to site
 * paths, and telling them from references that leave the site (docs/site.md "Paths").
 *
 * The resolution is the WHATWG URL parser's, against a fixed origin that stands for the site: a
 * reference that keeps that origin is a file of the site (`..` never climbs above its root, as on
 * any web server); any other origin, or a scheme such as `data:` or `mailto:`, is outside.
 */
import { sitePath } from './file-source.js';

/** The origin that stands for the site while resolving (never fetched; `.invalid` is reserved, RFC 6761). */
export const SITE_ORIGIN = 'https://site.invalid';

/** A reference resolved inside the site: its path, and its query and fragment as written (`?a=1`, `#x`, or ''). */
export interface SiteHref {
  path: string;
  search: string;
  hash: string;
}

/**
 * Resolves `ref` as written in the file at site path `from` (or against `base`, a site path, when
 * the page has `<base href>`). Returns `null` for a reference outside the site (another origin, a
 * `data:`/`blob:`/`javascript:` URL, a fragment alone is inside: the same page).
 */
export function resolveRef(ref: string, from: string): SiteHref | null {
  let url: URL;
  try {
    url = new URL(ref.trim(), `${SITE_ORIGIN}/${from}`);
  } catch {
    return null;
  }
  if (url.origin !== SITE_ORIGIN) return null;
  // A folder (`docs/`) is its index page, as on a web server.
  const path = sitePath(url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname);
  if (path === null) return null;
  return { path, search: url.search, hash: url.hash };
}

/** Splits a site href as `<rtc-site>` navigates to it (`about.html?q=1#top`) into its parts. */
export function splitHref(href: string): SiteHref {
  const resolved = resolveRef(href.startsWith('/') ? href : `/${href}`, '');
  return resolved ?? { path: href, search: '', hash: '' };
}

/** The href of a resolved reference: `path?query#hash`. */
export function joinHref(h: SiteHref): string {
  return `${h.path}${h.search}${h.hash}`;
}
