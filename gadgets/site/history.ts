/**
 * The back/forward list of `<rtc-site>` (docs/site.md): site hrefs, a position, and moves. A new
 * page drops the pages ahead of the position, as a browser's history does.
 */
export class SiteHistory {
  private entries: string[] = [];
  private index = -1;

  /** The href shown, or '' before the first page. */
  get current(): string {
    return this.entries[this.index] ?? '';
  }

  get canBack(): boolean {
    return this.index > 0;
  }

  get canForward(): boolean {
    return this.index < this.entries.length - 1;
  }

  /** A new page: drops the pages ahead, appends `href` (not when it is the page shown). */
  push(href: string): void {
    if (href === this.current) return;
    this.entries = [...this.entries.slice(0, this.index + 1), href];
    this.index = this.entries.length - 1;
  }

  /** Moves by `delta` (−1 back, +1 forward); returns the href moved to, or `null` when there is none. */
  go(delta: number): string | null {
    const to = this.index + delta;
    if (to < 0 || to >= this.entries.length) return null;
    this.index = to;
    return this.current;
  }

  /** Forgets everything (another site). */
  clear(): void {
    this.entries = [];
    this.index = -1;
  }
}
