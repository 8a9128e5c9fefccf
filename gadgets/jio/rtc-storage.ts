/**
 * The `rtc` jIO storage: jIO's storage interface (the methods jIO's `JioProxyStorage` forwards to,
 * and `hasCapacity`) over the rtc-gadgets database API (gadgets/api.ts), so jIO's `query`, `uuid`,
 * `union` and `replicate` storages wrap it unchanged. Every method returns an RSVP.Queue of the
 * page's RSVP and rejects with the page's `jIO.util.jIOError` carrying the status code the database
 * gave (404 `Cannot find document: <id>`, 400, 403, 504…). docs/jio-storage.md.
 */
import type { AllDocsOptions, DatabaseApi, Doc, GetAttachmentOptions, Row } from '../api.js';
import { checkSpec, openBackend, type RtcStorageSpec } from './backend.js';
import type { JioLike, RsvpLike, RsvpQueue } from './types.js';

/** What `allDocs` can do here; jIO's proxy asks before it calls `buildQuery` (no `group`, no `bulk_get`). */
export const RTC_CAPACITIES: readonly string[] = ['list', 'include', 'query', 'select', 'sort', 'limit'];

const QUERY_KEYS = ['query', 'sort_on', 'limit', 'select_list', 'include_docs', 'key_schema'] as const;

/** The constructor jIO.addStorage gets: `new RtcJioStorage(spec)`. */
export type RtcStorageConstructor = new (spec: Record<string, unknown>) => object;

/**
 * Builds the `rtc` storage class for one jIO and RSVP (the page's).
 * @param jio the jIO global (its `util.jIOError` makes the errors)
 * @param rsvp the RSVP global (its `Queue` wraps every answer)
 */
export function makeRtcStorage(jio: JioLike, rsvp: RsvpLike): RtcStorageConstructor {
  const JioError = jio.util.jIOError;

  /** Any rejection as a jIOError of this jIO, keeping the status code (500 when there is none). */
  function toJioError(error: unknown): never {
    if (error instanceof JioError) throw error;
    const code = (error as { status_code?: unknown } | null)?.status_code;
    const message = error instanceof Error ? error.message : String(error);
    throw new JioError(message, typeof code === 'number' ? code : 500);
  }

  class RtcJioStorage {
    private readonly spec: RtcStorageSpec;
    private db: Promise<DatabaseApi> | null = null;

    constructor(spec: Record<string, unknown>) {
      this.spec = spec as unknown as RtcStorageSpec;
      try {
        checkSpec(this.spec);
      } catch (error) {
        toJioError(error);
      }
    }

    /** Runs `work` on the database, in an RSVP.Queue, errors as jIOError. */
    private run<T>(work: (db: DatabaseApi) => Promise<T>): RsvpQueue<T> {
      return new rsvp.Queue()
        .push(() => {
          this.db ??= openBackend(this.spec);
          // A description that failed to open is tried again by the next call.
          return this.db.catch((error: unknown) => {
            this.db = null;
            throw error;
          });
        })
        .push(work)
        .push(undefined, toJioError);
    }

    get(id: string): RsvpQueue<Doc> {
      return this.run((db) => db.get(id));
    }

    put(id: string, doc: Doc): RsvpQueue<string> {
      return this.run((db) => db.put(id, doc));
    }

    post(doc: Doc): RsvpQueue<string> {
      return this.run((db) => db.post(doc));
    }

    remove(id: string): RsvpQueue<string> {
      return this.run((db) => db.remove(id));
    }

    hasCapacity(name: string): boolean {
      return RTC_CAPACITIES.includes(name);
    }

    /** jIO's `allDocs` calls it with the options it was given; the answer is the rows. */
    buildQuery(options: Record<string, unknown> = {}): RsvpQueue<Row[]> {
      const clean: Record<string, unknown> = {};
      for (const key of QUERY_KEYS) if (options[key] !== undefined) clean[key] = options[key];
      return this.run(async (db) => (await db.allDocs(clean as AllDocsOptions)).data.rows);
    }

    /** Nothing to repair in one IndexedDB database; resolves so that `replicate` can call it. */
    repair(): RsvpQueue<undefined> {
      return new rsvp.Queue();
    }

    putAttachment(id: string, name: string, blob: Blob): RsvpQueue<void> {
      return this.run((db) => db.putAttachment(id, name, blob));
    }

    /** A Blob (jIO's proxy converts it to the asked `format`); `start`/`end` read a byte range. */
    getAttachment(id: string, name: string, options: Record<string, unknown> = {}): RsvpQueue<unknown> {
      const range: GetAttachmentOptions = {};
      if (options.start !== undefined) range.start = options.start as number;
      if (options.end !== undefined) range.end = options.end as number;
      return this.run((db) => db.getAttachment(id, name, range));
    }

    removeAttachment(id: string, name: string): RsvpQueue<void> {
      return this.run((db) => db.removeAttachment(id, name));
    }

    allAttachments(id: string): RsvpQueue<Record<string, unknown>> {
      return this.run((db) => db.allAttachments(id));
    }
  }
  return RtcJioStorage;
}
