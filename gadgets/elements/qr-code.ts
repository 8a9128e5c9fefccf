/**
 * QR codes as inline SVG: the `qr` package's encoder lays out the modules (its `raw` matrix), and
 * this draws them as one path (no canvas, no innerHTML), with the quiet zone of four modules that
 * scanners need and crisp edges at any size.
 */
import { html, type TemplateResult } from 'lit';
import encodeQR from 'qr';

/** The quiet zone around the code, modules (ISO/IEC 18004 asks for 4). */
const QUIET = 4;

/**
 * The modules of the QR code of `text`, `matrix[y][x]` true for dark, quiet zone included; null
 * when `text` does not fit in a QR code. Level M (15 % of the code can be lost): small codes that
 * still scan off a phone screen. `qr` picks the densest mode the text allows, so an upper-case
 * base32 token is stored in alphanumeric mode (5.5 bits a character) and a full SDP in byte mode.
 */
export function qrMatrix(text: string): boolean[][] | null {
  try {
    return encodeQR(text, 'raw', { ecc: 'medium', border: QUIET });
  } catch {
    return null;
  }
}

/**
 * The dark modules of the QR code of `text` as an SVG path in module units (quiet zone included).
 * @returns null when `text` does not fit in a QR code.
 */
export function qrPath(text: string): { size: number; d: string } | null {
  const matrix = qrMatrix(text);
  if (!matrix) return null;
  const size = matrix.length;
  let d = '';
  for (let y = 0; y < size; y++) {
    const row = matrix[y]!;
    let x = 0;
    while (x < size) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && row[x]) x++;
      d += `M${start} ${y}h${x - start}v1h-${x - start}z`;
    }
  }
  return { size, d };
}

/** An accessible SVG QR code of `text` (`role="img"`, labelled), or null when it does not fit. */
export function qrSvg(text: string, label: string): TemplateResult | null {
  const path = qrPath(text);
  if (!path) return null;
  return html`<svg class="qr-code" part="qr" role="img" aria-label=${label} viewBox="0 0 ${path.size} ${path.size}"
    shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg"><rect width="100%" height="100%" fill="white"/><path d=${path.d} fill="black"/></svg>`;
}
