import { formatSetting, type CellResult, type ProtocolResult, type RunResults } from '@radprobe/core';
import type { FewshotCurveChart } from './chart-spec.js';

/** The setting keys of a few-shot row that place it on the curve rather than name its series. */
const curveKeys = new Set(['shots', 'unit']);

/** Shots labels in curve order: counts ascending, then "all". */
function shotsOrder(values: Iterable<string | number | boolean>): string[] {
  const distinct = [...new Set([...values].map(String))];
  const counts = distinct.filter((value) => value !== 'all').sort((a, b) => Number(a) - Number(b));
  return distinct.includes('all') ? [...counts, 'all'] : counts;
}

/**
 * One chart per dataset × few-shot protocol entry: its primary metric (TEST) against shots, one line per
 * backbone (per backbone and wrapped setting, e.g. kNN's `k`, where the wrapped protocol reports several), the
 * point at the mean over tries with ± std as its error bar. Cells of other protocols are ignored.
 */
export function fewshotCurveCharts(results: Pick<RunResults, 'cells'>): FewshotCurveChart[] {
  const groups = new Map<string, CellResult[]>();
  for (const cell of results.cells) {
    if (cell.protocolKind !== 'fewshot' || cell.status !== 'completed' || !cell.result) continue;
    const key = JSON.stringify([cell.dataset, cell.protocol]);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  return [...groups.values()].map((cells) => {
    const cellResults = cells.map((cell) => cell.result as ProtocolResult);
    const metric = cellResults[0].primaryMetric;
    const rowsOf = (result: ProtocolResult) => result.rows.filter((row) => row.split === 'test' && 'shots' in row.setting && row.metrics[metric]);
    const shots = shotsOrder(cellResults.flatMap((result) => rowsOf(result).map((row) => row.setting.shots)));
    const series: FewshotCurveChart['series'] = [];
    cells.forEach((cell, c) => {
      const lines = new Map<string, FewshotCurveChart['series'][number]>();
      for (const row of rowsOf(cellResults[c])) {
        const rest = formatSetting(Object.fromEntries(Object.entries(row.setting).filter(([key]) => !curveKeys.has(key))));
        const label = rest ? `${cell.backbone} · ${rest}` : cell.backbone;
        const line = lines.get(label) ?? { label, points: shots.map(() => null) };
        const value = row.metrics[metric];
        line.points[shots.indexOf(String(row.setting.shots))] = { mean: value.value, std: value.seeds?.std ?? 0, tries: value.seeds?.values.length ?? 1 };
        lines.set(label, line);
      }
      series.push(...lines.values());
    });
    return { kind: 'fewshot-curve', dataset: cells[0].dataset, protocol: cells[0].protocol, metric, shots, series };
  });
}
