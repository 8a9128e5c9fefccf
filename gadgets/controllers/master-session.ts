/**
 * What a master does, without the DOM: owns the IndexedDB database, holds its room on the
 * broadcaster (rejoining when the socket drops), and answers each slave's offer with one
 * RTCPeerConnection and one data channel served by `serveRpc`. The element's controller
 * turns its callbacks into properties and events.
 */
import { RtcError } from '../errors.js';
import { Database } from '../storage/database.js';
import { FramedChannel } from '../channel/framed-channel.js';
import { serveRpc } from '../channel/rpc-server.js';
import {
  channelOpen, createPeerConnection, createProtocolChannel, gatheringDone, remoteMaxMessageSize, watchConnection,
} from '../channel/peer-connection.js';
import { SignalingSocket } from '../signaling/signaling-socket.js';
import type { ServerMessage } from '../signaling/messages.js';
import { uuid } from '../storage/ids.js';
import { backoff, delay, type ConnectionState, type PeerInfo } from './types.js';
import type { Session, SessionListener } from './session-controller.js';

/** How long a slave's data channel may take to open after the answer, ms. */
export const PEER_OPEN_TIMEOUT_MS = 15000;
/** Most slaves served at once (Chromium allows 500 RTCPeerConnections per tab, performance.md §5). */
export const MAX_PEERS = 256;

export interface MasterSessionOptions {
  database: string;
  /** Keys to index in IndexedDB. */
  indexes?: readonly string[];
  room: string;
  signaling: string;
  allow: ReadonlySet<string>;
}


interface Peer {
  info: PeerInfo;
  pc: RTCPeerConnection;
  close(): void;
}

export class MasterSession implements Session {
  state: ConnectionState = 'disconnected';
  private readonly peers = new Map<string, Peer>();
  private databasePromise: Promise<Database> | null = null;
  private socket: SignalingSocket | null = null;
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly options: MasterSessionOptions, private readonly listener: SessionListener) {}

  /** The database, opened on first use. @throws RtcError 500 when IndexedDB refuses. */
  database(): Promise<Database> {
    if (!this.databasePromise) {
      this.databasePromise = Database.open(this.options.database, { indexes: this.options.indexes });
      this.databasePromise.catch(() => {
        this.databasePromise = null; // let a later call try again
      });
    }
    return this.databasePromise;
  }

  /** The connected and connecting slaves. */
  peerList(): PeerInfo[] {
    return [...this.peers.values()].map((p) => ({ ...p.info }));
  }

  /** Joins the room and serves slaves until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Leaves the room, closes every slave's connection and the database. */
  async stop(): Promise<void> {
    this.running = false;
    this.socket?.close();
    await this.loop;
    for (const peer of [...this.peers.values()]) peer.close();
    const db = this.databasePromise;
    this.databasePromise = null;
    if (db) (await db.catch(() => null))?.close();
    this.setState('disconnected');
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this.listener.stateChanged(state, previous);
  }

  /** Joins, serves until the socket drops, and rejoins with backoff. */
  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.setState('connecting');
      try {
        await this.database();
        const socket = await SignalingSocket.connect(this.options.signaling);
        if (!this.running) {
          socket.close();
          break;
        }
        this.socket = socket;
        const closed = new Promise<string>((resolve) => (socket.onClose = resolve));
        socket.onMessage = (m) => this.handleSignal(socket, m);
        socket.send({ v: 1, type: 'join', room: this.options.room, role: 'master', token: masterToken(this.options.room) });
        const reason = await closed;
        this.socket = null;
        if (!this.running) break;
        if (this.state === 'connected') failures = 0;
        failures++;
        if (this.state !== 'error') this.listener.error(new RtcError(`Lost the broadcaster: ${reason}`, 500));
      } catch (e) {
        failures++;
        this.listener.error(e as Error);
        if (this.state !== 'error') this.setState('connecting');
      }
      if (this.running) await delay(backoff(failures));
    }
  }

  private handleSignal(socket: SignalingSocket, message: ServerMessage): void {
    switch (message.type) {
      case 'joined':
        this.setState('connected');
        break;
      case 'offer':
        void this.answer(socket, message.from, message.sdp);
        break;
      case 'error': {
        const error = new RtcError(`Broadcaster: ${message.message}`, message.code);
        if (message.code === 409) {
          // Another master holds the room: say so, and keep trying in case it goes away.
          this.setState('error');
          socket.close();
        }
        this.listener.error(error);
        break;
      }
      default:
        break; // slave-left is not needed: a slave closes its socket once its channel is open
    }
  }

  /** Answers one slave's offer and serves its data channel. */
  private async answer(socket: SignalingSocket, from: string, sdp: string): Promise<void> {
    this.peers.get(from)?.close(); // a re-offer replaces the previous attempt
    if (this.peers.size >= MAX_PEERS) {
      this.listener.error(new RtcError(`Refused slave ${from}: already serving ${MAX_PEERS} slaves`, 503));
      return;
    }
    const pc = createPeerConnection();
    const channel = createProtocolChannel(pc);
    let stopServing: (() => void) | null = null;
    let framed: FramedChannel | null = null;
    let unwatch: (() => void) | null = null;
    const peer: Peer = {
      info: { id: from, state: 'connecting', connectedAt: null },
      pc,
      close: () => {
        if (this.peers.get(from) !== peer) return;
        this.peers.delete(from);
        unwatch?.();
        stopServing?.();
        framed?.dispose();
        channel.close();
        pc.close(); // release it now: closed connections count toward the 500 per tab until collected
        this.listener.peersChanged(this.peerList());
      },
    };
    this.peers.set(from, peer);
    this.listener.peersChanged(this.peerList());
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gatheringDone(pc);
      socket.send({ v: 1, type: 'answer', to: from, sdp: pc.localDescription!.sdp });
      await channelOpen(channel, PEER_OPEN_TIMEOUT_MS);
    } catch (e) {
      peer.close();
      this.listener.error(new RtcError(`Slave ${from} could not connect: ${(e as Error).message}`, 500));
      return;
    }
    if (this.peers.get(from) !== peer) return;
    const database = await this.database();
    framed = new FramedChannel(channel, { maxMessageSize: remoteMaxMessageSize(pc) });
    stopServing = serveRpc(framed, {
      database,
      allow: this.options.allow,
      // A slave's bad request is the slave's error (it gets the answer); only failures of the
      // master itself are the master's to report.
      onRequestError: (error) => {
        if (error.status_code >= 500 && error.status_code !== 504) this.listener.error(error);
      },
    });
    unwatch = watchConnection(pc, channel, () => peer.close());
    peer.info = { id: from, state: 'connected', connectedAt: Date.now() };
    this.listener.peersChanged(this.peerList());
  }
}

/**
 * The token that lets this tab take its room back after a reload (the broadcaster replaces a
 * master presenting the same token instead of answering 409). Kept in sessionStorage, which
 * survives a reload of the same tab but is not shared with other tabs.
 */
function masterToken(room: string): string {
  const key = `rtc-gadgets:master-token:${room}`;
  try {
    let token = sessionStorage.getItem(key);
    if (!token) {
      token = uuid();
      sessionStorage.setItem(key, token);
    }
    return token;
  } catch {
    return uuid(); // storage disabled: still works, only without the fast takeover
  }
}
