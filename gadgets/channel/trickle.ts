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
 * Holds what comes before `open()`, then passes each item to `deliver` at once: the one rule both
 * directions of trickle ICE follow.
 */
class Gate<T> {
  private held: T[] | null = [];

  constructor(private readonly deliver: (item: T) => void) {}

  push(item: T): void {
    if (this.held) this.held.push(item);
    else this.deliver(item);
  }

  /** Delivers what was held, in order, and each later item at once. */
  open(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const item of held) this.deliver(item);
  }
}

/**
 * Sends `pc`'s local candidates with `send`, from `open()` on (those gathered earlier wait, so
 * that the description goes first). The end-of-candidates mark is not sent: with host candidates
 * only, connectivity never waits for it, and the peer may have left by then.
 */
export class CandidateOutbox {
  private stopped = false;
  private readonly gate: Gate<CandidateJSON>;
  private readonly onCandidate = (e: RTCPeerConnectionIceEvent): void => {
    if (e.candidate?.candidate) this.gate.push({ ...e.candidate.toJSON() });
  };

  constructor(private readonly pc: RTCPeerConnection, send: (candidate: CandidateJSON) => void) {
    this.gate = new Gate((candidate) => {
      if (!this.stopped) send(candidate);
    });
    pc.addEventListener('icecandidate', this.onCandidate);
  }

  /** Call right after the description was sent: sends what was held, then each new candidate. */
  open(): void {
    this.gate.open();
  }

  /** Stops sending (the channel is open, or the attempt is over). */
  stop(): void {
    this.stopped = true;
    this.pc.removeEventListener('icecandidate', this.onCandidate);
  }
}

/**
 * Adds the peer's candidates to `pc`, holding those that arrive before `ready()` (call it once
 * `setRemoteDescription` resolved). A candidate `pc` rejects (malformed, or an address family it
 * cannot use) is dropped: the others may still connect, and the open timeout reports if none does.
 */
export class CandidateInbox {
  private readonly gate: Gate<CandidateJSON>;

  constructor(pc: RTCPeerConnection) {
    this.gate = new Gate((candidate) => {
      if (pc.signalingState !== 'closed') pc.addIceCandidate(candidate as RTCIceCandidateInit).catch(() => {});
    });
  }

  /** The peer's next candidate (`null`, its end-of-candidates mark, is ignored). */
  add(candidate: CandidateJSON | null): void {
    if (candidate?.candidate) this.gate.push(candidate);
  }

  /** The remote description is set: adds what was held, then each new candidate at once. */
  ready(): void {
    this.gate.open();
  }
}
