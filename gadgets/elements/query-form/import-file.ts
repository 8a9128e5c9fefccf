/**
 * Reads records to import from a file a person picked: JSON (an array of objects, or of
 * `{ id, doc }` entries) or CSV (RFC 4180, a header row naming the fields, separated by `,`, or
 * by `;` as Excel writes it in locales whose decimal mark is a comma, or by tabs). A CSV column
 * whose every cell is a number becomes numbers, so that range queries work on it; one number
 * that would lose its text (a zip code `007`) keeps the whole column as text. The CSV parser is
 * `csv-parse`. DOM-free apart from `Blob.text()`.
 */
import type { BulkEntry, Doc } from '../../api.js';
import { parse } from 'csv-parse/browser/esm/sync';
import { msg, str } from '@lit/localize';
import { RtcError } from '../../errors.js';

/** Largest file accepted, bytes (the browser holds it in memory while parsing). */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

/**
 * Parses `file` into bulk entries.
 * @throws RtcError 400 naming what is wrong (not JSON, not an array, an item that is not an
 * object, a CSV without header), 413 for a file over `MAX_IMPORT_BYTES`.
 */
export async function readImportFile(file: Blob & { name?: string }): Promise<BulkEntry[]> {
  if (file.size > MAX_IMPORT_BYTES) throw new RtcError(msg(str`File too large to import: ${file.size} bytes`), 413);
  const text = await file.text();
  const name = (file.name ?? '').toLowerCase();
  const isCsv = name.endsWith('.csv') || file.type === 'text/csv' || (!name.endsWith('.json') && !/^\s*[[{]/.test(text));
  return isCsv ? parseCsv(text) : parseJson(text);
}

/** JSON: `[doc, …]` or `[{ id, doc }, …]`. */
export function parseJson(text: string): BulkEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RtcError(msg(str`Not valid JSON: ${(e as Error).message}`), 400);
  }
  if (!Array.isArray(data)) throw new RtcError(msg('A JSON import must be an array of records'), 400);
  return data.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new RtcError(msg(str`Record ${i + 1} is not an object`), 400);
    }
    const o = item as Record<string, unknown>;
    const keys = Object.keys(o);
    const isEntry = keys.every((k) => k === 'id' || k === 'doc') && o.doc !== null && typeof o.doc === 'object' && !Array.isArray(o.doc);
    if (isEntry) return typeof o.id === 'string' && o.id !== '' ? { id: o.id, doc: o.doc as Doc } : { doc: o.doc as Doc };
    return { doc: o as Doc };
  });
}

/** Field separators a CSV may use, the first winning a tie. */
const DELIMITERS = [',', ';', '\t'] as const;

/**
 * The field separator of a CSV: whichever of `,`, `;` and tab appears most often in its header
 * line (outside quotes); `,` when none does.
 */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  return DELIMITERS.reduce((best, d) => (counts.get(d)! > counts.get(best)! ? d : best), DELIMITERS[0] as string);
}

/** A plain decimal with no leading zero (`0`, `-12`, `3.50`; not `007`, `+1`, `1e3`, `.5`). */
const PLAIN_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** Whether `cell` can become a number without losing what it says (an integer must also be exact). */
function isNumberText(cell: string): boolean {
  return PLAIN_NUMBER.test(cell) && (cell.includes('.') || Number.isSafeInteger(Number(cell)));
}

/**
 * CSV with a header row into entries: empty cells are left out; a column becomes numbers only
 * when every non-empty cell of it is a number (`isNumberText`), else it stays text throughout.
 * @throws RtcError 400 for text that is not CSV.
 */
export function parseCsv(text: string): BulkEntry[] {
  let rows: Record<string, string | undefined>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, delimiter: detectDelimiter(text) }) as Record<string, string | undefined>[];
  } catch (e) {
    throw new RtcError(msg(str`Not valid CSV: ${(e as Error).message}`), 400);
  }
  const textColumns = new Set<string>();
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) if (v && !isNumberText(v)) textColumns.add(k);
  }
  return rows.map((row) => {
    const doc: Doc = {};
    for (const [k, v] of Object.entries(row)) {
      if (k !== '' && v !== '' && v !== undefined) doc[k] = textColumns.has(k) ? v : Number(v);
    }
    return { doc };
  });
}
