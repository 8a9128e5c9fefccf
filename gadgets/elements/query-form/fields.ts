/**
 * The `fields` attribute of `<rtc-query-form>` (README.md `<rtc-query-form>`): comma-separated
 * names, each optionally typed, `name,population:number`. A number field stores numbers, as a
 * CSV import does for a column of numbers (import-file.ts), so that `population:>1000` compares
 * numbers whichever way the record came in (docs/jio-compatibility.md: ranges compare raw values).
 * DOM-free.
 */
import type { Doc } from '../../api.js';
import { msg, str } from '@lit/localize';
import { RtcError } from '../../errors.js';

/** The types a field may declare; `text` is the default. */
export const FIELD_TYPES = ['text', 'number'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One field of the form: its key in the documents and its type. */
export interface FieldSpec {
  name: string;
  type: FieldType;
}

/**
 * `"name, population:number"` → `[{ name: 'name', type: 'text' }, { name: 'population', type: 'number' }]`.
 * The type follows the last `:`; empty names are skipped.
 * @throws RtcError 400 naming an unknown type (`population:numbr`).
 */
export function parseFields(text: string): FieldSpec[] {
  return text.split(',').map((f) => f.trim()).filter(Boolean).map((field) => {
    const colon = field.lastIndexOf(':');
    if (colon <= 0) return { name: field, type: 'text' };
    const name = field.slice(0, colon).trim();
    const type = field.slice(colon + 1).trim();
    if (!(FIELD_TYPES as readonly string[]).includes(type)) {
      throw new RtcError(`fields: unknown type '${type}' for ${name} (known: ${FIELD_TYPES.join(', ')})`, 400);
    }
    return { name, type: type as FieldType };
  });
}

/** A decimal as people type it: `12`, `-3.5`, `.5`, `+7`, `1e6`; no thousands separators. */
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * The value an input's text stands for: `undefined` for empty text (the field is left out), a
 * number for a number field, else the text, trimmed.
 * @throws RtcError 400 `<name> must be a number, like 1500 or -2.5` for a number field.
 */
export function fieldValue(spec: FieldSpec, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (spec.type === 'text') return trimmed;
  const n = Number(trimmed);
  if (!NUMBER_TEXT.test(trimmed) || !Number.isFinite(n)) throw new RtcError(msg(str`${spec.name} must be a number, like 1500 or -2.5`), 400);
  return n;
}

/** A stored value as text (a table cell, an input): objects as JSON, nothing for null or absent. */
export function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The document an edit saves: `base` (the record as stored now) with the fields whose text
 * changed from what the form showed (`shown`) replaced by their new values, and removed when
 * emptied. A field left as shown keeps its stored value whatever its type (an object, a number
 * in a text field), and keys the form does not list are kept untouched.
 * @throws RtcError 400 from `fieldValue` for a number field that is not a number.
 */
export function applyEdits(base: Doc, fields: readonly FieldSpec[], texts: Readonly<Record<string, string>>, shown: Readonly<Record<string, string>>): Doc {
  const doc: Doc = { ...base };
  for (const spec of fields) {
    const text = texts[spec.name] ?? '';
    if (text === shown[spec.name]) continue;
    const value = fieldValue(spec, text);
    if (value === undefined) delete doc[spec.name];
    else doc[spec.name] = value;
  }
  return doc;
}

/**
 * The first field whose edited text (different from `shown`) is not a value of its type, with
 * the message saying so; null when every one is.
 */
export function firstInvalid(fields: readonly FieldSpec[], texts: Readonly<Record<string, string>>, shown: Readonly<Record<string, string>> = {}): { name: string; message: string } | null {
  for (const spec of fields) {
    const text = texts[spec.name] ?? '';
    if (text === (shown[spec.name] ?? '')) continue;
    try {
      fieldValue(spec, text);
    } catch (e) {
      return { name: spec.name, message: (e as Error).message };
    }
  }
  return null;
}

/** Whether two JSON documents are the same (key order aside): what a conflict check compares. */
export function sameDoc(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameDoc((a as Doc)[k], (b as Doc)[k]));
}
