/**
 * Rate limiting of the admission handshake per network address (handshake.ts; docs/protocol.md
 * "Limits"), so that guessing a room secret costs real time, and a slave disconnected for abuse
 * (limits.ts) cannot come straight back. The master runs the handshakes of one address one at a
 * time; after a refused proof, that address's next handshake waits `baseMs`, doubling with each
 * further refusal up to `maxMs`; an admission clears the refusals. Disconnections for abuse make
 * the next handshake wait the same way, and an admission does not clear them (they are forgotten
 * after `forgetMs`). At most `maxWaiting` handshakes of one address wait at once: the next is
 * refused at once.
 * The address is the remote candidate of the connection's selected ICE pair (W3C WebRTC stats,
 * `RTCIceCandidateStats.address`).
 */
import { toErrorShape } from '../errors.js';
import { AdmissionError } from './handshake.js';
import type { FramedChannel } from './framed-channel.js';

interface Record {
  refusals: number;
  /** When the last refusal happened (ms, `Date.now()`). */
  lastRefusal: number;
  abuses: number;
  lastAbuse: number;
  /** Settles when the handshake before runs out. */
  chain: Promise<void>;
  waiting: number;
}

export interface ProofLimiterOptions {
  /** Wait after the first refusal, ms. Default 1000. */
  baseMs?: number;
  /** Longest wait, ms. Default 30,000. */
  maxMs?: number;
  /** Handshakes of one address waiting at once. Default 4. */
  maxWaiting?: number;
  /** A record with no refusal for this long is forgotten, ms. Default 10 minutes. */
  forgetMs?: number;
}

/** Most addresses remembered; older records are dropped first when over. */
const MAX_ADDRESSES = 4096;

export class ProofLimiter {
  private readonly records = new Map<string, Record>();
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly maxWaiting: number;
  private readonly forgetMs: number;

  constructor(options: ProofLimiterOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.maxMs = options.maxMs ?? 30000;
    this.maxWaiting = options.maxWaiting ?? 4;
    this.forgetMs = options.forgetMs ?? 600000;
  }

  /** How long the next handshake of `address` would wait for its refusals, ms (0: none). */
  penaltyMs(address: string): number {
    const r = this.records.get(address);
    if (!r) return 0;
    const now = Date.now();
    if (r.abuses > 0 && now - r.lastAbuse > this.forgetMs) r.abuses = 0;
    const wait = (count: number, since: number): number => (count === 0 ? 0 : Math.max(0, since + Math.min(this.maxMs, this.baseMs * 2 ** (count - 1)) - now));
    return Math.max(wait(r.refusals, r.lastRefusal), wait(r.abuses, r.lastAbuse));
  }

  /** Counts a disconnection of `address` for abuse (limits.ts). */
  abused(address: string): void {
    const r = this.record(address);
    r.abuses++;
    r.lastAbuse = Date.now();
  }

  /**
   * Waits for `address`'s turn (the handshakes before it, then its penalty).
   * @returns what to call with the handshake's outcome: `'admitted'`, `'refused'` (a wrong or
   *   missing proof) or `'other'` (the channel closed).
   * @throws AdmissionError (403) when {@link ProofLimiterOptions.maxWaiting} already wait.
   */
  async turn(address: string): Promise<(outcome: 'admitted' | 'refused' | 'other') => void> {
    const r = this.record(address);
    if (r.waiting >= this.maxWaiting) throw new AdmissionError('Forbidden: too many admission attempts from this address');
    r.waiting++;
    const before = r.chain;
    let release!: () => void;
    r.chain = new Promise((resolve) => (release = resolve));
    try {
      await before;
      const wait = this.penaltyMs(address);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    } finally {
      r.waiting--;
    }
    return (outcome) => {
      if (outcome === 'admitted') r.refusals = 0;
      else if (outcome === 'refused') {
        r.refusals++;
        r.lastRefusal = Date.now();
      }
      release();
    };
  }

  private record(address: string): Record {
    let r = this.records.get(address);
    if (r) return r;
    if (this.records.size >= MAX_ADDRESSES) this.prune();
    r = { refusals: 0, lastRefusal: 0, abuses: 0, lastAbuse: 0, chain: Promise.resolve(), waiting: 0 };
    this.records.set(address, r);
    return r;
  }

  private prune(): void {
    const now = Date.now();
    for (const [address, r] of this.records) {
      if (r.waiting === 0 && now - Math.max(r.lastRefusal, r.lastAbuse) > this.forgetMs) this.records.delete(address);
    }
    // Still full: the oldest go (a Map iterates in insertion order).
    for (const address of this.records.keys()) {
      if (this.records.size < MAX_ADDRESSES) break;
      this.records.delete(address);
    }
  }
}

/** The page's limiter: every master of the page shares it (an attacker's address is the same for all). */
export const proofLimiter = new ProofLimiter();

/**
 * The remote address of `pc`'s selected candidate pair, or `'unknown'` (stats missing: every
 * such peer then shares one record, which errs on the side of the secret).
 */
export async function remoteAddress(pc: RTCPeerConnection): Promise<string> {
  try {
    const stats = await pc.getStats();
    let pairId: string | undefined;
    stats.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    const pair = pairId ? stats.get(pairId) as { remoteCandidateId?: string } | undefined : undefined;
    const remote = pair?.remoteCandidateId ? stats.get(pair.remoteCandidateId) as { address?: string; ip?: string } | undefined : undefined;
    return remote?.address ?? remote?.ip ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The address each admitted channel came from, for {@link penalizeAbuse}. */
const addresses = new WeakMap<FramedChannel, string>();

/** Counts an abuse against the address `framed` came from (nothing when unknown: a unit test's channel). */
export function penalizeAbuse(framed: FramedChannel): void {
  const address = addresses.get(framed);
  if (address !== undefined) proofLimiter.abused(address);
}

/**
 * Runs the master's `admit` (handshake.ts `admitSlave`) in its address's turn, and records the
 * outcome (without a room secret there is no refusal, but an address disconnected for abuse still waits).
 * @throws AdmissionError (403) when too many handshakes of the address wait (the slave is told,
 *   as `admitSlave` tells a refused one), or whatever `admit` throws.
 */
export async function admitInTurn<T>(pc: RTCPeerConnection, framed: FramedChannel, admit: () => Promise<T>): Promise<T> {
  let done: (outcome: 'admitted' | 'refused' | 'other') => void;
  const address = await remoteAddress(pc);
  addresses.set(framed, address);
  try {
    done = await proofLimiter.turn(address);
  } catch (e) {
    framed.send({ v: 1, type: 'error', id: null, error: toErrorShape(e) }).catch(() => {});
    throw e;
  }
  try {
    const admitted = await admit();
    done('admitted');
    return admitted;
  } catch (e) {
    done(e instanceof AdmissionError ? 'refused' : 'other');
    throw e;
  }
}
