/**
 * Sends and receives JSON messages of any size over a `ChannelEndpoint` (a data channel):
 * - a message that fits in one data-channel message goes as text; a larger one is split into
 *   binary frames (`frames.ts`) and reassembled on the other side;
 * - sending respects `bufferedAmount`: frames are handed to the channel only while less than
 *   `highWaterMark` bytes are queued, then it waits for `bufferedamountlow`, so the queue inside
 *   the browser stays bounded (its hard limit is 16 MiB, after which `send()` throws);
 * - attachment data frames (`sendData`) wait in a queue of their own and take turns with the
 *   messages, one frame each, so a request or answer never waits behind a file;
 * - messages waiting to go out are served round-robin, one frame each, so a small answer is not
 *   stuck behind a large one;
 * - reassembly is bounded (`maxIncomingBytes` in flight, counting each fragment's memory, not
 *   only its payload: `FRAGMENT_OVERHEAD`): an oversized message is dropped and reported through
 *   `onError`, and the channel stays open; a peer that keeps more than `maxIncomingMessages`
 *   messages unfinished is abusive (`onAbuse`);
 * - a peer that sends more than `maxMessagesPerSecond` small messages within a second floods
 *   (`onAbuse`): from then on its messages are dropped unread, so the owner can close it;
 * - small messages sent in the same task leave as one bundle, a text message holding a JSON array
 *   of them (an envelope is never an array), once the peer has shown it reads bundles
 *   (`sendBundles`): a slave's pipelined requests and the master's answers to them then cost one
 *   data-channel message per batch instead of one each. A bundle is read as its members, in order.
 * Reference: W3C WebRTC §6.2 (bufferedAmount, bufferedamountlow), RFC 8831 §6.6 (message size).
 */
import type { ChannelEndpoint } from './endpoint.js';
import { decodeDataFrame, decodeFrame, encodeDataFrame, encodeFrame, DATA_HEADER_BYTES, FRAME_HEADER_BYTES, KIND_DATA, KIND_FRAGMENT, KIND_LAST, type DataFrame } from './frames.js';
import { RtcError } from '../errors.js';
import { Reassembler } from './reassembly.js';
import { stringifySliced } from './sliced-json.js';

export interface FramedChannelOptions {
  /** Largest data-channel message the peer accepts, bytes (`RTCSctpTransport.maxMessageSize`). Default 65,536. */
  maxMessageSize?: number;
  /** Stop handing frames to the channel while this many bytes are queued. Default 1 MiB. */
  highWaterMark?: number;
  /** Largest message accepted from the peer once reassembled, bytes. Default 64 MiB. */
  maxIncomingBytes?: number;
  /** Most messages being reassembled (or skipped) at once before the peer is abusive. Default 4096. */
  maxIncomingMessages?: number;
  /** Most small (under 1 KiB) messages from the peer within one second before it floods. Default: no limit (a master sets one: limits.ts). */
  maxMessagesPerSecond?: number;
}

interface Outgoing {
  text?: string;
  /** A ready attachment data frame (kind 3): sent as is, one turn of the round-robin. */
  frame?: ArrayBuffer;
  bytes?: Uint8Array;
  offset: number;
  messageNumber: number;
  /** Its bytes still queued here (counted in `queuedBytes`). */
  size: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

const encoder = new TextEncoder();

/** Most UTF-8 bytes `text` can take (3 per UTF-16 unit): a bound known without encoding it. */
const utf8Bound = (text: string): number => text.length * 3;

/** Largest payload per binary frame: big enough for throughput, small enough to interleave. */
const MAX_FRAGMENT_PAYLOAD = 64 * 1024;

/** A message under this many bytes counts toward the flood rate. */
const SMALL_MESSAGE = 1024;

export class FramedChannel {
  /** Called with each message received, already parsed. */
  onMessage: (message: unknown) => void = () => {};
  /** Called when the peer sends something unreadable or too large (the channel stays open). */
  onError: (error: RtcError) => void = () => {};
  /** Called once when the endpoint closes. */
  onClose: () => void = () => {};
  /** Called with each attachment data frame received (kind 3). */
  onData: (frame: DataFrame) => void = () => {};
  /**
   * Called once when the peer floods or keeps too many messages unfinished, with the reason; its
   * messages are dropped unread from then on (the owner closes the channel).
   */
  onAbuse: (reason: string) => void = () => {};
  /** Bytes (UTF-8 at most, or the frame's) of the message being dispatched to `onMessage`, its share of a bundle. */
  lastMessageBytes = 0;

