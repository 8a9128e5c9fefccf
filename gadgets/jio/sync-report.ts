/**
 * Reads what jIO's `replicate` storage says of one `repair()`: its ReplicateReport, a list of
 * `[code, id, …]` entries (upstream src/jio.storage/replicatestorage.js). A code's hundreds say
 * what happened (0: error, 1: conflict settled by force, 2: change pushed, 3: skipped), its tens
 * the operation (1 put, 2 post, 3 delete, 7 conflict), its units where (6/7: remote document /
 * attachment, 8/9: local document / attachment). docs/jio-storage.md "What the element shows".
 */

/** One conflict of a run: the document (and attachment), and how it ended. */
export interface SyncConflict {
  id: string;
  attachment?: string;
  /** `kept local`, `kept remote`, `both kept` (conflict_handling 3) or `unresolved` (0). */
  resolution: 'kept local' | 'kept remote' | 'both kept' | 'unresolved';
}

/** The counts of one run. */
export interface SyncSummary {
  /** Documents and attachments written or deleted on the remote. */
  pushed: number;
  /** Documents and attachments written or deleted in this database. */
  pulled: number;
  conflicts: SyncConflict[];
  /** Messages of the entries that failed (code < 100 other than a conflict). */
  errors: string[];
}

/** The report's entries, whether `repair()` resolved with it or threw it (when it has errors). */
export function reportEntries(report: unknown): unknown[][] | null {
  const list = (report as { _list?: unknown } | null)?._list;
  return Array.isArray(list) ? (list.filter(Array.isArray) as unknown[][]) : null;
}

/** A thrown thing in words: a jIOError's message, an XMLHttpRequest event's HTTP status, else its text. */
export function describeError(error: unknown): string {
  const target = (error as { target?: { status?: unknown; statusText?: unknown } } | null)?.target;
  if (target && typeof target.status === 'number') {
    return target.status === 0 ? 'the remote is unreachable (network error)' : `the remote answered HTTP ${target.status} ${String(target.statusText ?? '')}`.trim();
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

const RESOLUTION: Record<number, SyncConflict['resolution']> = { 6: 'kept local', 7: 'kept local', 8: 'kept remote', 9: 'kept remote' };

/** Counts a run's report (`repair()`'s value, or what it threw). */
export function summarize(report: unknown): SyncSummary {
  const summary: SyncSummary = { pushed: 0, pulled: 0, conflicts: [], errors: [] };
  for (const entry of reportEntries(report) ?? []) {
    const [code, id] = entry;
    if (typeof code !== 'number') continue;
    const where = code % 10;
    const isAttachment = where % 2 === 1;
    const attachment = isAttachment && typeof entry[2] === 'string' ? entry[2] : undefined;
    const extra = entry[isAttachment ? 3 : 2];
    const conflict = (resolution: SyncConflict['resolution']): SyncConflict => (attachment ? { id: String(id), attachment, resolution } : { id: String(id), resolution });
    if (code >= 100 && code < 300 && code % 100 < 80) {
      if (where === 6 || where === 7) summary.pushed += 1;
      else if (where === 8 || where === 9) summary.pulled += 1;
      if (code < 200) summary.conflicts.push(conflict(RESOLUTION[where] ?? 'kept local'));
    } else if (code === 74 || code === 75) {
      summary.conflicts.push(conflict('unresolved'));
    } else if (code === 374 || code === 375) {
      summary.conflicts.push(conflict('both kept'));
    } else if (code < 100) {
      summary.errors.push(`${String(id)}${attachment ? ` / ${attachment}` : ''}: ${describeError(extra)}`);
    }
  }
  return summary;
}
