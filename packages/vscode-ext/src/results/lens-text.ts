import type { CellResult, MetricValue, ResultRow } from '@radprobe/core';
import type { LatestCellResult } from './latest-by-cell.js';
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

/**
 * The decimals a value's interval supports: down to the first significant digit of its half-width (0.7149 with
 * [0.6851, 0.7349], ± 0.025: two; ± 0.004: three; ± 0.2: one), at most four. Two without an interval, or with one
 * too unreliable to go by.
 */
export function decimalsFor(metric: MetricValue): number {
  const ci = metric.ci;
  if (!ci || ci.unreliable) return 2;
  const halfWidth = (ci.high - ci.low) / 2;
  if (!(halfWidth > 0)) return 4;
  return Math.min(4, Math.max(0, Math.ceil(-Math.log10(halfWidth))));
}

/**
 * "AUROC 0.71 [0.69, 0.73]", rounded as `decimalsFor` says; the interval is left out when the metric has none,
 * and one built from too few resamples is never shown as an ordinary interval: "AUROC 0.71 (interval unreliable:
 * built from 59 of 500 resamples; the others had no positives of Effusion (441))", the reasons after the first cut
 * to "…" (the results panel has them all).
 */
export function metricText(name: string, metric: MetricValue): string {
  const label = metricLabels[name] ?? name;
  const decimals = decimalsFor(metric);
  return `${label} ${metric.value.toFixed(decimals)}${intervalText(metric, decimals)}`;
}

function intervalText(metric: MetricValue, decimals: number): string {
  if (!metric.ci) return '';
  if (!metric.ci.unreliable) return ` [${metric.ci.low.toFixed(decimals)}, ${metric.ci.high.toFixed(decimals)}]`;
  const reasons = metric.ci.unreliable.split(', ');
  return ` (interval unreliable: ${reasons[0]}${reasons.length > 1 ? ', …' : ''})`;
}

/**
 * The row a cell's lens shows: the TEST row the protocol selected on VAL (`selected: true`). Without that mark,
 * with several TEST rows (a grid such as kNN over k), the one whose setting did best on VAL, never the best on
 * TEST (that would be selecting on the test set); without VAL rows, the first TEST row, its setting shown beside
 * it. A cell with no TEST row shows its best VAL row.
 */
export function headlineRow(cell: CellResult): ResultRow | null {
  const result = cell.result;
  if (!result || result.rows.length === 0) return null;
  const score = (row: ResultRow) => row.metrics[result.primaryMetric]?.value ?? Number.NEGATIVE_INFINITY;
  const best = (rows: ResultRow[]) => rows.reduce((top, row) => (score(row) > score(top) ? row : top));
  const tested = result.rows.filter((row) => row.split === 'test');
  const validated = result.rows.filter((row) => row.split === 'val');
  if (tested.length === 0) return best(validated);
  const marked = tested.find((row) => row.setting.selected === true);
  if (marked) return marked;
  if (tested.length === 1 || validated.length === 0) return tested[0];
  const selected = settingKey(best(validated).setting);
  return tested.find((row) => settingKey(row.setting) === selected) ?? tested[0];
}

const settingKey = (setting: ResultRow['setting']) =>
  JSON.stringify(Object.keys(setting).sort().map((key) => [key, setting[key]]));

/** "k=20, metric=cosine": the row's setting, without the `selected` mark (which row it is says that already). */
const settingText = (row: ResultRow) =>
  Object.entries(row.setting)
    .filter(([key]) => key !== 'selected')
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');

/** The headline metric, "AUROC 0.71 [0.69, 0.73]", or the cell's status and reason; no setting. */
function headlineText(cell: CellResult): string {
  if (cell.status !== 'completed') return `${cell.status}${cell.reason ? `: ${cell.reason}` : ''}`;
  const row = headlineRow(cell);
  const metric = row && cell.result ? row.metrics[cell.result.primaryMetric] : undefined;
  return metric && cell.result ? metricText(cell.result.primaryMetric, metric) : 'completed, no result';
}

