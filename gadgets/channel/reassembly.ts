/**
 * The receiving side of framing (frames.ts, kinds 1 and 2) with its bounds, for `FramedChannel`:
 * the fragments of the peer's large messages are held until each message's last one, within a
 * memory bound that counts what they really cost, and a peer's message rate is metered.
 * docs/protocol.md "Framing" and "Limits".
 */
import { RtcError } from '../errors.js';
import { KIND_LAST, type Frame } from './frames.js';

/**
 * Bytes a fragment held for reassembly costs beyond its payload: its ArrayBuffer (with the 8-byte
 * header), the Uint8Array view and its slot in the parts array. 248 were measured in Chromium
 * (issue 14: 300,000 one-byte fragments grew the heap by 71 MiB); rounded up.
 */
export const FRAGMENT_OVERHEAD = 256;
/** Bytes a message being reassembled costs beyond its fragments (its map entry and record). */
export const MESSAGE_OVERHEAD = 256;

interface Incoming {
  parts: Uint8Array[];
  /** Payload bytes. */
  size: number;
  /** Bytes counted against `maxBytes`: payload plus overheads. */
  cost: number;
}

export interface ReassemblerOptions {
  /** Bytes (payload plus overheads) held at once; the message that passes it is dropped (413). */
  maxBytes: number;
  /** Messages held or being skipped at once; one more makes the peer abusive. */
  maxMessages: number;
  /** Small messages per second; one more makes the peer abusive (a flood). */
  maxPerSecond: number;
  onError: (error: RtcError) => void;
  /** Called once with the reason; nothing is held or delivered afterwards. */
  onAbuse: (reason: string) => void;
}

const decoder = new TextDecoder();

export class Reassembler {
  private readonly incoming = new Map<number, Incoming>();
  /** Messages being skipped because they grew too large, until their last frame. */
  private readonly dropped = new Set<number>();
  private bytes = 0;
  private floodWindow = -Infinity;
  private floodCount = 0;
  /** True once the peer flooded or left too many messages unfinished. */
  abusive = false;

  constructor(private readonly options: ReassemblerOptions) {}

  /** Bytes counted against the bound now (payload plus overheads). */
  get heldBytes(): number {
    return this.bytes;
  }

  /** Counts one small message; true (and `onAbuse` once) when the peer is over its rate. */
  flooding(): boolean {
    const now = performance.now();
    if (now - this.floodWindow >= 1000) {
      this.floodWindow = now;
      this.floodCount = 0;
    }
    if (++this.floodCount <= this.options.maxPerSecond) return false;
    this.abuse(`message flood: over ${this.options.maxPerSecond} small messages in one second`);
    return true;
  }

  /**
   * Adds a fragment; @returns the whole message's text after its last fragment, else null.
   * Memory is counted as payload plus {@link FRAGMENT_OVERHEAD} per fragment and
   * {@link MESSAGE_OVERHEAD} per message, so a flood of one-byte fragments meets the bound as
   * surely as a few large ones.
   */
  add(frame: Frame): string | null {
    if (this.abusive) return null;
    if (this.dropped.has(frame.messageNumber)) {
      if (frame.kind === KIND_LAST) this.dropped.delete(frame.messageNumber);
      return null;
    }
    let entry = this.incoming.get(frame.messageNumber);
    if (!entry) {
      if (frame.kind !== KIND_LAST && this.incoming.size + this.dropped.size >= this.options.maxMessages) {
        this.abuse(`over ${this.options.maxMessages} messages left unfinished`);
        return null;
      }
      entry = { parts: [], size: 0, cost: MESSAGE_OVERHEAD };
      this.incoming.set(frame.messageNumber, entry);
      this.bytes += MESSAGE_OVERHEAD;
    }
    const cost = frame.payload.byteLength + FRAGMENT_OVERHEAD;
    entry.size += frame.payload.byteLength;
    entry.cost += cost;
    this.bytes += cost;
    if (this.bytes > this.options.maxBytes) {
      this.bytes -= entry.cost;
      this.incoming.delete(frame.messageNumber);
      if (frame.kind !== KIND_LAST) this.dropped.add(frame.messageNumber);
      this.options.onError(new RtcError(`Request too large: over ${this.options.maxBytes} bytes`, 413));
      return null;
    }
    entry.parts.push(frame.payload);
    if (frame.kind !== KIND_LAST) return null;
    this.incoming.delete(frame.messageNumber);
    this.bytes -= entry.cost;
    const whole = new Uint8Array(entry.size);
    let at = 0;
    for (const part of entry.parts) {
      whole.set(part, at);
      at += part.byteLength;
    }
    return decoder.decode(whole);
  }

  /** Forgets every message held. */
  clear(): void {
    this.incoming.clear();
    this.dropped.clear();
    this.bytes = 0;
  }

  private abuse(reason: string): void {
    if (this.abusive) return;
    this.abusive = true;
    this.clear();
    this.options.onAbuse(reason);
  }
}
