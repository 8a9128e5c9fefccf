/**
 * Numbers, sizes, percentages and times in the page's language (gadgets/i18n/locale.ts), with
 * `Intl`. English and French follow the browser's own variant when it has one (`en-GB` writes
 * 24-hour times, `fr-CA` its own dates); Chinese uses `zh-Hans`.
 */
import { getLocale } from './locale.js';

/** The `Intl` locale for the page's language: the browser's variant of it when there is one. */
export function intlLocale(): string {
  const locale = getLocale();
  if (locale === 'zh-Hans') return 'zh-Hans';
  const own = (globalThis.navigator?.languages ?? []).find((tag) => tag.toLowerCase().split('-')[0] === locale);
  return own ?? locale;
}

/** `12,345` (en), `12 345` (fr), `12,345` (zh). */
export function formatNumber(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(intlLocale(), options).format(n);
}

const DECIMAL_UNITS = ['kilobyte', 'megabyte', 'gigabyte', 'terabyte'];
const BINARY_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/**
 * A size in bytes for people: one decimal below 10, none above (`512 B`, `3.4 MB`, `12 MB`).
 * @param binary powers of 1024 with IEC units (`3.4 MiB`, what storage quotas are counted in);
 *   default powers of 1000 (`3.4 MB`, as file managers show file sizes), unit names in the
 *   page's language (`3,4 Mo` in French).
 */
export function formatBytes(bytes: number, binary = false): string {
  const base = binary ? 1024 : 1000;
  // Intl's short byte unit is "byte" in English and "o" (octet) in French: B except in French.
  if (bytes < base) return !binary && getLocale() === 'fr' ? formatNumber(bytes, { style: 'unit', unit: 'byte' }) : `${formatNumber(bytes)} B`;
  let value = bytes;
  let unit = -1;
  do {
    value /= base;
    unit++;
  } while (value >= base && unit < 3);
  const digits = value < 10 ? 1 : 0;
  const number = { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false };
  if (binary) return `${formatNumber(value, number)} ${BINARY_UNITS[unit]}`;
  return formatNumber(value, { ...number, style: 'unit', unit: DECIMAL_UNITS[unit], unitDisplay: 'short' });
}

/** `0%`, `< 0.1%`, `0.4%`, `12%` (one decimal below 10%), in the page's language (`12 %` in French). */
export function formatPercent(ratio: number): string {
  const p = ratio * 100;
  if (p > 0 && p < 0.1) return `< ${formatNumber(0.001, { style: 'percent', maximumFractionDigits: 1 })}`;
  return formatNumber(ratio, { style: 'percent', maximumFractionDigits: p < 10 ? 1 : 0 });
}

/** The time of day of `date` (`14:05:09`, `2:05:09 PM`). */
export function formatTime(date: Date | number, options?: Intl.DateTimeFormatOptions): string {
  return new Date(date).toLocaleTimeString(intlLocale(), options);
}

/** A date and time (`05/12/2026 14:05:09` in French). */
export function formatDateTime(date: Date | number, options?: Intl.DateTimeFormatOptions): string {
  return new Date(date).toLocaleString(intlLocale(), options);
}
