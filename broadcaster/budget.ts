/**
 * Abuse budgets of the broadcaster, so that a flooding socket (and its address) pays for the flood
 * rather than everyone else (docs/protocol.md "Flood budgets"):
 * - per socket, beside the frame rate limit of `rate-limit.ts`: a budget of malformed frames
 *   (`MALFORMED_BURST`, refilled at `MALFORMED_PER_SECOND`) and of frames dropped over the rate
 *   limit (`OVERFLOW_BURST`, refilled at the rate limit). A socket past either is closed with 1008.
 * - per address (IPv4-mapped IPv6 folded to IPv4): the frames of all its sockets share one bucket
 *   (`ADDRESS_RATE_FACTOR` × the per-socket rate); at most `MAX_SOCKETS_PER_ADDRESS` sockets and
 *   `UPGRADE_BURST` upgrades at once (refilled at `UPGRADES_PER_SECOND`); and strikes: each socket
 *   closed for abuse or for a WebSocket protocol error costs one of `STRIKE_BURST` (refilled one per
 *   `STRIKE_REFILL_MS`). An address out of strikes is banned for `BAN_MS`, doubled at each ban of a
 *   repeat offender up to `MAX_BAN_MS`: its TCP connections are destroyed on accept, before any HTTP
 *   parsing, which is what keeps a reconnecting flooder cheap.
 *
 * Pure apart from the clock: time comes in as an argument (ms), so tests can drive it.
 */

import { RateLimiter } from './rate-limit.js';

/** Malformed frames a socket may send at once before it is closed with 1008. */
export const MALFORMED_BURST = 100;
/** Malformed frames per second refilled per socket. */
export const MALFORMED_PER_SECOND = 10;
/** Frames a socket may have dropped over its rate limit at once before it is closed with 1008. */
export const OVERFLOW_BURST = 1000;
/** The per-address frame bucket is this many times the per-socket one (rate and burst). */
export const ADDRESS_RATE_FACTOR = 5;
/** Most WebSocket clients from one address at once; the next gets 503 and close 1013. */
export const MAX_SOCKETS_PER_ADDRESS = 256;
/** WebSocket upgrades an address may make at once; over it the upgrade gets HTTP 429. */
export const UPGRADE_BURST = 256;
/** Upgrades per second refilled per address. */
export const UPGRADES_PER_SECOND = 100;
/** Abusive closes an address may cause at once before it is banned. */
export const STRIKE_BURST = 3;
/** One strike is given back every this many ms. */
export const STRIKE_REFILL_MS = 10_000;
/** How long a banned address has its connections destroyed on accept, ms. */
export const BAN_MS = 10_000;
/** The longest ban of a repeat offender (bans double until they reach it), ms. */
export const MAX_BAN_MS = 10 * 60_000;
/** Past this many addresses tracked, idle ones are forgotten even with spent budgets. */
export const MAX_TRACKED_ADDRESSES = 10_000;
/** Close code for a socket closed for abuse (RFC 6455 policy violation). */
export const CLOSE_POLICY_VIOLATION = 1008;

/** The budgets of one socket: its malformed and overflow buckets. Disabled when `perSecond` is 0. */
export class SocketBudget {
  private readonly malformed: RateLimiter;
  private readonly overflow: RateLimiter;

  /** @param perSecond the socket's frame rate limit (frames/s); 0 disables these budgets too. */
  constructor(perSecond: number, now: number = Date.now()) {
    this.malformed = new RateLimiter(perSecond === 0 ? 0 : MALFORMED_PER_SECOND, MALFORMED_BURST, now);
    this.overflow = new RateLimiter(perSecond, OVERFLOW_BURST, now);
  }

  /** Counts a malformed frame; false once the socket is over budget (close it). */
  malformedFrame(now: number = Date.now()): boolean {
    return this.malformed.take(now);
  }

  /** Counts a frame dropped over the rate limit; false once the socket is over budget (close it). */
  droppedFrame(now: number = Date.now()): boolean {
    return this.overflow.take(now);
  }
}

/** What `AddressBudgets.admit` says about a new WebSocket upgrade: go on, or answer HTTP 429. */
export type Admission = { ok: true } | { ok: false; retryAfter: number; reason: string };

