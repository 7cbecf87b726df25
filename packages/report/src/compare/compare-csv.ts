import { csvField } from '@radprobe/core/engine';
import type { Comparison } from './comparison.js';
import type { MatrixColumn } from './matrix.js';

/** The header of the ranking's two fields: what it counted, as the page's default choice. */
const RANK_RULE = 'each dataset × protocol once at its best setting per backbone';

/**
 * `compare.csv` (RFC 4180, CRLF): a row per backbone, and per column its mean, std over seeds (0 for one seed),
 * number of seeds (`tries` for few-shot columns, whose repetitions are tries), interval bounds and, for an interval
 * built from too few resamples, why it is unreliable; for columns of a backbone that trained (fine-tuning), its
 * trainable and total parameters; last, the backbone's mean ranks of the cross-task ranking as compare.md has them.
 * Exact numbers, empty where the backbone has no value.
 */
export function renderCompareCsv(comparison: Comparison): string {
  const { matrix, ranking } = comparison;
  const hasParameters = (column: MatrixColumn) => matrix.backbones.some((backbone) => matrix.entry(backbone, column)?.row.parameters);
  const fieldsOf = (column: MatrixColumn) => {
    const tries = matrix.backbones.some((backbone) => matrix.entry(backbone, column)?.repetition === 'try');
    return ['mean', 'std', tries ? 'tries' : 'seeds', 'ci_low', 'ci_high', 'ci_unreliable', ...(hasParameters(column) ? ['trainable_parameters', 'total_parameters'] : [])];
  };
  const header = [
    'backbone',
    'weights_sha256',
    ...matrix.columns.flatMap((column) => fieldsOf(column).map((field) => `${column.label} [${column.metric}] ${field}`)),
    `mean rank segmentation (${RANK_RULE})`,
    `mean rank classification (${RANK_RULE})`,
  ];
  const records = matrix.backbones.map((backbone, b) => [
    backbone.label,
    backbone.weightsHash,
    ...matrix.columns.flatMap((column) => {
      const entry = matrix.entry(backbone, column);
      if (!entry) return fieldsOf(column).map(() => '');
      const { metric, row } = entry;
      const parameters = hasParameters(column) ? [row.parameters?.trainable ?? '', row.parameters?.total ?? ''] : [];
      return [metric.value, metric.seeds?.std ?? 0, metric.seeds?.values.length ?? 1, metric.ci?.low ?? '', metric.ci?.high ?? '', metric.ci?.unreliable ?? '', ...parameters].map(String);
    }),
    String(ranking.outcome.ranks[b].segmentation ?? ''),
    String(ranking.outcome.ranks[b].classification ?? ''),
  ]);
  return [header, ...records].map((record) => record.map(csvField).join(',')).join('\r\n') + '\r\n';
}
