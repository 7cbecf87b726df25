import type { CellResult, DatasetSummary, FailedCell, FailureStage, Provenance, RunResults } from '../../contracts/results.js';
import { formatSetting } from './format.js';
import { describeWorkerPlacement } from './worker.js';
import { summaryRows, visibleSummaryColumns } from './summary-rows.js';

/** Skipped items listed per dataset in results.md; the full list is in results.json. */
const skippedItemsShown = 50;

/** `results.md`: the results table, notes per cell, a section per dataset, and the provenance. */
export function renderResultsMarkdown(results: RunResults): string {
  const lines: string[] = [
    `# ${escapeInline(results.name)}`,
    '',
    `Run \`${results.runId}\`, ${results.startedAt} to ${results.finishedAt}. Intervals are bootstrap confidence intervals. Rows are what each cell reports on TEST; the VAL rows of model selection are in results.csv and report.html.`,
    '',
    '## Results',
    '',
    ...summaryTable(results),
  ];
  if (results.failed?.length) lines.push('', ...failedSection(results.failed));
  const cellNotes = results.cells.flatMap(cellNoteSection);
  if (cellNotes.length) lines.push('', '## Notes', ...cellNotes);
  for (const dataset of results.datasets) lines.push('', ...datasetSection(dataset));
  lines.push('', ...provenanceSection(results.provenance));
  return `${lines.join('\n')}\n`;
}

function summaryTable(results: RunResults): string[] {
  const rows = summaryRows(results);
  const columns = visibleSummaryColumns(rows);
  return markdownTable(
    columns.map((column) => column.title),
    rows.map((row) => columns.map((column) => row[column.key])),
  );
}

const stageWords: Record<FailureStage, string> = {
  dataset: 'loading the dataset',
  backbone: 'loading the backbone',
  extract: 'embedding',
  protocol: 'running the protocol',
};

function failedSection(failed: FailedCell[]): string[] {
  return [
    '## Failed cells',
    '',
    ...failed.map(
      (cell) => `- ${escapeInline(cell.backbone)} × ${escapeInline(cell.dataset)} × ${escapeInline(cell.protocol)} (${stageWords[cell.stage]}): ${escapeInline(cell.message)}`,
    ),
  ];
}

function cellNoteSection(cell: CellResult): string[] {
  const notes = cell.result?.notes ?? [];
  const skipped = cell.result?.skipped ?? [];
  if (!notes.length && !skipped.length) return [];
  return [
    '',
    `### ${escapeInline(cell.backbone)} × ${escapeInline(cell.dataset)} × ${escapeInline(cell.protocol)}`,
    '',
    ...notes.map((note) => `- ${escapeInline(note)}`),
    ...skipped.map((entry) => `- skipped ${escapeInline(formatSetting(entry.setting) || 'the protocol')}: ${escapeInline(entry.reason)}`),
  ];
}

function datasetSection(dataset: DatasetSummary): string[] {
  const { train, val, test } = dataset.counts;
  const lines = [
    `## Dataset ${escapeInline(dataset.name)}`,
    '',
    `- kind: ${escapeInline(dataset.kind)}; task: ${escapeInline(dataset.task)}`,
    `- classes (${dataset.classes.length}): ${dataset.classes.map(escapeInline).join(', ')}`,
    `- items: train ${train}, val ${val}, test ${test}; patients: ${dataset.patients ?? 'not recorded'}`,
  ];
  if (dataset.notes.length) lines.push('', 'Notes:', '', ...dataset.notes.map((note) => `- ${escapeInline(note)}`));
  if (dataset.skipped.length) {
    lines.push('', `Skipped items (${dataset.skipped.length}):`, '');
    for (const item of dataset.skipped.slice(0, skippedItemsShown)) lines.push(`- ${escapeInline(item.source)}: ${escapeInline(item.reason)}`);
    if (dataset.skipped.length > skippedItemsShown) lines.push(`- … and ${dataset.skipped.length - skippedItemsShown} more (see results.json)`);
  }
  return lines;
}

function provenanceSection(provenance: Provenance): string[] {
  const gibibytes = (provenance.memoryBytes / 2 ** 30).toFixed(1);
  const lines = [
    '## Provenance',
    '',
    `- config hash: \`${provenance.configHash}\``,
    `- seed: ${provenance.seed}`,
    `- git commit: ${provenance.gitCommit ? `\`${provenance.gitCommit}\`` : 'none (the config is not in a git repository)'}`,
    `- node ${escapeInline(provenance.node)} on ${escapeInline(provenance.platform)}, host ${escapeInline(provenance.hostname)}`,
    `- cpu: ${escapeInline(provenance.cpu)} × ${provenance.cpus}; memory: ${gibibytes} GiB`,
    ...(provenance.worker ? [`- worker: ${escapeInline(describeWorkerPlacement(provenance.worker))}`] : []),
  ];
  const packages = Object.entries(provenance.packages).sort(([a], [b]) => (a < b ? -1 : 1));
  if (packages.length) lines.push('', ...markdownTable(['package', 'version'], packages));
  if (provenance.plugins?.length) {
    lines.push(
      '',
      ...markdownTable(
        ['plugin', 'version', 'first-party', 'kinds', 'location'],
        provenance.plugins.map((plugin) => [
          plugin.name,
          plugin.version,
          plugin.firstParty ? 'yes' : 'no',
          Object.entries(plugin.contributed).map(([section, kinds]) => `${section}: ${kinds.join(', ')}`).join('; '),
          plugin.location ?? 'not known',
        ]),
      ),
    );
  }
  if (provenance.backbones.length) {
    lines.push(
      '',
      ...markdownTable(
        ['backbone', 'description', 'weights sha256', 'execution provider'],
        provenance.backbones.map((backbone) => [backbone.name, backbone.description, backbone.weightsHash, backbone.executionProvider]),
      ),
    );
  }
  return lines;
}

/** A Markdown table: cells kept on one line, `|` escaped. */
export function markdownTable(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)];
}

function escapeCell(text: string): string {
  return escapeInline(text).replace(/\|/g, '\\|');
}

/**
 * Free text (names, labels, reasons) as Markdown shows it literally: on one line, and with `&`, `<` and `>` as
 * entities, so that a label such as `<img src=x onerror=…>` stays text in any renderer that passes HTML through.
 */
export function escapeInline(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
