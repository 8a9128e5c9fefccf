/**
 * The two kinds of error the query engine throws, both `RtcError` with status 400 (bad request):
 * plain ones (syntax, malformed trees, limits) and jIO's `TypeError`s (schema and option checks,
 * docs/jio-compatibility.md "Sort, limit, select", "key_schema"), which keep the name `TypeError`
 * so callers can tell them apart.
 */
import { RtcError } from '../errors.js';

/** A 400 `RtcError` with the given message. */
export function badQuery(message: string): RtcError {
  return new RtcError(message, 400);
}

/** A 400 `RtcError` named `TypeError`, for the checks where jIO throws a `TypeError`. */
export function queryTypeError(message: string): RtcError {
  const error = new RtcError(message, 400);
  error.name = 'TypeError';
  return error;
}

