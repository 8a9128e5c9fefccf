// Small statistics for the benchmark: median and p95 (linear interpolation between ranks).

/** The q-quantile (0..1) of `values`, or null for none. */
export function quantile(values, q) {
  const xs = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

export const median = (values) => quantile(values, 0.5);
export const p95 = (values) => quantile(values, 0.95);

/**
 * Mean of `values` without the lowest and highest `trim` fraction of them (GC pauses and other
 * rare stalls). Over many samples of a timer with a dithered clamp (Chromium rounds
 * `performance.now()` to 100 µs, up or down at random, in pages that are not cross-origin
 * isolated), the mean is not quantized the way the median is: a 0.1 ms step disappears.
 */
export function trimmedMean(values, trim = 0.02) {
  const xs = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const cut = Math.floor(xs.length * trim);
  const kept = xs.slice(cut, xs.length - cut);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

/** `{ n, median, p95, min, max }` of `values`. */
export function summary(values) {
  return {
    n: values.length,
    median: median(values),
    p95: p95(values),
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
  };
}

/** Rounds for printing: 3 significant digits, at most 2 decimals. */
export function fmt(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 10) return x.toFixed(2);
  return x.toFixed(2);
}
