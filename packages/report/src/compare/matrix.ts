import { formatSetting, type CellResult, type MetricValue, type ProtocolResult, type ResultRow } from '@radprobe/core';
import { metricText, repetitionOf, type Repetition } from '../metric-text.js';
import { BackboneRows, type BackboneRow } from './backbone-rows.js';
import type { Difference } from './differences.js';
import { distinguishingKeys } from './distinguishing-keys.js';
import type { LoadedRun } from './load-runs.js';

/** A column of the matrix: one dataset × protocol, and one distinguishing setting where the protocol reports several. */
export interface MatrixColumn {
  key: string;
  /** The dataset × protocol family the column belongs to (its key; the columns of one family differ in setting). */
  family: string;
  dataset: string;
  protocol: string;
  protocolKind: string;
  /** The dataset's task, as the first run that has the dataset recorded it. */
  task: string;
  /** The keys and values that tell this column apart from the others of its dataset × protocol (empty for one). */
  setting: ResultRow['setting'];
  /** e.g. `unet` or `k=20`; empty for a family of one column. */
  settingText: string;
  /** e.g. `montgomery · seg (unet)` or `cxr · knn (k=20)`. */
  label: string;
  /** The primary metric (several joined by ` / ` where runs disagree and mixing was allowed). */
  metric: string;
}

/** One number of the matrix: the TEST primary metric of a backbone in a column, and where it came from. */
export interface MatrixEntry {
  metric: MetricValue;
  metricName: string;
  run: string;
  /** The TEST row it came from (its whole setting, trainable parameters where the backbone trained). */
  row: ResultRow;
  /** What the metric's spread is over: seeds, or the few-shot protocol's tries. */
  repetition: Repetition;
}

export interface ComparisonMatrix {
  backbones: BackboneRow[];
  /** Grouped by dataset (datasets in order of first appearance), then in the order the runs report them. */
  columns: MatrixColumn[];
  entry(backbone: BackboneRow, column: MatrixColumn): MatrixEntry | undefined;
  /** The cells of every run, each with its backbone's row (for figures that read cells, like the few-shot curves). */
  cells: Array<{ cell: CellResult; backbone: BackboneRow }>;
}

interface GroupCell {
  run: LoadedRun;
  cell: CellResult;
  result: Omit<ProtocolResult, 'artifacts'>;
  rows: ResultRow[];
  backbone: BackboneRow;
}

/** How the matrix shows a distinguishing setting: a string value alone (`unet`), others as `k=20`. */
function settingLabel(setting: ResultRow['setting']): string {
  return Object.entries(setting)
    .map(([key, value]) => (typeof value === 'string' ? value : formatSetting({ [key]: value })))
    .join(', ');
}

/**
 * Backbones as rows, dataset × protocol (× distinguishing setting) as columns, each entry a completed cell's TEST
 * primary metric. Returns the differences found on the way: a column whose cells use different primary metrics,
 * and a backbone × column reported by several runs (the last run given fills the matrix).
 */
export function buildMatrix(runs: readonly LoadedRun[]): { matrix: ComparisonMatrix; differences: Difference[] } {
  const backbones = new BackboneRows(runs);
  const groups = new Map<string, GroupCell[]>();
  for (const run of runs) {
    for (const cell of run.results.cells) {
      if (cell.status !== 'completed' || !cell.result) continue;
      const result = cell.result;
      const rows = result.rows.filter((row) => row.split === 'test' && row.metrics[result.primaryMetric]);
      if (!rows.length) continue;
      const key = JSON.stringify([cell.dataset, cell.protocol]);
      groups.set(key, [...(groups.get(key) ?? []), { run, cell, result, rows, backbone: backbones.of(run, cell.backbone) }]);
    }
  }

  const columns: MatrixColumn[] = [];
  const entries = new Map<string, MatrixEntry>();
  const differences: Difference[] = [];
  const firstRunOfMetric = new Map<string, Map<string, string>>();
  for (const cells of groups.values()) {
    const keys = distinguishingKeys(cells.map((cell) => cell.rows.map((row) => row.setting)));
    const { dataset, protocol, protocolKind } = cells[0].cell;
    const task = cells[0].run.results.datasets.find((summary) => summary.name === dataset)?.task ?? 'unknown';
    const groupColumns = new Map<string, MatrixColumn>();
    for (const { run, result, rows, backbone } of cells) {
      for (const row of rows) {
        const setting = Object.fromEntries(keys.filter((key) => key in row.setting).map((key) => [key, row.setting[key]]));
        const settingText = settingLabel(setting);
        const label = `${dataset} · ${protocol}${settingText ? ` (${settingText})` : ''}`;
        const key = JSON.stringify([dataset, protocol, keys.map((name) => row.setting[name] ?? null)]);
        let column = groupColumns.get(key);
        if (!column) {
          column = { key, family: JSON.stringify([dataset, protocol]), dataset, protocol, protocolKind, task, setting, settingText, label, metric: result.primaryMetric };
          groupColumns.set(key, column);
          columns.push(column);
        }
        const entryKey = JSON.stringify([backbone.key, column.key]);
        const earlier = entries.get(entryKey);
        const entry = { metric: row.metrics[result.primaryMetric], metricName: result.primaryMetric, run: run.dir, row, repetition: repetitionOf(row) };
        if (earlier && earlier.run !== run.dir) {
          differences.push({
            subject: `backbone "${backbone.label}" × "${label}"`,
            field: `TEST ${result.primaryMetric} (reported twice)`,
            first: { run: earlier.run, value: metricText(earlier.metric, earlier.repetition) },
            second: { run: run.dir, value: metricText(entry.metric, entry.repetition) },
          });
        }
        if (!earlier || earlier.run !== run.dir) entries.set(entryKey, entry);
        const metricRuns = firstRunOfMetric.get(column.key) ?? new Map<string, string>();
        firstRunOfMetric.set(column.key, metricRuns);
        if (!metricRuns.has(result.primaryMetric)) {
          const [reference] = metricRuns;
          if (reference) differences.push({ subject: `column "${label}"`, field: 'primary metric', first: { run: reference[1], value: reference[0] }, second: { run: run.dir, value: result.primaryMetric } });
          metricRuns.set(result.primaryMetric, run.dir);
          column.metric = [...metricRuns.keys()].join(' / ');
        }
      }
    }
  }

  const datasets = [...new Set(columns.map((column) => column.dataset))];
  const matrix: ComparisonMatrix = {
    backbones: backbones.rows,
    // Stable: within a dataset the columns keep the order the runs gave them.
    columns: datasets.flatMap((dataset) => columns.filter((column) => column.dataset === dataset)),
    entry: (backbone, column) => entries.get(JSON.stringify([backbone.key, column.key])),
    cells: runs.flatMap((run) => run.results.cells.map((cell) => ({ cell, backbone: backbones.of(run, cell.backbone) }))),
  };
  return { matrix, differences };
}
