/** Connection states shared by `<rtc-master>` and `<rtc-slave>` (README.md "Elements"). */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'error';

/** A slave as its master sees it: `connectedAt` is epoch ms once its data channel opened. */
export interface PeerInfo {
  id: string;
  state: 'connecting' | 'connected';
  connectedAt: number | null;
}

/** Waits `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retry delay after `failures` consecutive failures: 250 ms doubling up to 5 s. */
export function backoff(failures: number): number {
  return Math.min(5000, 250 * 2 ** Math.max(0, failures - 1));
}
