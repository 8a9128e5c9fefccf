/**
 * Signaling message handling of the broadcaster (protocol v1, `gadgets/signaling/messages.ts`):
 * `ping`, `join` and `leave` against the room book (`rooms.ts`), and the relay of `offer`, `answer`
 * and `candidate` between a room's master and its slaves, each stamped with the sender's id in
 * `from`. Every refusal is an `error` frame; nothing here closes a socket except a full room (503,
 * close 1013) and a replaced master (409, close 4000).
 */

import { createHash, randomBytes } from 'node:crypto';

import { CLOSE_REPLACED, CLOSE_TRY_AGAIN_LATER } from '../gadgets/signaling/messages.js';
import type { ClientMessage, Role } from '../gadgets/signaling/messages.js';
import type { Client } from './client.js';
import type { Log } from './log.js';
import type { Membership, Room } from './rooms.js';
import { Rooms } from './rooms.js';

type Relayed = Extract<ClientMessage, { type: 'offer' | 'answer' | 'candidate' }>;

/** Masters' tokens are kept only as SHA-256 hex: the room book needs equality, not the secret. */
function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class Dispatcher {
  readonly rooms: Rooms<Client>;
  /** Ids currently assigned (16 random hex characters each). */
  private readonly ids = new Set<string>();

  /** @param maxPerRoom most members of one room (the next join gets 503). */
  constructor(maxPerRoom: number, private readonly log: Log) {
    this.rooms = new Rooms<Client>(maxPerRoom);
  }

  /** Handles one valid message from `client`. */
  dispatch(client: Client, message: ClientMessage): void {
    if (message.type === 'ping') {
      client.send({ v: 1, type: 'pong' });
      return;
    }
    if (message.type === 'join') {
      this.join(client, message.room, message.role, message.token);
      return;
    }
    const membership = this.rooms.membership(client);
    if (!membership) {
      client.sendError(400, `join a room before sending "${message.type}"`, message.type);
      return;
    }
    const room = this.rooms.get(membership.room);
    if (!room) {
      // Cannot happen (membership implies the room); answer rather than throw.
      client.sendError(404, `room "${membership.room}" is gone`, message.type);
      return;
    }
    if (message.type === 'leave') this.leave(client);
    else this.relay(client, membership, room, message);
  }

  /** Takes `client` out of its room, if any, and tells the others. */
  leave(client: Client): void {
    const left = this.rooms.leave(client);
    if (!left) return;
    this.log(`leave room "${left.room}" ${left.role} ${client.id}`);
    const id = client.id;
    this.ids.delete(id);
    client.id = '';
    if (left.role === 'master') {
      for (const slave of left.slaves) slave.send({ v: 1, type: 'master', present: false });
    } else if (left.master) {
      left.master.send({ v: 1, type: 'slave-left', id });
    }
  }

  private newId(): string {
    let id: string;
    do id = randomBytes(8).toString('hex');
    while (this.ids.has(id));
    this.ids.add(id);
    return id;
  }

  private join(client: Client, room: string, role: Role, token: string | undefined): void {
    const current = this.rooms.membership(client);
    if (current) {
      client.sendError(400, `already in room "${current.room}" (send "leave" first)`, 'join');
      return;
    }
    const key = role === 'master' && token !== undefined ? hashToken(token) : undefined;
    const previousId = client.id;
    client.id = this.newId();
    const result = this.rooms.join(client, room, role, key);
    if (!result.ok) {
      this.ids.delete(client.id);
      client.id = previousId;
      client.sendError(result.code, result.message, 'join');
      if (result.code === 503) client.ws.close(CLOSE_TRY_AGAIN_LATER, 'room full');
      return;
    }
    this.log(`join room "${room}" ${role} ${client.id}`);
    if (result.replaced) {
      const old = result.replaced;
      this.log(`master ${old.id} of room "${room}" replaced by ${client.id}`);
      this.ids.delete(old.id);
      old.id = '';
      old.sendError(409, 'replaced by a new master');
      if (!old.closed) old.ws.close(CLOSE_REPLACED, 'replaced by a new master');
    }
    client.send({ v: 1, type: 'joined', id: client.id, room, role, master: result.room.master !== undefined });
    for (const slave of result.notify) slave.send({ v: 1, type: 'master', present: true });
  }

  /** The member a relayed message goes to, or undefined after answering the sender's mistake. */
  private target(client: Client, membership: Membership, room: Room<Client>, message: Relayed): Client | undefined {
    const { type } = message;
    if (type === 'offer' && membership.role !== 'slave') {
      client.sendError(403, 'only slaves send offers', type);
      return undefined;
    }
    if (type === 'answer' && membership.role !== 'master') {
      client.sendError(403, 'only masters send answers', type);
      return undefined;
    }
    if (membership.role === 'slave') {
      if (!room.master) {
        client.sendError(404, `no master in room "${room.name}"`, type);
        return undefined;
      }
      if (type === 'candidate' && message.to !== undefined && message.to !== room.master.id) {
        client.sendError(404, `${JSON.stringify(message.to)} is not the master of room "${room.name}"`, type);
        return undefined;
      }
      return room.master;
    }
    // A master's offer was refused above; its answers always name a slave, its candidates must.
    const to = message.type === 'offer' ? undefined : message.to;
    if (to === undefined) {
      client.sendError(400, '"candidate" from a master needs "to"', type);
      return undefined;
    }
    const slave = room.slaves.get(to);
    if (!slave) client.sendError(404, `no slave ${JSON.stringify(to)} in room "${room.name}"`, type);
    return slave;
  }

  /** Forwards an offer (slave → master), answer (master → slave) or candidate (either way). */
  private relay(client: Client, membership: Membership, room: Room<Client>, message: Relayed): void {
    const target = this.target(client, membership, room, message);
    if (!target) return;
    const from = client.id;
    if (message.type === 'candidate') target.send({ v: 1, type: 'candidate', from, candidate: message.candidate });
    else target.send({ v: 1, type: message.type, from, sdp: message.sdp });
  }
}
