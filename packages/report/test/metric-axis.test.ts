import { describe, expect, it } from 'vitest';
import { metricAxis } from '../src/charts/metric-axis.js';

describe('metricAxis', () => {
  it('spans the data with a margin of a tenth of its span, at least one 0.05 step, on whole steps', () => {
    // 0.60 … 0.85: span 0.25, margin max(0.025, 0.05) = 0.05, so 0.55 … 0.90.
    expect(metricAxis('auroc', [0.6, 0.85, 0.7])).toEqual({ min: 0.55, max: 0.9 });
    // 0.1 … 0.9: margin 0.08, so 0.02 … 0.98 widened to whole steps: 0.00 … 1.00.
    expect(metricAxis('top1', [0.1, 0.9])).toEqual({ min: 0, max: 1 });
  });

  it('never leaves the metric\'s range: Dice never below 0, AUROC never above 1', () => {
    // A bar 0.02 ± 0.04 reaches −0.02; the axis still starts at 0.
    expect(metricAxis('dice', [-0.02, 0.06, 0.1])).toEqual({ min: 0, max: 0.15 });
    expect(metricAxis('auroc', [0.97, 1.03])).toEqual({ min: 0.9, max: 1 });
    expect(metricAxis('auroc / top1', [0.5])).toEqual({ min: 0.45, max: 0.55 });
    expect(metricAxis('dice', [])).toEqual({ min: 0, max: 1 });
  });

  it('leaves an unknown metric\'s axis to the chart', () => {
    expect(metricAxis('hausdorff95', [3, 12])).toEqual({ min: null, max: null });
    expect(metricAxis('auroc / hausdorff95', [0.5])).toEqual({ min: null, max: null });
  });
});