  readonly maxMessageSize: number;
  private readonly highWaterMark: number;
  private readonly maxIncomingBytes: number;
  private readonly fragmentPayload: number;
  private queuedOut = 0;
  /** Reassembly of the peer's large messages, and its flood meter. */
  private readonly inbound: Reassembler;
  private readonly queue: Outgoing[] = [];
  /** Attachment data frames, served alternately with `queue` so a request never waits behind a file. */
  private readonly dataQueue: Outgoing[] = [];
  private dataTurn = false;
  private nextMessageNumber = 1;
  private waitingForDrain = false;
  private closed = false;
  /** Small messages of the current task, waiting to leave as one bundle. */
  private pendingTexts: Outgoing[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  /**
   * Whether small messages sent in the same task may leave as one bundle. Off until the peer has
   * shown that it reads bundles: it said so in the handshake (`welcome.bundles`), or sent one.
   */
  sendBundles = false;

  constructor(private readonly endpoint: ChannelEndpoint, options: FramedChannelOptions = {}) {
    this.maxMessageSize = Math.max(1024, options.maxMessageSize ?? 65536);
    this.highWaterMark = options.highWaterMark ?? 1024 * 1024;
    this.maxIncomingBytes = options.maxIncomingBytes ?? 64 * 1024 * 1024;
    this.inbound = new Reassembler({
      maxBytes: this.maxIncomingBytes,
      maxMessages: options.maxIncomingMessages ?? 4096,
      maxPerSecond: options.maxMessagesPerSecond ?? Infinity,
      onError: (e) => this.onError(e),
      onAbuse: (reason) => this.onAbuse(reason),
    });
    this.fragmentPayload = Math.min(MAX_FRAGMENT_PAYLOAD, this.maxMessageSize - FRAME_HEADER_BYTES);
    endpoint.binaryType = 'arraybuffer';
    endpoint.bufferedAmountLowThreshold = Math.floor(this.highWaterMark / 4);
    endpoint.addEventListener('message', this.handleMessage);
    endpoint.addEventListener('bufferedamountlow', this.handleDrain);
    endpoint.addEventListener('close', this.handleClose);
    if (endpoint.readyState === 'closed') this.handleClose();
  }

  /** True once the endpoint has closed; `send` then rejects. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes of messages and data frames waiting here to be handed to the channel. */
  get queuedBytes(): number {
    return this.queuedOut;
  }

  /** Closes the endpoint (what is already handed to it still goes out first). */
  close(): void {
    this.endpoint.close?.();
  }

  /**
   * Queues `message` (JSON-serialisable) and resolves once its last frame is handed to the
   * channel. @throws RtcError 500 when the channel is closed before that.
   */
  send(message: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new RtcError('Data channel is closed', 500));
    return this.sendText(JSON.stringify(message));
  }

  /** `send` of a large answer, serialized in time slices first (sliced-json.ts); later messages may overtake it. @throws as `send`. */
  async sendSliced(message: unknown): Promise<void> {
    const text = await stringifySliced(message);
    if (this.closed) throw new RtcError('Data channel is closed', 500);
    return this.sendText(text ?? 'null');
  }

