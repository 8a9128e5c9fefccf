/**
 * What the framed channel needs from a transport: the subset of `RTCDataChannel` it uses
 * (W3C WebRTC §6.2 RTCDataChannel). A data channel is one as it is; `PortEndpoint` adapts a
 * `MessagePort` so the protocol can be unit-tested over a `MessageChannel` without WebRTC.
 */
export interface ChannelEndpoint {
  send(data: string | ArrayBuffer): void;
  /** Bytes queued and not yet sent. */
  readonly bufferedAmount: number;
  /** `bufferedamountlow` fires when `bufferedAmount` falls to this many bytes. */
  bufferedAmountLowThreshold: number;
  /** `'connecting' | 'open' | 'closing' | 'closed'`. */
  readonly readyState: string;
  binaryType: string;
  /** Closes the channel (a data channel's `close()`); optional for endpoints that cannot. */
  close?(): void;
  addEventListener(type: 'message' | 'bufferedamountlow' | 'close', listener: (event: Event) => void): void;
  removeEventListener(type: 'message' | 'bufferedamountlow' | 'close', listener: (event: Event) => void): void;
}

/**
 * A `MessagePort` seen as a `ChannelEndpoint`: messages are delivered in order, nothing is
 * buffered (`bufferedAmount` is always 0), and `close()` on either side ends both.
 */
export class PortEndpoint extends EventTarget implements ChannelEndpoint {
  bufferedAmountLowThreshold = 0;
  binaryType = 'arraybuffer';
  readyState = 'open';
  bufferedAmount = 0;
  /** Bytes and frames sent, for tests that check framing. */
  sentFrames = 0;

  constructor(private readonly port: MessagePort) {
    super();
    port.onmessage = (e: MessageEvent) => {
      if (e.data === '\u0000close') {
        this.markClosed();
        return;
      }
      this.dispatchEvent(new MessageEvent('message', { data: e.data }));
    };
  }

  send(data: string | ArrayBuffer): void {
    if (this.readyState !== 'open') throw new DOMException('The channel is closed', 'InvalidStateError');
    this.sentFrames++;
    this.port.postMessage(data);
  }

  close(): void {
    if (this.readyState === 'closed') return;
    this.port.postMessage('\u0000close');
    this.markClosed();
  }

  private markClosed(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.port.close();
    this.dispatchEvent(new Event('close'));
  }
}
