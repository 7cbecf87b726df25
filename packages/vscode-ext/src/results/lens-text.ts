import type { CellResult, MetricValue, ResultRow, RunResults } from '@radprobe/core';
import { relativeTime } from './relative-time.js';

/** How protocol kinds and metric names are written for people; others are shown as they are. */
const kindLabels: Record<string, string> = { knn: 'kNN', linear: 'linear', logreg: 'logreg', fewshot: 'few-shot', seg: 'seg', peft: 'PEFT' };
const metricLabels: Record<string, string> = {
  auroc: 'AUROC',
  top1: 'top-1',
  accuracy: 'accuracy',
  balancedAccuracy: 'balanced accuracy',
  dice: 'Dice',
  iou: 'IoU',
  f1: 'F1',
};

const two = (value: number) => value.toFixed(2);

/**
 * "AUROC 0.71 [0.69, 0.73]"; the interval is left out when the metric has none, and one built from too few
 * resamples is never shown as an ordinary interval: "AUROC 0.71 (interval unreliable: built from 59 of 500
 * resamples; the others had no positives of Effusion (441))", the reasons after the first cut to "…" (the results
 * panel has them all).
 */
export function metricText(name: string, metric: MetricValue): string {
  const label = metricLabels[name] ?? name;
  return `${label} ${two(metric.value)}${intervalText(metric)}`;
}

function intervalText(metric: MetricValue): string {
  if (!metric.ci) return '';
  if (!metric.ci.unreliable) return ` [${two(metric.ci.low)}, ${two(metric.ci.high)}]`;
  const reasons = metric.ci.unreliable.split(', ');
  return ` (interval unreliable: ${reasons[0]}${reasons.length > 1 ? ', …' : ''})`;
}

/**
 * The row a cell's lens shows. A protocol that selects on VAL reports one TEST row: that one. With several TEST
 * rows (a grid such as kNN over k), the one whose setting did best on VAL, never the best on TEST (that would be
 * selecting on the test set); without VAL rows, the first TEST row, its setting shown beside it. A cell with no
 * TEST row shows its best VAL row.
 */
export function headlineRow(cell: CellResult): ResultRow | null {
  const result = cell.result;
  if (!result || result.rows.length === 0) return null;
  const score = (row: ResultRow) => row.metrics[result.primaryMetric]?.value ?? Number.NEGATIVE_INFINITY;
  const best = (rows: ResultRow[]) => rows.reduce((top, row) => (score(row) > score(top) ? row : top));
  const tested = result.rows.filter((row) => row.split === 'test');
  const validated = result.rows.filter((row) => row.split === 'val');
  if (tested.length === 0) return best(validated);
  if (tested.length === 1 || validated.length === 0) return tested[0];
  const selected = settingKey(best(validated).setting);
  return tested.find((row) => settingKey(row.setting) === selected) ?? tested[0];
}

const settingKey = (setting: ResultRow['setting']) =>
  JSON.stringify(Object.keys(setting).sort().map((key) => [key, setting[key]]));

const settingText = (row: ResultRow) =>
  Object.entries(row.setting)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');

/** One cell's summary, without the protocol: "AUROC 0.71 [0.69, 0.73] (k=20)", or its status and reason. */
export function cellSummary(cell: CellResult): string {
  if (cell.status !== 'completed') return `${cell.status}${cell.reason ? `: ${cell.reason}` : ''}`;
  const row = headlineRow(cell);
  const metric = row && cell.result ? row.metrics[cell.result.primaryMetric] : undefined;
  if (!row || !metric || !cell.result) return 'completed, no result';
  const setting = settingText(row);
  return `${metricText(cell.result.primaryMetric, metric)}${setting ? ` (${setting})` : ''}`;
}

/** The cells of one protocol entry, in the order of its lens titles. */
export function protocolLensCells(results: RunResults, protocolName: string): CellResult[] {
  return results.cells.filter((cell) => cell.protocol === protocolName);
}

/**
 * CodeLens titles for one protocol entry of a config: "kNN · AUROC 0.71 [0.69, 0.73] · 2 min ago" when the run had
 * one backbone and one dataset, one line per cell prefixed with "backbone × dataset" when it had several. Empty
 * when the run did not evaluate that protocol.
 */
export function protocolLensTitles(results: RunResults, protocolName: string, protocolKind: string, now: Date): string[] {
  const cells = protocolLensCells(results, protocolName);
  if (cells.length === 0) return [];
  const label = protocolName === protocolKind ? (kindLabels[protocolKind] ?? protocolKind) : protocolName;
  const when = relativeTime(new Date(results.finishedAt), now);
  return cells.map((cell) => {
    const where = cells.length > 1 ? `${cell.backbone} × ${cell.dataset} · ` : '';
    return `${label} · ${where}${cellSummary(cell)} · ${when}`;
  });
}
