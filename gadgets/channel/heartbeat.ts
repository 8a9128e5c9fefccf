/**
 * Liveness on the data channel (docs/protocol.md "Heartbeat and goodbye"): a peer that died
 * (browser killed, tab closed, machine gone) sends nothing, and WebRTC itself only gives up on
 * it after ~15 s (Chromium: ICE `disconnected` after 5 s, `failed` after 15 s; the SCTP
 * association never closes). So:
 *
 * ```
 * slave → master   {v:1, type:'ping'}   every HEARTBEAT_INTERVAL_MS, once the welcome said `heartbeat`
 * either → other   {v:1, type:'pong'}   the answer to a ping, sent from the message handler (no timer)
 * either → other   {v:1, type:'bye'}    the page is going away (`pagehide`): forget me now
 * ```
 *
 * Any message (text or binary frame) counts as a sign of life. Silence alone does not condemn a
 * peer whose JavaScript is merely busy (a long query holds the master's event loop): before
 * giving up, a side probes (a ping, which the peer's SCTP stack acknowledges from the network
 * thread even while its page is blocked) and compares the transport's received bytes
 * (`RTCTransportStats.bytesReceived`) before and after; only a peer whose network stack is
 * silent too is declared gone.
 */

/** How often a slave pings, ms. */
export const HEARTBEAT_INTERVAL_MS = 500;
/** Silence after which a slave gives up on its master (once the probe stayed unanswered), ms. */
export const MASTER_SILENCE_MS = 2000;
/** Silence after which a master drops a slave (once the probe stayed unanswered), ms. */
export const SLAVE_SILENCE_MS = 5000;

/** A heartbeat message: `ping`, `pong` or `bye`. */
export interface HeartbeatMessage {
  v: 1;
  type: 'ping' | 'pong' | 'bye';
}

export const PING: HeartbeatMessage = { v: 1, type: 'ping' };
export const PONG: HeartbeatMessage = { v: 1, type: 'pong' };
export const BYE: HeartbeatMessage = { v: 1, type: 'bye' };

/** Whether `message` (a parsed data-channel message) is a heartbeat message. */
export function isHeartbeatMessage(message: unknown): message is HeartbeatMessage {
  if (typeof message !== 'object' || message === null) return false;
  const { v, type } = message as { v?: unknown; type?: unknown };
  return v === 1 && (type === 'ping' || type === 'pong' || type === 'bye');
}

/**
 * Bytes received so far on `pc`'s transports (all of them: one with BUNDLE), or null when the
 * browser gives no transport stats. W3C webrtc-stats `RTCTransportStats.bytesReceived`.
 */
export async function transportBytesReceived(pc: RTCPeerConnection): Promise<number | null> {
  try {
    const report = await pc.getStats();
    let total: number | null = null;
    report.forEach((stat: { type?: string; bytesReceived?: number }) => {
      if (stat.type === 'transport' && typeof stat.bytesReceived === 'number') total = (total ?? 0) + stat.bytesReceived;
    });
    return total;
  } catch {
    return null; // closed meanwhile
  }
}

export interface LivenessOptions {
  pc: RTCPeerConnection;
  /** The peer's channel: each message on it is a sign of life. */
  channel: RTCDataChannel;
  /** Silence before the peer is probed and, if its transport stays silent too, declared gone, ms. */
  silenceMs: number;
  /** Called every `intervalMs` (the slave's ping); nothing when absent. */
  tick?: () => void;
  /** Sends a ping: called once the peer has been silent for `silenceMs - intervalMs`. */
  probe: () => void;
  /** Called once when the peer is gone. */
  onGone: () => void;
  /**
   * Timer period, ms (default HEARTBEAT_INTERVAL_MS). It is also the window in which a live
   * peer's acknowledgement of the probe must arrive: keep it above SCTP's delayed
   * acknowledgement (at most 200 ms in Chromium's dcSCTP; RFC 9260 §6.2 allows up to 500 ms).
   */
  intervalMs?: number;
}

/** A running liveness watch. */
export interface Liveness {
  /** Counts as a sign of life now (the channel's own messages are counted already). */
  heard(): void;
  /** Stops watching (idempotent); `onGone` will not be called. */
  stop(): void;
}

/**
 * Watches the peer behind `channel`: every message resets the silence; after
 * `silenceMs - intervalMs` of it, the transport's received bytes are noted and `probe()` is sent;
 * after `silenceMs`, the bytes are read again: more than noted (the peer's network stack
 * acknowledged the probe: it is alive but busy) keeps waiting, the same (or no stats) calls
 * `onGone`. One `setInterval` per watch; when a hidden tab's timers are throttled the verdict
 * comes later, never sooner.
 */
export function watchLiveness(options: LivenessOptions): Liveness {
  const intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  let lastHeard = performance.now();
  let noted: number | null = null;
  let checking = false;
  let stopped = false;
  const heard = (): void => {
    lastHeard = performance.now();
    noted = null;
  };
  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const silent = performance.now() - lastHeard;
      if (silent >= options.silenceMs - intervalMs && noted === null) {
        // Note the bytes first, then probe: the probe's acknowledgement must come after the note.
        const since = lastHeard;
        const bytes = await transportBytesReceived(options.pc);
        if (!stopped && lastHeard === since) {
          noted = bytes ?? -1;
          options.probe();
        }
      } else if (silent >= options.silenceMs && noted !== null) {
        const bytes = await transportBytesReceived(options.pc);
        if (stopped || noted === null) return;
        if (bytes !== null && noted >= 0 && bytes > noted) {
          // Alive, only busy: probe again after another stretch of silence.
          noted = null;
          lastHeard = performance.now() - (options.silenceMs - intervalMs);
        } else {
          stop();
          options.onGone();
          return;
        }
      }
      if (!stopped) options.tick?.();
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  options.channel.addEventListener('message', heard);
  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
    options.channel.removeEventListener('message', heard);
  };
  return { heard, stop };
}

/**
 * Handles `message` when it is a heartbeat message: a ping is answered with `send(PONG)` at
 * once (from the message handler: no timer, so a hidden tab's throttling cannot delay it), a
 * bye calls `onBye`, a pong needs nothing (its arrival was counted as a sign of life).
 * @returns true when `message` was a heartbeat message (the caller passes on nothing else).
 */
export function handleHeartbeat(message: unknown, send: (reply: HeartbeatMessage) => void, onBye: () => void): boolean {
  if (!isHeartbeatMessage(message)) return false;
  if (message.type === 'ping') send(PONG);
  else if (message.type === 'bye') onBye();
  return true;
}

/**
 * Says goodbye on `channel` and closes it, synchronously (called from `pagehide`, where promises
 * may never settle): the bye goes straight to the data channel as one text message, ahead of
 * anything the framed channel still holds. Nothing when the channel is not open.
 */
export function sayGoodbye(channel: RTCDataChannel): void {
  if (channel.readyState !== 'open') return;
  try {
    channel.send(JSON.stringify(BYE));
  } catch {
    // its queue is full or it is closing: the peer's heartbeat notices instead
  }
  channel.close();
}
