'use strict';
/** Percentiles of samples and "median (min–max) over runs" as the report prints them. */

/** Nearest-rank percentile (p in 0..100) of numbers; NaN for none. */
function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Latency samples of one run as the report shows them: { p50, p90, p99, max, samples }. */
function latencySummary(samples) {
  return {
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max: Math.max(...samples),
    samples: samples.length,
  };
}

const median = (values) => {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** One figure measured over several runs: { median, min, max, runs }. */
function summarize(values) {
  const ok = values.filter((v) => Number.isFinite(v));
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), runs: ok.length };
}

function fmt(n, digits = 1) {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `12.3 (11.0–14.2)`, or just the value for a single run. */
function fmtRange(s, digits = 1) {
  if (!s || s.runs === 0) return 'n/a';
  if (s.runs === 1 || s.min === s.max) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

/** "met", or how far off: `missed by 12%`, `missed (×2.3)`. `lowerIsBetter` decides the direction. */
function verdict(value, target, lowerIsBetter = true) {
  if (!Number.isFinite(value)) return 'not measured';
  const met = lowerIsBetter ? value <= target : value >= target;
  if (met) return 'met';
  const factor = lowerIsBetter ? value / target : target / value;
  return factor < 1.5 ? `missed by ${fmt((factor - 1) * 100, 0)}%` : `missed (×${fmt(factor, 1)})`;
}

module.exports = { percentile, latencySummary, summarize, fmt, fmtRange, verdict };
