/**
 * The part of a master that does not depend on how offers arrive: its IndexedDB database, and
 * its slaves, each one RTCPeerConnection answered here and then served (`peer-link.ts`). The
 * broadcaster session (`master-session.ts`) and the manual one (`manual-master-session.ts`)
 * only differ in how they receive an offer and hand back the answer.
 */
import { RtcError } from '../errors.js';
import { Database } from '../storage/database.js';
import { requestPersistence } from '../storage/persistence.js';
import { startJournal } from '../storage/journal-restore.js';
import type { Journal, JournalStatus } from '../storage/journal.js';
import type { ScanCacheOptions } from '../storage/scan-cache.js';
import { createPeerConnection, createProtocolChannel, gatheringDone } from '../channel/peer-connection.js';
import { AdmissionError } from '../channel/handshake.js';
import { CandidateInbox, CandidateOutbox, type CandidateJSON } from '../channel/trickle.js';
import { closeAfterRefusal, serveSlave } from './peer-link.js';
import type { PeerInfo, SessionListener } from './types.js';

/** How a slave that gave no name (yet) is listed: the first 8 characters of its id. */
export function fallbackName(id: string): string {
  return id.slice(0, 8);
}

/** Most slaves served at once (Chromium allows 500 RTCPeerConnections per tab, docs/architecture.md "Design rules"). */
export const MAX_PEERS = 256;

export interface MasterCoreOptions {
  database: string;
  /** Keys to index in IndexedDB. */
  indexes?: readonly string[];
  allow: ReadonlySet<string>;
  /** Room secret slaves must prove they know; '' for none. */
  secret: string;
  /** False: keep no journal (the copy outside IndexedDB, storage/journal.ts). Default true. */
  journal?: boolean;
  /** The scan cache (storage/scan-cache.ts): its cap, or false for none. Default 256 MiB. */
  scanCache?: ScanCacheOptions | false;
}

interface Peer {
  info: PeerInfo;
  /** The name the slave gave (proof or `name` message, cleaned), or null while it gave none. */
  name: string | null;
  /** The slave's trickled ICE candidates (broadcaster path). */
  candidates: CandidateInbox;
  /** Stops serving, once serving started. */
  stop: (() => void) | null;
  /** Says bye and closes the channel (`pagehide`), once serving started. */
  goodbye: (() => void) | null;
  close(): void;
}

export class MasterCore {
  private readonly peers = new Map<string, Peer>();
  private databasePromise: Promise<Database> | null = null;
  private journal: Journal | null = null;
  /** The journal's state (storage/journal.ts), null until the database is open. */
  journalStatus: JournalStatus | null = null;

  constructor(private readonly options: MasterCoreOptions, private readonly listener: SessionListener) {}

  /**
   * The database, opened on first use; it asks the browser to keep the origin's storage
   * (storage/persistence.ts) and reports each write refused for lack of space (507) as an error.
   * @throws RtcError 500 when IndexedDB refuses.
   */
  database(): Promise<Database> {
    if (!this.databasePromise) {
      this.databasePromise = Database.open(this.options.database, { indexes: this.options.indexes, scanCache: this.options.scanCache }).then(async (db) => {
        db.onStorageFull = (error) => this.listener.error(error);
        void requestPersistence();
        // A wiped database is restored from the journal before anything is served (journal-restore.ts).
        const { journal, status } = this.options.journal === false
          ? { journal: null, status: { on: false, reason: 'turned off (no-journal)', bytes: 0, restored: null } }
          : await startJournal(db, (e) => this.listener.error(e));
        this.journal = journal;
        this.journalStatus = status;
        return db;
      });
      this.databasePromise.catch(() => {
        this.databasePromise = null; // let a later call try again
      });
    }
    return this.databasePromise;
  }

  /** The connected and connecting slaves. */
  peerList(): PeerInfo[] {
    return [...this.peers.values()].map((p) => ({ ...p.info }));
  }

  /** The slave `id`, or undefined when it is not (or no longer) there. */
  peer(id: string): PeerInfo | undefined {
    const p = this.peers.get(id);
    return p ? { ...p.info } : undefined;
  }

