/**
 * What happens on a connected RTCPeerConnection, whatever carried its offer and answer (the
 * broadcaster or a person with a token): the data channel opens, each side checks the other's
 * DTLS certificate against the fingerprint it was given, the admission handshake runs
 * (`channel/handshake.ts`, room secret), and then the master serves RPC on the channel
 * (`serveRpc`) and the slave's RPC client uses it (`RpcClient.attach`).
 */
import { toErrorShape, type RtcError } from '../errors.js';
import type { Database } from '../storage/database.js';
import { FramedChannel } from '../channel/framed-channel.js';
import { serveRpc } from '../channel/rpc-server.js';
import type { RpcClient } from '../channel/rpc-client.js';
import { AdmissionError, admitSlave, cleanName, isNameMessage, joinMaster, nameMessage, HANDSHAKE_TIMEOUT_MS } from '../channel/handshake.js';
import { channelOpen, remoteMaxMessageSize, watchConnection } from '../channel/peer-connection.js';
import { handleHeartbeat, MASTER_SILENCE_MS, PING, sayGoodbye, SLAVE_SILENCE_MS, watchLiveness, type Liveness } from '../channel/heartbeat.js';
import { DEFAULT_LIMITS } from '../channel/limits.js';
import { admitInTurn } from '../channel/proof-limiter.js';
import { descriptionFingerprints, remoteCertificateMatches } from '../signaling/sdp.js';

/** How long a slave disconnected for abuse has to read the reason before its connection closes, ms. */
const ABUSE_GRACE_MS = 1000;

/**
 * Checks that the peer's DTLS certificate is the one whose fingerprint its offer or answer
 * carried (`remoteCertificateMatches`).
 * @throws AdmissionError (403) on a mismatch.
 */
function checkRemoteCertificate(pc: RTCPeerConnection): void {
  if (!remoteCertificateMatches(pc)) {
    throw new AdmissionError('Refused: the peer\'s DTLS certificate does not match the fingerprint of its token');
  }
}

export interface ServeSlaveOptions {
  database: () => Promise<Database>;
  allow: ReadonlySet<string>;
  /** Room secret the slave must prove it knows; '' for none. */
  secret: string;
  /** How long the channel may take to open, ms. */
  openTimeoutMs: number;
  /** Told about requests that failed on the master's side. */
  onRequestError: (error: RtcError) => void;
  /** Told the bytes stored of each attachment the slave uploads. */
  onUploadProgress?: (id: string, name: string, stored: number, total: number) => void;
  /** Called once when the connection ends after serving started. */
  onGone: () => void;
  /** Told each new name the slave gives itself after admission (`name` messages), already cleaned. */
  onName?: (name: string) => void;
}

/** A slave being served: what stops it, what says goodbye to it, and the name it gave in its proof (null: none yet). */
export interface ServedSlave {
  stop: () => void;
  /** Sends `bye` and closes the channel, synchronously (`pagehide`; channel/heartbeat.ts). */
  goodbye: () => void;
  name: string | null;
}

/**
 * The master's side, called right after `setLocalDescription(answer)`: waits for the channel,
 * checks the slave's certificate, admits it, serves RPC. `name` messages
 * (`channel/handshake.ts`) are taken out before the RPC server sees them: a usable one goes to
 * `onName`, an unusable one (not a string, empty once cleaned) is dropped without an answer.
 * Heartbeat messages (`channel/heartbeat.ts`) are taken out too: a ping is answered, and from
 * the first one on, a slave silent for SLAVE_SILENCE_MS (and whose transport stays silent to a
 * probe) is gone; a bye means gone at once. `onGone` is called once, whichever came first.
 * @returns what stops serving (the caller closes the channel and connection) and the name of
 *   the proof.
 * @throws AdmissionError (403) when the slave was refused (the error envelope is on its way;
 *   close the channel with `closeAfterRefusal`), another error when the channel never opened.
 */
