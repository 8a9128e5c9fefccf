/**
 * A master with manual signaling (`<rtc-master signaling="manual">`), without the DOM: no
 * broadcaster; a person brings each slave's offer token, `acceptOffer` answers it with an answer
 * token that the person takes back to the slave. Slaves pair one after another; each is then
 * served exactly as over the broadcaster (`master-core.ts`).
 *
 * The master serves only the browser whose DTLS certificate matches the fingerprint in the
 * offer token it accepted (`peer-link.ts`), so the token is what admits a slave.
 */
import { decodeToken, encodeToken } from '../signaling/token.js';
import { uuid } from '../storage/ids.js';
import { MasterSessionBase } from './master-base.js';
import type { PeerInfo } from './types.js';

/**
 * How long a slave may take to open its channel after the answer token is made, ms: a person
 * carries the answer to the slave meanwhile (type it, scan it).
 */
export const MANUAL_OPEN_TIMEOUT_MS = 10 * 60 * 1000;

export interface ManualMasterSessionOptions {
  database: string;
  indexes?: readonly string[];
  allow: ReadonlySet<string>;
  /** Room secret slaves must prove they know (on top of the token); '' for none. */
  secret?: string;
}

/** One answered offer. */
export interface ManualAnswer {
  /** The answer token to give back to the slave. */
  token: string;
  /** The slave's id in `peers`. */
  peerId: string;
}

export class ManualMasterSession extends MasterSessionBase {
  /** Slave `id`, or undefined once it is gone. */
  peer(id: string): PeerInfo | undefined {
    return this.core.peer(id);
  }

  /** Opens the database and accepts offers (`connected`: ready to pair slaves). */
  protected begin(): void {
    this.setState('connecting');
    this.core.database().then(
      () => {
        if (this.running) this.setState('connected');
      },
      (e: Error) => {
        if (!this.running) return;
        this.setState('error');
        this.report(e);
      },
    );
  }

  /**
   * Answers a slave's offer token (or full SDP).
   * @returns the answer token, and the slave's id; the slave is served once it connects.
   * @throws RtcError 400 for a token that is mistyped, not an offer, or unusable.
   */
  async acceptOffer(token: string): Promise<ManualAnswer> {
    const offer = decodeToken(token, 'offer');
    this.start();
    const peerId = uuid();
    const { sdp } = await this.core.answerOffer(peerId, offer.sdp, MANUAL_OPEN_TIMEOUT_MS);
    return { token: encodeToken('answer', sdp), peerId };
  }
}