  /**
   * Answers slave `id`'s offer (a re-offer under the same id replaces the previous attempt) and
   * serves it once its channel opens (within `openTimeoutMs`), in the background.
   * With `trickle`, the answer is returned as soon as it is set, and each local ICE candidate is
   * handed to `trickle.send` once the caller has called the returned `sent()` (it sent the answer
   * first; channel/trickle.ts); without it, the answer waits for gathering and carries every
   * candidate (copy-paste pairing, where `sent` does nothing).
   * @returns `{ sdp, sent }`: the answer SDP, and what to call once it is on its way.
   * @throws RtcError 503 when already serving {@link MAX_PEERS}, 400 when the offer is unusable.
   */
  async answerOffer(id: string, offerSdp: string, openTimeoutMs: number, trickle?: { send: (candidate: CandidateJSON) => void }): Promise<{ sdp: string; sent: () => void }> {
    this.peers.get(id)?.close();
    if (this.peers.size >= MAX_PEERS) {
      throw new RtcError(`Refused slave ${id}: already serving ${MAX_PEERS} slaves`, 503);
    }
    const pc = createPeerConnection();
    const channel = createProtocolChannel(pc);
    const outbox = trickle ? new CandidateOutbox(pc, trickle.send) : null;
    const peer: Peer = {
      info: { id, name: fallbackName(id), state: 'connecting', connectedAt: null },
      name: null,
      candidates: new CandidateInbox(pc),
      stop: null,
      goodbye: null,
      close: () => {
        if (this.peers.get(id) !== peer) return;
        this.peers.delete(id);
        outbox?.stop();
        peer.stop?.();
        channel.close();
        pc.close(); // release it now: closed connections count toward the 500 per tab until collected
        this.listener.peersChanged(this.peerList());
      },
    };
    this.peers.set(id, peer);
    this.listener.peersChanged(this.peerList());
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      peer.candidates.ready();
      await pc.setLocalDescription(await pc.createAnswer());
      if (!outbox) await gatheringDone(pc);
    } catch (e) {
      peer.close();
      throw new RtcError(`Cannot answer slave ${id}: ${(e as Error).message}`, 400);
    }
    void this.serve(id, peer, pc, channel, openTimeoutMs).finally(() => outbox?.stop());
    return { sdp: pc.localDescription!.sdp, sent: () => outbox?.open() };
  }

  /** Slave `id`'s next trickled ICE candidate; ignored when that slave is not (or no longer) here. */
  addCandidate(id: string, candidate: CandidateJSON | null): void {
    this.peers.get(id)?.candidates.add(candidate);
  }

  /** Waits for the channel and serves it; reports failures. */
  private async serve(id: string, peer: Peer, pc: RTCPeerConnection, channel: RTCDataChannel, openTimeoutMs: number): Promise<void> {
    try {
      const { stop, goodbye, name } = await serveSlave(pc, channel, {
        database: () => this.database(),
        allow: this.options.allow,
        secret: this.options.secret,
        openTimeoutMs,
        // A slave's bad request is the slave's error (it gets the answer); only failures of the
        // master itself are the master's to report.
        // A 507 was reported by the database already (onStorageFull above).
        onRequestError: (error) => {
          if (error.status_code >= 500 && error.status_code !== 504 && error.status_code !== 507) this.listener.error(error);
        },
        onUploadProgress: (doc, name, loaded, total) => this.listener.uploadProgress?.(doc, name, loaded, total, id),
        onGone: () => peer.close(),
        onName: (given) => this.rename(peer, given),
      });
      if (this.peers.get(id) !== peer) {
        stop();
        return;
      }
      peer.stop = stop;
      peer.goodbye = goodbye;
      peer.name ??= name;
      peer.info = { id, name: peer.name ?? fallbackName(id), state: 'connected', connectedAt: Date.now() };
      this.listener.peersChanged(this.peerList());
    } catch (e) {
      if (this.peers.get(id) !== peer) return; // replaced or closed meanwhile: nothing to say
      const error = e as RtcError;
      if (error instanceof AdmissionError) {
        // Refused: the slave gets its 403 envelope, then the channel closes.
        this.listener.error(new RtcError(`Refused slave ${id}: ${error.message}`, 403));
        this.peers.delete(id);
        this.listener.peersChanged(this.peerList());
        void closeAfterRefusal(pc, channel);
      } else {
        peer.close();
        this.listener.error(new RtcError(`Slave ${id} could not connect: ${error.message}`, 500));
      }
    }
  }

  /** A slave's new name (already cleaned): listed, and told to listeners when it differs. */
  private rename(peer: Peer, name: string): void {
    if (peer.name === name) return;
    peer.name = name;
    if (this.peers.get(peer.info.id) !== peer || peer.info.state !== 'connected') return; // listed once connected
    peer.info = { ...peer.info, name };
    this.listener.peersChanged(this.peerList());
  }

  /** Says bye to every slave being served (synchronously: `pagehide`, channel/heartbeat.ts). */
  goodbye(): void {
    for (const peer of this.peers.values()) peer.goodbye?.();
  }

  /** Closes every slave's connection. */
  closePeers(): void {
    for (const peer of [...this.peers.values()]) peer.close();
  }

  /** Closes every slave's connection and the database. */
  async close(): Promise<void> {
    this.closePeers();
    const db = this.databasePromise;
    this.databasePromise = null;
    if (db) (await db.catch(() => null))?.close();
    const journal = this.journal;
    this.journal = null;
    await journal?.close();
  }
}
