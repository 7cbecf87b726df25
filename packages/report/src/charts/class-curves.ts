import type { ClassificationDiagnostics, ProtocolResult, ResultRow } from '@radprobe/core';
import type { ClassCurvesChart } from './chart-spec.js';
import { classColour } from './class-colours.js';

/**
 * The TEST row whose scores a cell's curves and confusion matrix show: the row chosen on VAL (`selected`), else
 * the first TEST row that has them (kNN's first k, few-shot's first shots value); null when no row has them.
 */
export function diagnosedRow(result: Pick<ProtocolResult, 'rows'>): (ResultRow & { classification: ClassificationDiagnostics }) | null {
  const rows = result.rows.filter((row): row is ResultRow & { classification: ClassificationDiagnostics } => row.split === 'test' && row.classification !== undefined);
  return rows.find((row) => row.setting.selected === true) ?? rows[0] ?? null;
}

/**
 * ROC and precision–recall charts of a row's TEST curves, a line per class in the class's colour (`classes` is
 * the dataset's class list), the legend giving each class's exact AUROC or AP. Empty when the row has no curves.
 */
export function classCurveCharts(diagnostics: ClassificationDiagnostics, classes: readonly string[]): ClassCurvesChart[] {
  const curves = diagnostics.curves ?? [];
  if (!curves.length) return [];
  const colourOf = (name: string) => classColour(Math.max(0, classes.indexOf(name)));
  return [
    { kind: 'class-curves', curve: 'roc', lines: curves.map((curve) => ({ label: `${curve.className} (AUROC ${curve.auroc.toFixed(3)})`, colour: colourOf(curve.className), ...curve.roc })) },
    { kind: 'class-curves', curve: 'pr', lines: curves.map((curve) => ({ label: `${curve.className} (AP ${curve.averagePrecision.toFixed(3)})`, colour: colourOf(curve.className), ...curve.pr })) },
  ];
}
