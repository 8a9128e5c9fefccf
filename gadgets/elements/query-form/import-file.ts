/**
 * Reads records to import from a file a person picked: JSON (an array of objects, or of
 * `{ id, doc }` entries) or CSV (RFC 4180, a header row naming the fields; numbers become
 * numbers so range queries work on them). The CSV parser is `csv-parse`. DOM-free apart from `Blob.text()`.
 */
import type { BulkEntry, Doc } from '../../api.js';
import { parse } from 'csv-parse/browser/esm/sync';
import { RtcError } from '../../errors.js';

/** Largest file accepted, bytes (the browser holds it in memory while parsing). */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

/**
 * Parses `file` into bulk entries.
 * @throws RtcError 400 naming what is wrong (not JSON, not an array, an item that is not an
 * object, a CSV without header), 413 for a file over `MAX_IMPORT_BYTES`.
 */
export async function readImportFile(file: Blob & { name?: string }): Promise<BulkEntry[]> {
  if (file.size > MAX_IMPORT_BYTES) throw new RtcError(`File too large to import: ${file.size} bytes`, 413);
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
    throw new RtcError(`Not valid JSON: ${(e as Error).message}`, 400);
  }
  if (!Array.isArray(data)) throw new RtcError('A JSON import must be an array of records', 400);
  return data.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new RtcError(`Record ${i + 1} is not an object`, 400);
    }
    const o = item as Record<string, unknown>;
    const keys = Object.keys(o);
    const isEntry = keys.every((k) => k === 'id' || k === 'doc') && o.doc !== null && typeof o.doc === 'object' && !Array.isArray(o.doc);
    if (isEntry) return typeof o.id === 'string' && o.id !== '' ? { id: o.id, doc: o.doc as Doc } : { doc: o.doc as Doc };
    return { doc: o as Doc };
  });
}

/** CSV with a header row; empty cells are left out; numeric cells become numbers. */
export function parseCsv(text: string): BulkEntry[] {
  let rows: Record<string, unknown>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, cast: true, bom: true }) as Record<string, unknown>[];
  } catch (e) {
    throw new RtcError(`Not valid CSV: ${(e as Error).message}`, 400);
  }
  return rows.map((row) => {
    const doc: Doc = {};
    for (const [k, v] of Object.entries(row)) if (k !== '' && v !== '' && v !== undefined) doc[k] = v;
    return { doc };
  });
}
