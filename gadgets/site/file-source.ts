/**
 * A {@link SiteFileSource} over the database API of `<rtc-master>` or `<rtc-slave>`: the site's files
 * are the attachments of one document (docs/site.md).
 */
import type { GetAttachmentOptions } from '../api.js';
import type { SiteFileSource, SiteResponse } from './types.js';
import { contentTypeFor } from '../content-types.js';

/** How old the cached list must be before a missing file lists the document again (ms). */
const RELIST_MS = 1000;

/** The slice of the database API a site needs (both elements implement it). */
export interface SiteDatabase {
  allAttachments(id: string): Promise<Record<string, { content_type: string; length: number; digest?: string }>>;
  getAttachment(id: string, name: string, options?: GetAttachmentOptions): Promise<unknown>;
}

/** The site's files: attachment name → its type, size and (from the database) digest. */
export interface Listing {
  [name: string]: { content_type: string; length: number; digest?: string };
}

/**
 * Normalise a site path: strip a leading `/` and the query or fragment, decode `%xx`, resolve `.`
 * and `..`. Returns `null` for a path that leaves the site's root or is not valid URI encoding.
 */
export function sitePath(raw: string): string | null {
  const bare = raw.replace(/[?#].*$/s, '').replace(/^\/+/, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(bare);
  } catch {
    return null;
  }
  const out: string[] = [];
  for (const part of decoded.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join('/') || 'index.html';
}

/**
 * Reads the files of document `doc` through `db`. The attachment list is read once and kept until
 * {@link DatabaseSiteSource.invalidate} (call it when the document changes), so a page with forty
 * resources costs one `allAttachments` and forty ranged `getAttachment` calls.
 */
export class DatabaseSiteSource implements SiteFileSource {
  private listing: Promise<Listing> | null = null;
  private listedAt = 0;

  constructor(
    private readonly db: SiteDatabase,
    readonly doc: string,
  ) {}

  /** Forget the cached attachment list: the next read lists the document again. */
  invalidate(): void {
    this.listing = null;
  }

  /** The site's files as last listed (listed now when forgotten); rejects only when the database fails. */
  files(): Promise<Listing> {
    return this.list();
  }

  private list(): Promise<Listing> {
    if (!this.listing) {
      this.listedAt = Date.now();
      this.listing = this.db.allAttachments(this.doc).catch((error: unknown) => {
        this.listing = null;
        // A missing document is an empty site (every path a 404); anything else is an error.
        if ((error as { status_code?: number }).status_code === 404) return {};
        throw error;
      });
    }
    return this.listing;
  }

  /** See {@link SiteFileSource.read}: 200, 206, 404 or 416; rejects only when the database fails. */
  async read(path: string, range?: [number, number]): Promise<SiteResponse> {
    const name = sitePath(path);
    let info = name === null ? undefined : (await this.list())[name];
    // A file missing from a list older than a second may have been added since (before the
    // changes feed said so): list once more.
    if (name !== null && !info && Date.now() - this.listedAt > RELIST_MS) {
      this.invalidate();
      info = (await this.list())[name];
    }
    if (name === null || !info) return notFound(path);
    const contentType = info.content_type && info.content_type !== 'application/octet-stream'
      ? info.content_type
      : contentTypeFor(name);
    const size = info.length;
    if (range) {
      const [start, end] = [range[0], Math.min(range[1], size)];
      if (!(start >= 0 && start < end)) {
        return { status: 416, contentType, size, body: new Blob([]) };
      }
      const body = (await this.db.getAttachment(this.doc, name, { format: 'blob', start, end })) as Blob;
      return { status: 206, contentType, size, body, range: [start, end] };
    }
    const body = (await this.db.getAttachment(this.doc, name, { format: 'blob' })) as Blob;
    return { status: 200, contentType, size, body };
  }
}

function notFound(path: string): SiteResponse {
  const text = `<!doctype html><meta charset="utf-8"><title>Not found</title>`
    + `<h1>404 Not found</h1><p>This site has no file <code>${escapeHtml(path)}</code>.</p>`;
  const body = new Blob([text], { type: 'text/html' });
  return { status: 404, contentType: 'text/html;charset=utf-8', size: body.size, body };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
