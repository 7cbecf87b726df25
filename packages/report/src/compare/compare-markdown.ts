import { escapeMarkdownInline, formatParameterShare, markdownTable } from '@radprobe/core/engine';
import { metricText } from '../metric-text.js';
import type { Comparison } from './comparison.js';
import { familyUseText } from './cross-task-ranks.js';
import { learningRateText } from './fine-tuning.js';

/** `compare.md`: the runs, any warnings, the matrix, the fine-tuning tables and the mean ranks, for a paper or a pull request. */
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
  const { ranking } = comparison;
  lines.push(
    '## Backbones × datasets × protocols',
    '',
    'TEST primary metric: over several seeds (few-shot: tries) mean ± std, then the interval the protocol reported; a single seed or try shows no spread.',
    '',
    ...markdownTable(
      ['backbone', ...matrix.columns.map((column) => `${column.label} (${column.metric})`)],
      matrix.backbones.map((backbone) => [
        backbone.label,
        ...matrix.columns.map((column) => {
          const entry = matrix.entry(backbone, column);
          return entry ? metricText(entry.metric, entry.repetition) : '–';
        }),
      ]),
    ),
    '',
  );
  for (const table of comparison.fineTuning) {
    lines.push(
      `## Fine-tuning: ${escapeMarkdownInline(table.dataset)} × ${escapeMarkdownInline(table.protocol)}`,
      '',
      'Per backbone and adaptation mode: the backbone learning rate chosen on VAL, the parameters that trained (head included) and their share, all parameters, and the TEST primary metric with its interval.',
      '',
      ...markdownTable(
        ['backbone', 'mode', 'backbone lr', 'trainable parameters', 'all parameters', `TEST ${table.metric}`],
        table.rows.map((row) => [
          row.backbone.label,
          row.modeName,
          learningRateText(row),
          row.parameters ? formatParameterShare(row.parameters) : '–',
          row.parameters ? String(row.parameters.total) : '–',
          metricText(row.entry.metric, row.entry.repetition),
        ]),
      ),
      '',
    );
  }
  lines.push(
    '## Cross-task ranking',
    '',
    'Each dataset × protocol counts once: with each backbone\'s best setting there (chosen on TEST, the same rule for every backbone; compare.html lets a reader pick one setting or leave a protocol out). Within it the backbones are ranked, 1 = best, ties sharing the mean of their ranks; a protocol where fewer than two backbones have a value is not counted. Mean rank over the segmentation and over the classification datasets.',
    '',
    ...markdownTable(
      ['dataset', 'protocol', 'task', 'in the ranking'],
      ranking.input.families.map((family, index) => [family.dataset, family.protocol, family.segmentation ? 'segmentation' : 'classification', familyUseText(ranking.outcome.families[index])]),
    ),
    '',
    ...markdownTable(
      ['backbone', 'mean rank, segmentation', 'mean rank, classification'],
      ranking.input.backbones.map((label, b) => [label, rankText(ranking.outcome.ranks[b].segmentation), rankText(ranking.outcome.ranks[b].classification)]),
    ),
  );
  return `${lines.join('\n')}\n`;
}
