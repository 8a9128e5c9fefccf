/**
 * The blob path (docs/site.md "Blob path"): serves a site where no Service Worker can, on a page
 * that is not a secure context (plain http on the LAN). Each page is read from the
 * {@link SiteFileSource}, rewritten (rewrite-html.ts: resources as `data:` URLs, the bridge first)
 * and given to the frame as a Blob URL of the host's origin. Other files (an image, a text file,
 * a PDF followed by a link) are given as they are. Media files are read whole on this path.
 */
import type { SiteFileSource, SiteServer } from './types.js';
import { splitHref } from './resolve.js';
import { rewritePage } from './rewrite-html.js';

/** A {@link SiteServer} of kind `blob`: one Blob URL alive at a time, the page being shown. */
export class BlobSiteServer implements SiteServer {
  readonly kind = 'blob' as const;
  private current: string | null = null;
  private files: string[] = [];

  constructor(private readonly source: SiteFileSource) {}

  /**
   * Reads and rewrites the page at site href `href` (`about.html?q=1#team`) and returns a Blob
   * URL for the frame (with the fragment). A missing file gives the source's 404 page. The Blob
   * URL of the page before is revoked (a shown page keeps working: its document is loaded).
   * Rejects only when the database fails.
   */
  async urlFor(href: string): Promise<string> {
    const target = splitHref(href);
    const r = await this.source.read(target.path);
    let body: Blob;
    if (/^text\/html\b/i.test(r.contentType)) {
      const page = await rewritePage(await r.body.text(), target, this.source);
      body = new Blob([page.html], { type: 'text/html;charset=utf-8' });
      this.files = page.files;
    } else {
      body = new Blob([r.body], { type: r.contentType });
      this.files = [target.path];
    }
    if (this.current) URL.revokeObjectURL(this.current);
    this.current = URL.createObjectURL(body);
    return this.current + target.hash;
  }

  /** The site paths the page last given by {@link urlFor} read (itself and its resources). */
  pageFiles(): string[] {
    return [...this.files];
  }

  dispose(): void {
    if (this.current) URL.revokeObjectURL(this.current);
    this.current = null;
  }
}

/** Starts the blob path: always possible (Blob URLs exist everywhere). */
export function startBlobServer(source: SiteFileSource): Promise<SiteServer> {
  return Promise.resolve(new BlobSiteServer(source));
}
