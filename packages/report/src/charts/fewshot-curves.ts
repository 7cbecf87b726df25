import { formatSetting, type CellResult, type ProtocolResult, type ResultRow, type RunResults } from '@radprobe/core';
import type { FewshotCurveChart } from './chart-spec.js';
import { metricAxis } from './metric-axis.js';

/** The setting keys of a few-shot row that place it on the curve rather than name its series. */
const curveKeys = new Set(['shots', 'unit']);

/** What shots count under each unit the few-shot protocol writes into its rows' setting. */
const UNIT_MEANINGS: Record<string, string> = { patient: 'patients per class', image: 'images in total', 'per-class': 'images per class' };

/** The x axis title of rows of `unit`: what their shots count (rows without a unit say only "shots"). */
function axisOf(unit: string | undefined): string {
  return unit === undefined ? 'shots' : `shots (${UNIT_MEANINGS[unit] ?? unit})`;
}

/** Shots labels in curve order: counts ascending, then "all". */
function shotsOrder(values: Iterable<string | number | boolean>): string[] {
  const distinct = [...new Set([...values].map(String))];
  const counts = distinct.filter((value) => value !== 'all').sort((a, b) => Number(a) - Number(b));
  return distinct.includes('all') ? [...counts, 'all'] : counts;
}

const unitOf = (row: ResultRow): string | undefined => (row.setting.unit === undefined ? undefined : String(row.setting.unit));

/**
 * One chart per dataset × few-shot protocol entry × unit: its primary metric (TEST) against shots, one line per
 * backbone (per backbone and wrapped setting, e.g. kNN's `k`, where the wrapped protocol reports several), the point
 * at the mean over tries with ± std as its error bar; the x axis says what shots count (the rows' `unit`), and rows
 * of different units never share a chart; the y axis spans the points and bars within the metric's range. Cells of other protocols are ignored.
 */
export function fewshotCurveCharts(results: Pick<RunResults, 'cells'>): FewshotCurveChart[] {
  const groups = new Map<string, CellResult[]>();
  for (const cell of results.cells) {
    if (cell.protocolKind !== 'fewshot' || cell.status !== 'completed' || !cell.result) continue;
    const key = JSON.stringify([cell.dataset, cell.protocol]);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  return [...groups.values()].flatMap((cells) => {
    const metric = (cells[0].result as ProtocolResult).primaryMetric;
    const rowsOf = (cell: CellResult) => (cell.result as ProtocolResult).rows.filter((row) => row.split === 'test' && 'shots' in row.setting && row.metrics[metric]);
    const units = [...new Set(cells.flatMap((cell) => rowsOf(cell).map(unitOf)))];
    return units.map((unit): FewshotCurveChart => {
      const rowsOfUnit = (cell: CellResult) => rowsOf(cell).filter((row) => unitOf(row) === unit);
      const shots = shotsOrder(cells.flatMap((cell) => rowsOfUnit(cell).map((row) => row.setting.shots)));
      const series: FewshotCurveChart['series'] = [];
      for (const cell of cells) {
        const lines = new Map<string, FewshotCurveChart['series'][number]>();
        for (const row of rowsOfUnit(cell)) {
          const rest = formatSetting(Object.fromEntries(Object.entries(row.setting).filter(([key]) => !curveKeys.has(key))));
          const label = rest ? `${cell.backbone} · ${rest}` : cell.backbone;
          const line = lines.get(label) ?? { label, points: shots.map(() => null) };
          const value = row.metrics[metric];
          line.points[shots.indexOf(String(row.setting.shots))] = { mean: value.value, std: value.seeds?.std ?? 0, tries: value.seeds?.values.length ?? 1 };
          lines.set(label, line);
        }
        series.push(...lines.values());
      }
      const drawn = series.flatMap((line) => line.points.flatMap((point) => (point ? [point.mean - point.std, point.mean + point.std] : [])));
      return { kind: 'fewshot-curve', dataset: cells[0].dataset, protocol: cells[0].protocol, metric, axis: axisOf(unit), shots, series, valueAxis: metricAxis(metric, drawn) };
    });
  });
}