export async function serveSlave(pc: RTCPeerConnection, channel: RTCDataChannel, options: ServeSlaveOptions): Promise<ServedSlave> {
  await channelOpen(channel, options.openTimeoutMs);
  const framed = new FramedChannel(channel, { maxMessageSize: remoteMaxMessageSize(pc), maxMessagesPerSecond: DEFAULT_LIMITS.maxMessagesPerSecond });
  framed.onAbuse = () => channel.close(); // a flood before admission (serveRpc tells the reason after)
  try {
    const database = await options.database();
    try {
      checkRemoteCertificate(pc);
    } catch (e) {
      framed.send({ v: 1, type: 'error', id: null, error: toErrorShape(e) }).catch(() => {});
      throw e;
    }
    const { name } = await admitInTurn(pc, framed, () => admitSlave(framed, { secret: options.secret, ...descriptionFingerprints(pc, 'master') }));
    const stopServing = serveRpc(framed, {
      database,
      allow: options.allow,
      onRequestError: options.onRequestError,
      onUploadProgress: options.onUploadProgress,
      // Disconnected for abuse: the whole connection goes, even while its channel is still closing.
      onDisconnect: () => setTimeout(options.onGone, ABUSE_GRACE_MS),
    });
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      stop();
      options.onGone();
    };
    let liveness: Liveness | null = null;
    const reply = (message: unknown): void => void framed.send(message).catch(() => {});
    const serve = framed.onMessage;
    framed.onMessage = (message) => {
      if (handleHeartbeat(message, reply, end)) {
        // A slave that pings is watched from then on (one older than the heartbeat never is).
        liveness ??= watchLiveness({ pc, channel, silenceMs: SLAVE_SILENCE_MS, probe: () => reply(PING), onGone: end });
        return;
      }
      if (!isNameMessage(message)) return serve(message);
      const clean = cleanName(message.name);
      if (clean !== null) options.onName?.(clean);
    };
    const unwatch = watchConnection(pc, channel, end);
    const stop = (): void => {
      unwatch();
      liveness?.stop();
      stopServing();
      framed.dispose();
    };
    return { stop, goodbye: () => sayGoodbye(channel), name };
  } catch (e) {
    framed.dispose();
    throw e;
  }
}

/**
 * Closes a refused slave's channel once its error envelope has left (a data channel sends what
 * is queued before it closes), then the connection, after at most `graceMs`.
 */
export function closeAfterRefusal(pc: RTCPeerConnection, channel: RTCDataChannel, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      pc.close();
      resolve();
    };
    const timer = setTimeout(finish, graceMs);
    channel.addEventListener('close', finish, { once: true });
    channel.close();
  });
}

/** Messages that arrived before anyone listened, kept for `linkToMaster`. */
export interface HeldMessages {
  /** Stops holding and hands what was held to the listeners added since, in order. */
  release(): void;
}

/**
 * Keeps the messages that reach `channel` until `release()`. Call it right after creating the
 * slave's channel: the master speaks first, as soon as its side is open, and that can happen
 * before this side's `setRemoteDescription` promise has even resolved (its network work runs
 * on another thread), so before `linkToMaster` could listen. Without this, the first message
 * may be dispatched to nobody and lost.
 */
export function holdMessages(channel: RTCDataChannel): HeldMessages {
  const held: unknown[] = [];
  const hold = (event: Event): void => {
    held.push((event as MessageEvent).data);
  };
  channel.addEventListener('message', hold);
  return {
    release: () => {
      channel.removeEventListener('message', hold);
      for (const data of held.splice(0)) channel.dispatchEvent(new MessageEvent('message', { data }));
    },
  };
}

/** A slave's device name, read at each join and watched while a link is up (the element keeps it). */
export interface NameSource {
  /** The current name. */
  readonly value: string;
  /** Calls `fn` after each change. @returns what stops watching. */
  watch(fn: () => void): () => void;
}

