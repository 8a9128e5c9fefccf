/**
 * Argument checks for the database API, the same for local and remote calls, so a malformed
 * request from a slave gets a 400 with a clear message and never reaches IndexedDB.
 * Messages follow jIO's where jIO has one (jio.md §1.2).
 */
import type { AllDocsOptions, BulkEntry } from '../api.js';
import { RtcError } from '../errors.js';

/** Longest accepted document id, in UTF-16 code units. */
export const MAX_ID_LENGTH = 2048;

/** @throws RtcError 400 `Document id must be a non empty string on 'rtc.<method>'.` */
export function validateId(id: unknown, method: string): asserts id is string {
  if (typeof id !== 'string' || id === '') {
    throw new RtcError(`Document id must be a non empty string on 'rtc.${method}'.`, 400);
  }
  if (id.length > MAX_ID_LENGTH) {
    throw new RtcError(`Document id is longer than ${MAX_ID_LENGTH} characters on 'rtc.${method}'.`, 400);
  }
}

/** @throws RtcError 400 when `doc` is not a plain object (arrays and null are refused). */
export function validateDoc(doc: unknown, method: string): asserts doc is Record<string, unknown> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new RtcError(`Document must be an object on 'rtc.${method}'.`, 400);
  }
}

const OPTION_KEYS = new Set(['query', 'sort_on', 'limit', 'select_list', 'include_docs', 'key_schema']);

/**
 * Checks `allDocs` options (jio.md §1.3).
 * @throws RtcError 400 for a wrong shape, 501 for `group_by` (no storage capacity), as jIO.
 */
export function validateAllDocsOptions(options: unknown): asserts options is AllDocsOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new RtcError('allDocs options must be an object', 400);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key === 'group_by') throw new RtcError("Capacity 'group' is not implemented on 'rtc'", 501);
    if (!OPTION_KEYS.has(key)) throw new RtcError(`allDocs: unknown option '${key}'`, 400);
  }
  if (o.query !== undefined && typeof o.query !== 'string' && (o.query === null || typeof o.query !== 'object')) {
    throw new RtcError('allDocs: query must be a string or a query tree', 400);
  }
  if (o.sort_on !== undefined) {
    if (!Array.isArray(o.sort_on)) throw new RtcError('allDocs: sort_on must be an array of [key, direction]', 400);
    for (const s of o.sort_on) {
      if (!Array.isArray(s) || typeof s[0] !== 'string' || (s[1] !== 'ascending' && s[1] !== 'descending')) {
        throw new RtcError(`allDocs: bad sort_on item ${JSON.stringify(s)}: expected [key, "ascending"|"descending"]`, 400);
      }
    }
  }
  if (o.limit !== undefined) {
    const l = o.limit;
    if (!Array.isArray(l) || l.length < 1 || l.length > 2 || !l.every((n) => Number.isInteger(n) && n >= 0)) {
      throw new RtcError('allDocs: limit must be [skip] or [skip, count] of non-negative integers', 400);
    }
  }
  if (o.select_list !== undefined) {
    if (!Array.isArray(o.select_list) || !o.select_list.every((k) => typeof k === 'string')) {
      throw new RtcError('allDocs: select_list must be an array of strings', 400);
    }
  }
  if (o.include_docs !== undefined && typeof o.include_docs !== 'boolean') {
    throw new RtcError('allDocs: include_docs must be a boolean', 400);
  }
  if (o.key_schema !== undefined && (o.key_schema === null || typeof o.key_schema !== 'object')) {
    throw new RtcError('allDocs: key_schema must be an object', 400);
  }
}

/**
 * Checks the entries of a `bulkPut`: an array of `{ id?, doc }`.
 * @throws RtcError 400 naming the first bad entry, 413 when there are more than `max`.
 */
export function validateBulk(entries: unknown, max: number): asserts entries is BulkEntry[] {
  if (!Array.isArray(entries)) throw new RtcError("bulkPut takes an array of { id?, doc } on 'rtc.bulkPut'.", 400);
  if (entries.length > max) throw new RtcError(`bulkPut: ${entries.length} documents in one request, over ${max}`, 413);
  entries.forEach((entry, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new RtcError(`bulkPut: entry ${i} must be an object { id?, doc }`, 400);
    }
    const e = entry as Record<string, unknown>;
    if (e.id !== undefined) validateId(e.id, `bulkPut[${i}]`);
    validateDoc(e.doc, `bulkPut[${i}]`);
  });
}
