/**
 * A QR code drawn for a terminal: two rows of modules per text line with the half-block characters
 * `█` (both dark), `▀` (top dark), `▄` (bottom dark) and space, black on a white background set with
 * ANSI colours (so it scans on dark and light terminal themes alike). Encoded by `qr`.
 */

import encodeQR from 'qr';

/** ANSI SGR: white background, black foreground; and reset. */
const BLACK_ON_WHITE = '\x1b[47m\x1b[30m';
const RESET = '\x1b[0m';

const HALF_BLOCKS: Record<string, string> = { '11': '█', '10': '▀', '01': '▄', '00': ' ' };

/**
 * Draws a module matrix (`true` = dark), rows of equal length, two rows per line; an odd last row
 * gets a light lower half. Each line starts with the colours and ends with a reset.
 */
export function renderHalfBlocks(matrix: readonly (readonly boolean[])[]): string {
  const lines: string[] = [];
  for (let y = 0; y < matrix.length; y += 2) {
    const top = matrix[y]!;
    const bottom = matrix[y + 1];
    const cells = top.map((dark, x) => HALF_BLOCKS[`${dark ? 1 : 0}${bottom?.[x] ? 1 : 0}`]);
    lines.push(`${BLACK_ON_WHITE}${cells.join('')}${RESET}`);
  }
  return lines.join('\n');
}

/**
 * `text` as a terminal QR code (error correction M, a quiet zone of 2 modules), e.g. a 41-character
 * URL gives 33 columns by 17 lines.
 * @throws {Error} from `qr` when the text does not fit a QR code.
 */
export function terminalQr(text: string): string {
  return renderHalfBlocks(encodeQR(text, 'raw', { ecc: 'medium', border: 2 }));
}
