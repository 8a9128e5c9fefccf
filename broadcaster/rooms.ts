/**
 * Room bookkeeping of the broadcaster: who is master or slave of which room. Pure: no I/O, no
 * sockets; the server turns the results into frames.
 *
 * Invariants: a peer is in at most one room; a room has at most one master and at most `maxPerRoom`
 * members; a room with no member does not exist.
 */

import type { Role } from '../gadgets/signaling/messages.js';

/** Anything with a unique id (the server's per-socket client record). */
export interface Peer {
  readonly id: string;
}

export interface Room<P extends Peer> {
  readonly name: string;
  master: P | undefined;
  /** Opaque key derived from the master's token (the server stores a hash), if it gave one. */
  masterKey: string | undefined;
  readonly slaves: Map<string, P>;
}

export interface Membership {
  readonly room: string;
  readonly role: Role;
}

export type JoinResult<P extends Peer> =
  | {
      ok: true;
      room: Room<P>;
      /** The previous master, when a master with the same key took its place. It is no longer in
       * the room. */
      replaced: P | undefined;
      /** Slaves to tell that a master is present (a master joined). */
      notify: P[];
    }
  | { ok: false; code: 400 | 409 | 503; message: string };

export interface LeaveResult<P extends Peer> {
  room: string;
  role: Role;
  /** For a slave: the room's master, to tell that the slave left. */
  master: P | undefined;
  /** For a master: the room's slaves, to tell that the master is gone. */
  slaves: P[];
}

export class Rooms<P extends Peer> {
  private readonly rooms = new Map<string, Room<P>>();
  private readonly memberships = new Map<P, Membership>();

  constructor(readonly maxPerRoom: number = 1024) {}

  /** Number of rooms that exist (have at least one member). */
  get size(): number {
    return this.rooms.size;
  }

  get(name: string): Room<P> | undefined {
    return this.rooms.get(name);
  }

  membership(peer: P): Membership | undefined {
    return this.memberships.get(peer);
  }

  /** Members of a room (master first), or none. */
  members(name: string): P[] {
    const room = this.rooms.get(name);
    if (!room) return [];
    return room.master ? [room.master, ...room.slaves.values()] : [...room.slaves.values()];
  }

  /**
   * Adds `peer` to `name` as `role`. A master may give a `key`: a later master joining with the same
   * key replaces it (returned as `replaced`, already removed). Fails with 400 if the peer is already
   * in a room, 409 if the room has a master with another key (or none), 503 if the room is full.
   */
  join(peer: P, name: string, role: Role, key?: string): JoinResult<P> {
    if (this.memberships.has(peer)) {
      const current = this.memberships.get(peer)!;
      return { ok: false, code: 400, message: `already in room "${current.room}" (send "leave" first)` };
    }
    let room = this.rooms.get(name);
    let replaced: P | undefined;
    if (role === 'master' && room?.master) {
      if (key === undefined || room.masterKey === undefined || key !== room.masterKey) {
        return { ok: false, code: 409, message: `room "${name}" already has a master` };
      }
      replaced = room.master;
    }
    const count = room ? room.slaves.size + (room.master ? 1 : 0) - (replaced ? 1 : 0) : 0;
    if (count >= this.maxPerRoom) {
      return { ok: false, code: 503, message: `room "${name}" is full (${this.maxPerRoom} clients)` };
    }
    if (!room) {
      room = { name, master: undefined, masterKey: undefined, slaves: new Map() };
      this.rooms.set(name, room);
    }
    if (replaced) this.memberships.delete(replaced);
    if (role === 'master') {
      room.master = peer;
      room.masterKey = key;
    } else {
      room.slaves.set(peer.id, peer);
    }
    this.memberships.set(peer, { room: name, role });
    return { ok: true, room, replaced, notify: role === 'master' ? [...room.slaves.values()] : [] };
  }

  /** Removes `peer` from its room (deleting the room once empty); undefined if it was in none. */
  leave(peer: P): LeaveResult<P> | undefined {
    const membership = this.memberships.get(peer);
    if (!membership) return undefined;
    this.memberships.delete(peer);
    const room = this.rooms.get(membership.room);
    if (!room) return { room: membership.room, role: membership.role, master: undefined, slaves: [] };
    let result: LeaveResult<P>;
    if (membership.role === 'master') {
      if (room.master === peer) {
        room.master = undefined;
        room.masterKey = undefined;
      }
      result = { room: room.name, role: 'master', master: undefined, slaves: [...room.slaves.values()] };
    } else {
      if (room.slaves.get(peer.id) === peer) room.slaves.delete(peer.id);
      result = { room: room.name, role: 'slave', master: room.master, slaves: [] };
    }
    if (!room.master && room.slaves.size === 0) this.rooms.delete(room.name);
    return result;
  }
}