export interface MasterLink {
  /** Resolves once the connection is gone (closed, failed, the master said bye or went silent, or `close()`). */
  readonly gone: Promise<void>;
  /** Detaches nothing by itself: closes the channel and the connection. */
  close(): void;
  /** Says `bye` to the master, then closes, synchronously (`pagehide`; channel/heartbeat.ts). */
  goodbye(): void;
}

/**
 * The slave's side, called right after `setRemoteDescription(answer)`: waits for the channel,
 * checks the master's certificate, joins (handshake), and attaches `rpc` to the channel (which
 * re-sends every unanswered request). `held` is what `holdMessages` kept since the channel was
 * made (the channel may already be open, the master's first message already in). With `name`,
 * the master is told the slave's name as it joins, and each change while the link is up.
 * With a master whose welcome says `heartbeat`, the slave pings it every HEARTBEAT_INTERVAL_MS
 * and the link is gone once the master stayed silent for MASTER_SILENCE_MS (its transport too,
 * to a probe) or said bye (`channel/heartbeat.ts`).
 * @throws AdmissionError (403) when the master refused this slave (wrong room secret) or could
 *   not prove it knows the slave's secret; another error when the channel did not open.
 */
export async function linkToMaster(
  pc: RTCPeerConnection,
  channel: RTCDataChannel,
  rpc: RpcClient,
  options: { secret: string; openTimeoutMs: number; held: HeldMessages; name?: NameSource },
): Promise<MasterLink> {
  // The master speaks first, as soon as its side is open (this side may already be open too).
  const framed = new FramedChannel(channel, { maxMessageSize: remoteMaxMessageSize(pc) });
  let told = options.name?.value;
  let heartbeat = false;
  const joined = joinMaster(framed, {
    secret: options.secret,
    ...descriptionFingerprints(pc, 'slave'),
    timeoutMs: options.openTimeoutMs + HANDSHAKE_TIMEOUT_MS,
    name: told,
    heartbeat: (supported) => (heartbeat = supported),
  });
  joined.catch(() => {}); // awaited below; this only keeps an early rejection from being "unhandled"
  options.held.release(); // what came before the framed channel listened, now in order
  let names = false;
  try {
    await channelOpen(channel, options.openTimeoutMs);
    checkRemoteCertificate(pc);
    const welcome = await joined;
    // A master that reads bundles gets this slave's pipelined requests bundled (and answers in kind).
    framed.sendBundles = welcome.bundles;
    names = welcome.names === true;
  } catch (e) {
    framed.dispose();
    channel.close();
    throw e;
  }
  // Renames while linked (and one made during the handshake) go to a master that takes them.
  const tell = (): void => {
    const name = options.name?.value;
    if (!names || name === undefined || name === told) return;
    told = name;
    framed.send(nameMessage(name)).catch(() => {}); // closed: the next join tells it
  };
  const unwatchName = options.name?.watch(tell) ?? (() => {});
  let wake: () => void = () => {};
  const close = (): void => {
    channel.close();
    pc.close();
    wake();
  };
  const send = (message: unknown): void => void framed.send(message).catch(() => {});
  // The first ping goes at once: the master watches a slave from its first ping on.
  if (heartbeat) send(PING);
  const liveness = heartbeat
    ? watchLiveness({ pc, channel, silenceMs: MASTER_SILENCE_MS, tick: () => send(PING), probe: () => send(PING), onGone: close })
    : null;
  const gone = new Promise<void>((resolve) => {
    wake = resolve;
    watchConnection(pc, channel, resolve);
  }).then(() => {
    liveness?.stop();
    unwatchName();
    framed.dispose();
  });
  tell();
  rpc.attach(framed);
  const receive = framed.onMessage;
  framed.onMessage = (message) => {
    if (!handleHeartbeat(message, send, close)) receive(message);
  };
  return {
    gone,
    close,
    goodbye: () => {
      sayGoodbye(channel); // the connection itself is left to the page's end: closing it could drop the bye
      wake();
    },
  };
}