  /** Queues one JSON text (see `send`). */
  private sendText(text: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const out: Outgoing = { offset: 0, messageNumber: 0, size: 0, resolve, reject };
      if (utf8Bound(text) <= this.maxMessageSize) {
        out.text = text;
        if (this.sendBundles) {
          this.bundle(out);
          return;
        }
      } else {
        const bytes = encoder.encode(text);
        if (bytes.byteLength <= this.maxMessageSize) out.text = text;
        else if (bytes.byteLength > this.maxIncomingBytes) {
          // The peer applies the same bound: refuse here rather than have it dropped there.
          reject(new RtcError(`Request too large: ${bytes.byteLength} bytes, over ${this.maxIncomingBytes}`, 413));
          return;
        } else {
          out.bytes = bytes;
          out.size = bytes.byteLength;
          out.messageNumber = this.nextMessageNumber;
          this.nextMessageNumber = (this.nextMessageNumber % 0xffffffff) + 1;
        }
      }
      this.flushTexts(); // what was sent before goes first
      if (out.text !== undefined) out.size = out.text.length;
      this.queuedOut += out.size;
      this.queue.push(out);
      this.pump();
    });
  }

  /** Keeps a small message for the bundle of this task; the bundle leaves once sends stop coming. */
  private bundle(out: Outgoing): void {
    out.size = out.text!.length;
    this.queuedOut += out.size;
    this.pendingTexts.push(out);
    this.pendingBytes += utf8Bound(out.text!) + 1; // + its comma in the bundle
    if (this.pendingBytes >= this.maxMessageSize) {
      this.flushTexts();
      return;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Answers resolved together reach send() a few promise hops apart: wait until a microtask
    // passes with no new message, then send (still in this task: no added latency).
    const settle = (seen: number): void => {
      queueMicrotask(() => {
        if (this.pendingTexts.length > seen) settle(this.pendingTexts.length);
        else {
          this.flushScheduled = false;
          this.flushTexts();
        }
      });
    };
    settle(0);
  }

  /** Queues the pending small messages: alone as they are, several as bundles (JSON arrays). */
  private flushTexts(): void {
    if (this.pendingTexts.length === 0) return;
    const texts = this.pendingTexts;
    this.pendingTexts = [];
    this.pendingBytes = 0;
    let group: Outgoing[] = [];
    let size = 2;
    const emit = (): void => {
      const members = group;
      group = [];
      size = 2;
      if (members.length === 1) {
        this.queue.push(members[0]!);
        return;
      }
      this.queue.push({
        text: `[${members.map((m) => m.text).join(',')}]`,
        offset: 0,
        messageNumber: 0,
        size: members.reduce((n, m) => n + m.size, 0),
        resolve: () => members.forEach((m) => m.resolve()),
        reject: (e) => members.forEach((m) => m.reject(e)),
      });
    };
    for (const out of texts) {
      const bytes = utf8Bound(out.text!) + 1;
      if (group.length > 0 && size + bytes > this.maxMessageSize) emit();
      group.push(out);
      size += bytes;
    }
    emit();
    this.pump();
  }

  /** Largest attachment payload per data frame, bytes (from `maxMessageSize`). */
  get dataPayload(): number {
    return Math.min(MAX_FRAGMENT_PAYLOAD, this.maxMessageSize) - DATA_HEADER_BYTES;
  }

  /**
   * Queues attachment bytes (at most `dataPayload` of them) as one data frame; it takes its
   * turn alternately with the JSON messages (its own queue), so answers keep flowing during a
   * transfer. Resolves once handed to the channel. @throws RtcError 500 when closed.
   */
  sendData(transfer: number, offset: number, payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new RtcError('Data channel is closed', 500));
    if (payload.byteLength > this.dataPayload) return Promise.reject(new RtcError('Data frame too large', 413));
    this.flushTexts();
    return new Promise<void>((resolve, reject) => {
      const frame = encodeDataFrame(transfer, offset, payload);
      this.queuedOut += frame.byteLength;
      this.dataQueue.push({ frame, offset: 0, messageNumber: 0, size: frame.byteLength, resolve, reject });
      this.pump();
    });
  }

  /** Bytes handed to the channel and not yet sent (`bufferedAmount`). */
  get bufferedAmount(): number {
    return this.endpoint.bufferedAmount;
  }

  /** Stops listening to the endpoint and rejects whatever is queued. */
  dispose(): void {
    this.endpoint.removeEventListener('message', this.handleMessage);
    this.endpoint.removeEventListener('bufferedamountlow', this.handleDrain);
    this.endpoint.removeEventListener('close', this.handleClose);
    this.fail(new RtcError('Data channel is closed', 500));
  }

  private pump(): void {
    if (this.waitingForDrain || this.closed) return;
    try {
      while (this.queue.length > 0 || this.dataQueue.length > 0) {
        if (this.endpoint.bufferedAmount >= this.highWaterMark) {
          this.waitingForDrain = true;
          return;
        }
        // Messages and data frames take turns, one frame each.
        this.dataTurn = !this.dataTurn;
        const fromData = this.dataQueue.length > 0 && (this.dataTurn || this.queue.length === 0);
        const out = fromData ? this.dataQueue.shift()! : this.queue.shift()!;
        if (out.frame !== undefined || out.text !== undefined) {
          this.endpoint.send(out.frame ?? out.text!);
          this.queuedOut -= out.size;
          out.resolve();
          continue;
        }
        const bytes = out.bytes!;
        const end = Math.min(bytes.byteLength, out.offset + this.fragmentPayload);
        const last = end === bytes.byteLength;
        this.endpoint.send(encodeFrame(last ? KIND_LAST : KIND_FRAGMENT, out.messageNumber, bytes.subarray(out.offset, end)));
        this.queuedOut -= end - out.offset;
        out.offset = end;
        if (last) out.resolve();
        else this.queue.push(out); // round-robin: others get a turn before its next frame
      }
    } catch (e) {
      // send() throws once the channel is closing or its queue is full: nothing more can go out.
      this.fail(new RtcError(`Data channel send failed: ${(e as Error).message}`, 500));
    }
  }

  private readonly handleDrain = (): void => {
    this.waitingForDrain = false;
    this.pump();
  };

  private readonly handleClose = (): void => {
    if (this.closed) return;
    this.fail(new RtcError('Data channel is closed', 500));
    this.onClose();
  };

  private fail(error: RtcError): void {
    this.closed = true;
    const pending = [...this.pendingTexts.splice(0), ...this.queue.splice(0), ...this.dataQueue.splice(0)];
    this.pendingBytes = 0;
    this.queuedOut = 0;
    for (const out of pending) out.reject(error);
    this.inbound.clear();
  }

  private readonly handleMessage = (event: Event): void => {
    if (this.inbound.abusive) return; // dropped unread: the owner is closing the channel
    const data = (event as MessageEvent).data as unknown;
    const size = typeof data === 'string' ? data.length : data instanceof ArrayBuffer ? data.byteLength : 0;
    if (size < SMALL_MESSAGE && this.inbound.flooding()) return;
    if (typeof data === 'string') {
      this.deliver(data);
      return;
    }
    if (!(data instanceof ArrayBuffer)) {
      this.onError(new RtcError('Bad request: unexpected message type', 400));
      return;
    }
    if (data.byteLength >= 2 && new Uint8Array(data, 1, 1)[0] === KIND_DATA) {
      const dataFrame = decodeDataFrame(data);
      if (!dataFrame) this.onError(new RtcError('Bad request: malformed data frame', 400));
      else {
        try {
          this.onData(dataFrame);
        } catch (e) {
          this.onError(e instanceof RtcError ? e : new RtcError(String((e as Error)?.message ?? e), 500));
        }
      }
      return;
    }
    const frame = decodeFrame(data);
    if (!frame) {
      this.onError(new RtcError('Bad request: malformed frame', 400));
      return;
    }
    const text = this.inbound.add(frame);
    if (text !== null) this.deliver(text);
  };

  private deliver(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.onError(new RtcError('Bad request: message is not valid JSON', 400));
      return;
    }
    if (Array.isArray(message)) {
      // A bundle: the peer reads bundles too, so ours may go out as bundles from now on.
      this.sendBundles = true;
      this.lastMessageBytes = Math.ceil(text.length / Math.max(1, message.length));
      for (const member of message) this.dispatch(member);
      return;
    }
    this.lastMessageBytes = text.length;
    this.dispatch(message);
  }

  private dispatch(message: unknown): void {
    try {
      this.onMessage(message);
    } catch (e) {
      this.onError(e instanceof RtcError ? e : new RtcError(String((e as Error)?.message ?? e), 500));
    }
  }
}
