/**
 * A slave with manual signaling (`<rtc-slave signaling="manual">`), without the DOM: no
 * broadcaster; `createOffer` makes an offer token that a person takes to the master, and
 * `acceptAnswer` takes the master's answer token and resolves once the data channel is open
 * and the master admitted this slave. Requests then go over it exactly as over the broadcaster
 * (`RpcClient`). When the channel drops there is nobody to ask for a new answer, so it makes a
 * new offer at once and waits to be paired again; unanswered requests are re-sent then.
 */
import { RtcError } from '../errors.js';
import { AdmissionError } from '../channel/handshake.js';
import { createPeerConnection, createProtocolChannel, gatheringDone } from '../channel/peer-connection.js';
import { decodeToken, encodeToken } from '../signaling/token.js';
import { holdMessages, linkToMaster, type NameSource, type HeldMessages, type MasterLink } from './peer-link.js';
import type { SessionListener } from './types.js';
import { SlaveSessionBase } from './slave-base.js';

/** How long the channel may take to open once the answer is given, ms. */
export const MANUAL_ANSWER_OPEN_TIMEOUT_MS = 15000;

/**
 * Where pairing stands: `creating` an offer (gathering addresses), `offer` shown and waiting
 * for the answer, `connecting` with the answer, `connected`, or `idle` (nothing under way).
 */
export type PairingPhase = 'idle' | 'creating' | 'offer' | 'connecting' | 'connected';

export interface ManualSlaveSessionOptions {
  timeout: number;
  /** Room secret to prove to the master; '' for none. */
  secret?: string;
  /** The device name told to the master as the slave joins, and when it changes. */
  name?: NameSource;
  /** Called whenever `phase` or `offer` changes (the element re-renders). */
  onPairingChange?: () => void;
}

interface PendingOffer {
  pc: RTCPeerConnection;
  channel: RTCDataChannel;
  held: HeldMessages;
  token: Promise<string>;
  answering: boolean;
}

export class ManualSlaveSession extends SlaveSessionBase {
  phase: PairingPhase = 'idle';
  /** The offer token waiting for its answer, or null. */
  offer: string | null = null;
  private pending: PendingOffer | null = null;
  private link: MasterLink | null = null;

  constructor(private readonly options: ManualSlaveSessionOptions, listener: Pick<SessionListener, 'stateChanged' | 'error'>) {
    super(options.timeout, listener);
  }

  /** Starts pairing: makes the first offer. */
  protected begin(): void {
    this.createOffer().catch((e: Error) => this.report(e));
  }

  protected override farewell(): void {
    this.link?.goodbye();
  }

  protected override interrupt(): void {
    this.pending?.pc.close();
    this.pending = null;
    const link = this.link;
    this.link = null;
    link?.close();
  }

  /** Pending requests reject with 500; no pairing is under way. */
  protected override async release(): Promise<void> {
    await super.release();
    this.setPhase('idle', null);
  }

  /**
   * The offer token to take to the master: the one already waiting for its answer, if any, else
   * a new one (while connected, the current connection stays until the new pairing succeeds).
   * @throws RtcError 500 when the browser cannot make an offer.
   */
  createOffer(): Promise<string> {
    this.running = true; // asking for an offer is pairing: it starts, or revives a refused session
    if (this.pending) return this.pending.token;
    const pc = createPeerConnection();
    const channel = createProtocolChannel(pc);
    const held = holdMessages(channel);
    const token = (async () => {
      await pc.setLocalDescription(await pc.createOffer());
      await gatheringDone(pc);
      return encodeToken('offer', pc.localDescription!.sdp);
    })();
    const pending: PendingOffer = { pc, channel, held, token, answering: false };
    this.pending = pending;
    if (!this.link && this.state !== 'connecting') {
      this.refused = null; // a new pairing may be with another master
      this.setState('connecting');
    }
    this.setPhase('creating', null);
    token.then(
      (t) => {
        if (this.pending === pending && !pending.answering) this.setPhase('offer', t);
      },
      () => {
        if (this.pending !== pending) return;
        this.pending = null;
        pc.close();
        this.setPhase(this.link ? 'connected' : 'idle', null);
      },
    );
    return token.catch((e: Error) => {
      throw new RtcError(`Cannot create an offer: ${e.message}`, 500);
    });
  }

  /**
   * Connects with the master's answer token (or full SDP) to the current offer.
   * Resolves once the data channel is open and the master admitted this slave.
   * @throws RtcError 400 for a mistyped token, an offer token, or an answer to another offer
   *   (the offer stays, paste the right answer); AdmissionError 403 when the master refused this
   *   slave (wrong room secret); RtcError 504 when the channel did not open (a new offer is made).
   */
  async acceptAnswer(token: string): Promise<void> {
    const answer = decodeToken(token, 'answer');
    const pending = this.pending;
    if (!pending) throw new RtcError('No offer is waiting for an answer: create an offer first', 400);
    await pending.token;
    if (this.pending !== pending) throw new RtcError('This offer was replaced by a newer one: answer the new offer', 409);
    if (pending.answering) throw new RtcError('Already connecting with an answer', 409);
    pending.answering = true;
    this.setPhase('connecting', this.offer);
    try {
      await pending.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    } catch (e) {
      pending.answering = false;
      this.setPhase('offer', this.offer);
      throw new RtcError(`This answer does not fit the offer: ${(e as Error).message}`, 400);
    }
    let link: MasterLink;
    try {
      link = await linkToMaster(pending.pc, pending.channel, this.rpc, {
        secret: this.options.secret ?? '',
        openTimeoutMs: MANUAL_ANSWER_OPEN_TIMEOUT_MS,
        held: pending.held,
        name: this.options.name,
      });
    } catch (e) {
      if (this.pending === pending) this.pending = null;
      pending.pc.close();
      if (e instanceof AdmissionError) {
        this.setPhase('idle', null);
        this.refuse(e); // until a new offer or `start()`
        throw e;
      }
      const error = new RtcError(`Could not connect to the master: ${(e as Error).message}`, 504);
      this.setPhase(this.link ? 'connected' : 'idle', null);
      // That offer is spent: make the next one at once.
      if (this.running && !this.link) this.createOffer().catch(() => {});
      throw error;
    }
    if (this.pending === pending) this.pending = null;
    if (!this.running) {
      link.close();
      throw new RtcError('Disconnected', 500);
    }
    const previous = this.link;
    this.link = link;
    previous?.close();
    this.refused = null;
    this.setPhase('connected', null);
    this.setState('connected');
    void link.gone.then(() => this.lost(link));
  }

  /** The channel to the master dropped: offer again, requests wait for the next pairing. */
  private lost(link: MasterLink): void {
    if (this.link !== link) return;
    this.link = null;
    this.rpc.detach();
    if (!this.running) return;
    this.report(new RtcError('Lost the master: pair again with the new offer', 500));
    this.setState('connecting');
    this.setPhase('idle', null);
    this.createOffer().catch(() => {});
  }

  private setPhase(phase: PairingPhase, offer: string | null): void {
    if (phase === this.phase && offer === this.offer) return;
    this.phase = phase;
    this.offer = offer;
    this.options.onPairingChange?.();
  }
}
