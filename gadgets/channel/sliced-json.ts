/**
 * `JSON.stringify` of a large answer in time slices: a query's thousands of rows are serialized
 * a group of elements at a time, yielding to other tasks (another slave's request, an IndexedDB
 * result) between slices, so no single task of the master holds its main thread for the whole
 * answer (bench `slave scan: fairness`, README "Fairness of large answers"). The text is the one
 * `JSON.stringify` gives (ECMA-262 §25.5.2): same keys in the same order, `undefined` skipped in
 * objects and `null` in arrays, `toJSON` honoured (such values are handed to `JSON.stringify`
 * whole), so the wire format does not change.
 */
import { yieldAndRest } from '../storage/slicer.js';

/** Main-thread time per slice of serialization, ms. */
export const SERIALIZE_SLICE_MS = 1;
/** Arrays shorter than this are serialized in one piece (no clock reads, no yield). */
const LONG_ARRAY = 64;
/** Elements serialized between two looks at the clock. */
const STRIDE = 32;

/** Whether `value` is an object JSON.stringify walks key by key (no `toJSON`, a plain object). */
function plainObject(value: object): value is Record<string, unknown> {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Whether a property of this value is left out of an object (and is `null` in an array). */
const skipped = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/**
 * The JSON text of `value`, as `JSON.stringify(value)`, built in slices of about `sliceMs` of
 * main-thread time with a yield (slicer.ts `yieldAndRest`) between them. Values that are not
 * plain objects or arrays, arrays under 64 elements and each element of a longer array are
 * serialized in one piece (`toJSON` of an element is called with '' as its key, not its index).
 * @returns the text, or undefined where JSON.stringify gives undefined (a bare `undefined`).
 * @throws TypeError as JSON.stringify does (a cycle, a BigInt).
 */
export async function stringifySliced(value: unknown, sliceMs = SERIALIZE_SLICE_MS): Promise<string | undefined> {
  let sliceStart = performance.now();
  const parts: string[] = [];
  // A value seen twice on the current path is a cycle (JSON.stringify throws TypeError on it).
  const path = new Set<object>();
  const walk = async (v: unknown): Promise<void> => {
    if (v === null || typeof v !== 'object' || !(Array.isArray(v) ? v.length >= LONG_ARRAY : plainObject(v))) {
      parts.push(JSON.stringify(v) ?? 'null');
      return;
    }
    if (path.has(v)) throw new TypeError('Converting circular structure to JSON');
    path.add(v);
    if (Array.isArray(v)) {
      parts.push('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) parts.push(',');
        // An element is serialized whole (a row, a document): only the path down to the long
        // array is walked here, so the cost per element is JSON.stringify's own.
        const e: unknown = v[i];
        parts.push(skipped(e) ? 'null' : JSON.stringify(e) ?? 'null');
        if (i % STRIDE === STRIDE - 1 && performance.now() - sliceStart >= sliceMs) {
          await yieldAndRest();
          sliceStart = performance.now();
        }
      }
      parts.push(']');
    } else {
      parts.push('{');
      let first = true;
      for (const key of Object.keys(v)) {
        const e = (v as Record<string, unknown>)[key];
        if (skipped(e)) continue;
        parts.push(first ? '' : ',', JSON.stringify(key), ':');
        first = false;
        await walk(e);
      }
      parts.push('}');
    }
    path.delete(v);
  };
  if (value === undefined || skipped(value)) return undefined;
  await walk(value);
  return parts.join('');
}
