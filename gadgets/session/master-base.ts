/**
 * What both master sessions (broadcaster and manual) share: the core (`master-core.ts`: the
 * database and the slaves it serves), its accessors, and closing it all on `stop()`.
 */
import type { Database } from '../storage/database.js';
import type { JournalStatus } from '../storage/journal.js';
import { MasterCore, type MasterCoreOptions } from './master-core.js';
import { Session } from './session.js';
import type { PeerInfo, SessionListener } from './types.js';

export abstract class MasterSessionBase extends Session {
  protected readonly core: MasterCore;

  constructor(options: Omit<MasterCoreOptions, 'secret'> & { secret?: string }, listener: SessionListener) {
    super(listener);
    this.core = new MasterCore({ ...options, secret: options.secret ?? '' }, listener);
  }

  /** The database, opened on first use. @throws RtcError 500 when IndexedDB refuses. */
  database(): Promise<Database> {
    return this.core.database();
  }

  /** The journal's state (storage/journal.ts), null until the database is open. */
  get journalStatus(): JournalStatus | null {
    return this.core.journalStatus;
  }

  /** The connected and connecting slaves. */
  peerList(): PeerInfo[] {
    return this.core.peerList();
  }

  /** Says bye to every slave (`pagehide`). */
  protected override farewell(): void {
    this.core.goodbye();
  }

  /** Closes every slave's connection and the database. */
  protected override async release(): Promise<void> {
    await this.core.close();
  }
}
