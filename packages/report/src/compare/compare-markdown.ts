import { escapeMarkdownInline, markdownTable } from '@radprobe/core';
import { metricText } from '../metric-text.js';
import type { Comparison } from './comparison.js';

/** `compare.md`: the runs, any warnings, the matrix and the mean ranks, for a paper or a pull request. */
export function renderCompareMarkdown(comparison: Comparison): string {
  const { matrix } = comparison;
  const rankText = (value: number | null) => (value === null ? '–' : value.toFixed(2));
  const lines = [
    `# ${escapeMarkdownInline(comparison.title)}`,
    '',
    `Runs: ${comparison.runs.map((run) => `\`${escapeMarkdownInline(run.dir)}\` (${escapeMarkdownInline(run.results.name)}, ${run.results.runId})`).join(', ')}.`,
    '',
  ];
  if (comparison.warnings.length) {
    lines.push('## Warnings: mixed runs', '', ...comparison.warnings.map((warning) => `- ${escapeMarkdownInline(warning)}`), '');
  }
  lines.push(
    '## Backbones × datasets × protocols',
    '',
    'TEST primary metric: over several seeds mean ± std of the seeds, then the interval the protocol reported.',
    '',
    ...markdownTable(
      ['backbone', ...matrix.columns.map((column) => `${column.label} (${column.metric})`)],
      matrix.backbones.map((backbone) => [
        backbone.label,
        ...matrix.columns.map((column) => {
          const entry = matrix.entry(backbone, column);
          return entry ? metricText(entry.metric) : '–';
        }),
      ]),
    ),
    '',
    '## Cross-task ranking',
    '',
    'Mean rank of each backbone over the segmentation and over the classification columns (1 = best; ties share the mean of their ranks).',
    '',
    ...markdownTable(
      ['backbone', 'mean rank, segmentation', 'mean rank, classification'],
      comparison.ranks.map((rank) => [rank.backbone.label, rankText(rank.segmentation), rankText(rank.classification)]),
    ),
  );
  return `${lines.join('\n')}\n`;
}
