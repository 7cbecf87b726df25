import { csvField } from '@radprobe/core';
import type { Comparison } from './comparison.js';

/**
 * `compare.csv` (RFC 4180, CRLF): a row per backbone, and per column its mean, std over seeds (0 for one seed),
 * number of seeds, interval bounds and, for an interval built from too few resamples, why it is unreliable; exact
 * numbers, empty where the backbone has no value.
 */
export function renderCompareCsv(comparison: Comparison): string {
  const { matrix } = comparison;
  const fields = ['mean', 'std', 'seeds', 'ci_low', 'ci_high', 'ci_unreliable'];
  const header = ['backbone', 'weights_sha256', ...matrix.columns.flatMap((column) => fields.map((field) => `${column.label} [${column.metric}] ${field}`))];
  const records = matrix.backbones.map((backbone) => [
    backbone.label,
    backbone.weightsHash,
    ...matrix.columns.flatMap((column) => {
      const metric = matrix.entry(backbone, column)?.metric;
      if (!metric) return fields.map(() => '');
      return [metric.value, metric.seeds?.std ?? 0, metric.seeds?.values.length ?? 1, metric.ci?.low ?? '', metric.ci?.high ?? '', metric.ci?.unreliable ?? ''].map(String);
    }),
  ]);
  return [header, ...records].map((record) => record.map(csvField).join(',')).join('\r\n') + '\r\n';
}
