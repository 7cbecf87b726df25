/** Metrics that live in [0, 1]: every primary metric radprobe's protocols report, and the per-class ones beside them. */
const UNIT_INTERVAL_METRICS = new Set(['auroc', 'ap', 'top1', 'top5', 'accuracy', 'balanced_accuracy', 'f1', 'dice', 'iou', 'sensitivity', 'specificity', 'ppv', 'npv']);

/** Axis bounds of a chart; null leaves that end to Chart.js (a metric whose range radprobe does not know). */
export interface AxisBounds {
  min: number | null;
  max: number | null;
}

/** Ticks land on multiples of this, so that an axis reads 0.55 … 0.90 rather than 0.5731 … 0.8962. */
const STEP = 0.05;

/**
 * The value axis of a line chart of `metric` over `values` (points and the ends of their error bars): the data's
 * span with a tenth of it (at least one step) as margin, widened to whole steps, and never beyond the metric's range
 * ([0, 1] for AUROC, accuracy, Dice, IoU …), so that Dice never runs below 0 nor AUROC above 1. Where the metric
 * name joins several (`auroc / top1`, runs that disagree) each must be known to be bounded.
 */
export function metricAxis(metric: string, values: readonly number[]): AxisBounds {
  const bounded = metric.split(' / ').every((name) => UNIT_INTERVAL_METRICS.has(name));
  if (!bounded || !values.length) return { min: bounded ? 0 : null, max: bounded ? 1 : null };
  const low = Math.min(...values);
  const high = Math.max(...values);
  const margin = Math.max((high - low) / 10, STEP);
  // 0.6 − 0.05 is 0.5499999999999999 in binary: a hair of slack keeps it on the step 0.55, and the result is rounded
  // to hundredths so that no 0.15000000000000002 reaches a tick label.
  const slack = 1e-9;
  const snap = (steps: number) => Number((steps * STEP).toFixed(2));
  return { min: Math.max(0, snap(Math.floor((low - margin) / STEP + slack))), max: Math.min(1, snap(Math.ceil((high + margin) / STEP - slack))) };
}
