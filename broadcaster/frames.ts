/**
 * Decoding of one WebSocket frame from a client into a signaling message (protocol v1,
 * `gadgets/signaling/messages.ts`): text only, at most `MAX_FRAME_BYTES`, valid UTF-8, then
 * `parseClientMessage`. Pure: the server sends the error it returns.
 */

import { TextDecoder } from 'node:util';
import type { RawData } from 'ws';

import { MAX_FRAME_BYTES, SignalingError, parseClientMessage } from '../gadgets/signaling/messages.js';
import type { ClientMessage, ClientMessageType, ErrorCode } from '../gadgets/signaling/messages.js';

/** Why a frame was refused: the `error` frame to answer with. */
export interface FrameError {
  code: ErrorCode;
  message: string;
  ref?: ClientMessageType | undefined;
}

export type DecodedFrame = { ok: true; message: ClientMessage } | { ok: false; error: FrameError };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Decodes a frame as `ws` delivers it. Refusals: binary → 400, over `MAX_FRAME_BYTES` → 413, bad
 * UTF-8 → 400, an invalid message → the `SignalingError`'s code and `ref` (400 for anything else).
 */
export function decodeFrame(data: RawData, isBinary: boolean): DecodedFrame {
  if (isBinary) return { ok: false, error: { code: 400, message: 'binary frames are not supported: send JSON text' } };
  const bytes = toBuffer(data);
  if (bytes.length > MAX_FRAME_BYTES) {
    return { ok: false, error: { code: 413, message: `frame is over ${MAX_FRAME_BYTES} bytes` } };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, error: { code: 400, message: 'frame is not valid UTF-8' } };
  }
  try {
    return { ok: true, message: parseClientMessage(text) };
  } catch (error) {
    if (error instanceof SignalingError) return { ok: false, error: { code: error.code, message: error.message, ref: error.ref } };
    return { ok: false, error: { code: 400, message: 'malformed frame' } };
  }
}