/** One cell's summary, without the protocol: "AUROC 0.71 [0.69, 0.73] (k=20)", or its status and reason. */
export function cellSummary(cell: CellResult): string {
  const row = cell.status === 'completed' ? headlineRow(cell) : null;
  const setting = row ? settingText(row) : '';
  return `${headlineText(cell)}${setting ? ` (${setting})` : ''}`;
}

/** The headline value a cell ranks by among an entry's cells; failed and skipped cells rank last. */
function headlineValue(cell: CellResult): number {
  const row = cell.status === 'completed' ? headlineRow(cell) : null;
  return (row && cell.result ? row.metrics[cell.result.primaryMetric]?.value : undefined) ?? Number.NEGATIVE_INFINITY;
}

/** The cell with the highest headline value (the first of equals); a failed or skipped one only when none completed. */
export function bestResult(latest: readonly LatestCellResult[]): LatestCellResult | undefined {
  if (latest.length === 0) return undefined;
  return latest.reduce((top, candidate) => (headlineValue(candidate.cell) > headlineValue(top.cell) ? candidate : top));
}

/** How a protocol entry is named in its lens: its name, or the kind's label when the name is the kind. */
export const entryLabel = (protocolName: string, protocolKind: string) => (protocolName === protocolKind ? (kindLabels[protocolKind] ?? protocolKind) : protocolName);

const shortened = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/** One line of an entry's details: "vit × nih: AUROC 0.71 [0.69, 0.73] (k=20) · run 20250101-100000-aaaa, 2 min ago". */
export function cellDetail(latest: LatestCellResult, now: Date): string {
  return `${latest.cell.backbone} × ${latest.cell.dataset}: ${cellSummary(latest.cell)} · run ${latest.runId}, ${relativeTime(latest.finishedAt, now)}`;
}

/**
 * The one CodeLens of a protocol entry, from the latest result of each of its cells (from whichever run):
 * "kNN · AUROC 0.71 [0.69, 0.73] · 2 min ago" for one cell; with several, the best one (highest primary metric; a
 * failed or skipped cell only when none completed), where it is, and how many more: "kNN · vit × nih: AUROC 0.71
 * [0.69, 0.73] · +3 more (1 failed) · 2 min ago", the age being the best cell's. Undefined when no cell has a result.
 */
export function entryLensTitle(label: string, latest: readonly LatestCellResult[], now: Date): string | undefined {
  if (latest.length === 0) return undefined;
  const best = bestResult(latest)!;
  const where = latest.length > 1 ? `${best.cell.backbone} × ${best.cell.dataset}: ` : '';
  const failed = latest.filter((entry) => entry.cell.status === 'failed' && entry !== best).length;
  const more = latest.length > 1 ? ` · +${latest.length - 1} more${failed ? ` (${failed} failed)` : ''}` : '';
  return `${label} · ${where}${shortened(headlineText(best.cell), 80)}${more} · ${relativeTime(best.finishedAt, now)}`;
}

const markdownEscaped = (text: string) => text.replace(/[\\`*_[\]|<>]/g, (character) => `\\${character}`);

/**
 * An entry's details for its hover: a table of every cell's latest metric and interval (with the setting), the
 * run it comes from and its age, in the entry's cell order.
 */
export function entryDetailsMarkdown(label: string, latest: readonly LatestCellResult[], now: Date): string {
  const rows = latest.map(
    (entry) =>
      `| ${markdownEscaped(`${entry.cell.backbone} × ${entry.cell.dataset}`)} | ${markdownEscaped(cellSummary(entry.cell))} | ${markdownEscaped(entry.runId)} | ${relativeTime(entry.finishedAt, now)} |`,
  );
  return [`**${markdownEscaped(label)}**: latest result of each cell`, '', '| cell | result | run | age |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
