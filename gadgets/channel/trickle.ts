/**
 * Trickle ICE (RFC 8838) for the broadcaster path: the offer and the answer leave as soon as
 * `setLocalDescription` resolves, and each host candidate follows in its own `candidate` frame
 * (signaling/messages.ts), instead of waiting for ICE gathering to be "complete" (Chromium says so
 * about 100 ms after its last host candidate). The copy-paste path cannot trickle and keeps
 * `gatheringDone` (peer-connection.ts).
 *
 * Both sides rely on the transport keeping order (one WebSocket through the broadcaster): a
 * description is sent before its candidates, and candidates that arrive before the remote
 * description is set are held until it is (W3C WebRTC §4.4.1.5: addIceCandidate needs one).
 */

import type { CandidateInit } from '../signaling/messages.js';

/** A candidate as signaling carries it: `RTCIceCandidate.toJSON()`. */
export type CandidateJSON = CandidateInit;

/**
 * Sends `pc`'s local candidates with `send`, from `open()` on (those gathered earlier wait, so
 * that the description goes first). The end-of-candidates mark is not sent: with host candidates
 * only, connectivity never waits for it, and the peer may have left by then.
 */
export class CandidateOutbox {
  private held: CandidateJSON[] | null = [];
  private readonly onCandidate = (e: RTCPeerConnectionIceEvent): void => {
    if (!e.candidate || !e.candidate.candidate) return;
    const json: CandidateJSON = { ...e.candidate.toJSON() };
    if (this.held) this.held.push(json);
    else this.send(json);
  };

  constructor(private readonly pc: RTCPeerConnection, private readonly send: (candidate: CandidateJSON) => void) {
    pc.addEventListener('icecandidate', this.onCandidate);
  }

  /** Call right after the description was sent: sends what was held, then each new candidate. */
  open(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const candidate of held) this.send(candidate);
  }

  /** Stops sending (the channel is open, or the attempt is over). */
  stop(): void {
    this.held = null;
    this.pc.removeEventListener('icecandidate', this.onCandidate);
  }
}

/**
 * Adds the peer's candidates to `pc`, holding those that arrive before `ready()` (call it once
 * `setRemoteDescription` resolved). A candidate `pc` rejects (malformed, or an address family it
 * cannot use) is dropped: the others may still connect, and the open timeout reports if none does.
 */
export class CandidateInbox {
  private held: CandidateJSON[] | null = [];

  constructor(private readonly pc: RTCPeerConnection) {}

  /** The peer's next candidate (`null`, its end-of-candidates mark, is ignored). */
  add(candidate: CandidateJSON | null): void {
    if (!candidate || !candidate.candidate) return;
    if (this.held) this.held.push(candidate);
    else this.apply(candidate);
  }

  /** The remote description is set: adds what was held, then each new candidate at once. */
  ready(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const candidate of held) this.apply(candidate);
  }

  private apply(candidate: CandidateJSON): void {
    if (this.pc.signalingState === 'closed') return;
    this.pc.addIceCandidate(candidate as RTCIceCandidateInit).catch(() => {});
  }
}
