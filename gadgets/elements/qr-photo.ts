/**
 * Reads a QR code from a still image: a photo taken or chosen through
 * `<input type="file" accept="image/*" capture="environment">`, or a screenshot. It works where
 * camera scanning does not (plain-http LAN pages have no camera API, desktop Chromium on Linux
 * and Windows and Firefox have no `BarcodeDetector`): the browser decodes the image, a canvas
 * gives its pixels, and the `qr` package's decoder (pure JavaScript) finds the code.
 */
import decodeQR from 'qr/decode.js';
import { msg } from '@lit/localize';
import { RtcError } from '../errors.js';

/** Longest side an image is drawn at, px: a 12-megapixel phone photo is scaled down to it. */
const MAX_SIDE = 2048;
/** Shortest longest side, px: smaller images (a screenshot of a small code) are scaled up. */
const MIN_SIDE = 600;
/** Time the decoder may spend on retries after its first pass fails, ms (photos, not frames). */
const DECODE_TIME_LIMIT_MS = 2000;

/**
 * The text of the QR code in `image`.
 * @param image any image format the browser decodes (JPEG, PNG, WebP, GIF, HEIC on Safari).
 * @throws RtcError 400 when the file is not a readable image or holds no readable QR code.
 */
export async function readQrPhoto(image: Blob): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(image);
  } catch {
    throw new RtcError(msg('This file is not an image this browser can read'), 400);
  }
  try {
    const scale = Math.min(MAX_SIDE, Math.max(MIN_SIDE, bitmap.width, bitmap.height)) / Math.max(bitmap.width, bitmap.height);
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas2d(width, height);
    // White under transparent pixels (a PNG of a code without background), no smoothing when
    // scaling up (modules stay square).
    context.fillStyle = 'white';
    context.fillRect(0, 0, width, height);
    context.imageSmoothingEnabled = scale < 1;
    context.drawImage(bitmap, 0, 0, width, height);
    try {
      return decodeQR(context.getImageData(0, 0, width, height), { effort: Infinity, timeLimit: DECODE_TIME_LIMIT_MS });
    } catch {
      throw new RtcError(msg('No QR code could be read in this photo: take it closer, sharper and straight on, or type the token'), 400);
    }
  } finally {
    bitmap.close();
  }
}

/** A 2D context of `width` × `height` px: an OffscreenCanvas where there is one, else a detached canvas. */
function canvas2d(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (!context) throw new RtcError(msg('This browser cannot draw images'), 400);
  return context;
}
