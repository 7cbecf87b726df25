import type { MetricValue } from '../../contracts/results.js';

/** Three decimals, as tables show metrics. */
export function formatNumber(value: number): string {
  return value.toFixed(3);
}

/** `0.812 [0.790, 0.833]`, or `0.812` without an interval. */
export function formatMetricValue(metric: MetricValue): string {
  const value = formatNumber(metric.value);
  return metric.ci ? `${value} [${formatNumber(metric.ci.low)}, ${formatNumber(metric.ci.high)}]` : value;
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
