/**
 * Argument checks for the database API, the same for local and remote calls, so a malformed
 * request from a slave gets a 400 with a clear message and never reaches IndexedDB.
 * Messages follow jIO's where jIO has one (docs/jio-compatibility.md "Methods").
 */
import { ATTACHMENT_FORMATS, type AllDocsOptions, type BulkEntry } from '../api.js';
import { RtcError } from '../errors.js';

/** Longest accepted document id, in UTF-16 code units. */
export const MAX_ID_LENGTH = 2048;

/** @throws RtcError 400 `Document id must be a non empty string on 'rtc.<method>'.` */
export function validateId(id: unknown, method: string): asserts id is string {
  validateKey(id, 'Document id', MAX_ID_LENGTH, method);
}

/** A non-empty string of at most `max` UTF-16 code units, else RtcError 400 naming `what` (jIO's wording). */
function validateKey(value: unknown, what: string, max: number, method: string): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new RtcError(`${what} must be a non empty string on 'rtc.${method}'.`, 400);
  if (value.length > max) throw new RtcError(`${what} is longer than ${max} characters on 'rtc.${method}'.`, 400);
}

/** @throws RtcError 400 when `doc` is not a plain object (arrays and null are refused). */
export function validateDoc(doc: unknown, method: string): asserts doc is Record<string, unknown> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new RtcError(`Document must be an object on 'rtc.${method}'.`, 400);
  }
}

const OPTION_KEYS = new Set(['query', 'sort_on', 'limit', 'select_list', 'include_docs', 'key_schema']);

/**
 * Checks `allDocs` options (docs/jio-compatibility.md "allDocs").
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
    // The method name (a new string) is made only for an entry that fails: a bulkPut checks thousands.
    const { id, doc } = e;
    if (id !== undefined && !(typeof id === 'string' && id !== '' && id.length <= MAX_ID_LENGTH)) validateId(id, `bulkPut[${i}]`);
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) validateDoc(doc, `bulkPut[${i}]`);
  });
}

/** Longest accepted attachment name, in UTF-16 code units. */
export const MAX_ATTACHMENT_NAME_LENGTH = 1024;

/** @throws RtcError 400 `Attachment id must be a non empty string on 'rtc.<method>'.` (jIO's message) */
export function validateAttachmentName(name: unknown, method: string): asserts name is string {
  validateKey(name, 'Attachment id', MAX_ATTACHMENT_NAME_LENGTH, method);
}

/** @throws RtcError 400 `rtc.getAttachment format: 'x' is not supported` (jIO's message). */
export function validateFormat(format: unknown): void {
  if (format !== undefined && !(ATTACHMENT_FORMATS as readonly unknown[]).includes(format)) {
    throw new RtcError(`rtc.getAttachment format: '${String(format)}' is not supported`, 400);
  }
}

/**
 * The byte range `[start, end)` of a read of an attachment of `length` bytes, as `Blob.slice`
 * understands it for non-negative values (clamped to the attachment).
 * @throws RtcError 400 when `start` or `end` is not a non-negative integer.
 */
export function attachmentRange(length: number, start?: unknown, end?: unknown): [number, number] {
  for (const [name, v] of [['start', start], ['end', end]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
      throw new RtcError(`getAttachment: ${name} must be a non-negative integer`, 400);
    }
  }
  const s = Math.min(length, (start as number | undefined) ?? 0);
  const e = Math.min(length, (end as number | undefined) ?? length);
  return [s, Math.max(s, e)];
}

/** Whether `x` is a full attachment digest, `sha256-<64 lowercase hex digits>`. */
export function isSha256Digest(x: unknown): x is string {
  return typeof x === 'string' && /^sha256-[0-9a-f]{64}$/.test(x);
}

/**
 * An upload's description at `attachmentOpen`: `digest` is its full `sha256-<hex>`, or, from a
 * slave that hashes while sending, its `sample-<hex>` key (attachment-utils.ts `sampleKey`), the
 * full digest then coming with the commit.
 * @throws RtcError 400 when upload metadata `{ content_type, length, digest }` is malformed.
 */
export function validateAttachmentMeta(meta: unknown): asserts meta is { content_type: string; length: number; digest: string } {
  const m = (meta && typeof meta === 'object' ? meta : {}) as Record<string, unknown>;
  if (typeof m.content_type !== 'string' || m.content_type.length > 256) throw new RtcError('putAttachment: content_type must be a string', 400);
  if (typeof m.length !== 'number' || !Number.isSafeInteger(m.length) || m.length < 0) throw new RtcError('putAttachment: length must be a non-negative integer', 400);
  if (typeof m.digest !== 'string' || !/^(sha256|sample)-[0-9a-f]{64}$/.test(m.digest)) throw new RtcError('putAttachment: digest must be sha256-<64 hex digits> (or sample-<64 hex digits>)', 400);
}
