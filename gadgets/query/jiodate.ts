/**
 * `JIODate`: a date that remembers its precision (docs/jio-compatibility.md "Dates"), as jIO's
 * moment-based `jiodate.js`, without moment. Comparisons happen at the lesser precision of the two
 * dates, in local time, exactly as moment's `isBefore/isSame(other, unit)`: this date is widened to
 * its whole year/month/…/millisecond and the other date's instant is compared with that span.
 */
import { badQuery } from './fail.js';

/** Precision names, from coarsest to finest (jIO's `YEAR` … `MSEC` constants). */
export type Precision = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'millisecond';

const GRADE: Record<Precision, number> = {
  year: 0, month: 1, day: 2, hour: 3, minute: 4, second: 5, millisecond: 6,
};

const MS_MINUTE = 60000;
const MS_HOUR = 3600000;

//        YYYY     -MM        -DD        [T ]HH        :mm        :ss        .SSS…          zone
const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function localDate(year: number, month: number, day = 1, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(2000, month, day, hour, minute, second, ms);
  date.setFullYear(year, month, day); // years 0–99 are not 1900–1999
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month + 1, 0);
  return date.getUTCDate();
}

/** First millisecond of the `precision` span holding `time` (moment's `startOf`, local time). */
function startOf(time: number, precision: Precision): number {
  const d = new Date(time);
  switch (precision) {
    case 'year': return localDate(d.getFullYear(), 0);
    case 'month': return localDate(d.getFullYear(), d.getMonth());
    case 'day': return localDate(d.getFullYear(), d.getMonth(), d.getDate());
    case 'hour': return time - mod(time - d.getTimezoneOffset() * MS_MINUTE, MS_HOUR);
    case 'minute': return time - mod(time, MS_MINUTE);
    case 'second': return time - mod(time, 1000);
    default: return time;
  }
}

/** Last millisecond of the `precision` span holding `time` (moment's `endOf`, local time). */
function endOf(time: number, precision: Precision): number {
  const d = new Date(time);
  switch (precision) {
    case 'year': return localDate(d.getFullYear() + 1, 0) - 1;
    case 'month': return localDate(d.getFullYear(), d.getMonth() + 1) - 1;
    case 'day': return localDate(d.getFullYear(), d.getMonth(), d.getDate() + 1) - 1;
    case 'hour': return startOf(time, 'hour') + MS_HOUR - 1;
    case 'minute': return startOf(time, 'minute') + MS_MINUTE - 1;
    case 'second': return startOf(time, 'second') + 999;
    default: return time;
  }
}

function cannotParse(input: unknown): Error {
  let text: string;
  try {
    text = String(input);
  } catch {
    text = Object.prototype.toString.call(input);
  }
  return badQuery(`Cannot parse: ${text}`);
}

