/**
 * What a slave does, without the DOM: finds its room's master through the broadcaster, offers
 * a data channel, closes the WebSocket once the channel is open (as the 2016 design does,
 * docs/jio-compatibility.md "The 2016 design"), and sends requests over it with `RpcClient`. When
 * the channel drops (the master page reloaded, the network blinked) it goes back to the broadcaster
 * and waits for the master, and the RPC client re-sends whatever was unanswered.
 */
import { RtcError } from '../errors.js';
import { createPeerConnection, createProtocolChannel } from '../channel/peer-connection.js';
import { CandidateInbox, CandidateOutbox } from '../channel/trickle.js';
import { SignalingSocket } from '../signaling/signaling-socket.js';
import { holdMessages, linkToMaster, type NameSource, type MasterLink } from './peer-link.js';
import { SignalInbox } from './signal-inbox.js';
import type { SessionListener } from './types.js';
import type { AttemptEnd } from './session.js';
import { SlaveSessionBase } from './slave-base.js';

/** How long the master may take to answer an offer, ms. */
export const ANSWER_TIMEOUT_MS = 10000;
/** How long the channel may take to open after the answer, ms. */
export const OPEN_TIMEOUT_MS = 10000;

export interface SlaveSessionOptions {
  room: string;
  signaling: string;
  timeout: number;
  /** Room secret to prove to the master (`channel/handshake.ts`); '' for none. */
  secret?: string;
  /** The device name told to the master as the slave joins, and when it changes. */
  name?: NameSource;
}

export class SlaveSession extends SlaveSessionBase {
  private socket: SignalingSocket | null = null;
  private pc: RTCPeerConnection | null = null;
  private link: MasterLink | null = null;

  constructor(private readonly options: SlaveSessionOptions, listener: Pick<SessionListener, 'stateChanged' | 'error'>) {
    super(options.timeout, listener);
  }

  /** Connects, and reconnects with backoff whenever the channel drops. */
  protected begin(): void {
    this.retry(() => this.attempt());
  }

  protected override interrupt(): void {
    this.socket?.close();
    this.pc?.close();
    this.link?.close();
  }

  protected override farewell(): void {
    this.link?.goodbye();
  }

  /** One attempt: connects, then waits until the channel goes away. */
  private async attempt(): Promise<AttemptEnd> {
    let link: MasterLink;
    try {
      link = await this.connectOnce();
    } catch (e) {
      this.socket?.close();
      this.socket = null;
      this.pc?.close();
      this.pc = null;
      throw e;
    }
    await link.gone;
    this.link = null;
    this.rpc.detach();
    this.pc?.close();
    this.pc = null;
    return { connected: true, lost: new RtcError('Lost the master; reconnecting', 500) };
  }

  /** Connects: socket, join, wait for a master, offer, answer, channel open, admission. */
  private async connectOnce(): Promise<MasterLink> {
    const socket = await SignalingSocket.connect(this.options.signaling);
    this.socket = socket;
    if (!this.running) throw new Error('stopped');
    const inbox = new SignalInbox(socket);
    socket.send({ v: 1, type: 'join', room: this.options.room, role: 'slave' });
    const joined = await inbox.next((m) => m.type === 'joined' || m.type === 'error', 10000);
    if (joined.type === 'error') throw new RtcError(`Broadcaster: ${joined.message}`, joined.code);
    if (joined.type === 'joined' && !joined.master) {
      // No master yet: wait as long as it takes (the socket's keepalive guards against a dead link).
      await inbox.next((m) => m.type === 'master' && m.present);
    }
    const pc = createPeerConnection();
    this.pc = pc;
    const channel = createProtocolChannel(pc);
    const held = holdMessages(channel);
    // Trickle ICE (channel/trickle.ts): the offer leaves at once, each candidate right after.
    const remoteCandidates = new CandidateInbox(pc);
    inbox.onCandidate = (candidate) => remoteCandidates.add(candidate);
    const localCandidates = new CandidateOutbox(pc, (candidate) => socket.send({ v: 1, type: 'candidate', candidate }));
    try {
      await pc.setLocalDescription(await pc.createOffer());
      socket.send({ v: 1, type: 'offer', sdp: pc.localDescription!.sdp });
      localCandidates.open();
      const reply = await inbox.next(
        (m) => m.type === 'answer' || m.type === 'error' || (m.type === 'master'),
        ANSWER_TIMEOUT_MS,
      );
      if (reply.type === 'error') throw new RtcError(`Broadcaster: ${reply.message}`, reply.code);
      if (reply.type === 'master') throw new Error(reply.present ? 'A new master joined; offering again' : 'The master left');
      if (reply.type !== 'answer') throw new Error('Unexpected signaling message');
      await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
      remoteCandidates.ready();
    } catch (e) {
      localCandidates.stop();
      throw e;
    }
    // The channel opens, the master admits this slave, and the RPC client uses the channel.
    let link: MasterLink;
    try {
      link = await linkToMaster(pc, channel, this.rpc, { secret: this.options.secret ?? '', openTimeoutMs: OPEN_TIMEOUT_MS, held, name: this.options.name });
    } finally {
      localCandidates.stop();
    }
    // The channel is up: the broadcaster is no longer needed (and may go away).
    socket.close();
    this.socket = null;
    this.link = link;
    if (!this.running) {
      link.close();
      throw new Error('stopped');
    }
    this.setState('connected');
    return link;
  }
}
