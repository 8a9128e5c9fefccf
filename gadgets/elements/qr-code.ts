/**
 * QR codes as inline SVG: the `qrcode` package's encoder (`create`) lays out the modules, and
 * this draws them as one path (no canvas, no innerHTML), with the quiet zone of four modules that
 * scanners need and crisp edges at any size.
 */
import { html, type TemplateResult } from 'lit';
import qrcodeCore from 'qrcode/lib/core/qrcode.js';

/** The quiet zone around the code, modules (ISO/IEC 18004 asks for 4). */
const QUIET = 4;

/**
 * The dark modules of the QR code of `text` as an SVG path in module units (quiet zone included).
 * @returns null when `text` does not fit in a QR code.
 */
export function qrPath(text: string): { size: number; d: string } | null {
  let modules: { size: number; data: Uint8Array };
  try {
    // Level M (15 % of the code can be lost): small codes that still scan off a phone screen.
    modules = qrcodeCore.create(text, { errorCorrectionLevel: 'M' }).modules as unknown as { size: number; data: Uint8Array };
  } catch {
    return null;
  }
  const { size, data } = modules;
  let d = '';
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (!data[y * size + x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && data[y * size + x]) x++;
      d += `M${start + QUIET} ${y + QUIET}h${x - start}v1h-${x - start}z`;
    }
  }
  return { size: size + 2 * QUIET, d };
}

/** An accessible SVG QR code of `text` (`role="img"`, labelled), or null when it does not fit. */
export function qrSvg(text: string, label: string): TemplateResult | null {
  const path = qrPath(text);
  if (!path) return null;
  return html`<svg class="qr-code" part="qr" role="img" aria-label=${label} viewBox="0 0 ${path.size} ${path.size}"
    shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg"><rect width="100%" height="100%" fill="#fff"/><path d=${path.d} fill="#000"/></svg>`;
}
