/** Connection states shared by `<rtc-master>` and `<rtc-slave>` (README.md "Elements"). */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'error';

/**
 * A slave as its master sees it: `name` is the device name it gave (handshake or `name` message,
 * cleaned: 1–64 characters, no control characters), else the first 8 characters of `id`;
 * `connectedAt` is epoch ms once its data channel opened.
 */
export interface PeerInfo {
  id: string;
  name: string;
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
