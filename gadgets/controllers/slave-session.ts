/**
 * What a slave does, without the DOM: finds its room's master through the broadcaster, offers
 * a data channel, closes the WebSocket once the channel is open (as the 2016 design does,
 * docs/jio-compatibility.md "The 2016 design"), and sends requests over it with `RpcClient`. When
 * the channel drops (the master page reloaded, the network blinked) it goes back to the broadcaster
 * and waits for the master, and the RPC client re-sends whatever was unanswered.
 */
import { RtcError } from '../errors.js';
import { RpcClient } from '../channel/rpc-client.js';
import { createPeerConnection, createProtocolChannel } from '../channel/peer-connection.js';
import { CandidateInbox, CandidateOutbox, type CandidateJSON } from '../channel/trickle.js';
import { SignalingSocket } from '../signaling/signaling-socket.js';
import type { ServerMessage } from '../signaling/messages.js';
import { AdmissionError } from '../channel/handshake.js';
import { holdMessages, linkToMaster, type MasterLink } from './peer-link.js';
import { backoff, delay } from './types.js';
import type { Session, SessionListener } from './session-controller.js';
import { SessionState } from './session-state.js';

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
}

/** Messages from the socket, awaited one condition at a time; the master's ICE candidates aside. */
class Inbox {
  private waiter: { accept: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void } | null = null;
  private failure: ((e: Error) => void) | null = null;
  closedReason: string | null = null;
  /** Where the master's trickled candidates go (dropped until set). */
  onCandidate: ((candidate: CandidateJSON | null) => void) | null = null;

  constructor(socket: SignalingSocket) {
    socket.onMessage = (m) => {
      if (m.type === 'candidate') {
        this.onCandidate?.(m.candidate);
        return;
      }
      if (this.waiter && this.waiter.accept(m)) {
        const w = this.waiter;
        this.waiter = null;
        this.failure = null;
        w.resolve(m);
      }
    };
    socket.onClose = (reason) => {
      this.closedReason = reason;
      this.failure?.(new Error(`Broadcaster connection closed: ${reason}`));
    };
  }

  /** The next message that `accept` takes; rejects on close or after `timeoutMs` (0 = none). */
  next(accept: (m: ServerMessage) => boolean, timeoutMs = 0): Promise<ServerMessage> {
    if (this.closedReason !== null) return Promise.reject(new Error(`Broadcaster connection closed: ${this.closedReason}`));
    return new Promise((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => fail(new Error(`No answer from the master within ${timeoutMs} ms`)), timeoutMs) : null;
      const fail = (e: Error): void => {
        if (timer) clearTimeout(timer);
        this.waiter = null;
        this.failure = null;
        reject(e);
      };
      this.failure = fail;
      this.waiter = {
        accept,
        resolve: (m) => {
          if (timer) clearTimeout(timer);
          resolve(m);
        },
      };
    });
  }
}

export class SlaveSession extends SessionState implements Session {
  readonly rpc: RpcClient;
  /** Set when the master refused this slave (403, wrong room secret): it stops trying. */
  refused: RtcError | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private socket: SignalingSocket | null = null;
  private pc: RTCPeerConnection | null = null;
  private link: MasterLink | null = null;

  constructor(private readonly options: SlaveSessionOptions, listener: Pick<SessionListener, 'stateChanged' | 'error'>) {
    super(listener);
    this.rpc = new RpcClient({ timeout: options.timeout });
  }

  /** Connects, and stays connected until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.refused = null;
    this.loop = this.run();
  }

  /** Disconnects; requests still waiting are rejected with 500. */
  async stop(): Promise<void> {
    this.running = false;
    this.socket?.close();
    this.pc?.close();
    this.link?.close();
    await this.loop;
    this.rpc.rejectAll(new RtcError('Disconnected from the master', 500));
    this.setState('disconnected');
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.setState('connecting');
      try {
        const link = await this.connectOnce();
        failures = 0;
        // Connected: wait until the channel goes away, then start over.
        await link.gone;
        this.link = null;
        this.rpc.detach();
        this.pc?.close();
        this.pc = null;
        if (this.running) this.listener.error(new RtcError('Lost the master; reconnecting', 500));
        failures = 1; // a reloading master needs a moment to come back
      } catch (e) {
        this.socket?.close();
        this.socket = null;
        this.pc?.close();
        this.pc = null;
        if (!this.running) break;
        if (e instanceof AdmissionError) {
          // Refused by the master (wrong room secret): trying again cannot help (until `start()`).
          this.running = false;
          this.refused = e;
          this.rpc.rejectAll(this.refused);
          this.setState('error');
          this.listener.error(this.refused);
          break;
        }
        failures++;
        this.listener.error(e instanceof Error ? e : new Error(String(e)));
      }
      if (this.running) await delay(backoff(failures));
    }
  }

  /** One attempt: socket, join, wait for a master, offer, answer, channel open, admission. */
  private async connectOnce(): Promise<MasterLink> {
    const socket = await SignalingSocket.connect(this.options.signaling);
    this.socket = socket;
    if (!this.running) throw new Error('stopped');
    const inbox = new Inbox(socket);
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
      link = await linkToMaster(pc, channel, this.rpc, { secret: this.options.secret ?? '', openTimeoutMs: OPEN_TIMEOUT_MS, held });
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
