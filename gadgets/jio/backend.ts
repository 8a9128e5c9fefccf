/**
 * Where an `rtc` jIO storage finds its database, from its description (docs/jio-storage.md
 * "Describing it"): the page's own `<rtc-master>`/`<rtc-slave>` (`element`), a master database opened
 * in this page (`database`), or a slave connection of its own (`room`, `signaling`, `secret`).
 */
import type { DatabaseApi } from '../api.js';
import { RtcError } from '../errors.js';
import { Database } from '../storage/database.js';

/** The description's keys this module reads (jIO passes the whole spec). */
export interface RtcStorageSpec {
  type: 'rtc';
  /** A CSS selector (`'#db'`) or the element itself. */
  element?: string | Element;
  /** A master database `rtc:<database>` opened in this page; `indexes` as `<rtc-master indexes>`. */
  database?: string;
  indexes?: string[];
  /** A slave of its own: the room, the broadcaster's WebSocket URL (default the page's), the room secret, its request timeout in ms. */
  room?: string;
  signaling?: string;
  secret?: string;
  timeout?: number;
}

/** One open database per name in this page, shared by every `rtc` storage that describes it. */
const databases = new Map<string, Promise<Database>>();
/** One slave element per room, signaling and secret. */
const slaves = new Map<string, HTMLElement>();

/** `<rtc-master>` and `<rtc-slave>` implement DatabaseApi (their `remove(id)` hides Element's). */
function asDatabaseElement(x: unknown): DatabaseApi | null {
  const api = x as Partial<DatabaseApi> | null;
  return x instanceof Element && typeof api?.allDocs === 'function' && typeof api.get === 'function' ? (x as unknown as DatabaseApi) : null;
}

/** The `<rtc-slave>` of a `{ room, signaling?, secret?, timeout? }` description, added hidden to the page once. */
function slaveFor(spec: RtcStorageSpec): DatabaseApi {
  const key = JSON.stringify([spec.room, spec.signaling ?? null, spec.secret ?? null, spec.timeout ?? null]);
  let slave = slaves.get(key);
  if (!slave) {
    if (!customElements.get('rtc-slave')) throw new RtcError("rtc storage: <rtc-slave> is not defined (load rtc-gadgets/define.js or the bundle)", 500);
    slave = document.createElement('rtc-slave');
    slave.setAttribute('room', String(spec.room));
    if (spec.signaling) slave.setAttribute('signaling', spec.signaling);
    if (spec.timeout) slave.setAttribute('timeout', String(spec.timeout));
    if (spec.secret) (slave as HTMLElement & { secret: string }).secret = spec.secret;
    slave.hidden = true;
    slave.dataset.rtcJioStorage = '';
    document.body.append(slave);
    slaves.set(key, slave);
  }
  return slave as unknown as DatabaseApi;
}

/**
 * Checks a description and says how it reaches its database (no I/O: jIO builds storages eagerly).
 * @throws RtcError 400 when it names none or more than one of `element`, `database`, `room`.
 */
export function checkSpec(spec: RtcStorageSpec): 'element' | 'database' | 'room' {
  const kinds = (['element', 'database', 'room'] as const).filter((k) => spec[k] !== undefined && spec[k] !== '');
  if (kinds.length !== 1) {
    throw new RtcError("rtc storage: describe it with exactly one of 'element' (an <rtc-master> or <rtc-slave>), 'database' (a master database) or 'room' (a slave connection)", 400);
  }
  return kinds[0];
}

/**
 * The database a description reaches, resolved on first use.
 * @throws RtcError 404 when `element` matches nothing that is an `<rtc-master>`/`<rtc-slave>`;
 *   what `Database.open` throws for `database`.
 */
export async function openBackend(spec: RtcStorageSpec): Promise<DatabaseApi> {
  const kind = checkSpec(spec);
  if (kind === 'element') {
    const el = typeof spec.element === 'string' ? document.querySelector(spec.element) : spec.element;
    const api = asDatabaseElement(el);
    if (!api) throw new RtcError(`rtc storage: no <rtc-master> or <rtc-slave> matches '${String(spec.element)}'`, 404);
    return api;
  }
  if (kind === 'database') {
    const name = String(spec.database);
    let db = databases.get(name);
    if (!db) {
      db = Database.open(name, { indexes: spec.indexes });
      databases.set(name, db);
      db.catch(() => databases.delete(name));
    }
    return db;
  }
  return slaveFor(spec);
}
