/**
 * jIO-shaped errors: an `Error` with an own enumerable numeric `status_code`, so it survives
 * `JSON.stringify` and travels over the data channel (reference: jIO `jIO.util.jIOError`,
 * docs/jio-compatibility.md "Errors").
 */

/** Status codes used by rtc-gadgets, as in jIO (docs/jio-compatibility.md "Errors") plus 403 for `allow`. */
export type StatusCode = 400 | 403 | 404 | 409 | 413 | 429 | 500 | 501 | 504 | 507;

/** An `Error` carrying a jIO `status_code` (400 bad request, 403 not allowed, 404 not found,
 * 413 too large or too expensive, 429 over a per-slave limit (docs/protocol.md §11), 500 internal,
 * 501 not implemented, 504 timed out, 507 insufficient storage). */
export class RtcError extends Error {
  status_code: number;
  constructor(message: string, status_code: number = 500) {
    super(message);
    this.status_code = status_code;
    // Own enumerable `message`, as jIOError has, so JSON.stringify keeps it.
    Object.defineProperty(this, 'message', { value: message, enumerable: true, writable: true, configurable: true });
  }
}

/** Wire form of an error: `{ name, message, status_code }`. */
export interface ErrorShape {
  name: string;
  message: string;
  status_code: number;
}

/** Turns anything thrown into its wire form; unknown errors become 500. */
export function toErrorShape(error: unknown): ErrorShape {
  if (error instanceof Error) {
    const code = (error as Partial<RtcError>).status_code;
    return {
      name: error.name,
      message: error.message,
      status_code: typeof code === 'number' ? code : 500,
    };
  }
  return { name: 'Error', message: String(error), status_code: 500 };
}

/** Rebuilds an `RtcError` from its wire form (validated loosely: bad input gives a 500). */
export function fromErrorShape(shape: unknown): RtcError {
  if (shape && typeof shape === 'object') {
    const s = shape as Partial<ErrorShape>;
    const err = new RtcError(typeof s.message === 'string' ? s.message : 'Unknown error',
      typeof s.status_code === 'number' ? s.status_code : 500);
    if (typeof s.name === 'string' && s.name !== 'Error') err.name = s.name;
    return err;
  }
  return new RtcError('Unknown error', 500);
}