interface AddressState {
  sockets: number;
  frames: RateLimiter;
  upgrades: RateLimiter;
  strikes: RateLimiter;
  bannedUntil: number;
  /** Bans so far (the next lasts BAN_MS × 2^bans); forgotten with the address. */
  bans: number;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; anything else unchanged ('' when unknown). */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Per-address budgets (see the module doc). Entries are forgotten once idle and unbanned. */
export class AddressBudgets {
  private readonly states = new Map<string, AddressState>();

  /**
   * @param perSecond the per-socket frame rate (frames/s); 0 disables every per-address budget.
   * @param burst the per-socket bucket size (frames).
   */
  constructor(private readonly perSecond: number, private readonly burst: number) {}

  private get enabled(): boolean {
    return this.perSecond > 0;
  }

  private state(address: string, now: number): AddressState {
    let state = this.states.get(address);
    if (!state) {
      if (this.states.size >= MAX_TRACKED_ADDRESSES) this.sweep(now);
      state = {
        sockets: 0,
        frames: new RateLimiter(this.perSecond * ADDRESS_RATE_FACTOR, this.burst * ADDRESS_RATE_FACTOR, now),
        upgrades: new RateLimiter(UPGRADES_PER_SECOND, UPGRADE_BURST, now),
        strikes: new RateLimiter(1000 / STRIKE_REFILL_MS, STRIKE_BURST, now),
        bannedUntil: 0,
        bans: 0,
      };
      this.states.set(address, state);
    }
    return state;
  }

  /** Whether `address` is banned at `now`: its TCP connections are to be destroyed unread. */
  banned(address: string, now: number = Date.now()): boolean {
    const state = this.states.get(address);
    return state !== undefined && state.bannedUntil > now;
  }

  /** Decides on a WebSocket upgrade from `address` (ban, then upgrade rate). */
  admit(address: string, now: number = Date.now()): Admission {
    if (!this.enabled) return { ok: true };
    const state = this.state(address, now);
    if (state.bannedUntil > now) {
      return { ok: false, retryAfter: Math.ceil((state.bannedUntil - now) / 1000), reason: 'address banned for abuse' };
    }
    if (!state.upgrades.take(now)) {
      return { ok: false, retryAfter: 1, reason: `over ${UPGRADES_PER_SECOND} WebSocket upgrades per second` };
    }
    return { ok: true };
  }

  /**
   * Counts a connected socket of `address`; false (not counted) when the address already has
   * `MAX_SOCKETS_PER_ADDRESS`. Each true must be matched by one `release`.
   */
  attach(address: string, now: number = Date.now()): boolean {
    if (!this.enabled) return true;
    const state = this.state(address, now);
    if (state.sockets >= MAX_SOCKETS_PER_ADDRESS) return false;
    state.sockets++;
    return true;
  }

  /** A socket counted by `attach` closed. */
  release(address: string, now: number = Date.now()): void {
    const state = this.states.get(address);
    if (!state) return;
    state.sockets = Math.max(0, state.sockets - 1);
    this.forgetIfIdle(address, state, now);
  }

  /** Takes one frame from the address's shared bucket; false when the frame must be dropped. */
  takeFrame(address: string, now: number = Date.now()): boolean {
    if (!this.enabled) return true;
    return this.state(address, now).frames.take(now);
  }

  /** Records an abusive close from `address`; bans it once out of strikes. @returns whether banned now. */
  strike(address: string, now: number = Date.now()): boolean {
    if (!this.enabled) return false;
    const state = this.state(address, now);
    if (state.strikes.take(now)) return false;
    state.bannedUntil = now + Math.min(MAX_BAN_MS, BAN_MS * 2 ** state.bans);
    state.bans++;
    return true;
  }

  /** Number of addresses tracked (for tests: entries are forgotten once idle). */
  get size(): number {
    return this.states.size;
  }

  /** Forgets every address with no socket and no ban (a bound on memory under address churn). */
  private sweep(now: number): void {
    for (const [address, state] of this.states) {
      if (state.sockets === 0 && state.bannedUntil <= now) this.states.delete(address);
    }
  }

  private forgetIfIdle(address: string, state: AddressState, now: number): void {
    // Kept while it has sockets, a ban, or spent strikes or upgrades (which a reconnect must not reset).
    if (state.sockets > 0 || state.bannedUntil > now) return;
    if (state.strikes.available(now) >= STRIKE_BURST && state.upgrades.available(now) >= UPGRADE_BURST) this.states.delete(address);
  }
}
