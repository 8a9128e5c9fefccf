/**
 * Binary frames for messages larger than one data-channel message. A JSON message that fits in
 * `maxMessageSize` travels as one text message; a larger one is UTF-8 encoded and cut into
 * binary frames, each with an 8-byte header:
 * ```
 * byte 0     protocol version (1)
 * byte 1     kind: 1 = fragment, more follow; 2 = last fragment
 * bytes 2-5  message number (uint32, big-endian), unique per sender while in flight
 * bytes 6-7  reserved (0)
 * ```
 * Frames of different messages may interleave; a receiver reassembles them by message number.
 *
 * Kind 3 carries attachment bytes (a transfer's data, not JSON), with a 16-byte header:
 * ```
 * byte 0      protocol version (1)
 * byte 1      kind: 3 = attachment data
 * bytes 2-5   transfer id (uint32, big-endian), chosen by the slave per transfer
 * bytes 6-7   reserved (0)
 * bytes 8-15  offset of the payload's first byte in the attachment (uint64, big-endian)
 * ```
 * Chromium's limit is 256 KiB per message (`a=max-message-size:262144`,
 * docs/protocol.md "The peer connection").
 */
export const FRAME_HEADER_BYTES = 8;
export const FRAME_VERSION = 1;
export const KIND_FRAGMENT = 1;
export const KIND_LAST = 2;
export const KIND_DATA = 3;
export const DATA_HEADER_BYTES = 16;

/** Builds one frame: header + `payload` (a view into the encoded message, copied once). */
export function encodeFrame(kind: number, messageNumber: number, payload: Uint8Array): ArrayBuffer {
  return withHeader(FRAME_HEADER_BYTES, kind, messageNumber, payload).frame.buffer;
}

/**
 * A frame of `headerBytes + payload.byteLength` bytes: version, `kind` and the 32-bit `number`
 * (message number or transfer) written, `payload` copied after the header; `view` writes the rest.
 */
function withHeader(headerBytes: number, kind: number, number: number, payload: Uint8Array): { frame: Uint8Array<ArrayBuffer>; view: DataView } {
  const frame = new Uint8Array(headerBytes + payload.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint8(0, FRAME_VERSION);
  view.setUint8(1, kind);
  view.setUint32(2, number >>> 0);
  frame.set(payload, headerBytes);
  return { frame, view };
}

/** A decoded frame header with its payload. */
export interface Frame {
  kind: number;
  messageNumber: number;
  payload: Uint8Array;
}

/** Reads a frame; `null` when it is too short or of an unknown version or kind. */
export function decodeFrame(data: ArrayBuffer): Frame | null {
  if (data.byteLength < FRAME_HEADER_BYTES) return null;
  const view = new DataView(data);
  if (view.getUint8(0) !== FRAME_VERSION) return null;
  const kind = view.getUint8(1);
  if (kind !== KIND_FRAGMENT && kind !== KIND_LAST) return null;
  return { kind, messageNumber: view.getUint32(2), payload: new Uint8Array(data, FRAME_HEADER_BYTES) };
}

/** An attachment data frame: which transfer, where in the attachment, and the bytes. */
export interface DataFrame {
  transfer: number;
  offset: number;
  payload: Uint8Array;
}

/** Builds one attachment data frame (kind 3). */
export function encodeDataFrame(transfer: number, offset: number, payload: Uint8Array): ArrayBuffer {
  const { frame, view } = withHeader(DATA_HEADER_BYTES, KIND_DATA, transfer, payload);
  view.setUint32(8, Math.floor(offset / 0x100000000));
  view.setUint32(12, offset >>> 0);
  return frame.buffer;
}

/** Reads an attachment data frame; `null` when `data` is not one. */
export function decodeDataFrame(data: ArrayBuffer): DataFrame | null {
  if (data.byteLength < DATA_HEADER_BYTES) return null;
  const view = new DataView(data);
  if (view.getUint8(0) !== FRAME_VERSION || view.getUint8(1) !== KIND_DATA) return null;
  const offset = view.getUint32(8) * 0x100000000 + view.getUint32(12);
  return { transfer: view.getUint32(2), offset, payload: new Uint8Array(data, DATA_HEADER_BYTES) };
}
