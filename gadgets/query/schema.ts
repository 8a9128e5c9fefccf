/**
 * jIO's key_schema (docs/jio-compatibility.md "key_schema"): validation with jIO's `TypeError`
 * messages, and resolution of a query or sort key (a plain name, a `key_set` alias, or a key
 * object) into what to read from a document and how to cast and compare it.
 */
import { queryTypeError } from './fail.js';
import { JIODate } from './jiodate.js';
import type { CastFunction, EqualMatchFunction, KeySchema } from './types.js';
import { isPlainObject, ownValue } from './values.js';

/** A key after alias lookup: `''` means full text. */
export type ResolvedKey =
  | { kind: 'fulltext' }
  | { kind: 'property'; read_from: string; cast?: CastFunction; equal_match?: EqualMatchFunction };

const SCHEMA_MEMBERS = new Set(['key_set', 'cast_lookup', 'match_lookup']);
const KEY_MEMBERS = new Set(['read_from', 'cast_to', 'equal_match']);

function checkLookup(schema: Record<string, unknown>, name: 'cast_lookup' | 'match_lookup'): void {
  const lookup = schema[name];
  if (lookup === undefined) return;
  if (!isPlainObject(lookup)) throw queryTypeError(`Query().create(): key_schema.${name} is not of type 'object'`);
  for (const entry of Object.keys(lookup)) {
    if (typeof lookup[entry] !== 'function') {
      throw queryTypeError(`Query().create(): key_schema.${name}.${entry} is not a function`);
    }
  }
}

/**
 * Checks a key_schema as jIO does ("key_schema") and returns it typed; `undefined`/`null` give
 * `undefined`. Throws a 400 `RtcError` named `TypeError`:
 * `Query().create(): key_schema is not of type 'object'`,
 * `Query().create(): key_schema has no 'key_set' property`,
 * `Query().create(): key_schema has unknown property 'x'`, and for every `key_set` entry that is
 * a key object the checks of `checkKeyObject`. Beyond jIO, `key_set` must be an object whose
 * entries are strings or key objects, and the lookups objects of functions.
 */
export function checkKeySchema(schema: unknown): KeySchema | undefined {
  if (schema === undefined || schema === null) return undefined;
  if (typeof schema !== 'object' || Array.isArray(schema)) {
    throw queryTypeError("Query().create(): key_schema is not of type 'object'");
  }
  const record = schema as Record<string, unknown>;
  if (record.key_set === undefined) throw queryTypeError("Query().create(): key_schema has no 'key_set' property");
  for (const member of Object.keys(record)) {
    if (!SCHEMA_MEMBERS.has(member)) {
      throw queryTypeError(`Query().create(): key_schema has unknown property '${member}'`);
    }
  }
  const keySet = record.key_set;
  if (!isPlainObject(keySet)) throw queryTypeError("Query().create(): key_schema.key_set is not of type 'object'");
  checkLookup(record, 'cast_lookup');
  checkLookup(record, 'match_lookup');
  for (const alias of Object.keys(keySet)) {
    const entry = keySet[alias];
    if (typeof entry === 'string') continue;
    if (!isPlainObject(entry)) {
      throw queryTypeError(`Query().create(): key_schema.key_set.${alias} must be a string or a key object`);
    }
    checkKeyObject(entry);
  }
  return schema as KeySchema;
}

/**
 * Checks a key object ("key_schema"). Throws a 400 `RtcError` named `TypeError`:
 * `Custom key is missing the read_from property`, `Custom key has unknown property 'x'`, and
 * (beyond jIO) when `read_from` is not a string or `cast_to`/`equal_match` are neither a function
 * nor a name.
 */
export function checkKeyObject(key: Record<string, unknown>): void {
  if (key.read_from === undefined) throw queryTypeError('Custom key is missing the read_from property');
  for (const member of Object.keys(key)) {
    if (!KEY_MEMBERS.has(member)) throw queryTypeError(`Custom key has unknown property '${member}'`);
  }
  if (typeof key.read_from !== 'string') throw queryTypeError('Custom key read_from must be a string');
  for (const member of ['cast_to', 'equal_match'] as const) {
    const value = key[member];
    if (value !== undefined && value !== null && typeof value !== 'string' && typeof value !== 'function') {
      throw queryTypeError(`Custom key ${member} must be a function or a name`);
    }
  }
}

function lookup(schema: KeySchema | undefined, table: 'cast_lookup' | 'match_lookup', name: string): unknown {
  const entries = schema?.[table];
  const found = entries ? ownValue(entries, name) : undefined;
  if (typeof found !== 'function') {
    const member = table === 'cast_lookup' ? 'cast_to' : 'equal_match';
    throw queryTypeError(`Custom key ${member} '${name}' is not in key_schema.${table}`);
  }
  return found;
}

/** `JIODate` used directly as a cast (jIO allowed `cast_to: JIODate`; a class needs `new`). */
function callableCast(cast: CastFunction): CastFunction {
  return (cast as unknown) === JIODate ? (value) => new JIODate(value as string) : cast;
}

/**
 * Resolves a query or sort key (docs/jio-compatibility.md "Matching" rule 2): a string is first
 * looked up in `key_schema.key_set` (own entries only); a string result is a plain property (`''` →
 * full text), a key object gives `read_from` plus its cast and equality functions, names resolved
 * in `cast_lookup` / `match_lookup`. Throws the `checkKeyObject` errors, and a 400 `TypeError` when
 * a name is not in its lookup table (jIO silently matched nothing, or crashed when the table was
 * missing).
 */
export function resolveKey(key: unknown, schema: KeySchema | undefined): ResolvedKey {
  let resolved = key;
  if (typeof key === 'string' && schema) {
    const alias = ownValue(schema.key_set, key);
    if (alias !== undefined) resolved = alias;
  }
  if (typeof resolved === 'string') {
    return resolved === '' ? { kind: 'fulltext' } : { kind: 'property', read_from: resolved };
  }
  if (!isPlainObject(resolved)) throw queryTypeError('Custom key must be a string or a key object');
  checkKeyObject(resolved);
  const out: ResolvedKey = { kind: 'property', read_from: resolved.read_from as string };
  const cast = resolved.cast_to;
  if (typeof cast === 'function') out.cast = callableCast(cast as CastFunction);
  else if (typeof cast === 'string' && cast !== '') out.cast = callableCast(lookup(schema, 'cast_lookup', cast) as CastFunction);
  const equal = resolved.equal_match;
  if (typeof equal === 'function') out.equal_match = equal as EqualMatchFunction;
  else if (typeof equal === 'string') out.equal_match = lookup(schema, 'match_lookup', equal) as EqualMatchFunction;
  return out;
}
