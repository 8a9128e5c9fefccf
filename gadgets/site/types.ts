/**
 * The contract between `<rtc-site>` and the two ways it serves a site (docs/site.md).
 *
 * A site is the attachments of one document: attachment names are the site's paths (`index.html`,
 * `css/site.css`, `img/logo.png`). The element reads them through a {@link SiteFileSource}, which
 * is bound to that one document, and shows them in a sandboxed iframe whose URL a
 * {@link SiteServer} gives: a Service Worker's URL space on a secure context, Blob URLs elsewhere.
 */

/** One file of the site, or a missing one (`status` 404) or a bad range (416). */
export interface SiteResponse {
  /** HTTP status the frame sees: 200, 206 (a range), 404, 416. */
  status: number;
  /** MIME type: the attachment's `content_type`, else from the file name (`text/html` for `.html`). */
  contentType: string;
  /** Whole file size in bytes (not the range's). */
  size: number;
  /** The bytes served: the whole file, or `[start, end)` for a range. */
  body: Blob;
  /** For 206: the served range as `[start, end)` bytes. */
  range?: [number, number];
}

/**
 * Reads the files of one document, and only that document: a path outside it (`..`, another
 * document's id, an absolute URL) is a 404, never a read elsewhere.
 */
export interface SiteFileSource {
  /** The document whose attachments are the site. */
  readonly doc: string;
  /**
   * Read `path` (relative to the site's root, no leading `/`, no query string), whole or the byte
   * range `[start, end)`. Never rejects for a missing file: resolves with status 404.
   */
  read(path: string, range?: [number, number]): Promise<SiteResponse>;
}

/** A started way of serving: gives the frame's URL for a site path, and stops. */
export interface SiteServer {
  readonly kind: 'service-worker' | 'blob';
  /**
   * The `sandbox` the frame must have for this server, when it differs from the element's own: the
   * Service Worker path needs `allow-same-origin` (its frames are on another origin; docs/site.md
   * "The Service Worker path"). Absent: the element's.
   */
  readonly sandbox?: string;
  /** URL to load in the sandboxed iframe for `path` (with its query string, if any). */
  urlFor(path: string): Promise<string>;
  /** Stop serving: release Blob URLs, unregister the client from the Service Worker. */
  dispose(): void;
  /**
   * Optional: the site paths the page last given by `urlFor` read (itself and its resources).
   * `<rtc-site>` reloads a page when one of them (or a file the page fetched) changes; without
   * it, when any file of the site changes.
   */
  pageFiles?(): string[];
}
