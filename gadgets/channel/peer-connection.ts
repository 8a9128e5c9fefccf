/**
 * RTCPeerConnection set-up shared by master and slave (W3C WebRTC §4, RFC 8831/8832).
 * - No STUN or TURN (`iceServers: []`): on a LAN with no internet only host candidates work,
 *   and a STUN server that does not answer would only delay gathering
 *   (docs/protocol.md "The peer connection").
 * - Non-trickle: the offer and the answer carry every candidate, so signaling is one message
 *   each way (the same for the broadcaster and for copy-paste). Gathering is capped, so a
 *   missing interface never stalls pairing.
 * - One reliable, ordered data channel, pre-negotiated on id 0 by both sides, so no DCEP open
 *   handshake is needed (RFC 8832 §6 is skipped by `negotiated: true`).
 */

/** Label and stream id of the protocol's data channel. */
export const CHANNEL_LABEL = 'rtc-gadgets';
export const CHANNEL_ID = 0;

/** Longest wait for ICE gathering before sending what we have, ms. */
export const GATHER_CAP_MS = 1500;

/** A connection with no ICE servers (LAN host candidates only). */
export function createPeerConnection(): RTCPeerConnection {
  return new RTCPeerConnection({ iceServers: [] });
}

/** The protocol's data channel on `pc` (call before creating the offer). */
export function createProtocolChannel(pc: RTCPeerConnection): RTCDataChannel {
  const channel = pc.createDataChannel(CHANNEL_LABEL, { negotiated: true, id: CHANNEL_ID, ordered: true });
  channel.binaryType = 'arraybuffer';
  return channel;
}

/**
 * Resolves when ICE gathering is complete, or after `capMs` once at least one candidate exists
 * (after `capMs * 4` in any case).
 */
export function gatheringDone(pc: RTCPeerConnection, capMs = GATHER_CAP_MS): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    let candidates = 0;
    const finish = (): void => {
      clearTimeout(soft);
      clearTimeout(hard);
      pc.removeEventListener('icegatheringstatechange', onState);
      pc.removeEventListener('icecandidate', onCandidate);
      resolve();
    };
    const onState = (): void => {
      if (pc.iceGatheringState === 'complete') finish();
    };
    const onCandidate = (e: RTCPeerConnectionIceEvent): void => {
      if (e.candidate) candidates++;
      else finish();
    };
    const soft = setTimeout(() => {
      if (candidates > 0) finish();
    }, capMs);
    const hard = setTimeout(finish, capMs * 4);
    pc.addEventListener('icegatheringstatechange', onState);
    pc.addEventListener('icecandidate', onCandidate);
  });
}

/** Resolves when `channel` is open; rejects when it closes first or after `timeoutMs`. */
export function channelOpen(channel: RTCDataChannel, timeoutMs: number): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: Error): void => {
      clearTimeout(timer);
      channel.removeEventListener('open', onOpen);
      channel.removeEventListener('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onOpen = (): void => done();
    const onClose = (): void => done(new Error('Data channel closed before it opened'));
    const timer = setTimeout(() => done(new Error(`Data channel did not open within ${timeoutMs} ms`)), timeoutMs);
    channel.addEventListener('open', onOpen);
    channel.addEventListener('close', onClose);
  });
}

/** Largest message the remote peer accepts, bytes (RFC 8841 `a=max-message-size`). */
export function remoteMaxMessageSize(pc: RTCPeerConnection): number {
  const size = pc.sctp?.maxMessageSize;
  // Chromium reports 262144; 0 or Infinity would mean "unknown"/"unbounded": stay at 256 KiB.
  return size && Number.isFinite(size) ? Math.min(size, 256 * 1024) : 65536;
}

/** Calls `onGone` once when the connection fails or closes, or the channel closes. */
export function watchConnection(pc: RTCPeerConnection, channel: RTCDataChannel, onGone: () => void): () => void {
  let fired = false;
  const fire = (): void => {
    if (fired) return;
    fired = true;
    stop();
    onGone();
  };
  const onState = (): void => {
    if (pc.connectionState === 'failed' || pc.connectionState === 'closed') fire();
  };
  pc.addEventListener('connectionstatechange', onState);
  channel.addEventListener('close', fire);
  const stop = (): void => {
    pc.removeEventListener('connectionstatechange', onState);
    channel.removeEventListener('close', fire);
  };
  return stop;
}
