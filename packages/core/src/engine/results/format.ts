import type { ConfidenceInterval, MetricValue, ResultRow } from '../../contracts/results.js';

/** Three decimals, as tables show metrics. */
export function formatNumber(value: number): string {
  return value.toFixed(3);
}

/**
 * ` [0.790, 0.833]` after a value; for an interval built from too few resamples, ` (interval unreliable: built from
 * 59 of 500 resamples; …)` instead, so that it is never read as an ordinary interval; empty without one.
 */
export function formatInterval(ci: ConfidenceInterval | undefined, digits = 3): string {
  if (!ci) return '';
  if (ci.unreliable) return ` (interval unreliable: ${ci.unreliable})`;
  return ` [${ci.low.toFixed(digits)}, ${ci.high.toFixed(digits)}]`;
}

/** `0.812 [0.790, 0.833]`, or `0.812` without an interval (see `formatInterval` for unreliable ones). */
export function formatMetricValue(metric: MetricValue): string {
  return `${formatNumber(metric.value)}${formatInterval(metric.ci)}`;
}

/** `k=20, temperature=0.07`; empty for a protocol with a single row. */
export function formatSetting(setting: Record<string, string | number | boolean>, exact = false): string {
  // Swept values such as C = 10^linspace(-6, 5, 45) have long expansions; for reading, four significant digits tell
  // them apart (files meant for analysis ask for `exact`).
  const text = (value: string | number | boolean) =>
    !exact && typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toPrecision(4))) : String(value);
  return Object.entries(setting)
    .map(([key, value]) => `${key}=${text(value)}`)
    .join(', ');
}

const COUNT_UNITS: ReadonlyArray<[number, string]> = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/**
 * `1.2 M (3.4 %)`: the trainable parameter count, one decimal in the largest unit it reaches (k, M, B), and its
 * share of all parameters, one decimal from 1 % up and two significant digits below (BitFit trains ~0.1 %).
 */
export function formatParameterShare(parameters: NonNullable<ResultRow['parameters']>): string {
  const { trainable, total } = parameters;
  const unit = COUNT_UNITS.find(([size]) => trainable >= size);
  const count = unit ? `${(trainable / unit[0]).toFixed(1)} ${unit[1]}` : String(trainable);
  const percent = (100 * trainable) / total;
  const share = percent >= 1 || percent === 0 ? percent.toFixed(1) : percent.toPrecision(2);
  return `${count} (${share} %)`;
}
