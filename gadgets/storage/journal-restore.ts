/**
 * Starting a master's journal (journal.ts), and rebuilding a database the browser wiped from it.
 * A database that opens with no documents while its journal holds some was wiped (or emptied
 * outside this code): the journal is replayed into it, before any request is served, through the
 * normal write paths (`bulkPut`, `remove`), so indexes are right; the remembered answers of
 * idempotent writes come back too, so a slave re-sending a write is still answered once.
 * Reference: README.md "Keeping your data", docs/architecture.md "When the browser loses the database".
 */
import type { Doc } from '../api.js';
import { RtcError } from '../errors.js';
import type { Database } from './database.js';
import { countDocuments, recentWrites, restoreAnswers, snapshotOf } from './journal-idb.js';
import { Journal, journalUnsupported, type JournalRecord, type JournalStatus } from './journal.js';
import type { RequestRecord } from './schema.js';

/** Tries to open a journal held by another Worker, and the wait between them, ms. */
const OPEN_ATTEMPTS = 10;
const OPEN_RETRY_MS = 300;

/** Documents per `bulkPut` while replaying. */
const REPLAY_BATCH = 2500;

/** A snapshot line or a log record (journal.ts). */
type Line = JournalRecord | { t: 'doc'; id: string; doc: Doc } | { t: 'key'; k: string; r: unknown; at: number };

/** What a restore did. */
export interface RestoreReport {
  documents: number;
  /** Attachments whose bytes were lost with IndexedDB (the journal keeps their metadata only). */
  lostAttachments: { id: string; name: string }[];
  /** Records cut short by a crash, dropped. */
  torn: number;
}

/**
 * Replays `journal` into `db` (IndexedDB name `dbName`), which should be empty.
 * @throws RtcError 500 when a write fails (what was replayed so far stays).
 */
export async function restoreFromJournal(journal: Journal, db: Database, dbName: string): Promise<RestoreReport> {
  let puts = new Map<string, Doc>();
  const answers = new Map<string, RequestRecord>();
  const attachments = new Map<string, { id: string; name: string }>();
  const now = Date.now();
  const flush = async () => {
    if (puts.size === 0) return;
    const entries = [...puts].map(([id, doc]) => ({ id, doc }));
    puts = new Map();
    for (let i = 0; i < entries.length; i += REPLAY_BATCH) await db.bulkPut(entries.slice(i, i + REPLAY_BATCH));
  };
  const put = async (id: string, doc: Doc) => {
    puts.delete(id); // keep the order of the last write
    puts.set(id, doc);
    if (puts.size >= REPLAY_BATCH) await flush();
  };
  const remember = (k: string | undefined, r: unknown) => {
    if (k !== undefined) answers.set(k, { key: k, result: r, at: now });
  };
  const torn = await journal.read(async (lines) => {
    for (const text of lines) {
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        continue; // a damaged line: the next ones still count
      }
      switch (line.t) {
        case 'doc':
        case 'put':
          await put(line.id, line.doc);
          if (line.t === 'put') remember(line.k, line.id);
          break;
        case 'bulk':
          for (const [id, doc] of line.e) await put(id, doc);
          remember(line.k, line.e.map(([id]) => id));
          break;
        case 'del':
          await flush();
          await db.remove(line.id);
          for (const [key, a] of attachments) if (a.id === line.id) attachments.delete(key);
          remember(line.k, line.id);
          break;
        case 'dels': // Database.clear (a restore's replace): flushed first, so the removal follows the puts before it
          for (const id of line.ids) puts.delete(id);
          await flush();
          await db.removeMany(line.ids);
          {
            const gone = new Set(line.ids);
            for (const [key, a] of attachments) if (gone.has(a.id)) attachments.delete(key);
          }
          break;
        case 'att':
          attachments.set(`${line.id}\u0000${line.name}`, { id: line.id, name: line.name });
          break;
        case 'delatt':
          attachments.delete(`${line.id}\u0000${line.name}`);
          remember(line.k, null);
          break;
        case 'key':
          answers.set(line.k, { key: line.k, result: line.r, at: line.at });
          break;
      }
    }
  });
  await flush();
  await restoreAnswers(dbName, [...answers.values()]);
  return { documents: await countDocuments(dbName), lostAttachments: [...attachments.values()], torn };
}

/**
 * Opens the journal of `db` and attaches it to its write paths; restores a wiped database first.
 * Never rejects: where there can be no journal the status says why and the master works without.
 * @param report called with the `rtc-error` to fire (a restore, or the journal failing later).
 * @returns the journal (null when off) and its status, which changes as it runs.
 */
export async function startJournal(db: Database, report: (error: Error) => void): Promise<{ journal: Journal | null; status: JournalStatus }> {
  const off = (reason: string) => ({ journal: null, status: { on: false, reason, bytes: 0, restored: null } });
  const why = journalUnsupported();
  if (why) return off(why);
  const dbName = `rtc:${db.name}`;
  let journal: Journal;
  for (let attempt = 1; ; attempt++) {
    try {
      journal = await Journal.open(db.name);
      break;
    } catch (e) {
      const error = e as Error;
      if (error.name !== 'NoModificationAllowedError') return off(error.message);
      // After a reload the old page's Worker may still hold the files for a moment.
      if (attempt === OPEN_ATTEMPTS) return off('the journal is in use by another tab of this database');
      await new Promise((r) => setTimeout(r, OPEN_RETRY_MS));
    }
  }
  journal.source = snapshotOf(dbName);
  journal.onFailure = report;
  try {
    const count = await countDocuments(dbName);
    if (count === 0 && journal.hasData) {
      const restored = await restoreFromJournal(journal, db, dbName);
      if (restored.documents === 0) {
        void journal.compact(); // everything had been removed: nothing lost; a snapshot spares the next open a replay
      } else {
        journal.status.restored = { documents: restored.documents, lostAttachments: restored.lostAttachments.length, at: Date.now() };
        const lost = restored.lostAttachments.length;
        report(new RtcError(`IndexedDB was wiped by the browser; restored ${restored.documents} documents from the journal`
          + (lost > 0 ? ` (${lost} attachments must be uploaded again)` : ''), 500));
      }
    } else if (count > 0 && !journal.hasData) {
      void journal.compact(); // a database older than its journal: start from a snapshot of it
    } else if (count > 0) {
      await Promise.all((await recentWrites(dbName)).map((r) => journal.append(r))); // the crash window (journal-idb.ts)
    }
  } catch (e) {
    report(new RtcError(`Restoring from the journal failed: ${(e as Error).message}`, 500));
  }
  db.journal = journal;
  return { journal, status: journal.status };
}
