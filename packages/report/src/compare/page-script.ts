/// <reference lib="dom" />
import type { Chart } from 'chart.js';
import type { RankingChoice, RankingInput, rankAcrossTasks } from './ranking.js';

/** What the comparison page's script reads, as JSON in the page (`comparePageDataId`). */
export interface ComparePageData {
  matrix: {
    /** Per matrix column, in column order: what the pickers match it by. */
    columns: Array<{ dataset: string; protocol: string; setting: string }>;
    /** With more columns than this and several datasets, the matrix opens on its first dataset. */
    columnsShownAtOnce: number;
  };
  ranking: {
    input: RankingInput;
    /** The canvas of the rank scatter; null where the page has none (no segmentation or no classification family). */
    canvasId: string | null;
  };
}

export const comparePageDataId = 'radprobe-compare-data';

/**
 * Runs in compare.html, not in Node: the page inlines this function's source and calls it with `rankAcrossTasks`
 * (the very function compare.md's ranking comes from), Chart.js and the page's data, so it must use nothing from
 * outside its own body. It wires the matrix pickers (dataset, protocol, setting: columns that do not match are
 * hidden, group headers span what is left) and the ranking's per-family choice (the table, the list of what each
 * family counts with and the rank scatter are recomputed). Strings from the runs reach the page only as
 * `textContent`; the markup itself is written, escaped, in Node.
 */
export function compareInteractions(rank: typeof rankAcrossTasks, ChartLibrary: typeof Chart, data: ComparePageData): void {
  const select = (id: string) => document.getElementById(id) as HTMLSelectElement | null;

  function showColumns(): void {
    const [dataset, protocol, setting] = ['matrix-dataset', 'matrix-protocol', 'matrix-setting'].map((id) => select(id)?.value ?? '');
    const shown = data.matrix.columns.map(
      (column) => (dataset === '' || column.dataset === dataset) && (protocol === '' || column.protocol === protocol) && (setting === '' || column.setting === setting),
    );
    document.querySelectorAll<HTMLElement>('table.matrix [data-col]').forEach((cell) => {
      cell.hidden = !shown[Number(cell.dataset.col)];
    });
    document.querySelectorAll<HTMLTableCellElement>('table.matrix [data-cols]').forEach((cell) => {
      const span = (cell.dataset.cols ?? '').split(' ').filter((index) => shown[Number(index)]).length;
      cell.hidden = span === 0;
      cell.colSpan = Math.max(span, 1);
    });
    const empty = document.getElementById('matrix-empty');
    if (empty) empty.hidden = shown.some(Boolean);
  }

  const rankText = (value: number | null) => (value === null ? '–' : value.toFixed(2));
  function showRanking(): void {
    const choice: RankingChoice = {};
    document.querySelectorAll<HTMLSelectElement>('select[data-family]').forEach((picker) => {
      const value = picker.value;
      choice[picker.dataset.family ?? ''] = value === 'best' || value === 'off' ? value : Number(value);
    });
    const outcome = rank(data.ranking.input, choice);
    document.querySelectorAll<HTMLTableRowElement>('#ranking-table tbody tr[data-backbone]').forEach((row) => {
      const ranks = outcome.ranks[Number(row.dataset.backbone)];
      const segmentation = row.querySelector('[data-kind="segmentation"]');
      const classification = row.querySelector('[data-kind="classification"]');
      if (segmentation) segmentation.textContent = rankText(ranks.segmentation);
      if (classification) classification.textContent = rankText(ranks.classification);
    });
    outcome.families.forEach((use, index) => {
      const status = document.querySelector(`[data-family-use="${index}"]`);
      if (status) status.textContent = use.used === null ? `not counted: ${use.skipped}` : `counted with ${use.used}`;
    });
    const outside = data.ranking.input.backbones.filter((_, b) => outcome.ranks[b].segmentation === null || outcome.ranks[b].classification === null);
    const missing = document.getElementById('ranking-missing');
    if (missing) {
      missing.hidden = outside.length === 0;
      missing.textContent = `Not in the figure (ranked on one kind of task only, or on none): ${outside.join(', ')}.`;
    }
    const chart = data.ranking.canvasId === null ? undefined : ChartLibrary.getChart(data.ranking.canvasId);
    if (chart) {
      chart.data.datasets.forEach((dataset, b) => {
        const { segmentation, classification } = outcome.ranks[b];
        dataset.data = segmentation === null || classification === null ? [] : [{ x: segmentation, y: classification }];
      });
      chart.update('none');
    }
  }

  const datasets = [...new Set(data.matrix.columns.map((column) => column.dataset))];
  const datasetPicker = select('matrix-dataset');
  if (datasetPicker && datasets.length > 1 && data.matrix.columns.length > data.matrix.columnsShownAtOnce) datasetPicker.value = datasets[0];
  ['matrix-dataset', 'matrix-protocol', 'matrix-setting'].forEach((id) => select(id)?.addEventListener('change', showColumns));
  document.querySelectorAll<HTMLSelectElement>('select[data-family]').forEach((picker) => picker.addEventListener('change', showRanking));
  showColumns();
  showRanking();
}