/** Parses the formats of "Dates" (docs/jio-compatibility.md) into an instant and its precision, or `undefined`. */
function parse(text: string): { time: number; precision: Precision } | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? 0 : Number(mo) - 1;
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  if (month > 11 || month < 0 || day < 1 || day > daysInMonth(year, month)
    || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  let precision: Precision = 'year';
  if (frac !== undefined) precision = 'millisecond';
  else if (s !== undefined) precision = 'second';
  else if (mi !== undefined) precision = 'minute';
  else if (h !== undefined) precision = 'hour';
  else if (d !== undefined) precision = 'day';
  else if (mo !== undefined) precision = 'month';
  let time: number;
  if (zone === undefined) {
    time = localDate(year, month, day, hour, minute, second, ms);
  } else {
    let offset = 0;
    if (zone !== 'Z') {
      const digits = zone.slice(1).replace(':', '');
      const offsetHours = Number(digits.slice(0, 2));
      const offsetMinutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (offsetHours > 23 || offsetMinutes > 59) return undefined;
      offset = (zone[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
    }
    const utc = new Date(0);
    utc.setUTCFullYear(year, month, day);
    utc.setUTCHours(hour, minute, second, ms);
    time = utc.getTime() - offset * MS_MINUTE;
  }
  return { time, precision };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * A date with a precision, as jIO's `JIODate` (docs/jio-compatibility.md "Dates").
 *
 * `new JIODate(input?)` (typed `unknown` so that `cast_to: (v) => new JIODate(v)` type-checks):
 * - a string in one of the formats `YYYY` (year precision), `YYYY-MM` (month), `YYYY-MM-DD`
 *   (day), `YYYY-MM-DD HH` (hour), `YYYY-MM-DD HH:mm` (minute), `…:ss` (second), `….SSS`
 *   (millisecond; any number of fraction digits, cut to milliseconds); `T` may replace the space;
 *   a zone (`Z`, `±HH:mm`, `±HHmm`, `±HH`) may follow a time; without a zone the time is local;
 * - another `JIODate` (copied), a `Date` (millisecond precision), or nothing (now, millisecond).
 * Anything else, or an impossible date such as `2011-02-30`, throws a 400 `RtcError`
 * `Cannot parse: <input>` (jIO throws `Error("Cannot parse: …")`; inside a query a failed cast
 * just makes the comparison false).
 *
 * Differences from jIO, deliberate: the string must be one of the formats above as a whole (jIO
 * looked for them anywhere in the string and handed the rest to moment, which accepted or
 * half-parsed many other strings); `YYYY-MM-DDTHH:mm` without a zone has minute precision (jIO
 * gave it day precision); `Date` objects are accepted; `cmp` and friends accept a string or a
 * `Date` for `other`, converted with `new JIODate(other)`.
 */
export class JIODate {
  private time: number;
  private precision: Precision;

  constructor(input?: unknown) {
    if (input === undefined) {
      this.time = Date.now();
      this.precision = 'millisecond';
    } else if (input instanceof JIODate) {
      this.time = input.time;
      this.precision = input.precision;
    } else if (input instanceof Date) {
      if (Number.isNaN(input.getTime())) throw cannotParse(input);
      this.time = input.getTime();
      this.precision = 'millisecond';
    } else if (typeof input === 'string') {
      const parsed = parse(input);
      if (!parsed) throw cannotParse(input);
      this.time = parsed.time;
      this.precision = parsed.precision;
    } else {
      throw cannotParse(input);
    }
  }

  /** The precision: `year`, `month`, `day`, `hour`, `minute`, `second` or `millisecond`. */
  getPrecision(): Precision {
    return this.precision;
  }

  /** Changes the precision; a name outside `Precision` throws a 400 `RtcError` named `TypeError`. */
  setPrecision(precision: Precision): void {
    if (!Object.prototype.hasOwnProperty.call(GRADE, precision)) {
      const error = badQuery(`Unsupported precision value '${String(precision)}'`);
      error.name = 'TypeError';
      throw error;
    }
    this.precision = precision;
  }

  /** The instant, as a `Date` (the start of the span for coarse precisions). */
  toDate(): Date {
    return new Date(this.time);
  }

  /**
   * -1, 0 or 1: this date before, within, or after `other`, at the lesser precision of the two
   * ("Dates"): `new JIODate('2011').cmp(new JIODate('2011-06-15')) === 0`.
   * `other` may be a `JIODate`, a string or a `Date` (throws `Cannot parse` if it cannot be read).
   */
  cmp(other: JIODate | string | Date): number {
    const that = other instanceof JIODate ? other : new JIODate(other);
    const precision = GRADE[this.precision] < GRADE[that.precision] ? this.precision : that.precision;
    if (endOf(this.time, precision) < that.time) return -1;
    if (startOf(this.time, precision) <= that.time) return 0;
    return 1;
  }

  /** `cmp(other) === 0`. */
  eq(other: JIODate | string | Date): boolean {
    return this.cmp(other) === 0;
  }

  /** `cmp(other) !== 0`. */
  ne(other: JIODate | string | Date): boolean {
    return this.cmp(other) !== 0;
  }

  /** `cmp(other) < 0`. */
  lt(other: JIODate | string | Date): boolean {
    return this.cmp(other) < 0;
  }

  /** `cmp(other) <= 0`. */
  le(other: JIODate | string | Date): boolean {
    return this.cmp(other) <= 0;
  }

  /** `cmp(other) > 0`. */
  gt(other: JIODate | string | Date): boolean {
    return this.cmp(other) > 0;
  }

  /** `cmp(other) >= 0`. */
  ge(other: JIODate | string | Date): boolean {
    return this.cmp(other) >= 0;
  }

  /**
   * Local time as `YYYY-MM-DD HH:mm:ss.SSS`, cut at `precision` (default: this date's own), as
   * jIO's `toPrecisionString`; an unknown precision throws a 400 `RtcError` named `TypeError`.
   */
  toPrecisionString(precision: Precision = this.precision): string {
    if (!Object.prototype.hasOwnProperty.call(GRADE, precision)) {
      const error = badQuery(`Unsupported precision value '${String(precision)}'`);
      error.name = 'TypeError';
      throw error;
    }
    const d = new Date(this.time);
    const parts = [
      pad(d.getFullYear(), 4), `-${pad(d.getMonth() + 1, 2)}`, `-${pad(d.getDate(), 2)}`,
      ` ${pad(d.getHours(), 2)}`, `:${pad(d.getMinutes(), 2)}`, `:${pad(d.getSeconds(), 2)}`,
      `.${pad(d.getMilliseconds(), 3)}`,
    ];
    return parts.slice(0, GRADE[precision] + 1).join('');
  }

  /** Same as `toPrecisionString()`. */
  toString(): string {
    return this.toPrecisionString();
  }
}
