/** Connection states shared by `<rtc-master>` and `<rtc-slave>` (README.md "Elements"). */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'error';

/** A slave as its master sees it: `connectedAt` is epoch ms once its data channel opened. */
export interface PeerInfo {
  id: string;
  state: 'connecting' | 'connected';
  connectedAt: number | null;
}

/** The callbacks a session reports through. */
export interface SessionListener {
  stateChanged(state: ConnectionState, previous: ConnectionState): void;
  peersChanged(peers: PeerInfo[]): void;
  error(error: Error): void;
  /** Bytes stored of an attachment a slave is uploading to this master (`peer`: the slave's id). */
  uploadProgress?(id: string, name: string, loaded: number, total: number, peer: string): void;
}
