import type { ProtocolResult, ResultRow } from '@radprobe/core';
import { classCurveCharts } from '../src/charts/class-curves.js';
import { overviewCharts } from '../src/charts/overview.js';
import { settingCurveChart } from '../src/charts/setting-curve.js';
import { describe, expect, it } from 'vitest';
import { perClassCharts } from '../src/charts/per-class.js';
import { seedSpreadChart } from '../src/charts/seed-spread.js';
import { valGridChart } from '../src/charts/val-grid.js';
import { fixtureResults, hostileLabel } from './fixtures.js';

const [linear, knn] = fixtureResults().cells.map((cell) => cell.result as ProtocolResult);

describe('valGridChart', () => {
  const grid = valGridChart(linear);

  it('puts lr on one axis (ascending) and the other varying settings on the other, leaving seed out', () => {
    expect(grid?.metric).toBe('auroc');
    expect(grid?.lrs).toEqual(['0.001', '0.005', '0.01', '0.05']);
    expect(grid?.combos).toEqual(['blocks=1, avgpool=false', 'blocks=1, avgpool=true', 'blocks=4, avgpool=false', 'blocks=4, avgpool=true']);
    expect(grid?.squares).toHaveLength(16);
  });

  it('averages each head over its seeds', () => {
    // valAuroc = 0.70 + 0.02·[blocks=4] + 0.01·avgpool + lrBonus + 0.001·seed; seeds 0, 1, 2 average to +0.001.
    // blocks=4, avgpool=true, lr=0.01: 0.70 + 0.02 + 0.01 + 0.05 + 0.001 = 0.781 (the maximum).
    // blocks=1, avgpool=false, lr=0.001: 0.70 + 0.001 = 0.701 (the minimum).
    // blocks=1, avgpool=true, lr=0.05: 0.70 + 0.01 + 0.01 + 0.001 = 0.721.
    const square = (combo: string, lr: string) => grid?.squares.find((candidate) => candidate.combo === combo && candidate.lr === lr);
    expect(square('blocks=4, avgpool=true', '0.01')?.value).toBeCloseTo(0.781, 12);
    expect(square('blocks=1, avgpool=false', '0.001')?.value).toBeCloseTo(0.701, 12);
    expect(square('blocks=1, avgpool=true', '0.05')?.value).toBeCloseTo(0.721, 12);
    expect(square('blocks=1, avgpool=true', '0.05')?.rows).toBe(3);
    expect(grid?.min).toBeCloseTo(0.701, 12);
    expect(grid?.max).toBeCloseTo(0.781, 12);
  });

  it('colours by value within the grid and marks the head the TEST row reports', () => {
    const best = grid?.squares.find((square) => square.value === grid.max);
    const worst = grid?.squares.find((square) => square.value === grid.min);
    expect(best?.colour).toBe('#fde725');
    expect(worst?.colour).toBe('#440154');
    expect(grid?.squares.filter((square) => square.selected).map((square) => [square.combo, square.lr])).toEqual([['blocks=4, avgpool=true', '0.01']]);
  });

  it('is null for a cell without VAL rows or where only lr varies', () => {
    expect(valGridChart(knn)).toBeNull();
    const lrOnly: ProtocolResult = {
      ...linear,
      rows: linear.rows.filter((row) => row.split === 'val' && row.setting.blocks === 4 && row.setting.avgpool === true),
    };
    expect(valGridChart(lrOnly)).toBeNull();
  });
});

describe('perClassCharts', () => {
  it('draws one series per row with per-class values, with gaps where a class is undefined', () => {
    expect(perClassCharts(linear)).toEqual([
      { kind: 'per-class', metric: 'auroc', classes: ['Atelectasis', hostileLabel, 'Effusion'], series: [{ label: 'test: blocks=4, avgpool=true, lr=0.01, selected=true', values: [0.75, 0.9, null] }] },
    ]);
    expect(perClassCharts(knn)).toEqual([]);
  });
});

describe('seedSpreadChart', () => {
  it('lists each metric that ran over seeds with every seed value', () => {
    expect(seedSpreadChart(linear)).toEqual({
      kind: 'seed-spread',
      entries: [{ label: 'test: blocks=4, avgpool=true, lr=0.01, selected=true · auroc', seeds: [0, 1, 2], values: [0.79, 0.8, 0.81], mean: 0.8, std: 0.01 }],
    });
    expect(seedSpreadChart(knn)).toBeNull();
  });
});

describe('settingCurveChart', () => {
  it('draws kNN\'s TEST metric against k, ascending, nothing marked chosen, unreliable intervals flagged', () => {
    const chart = settingCurveChart(knn, 'knn')!;
    expect(chart).toMatchObject({ axis: 'k (neighbours)', metric: 'TEST top1', labels: ['5', '10', '20'] });
    expect(chart.points.map((point) => [point.value, point.low, point.high, point.unreliable, point.chosen])).toEqual([
      [0.775, 0.675, 0.8625, false, false],
      [0.7, 0.6, 0.8, false, false],
      [0.5625, 0.4625, 0.675, true, false],
    ]);
  });

  it('draws logistic regression\'s VAL metric against C, averaged over seeds, the C the TEST row reports marked', () => {
    const val = (C: number, seed: number, value: number): ResultRow => ({ setting: { C, seed }, split: 'val', metrics: { auroc: { value } } });
    const logreg: ProtocolResult = {
      primaryMetric: 'auroc',
      rows: [
        { setting: { C: 0.1, selected: true }, split: 'test', metrics: { auroc: { value: 0.8 } } },
        val(10, 0, 0.7), val(0.1, 0, 0.82), val(0.001, 0, 0.6),
        val(10, 1, 0.72), val(0.1, 1, 0.84), val(0.001, 1, 0.62),
      ],
      notes: [],
      skipped: [],
    };
    const chart = settingCurveChart(logreg, 'linear')!;
    expect(chart).toMatchObject({ axis: 'C (inverse L2 strength)', metric: 'VAL auroc', labels: ['0.001', '0.1', '10'] });
    expect(chart.points.map((point) => [Number(point.value.toFixed(6)), point.chosen])).toEqual([[0.61, false], [0.83, true], [0.71, false]]);
    // The SGD grid (lr, no C) has no such curve: its heat map shows it.
    expect(settingCurveChart(linear, 'linear')).toBeNull();
  });
});

describe('overviewCharts', () => {
  it('has a chart per primary metric, a bar per cell (per setting where none is chosen), failed cells left out', () => {
    const charts = overviewCharts(fixtureResults());
    expect(charts.map((chart) => [chart.metric, chart.categories.length])).toEqual([['auroc', 6], ['top1', 3]]);
    expect(charts[0].categories[0]).toBe('dinov2-vits14 × nih-mini × linear');
    expect(charts[0].series[0].bars[0]).toEqual({ mean: 0.8, std: 0.01, low: 0.78, high: 0.82 });
  });
});

describe('downsampled curves drawn per class', () => {
  it('gives each class one colour across ROC and PR, the legend its exact AUROC and AP', () => {
    const test = linear.rows.find((row) => row.classification)!;
    const [roc, pr] = classCurveCharts(test.classification!, ['Atelectasis', hostileLabel, 'Effusion']);
    expect(roc.lines.map((line) => line.colour)).toEqual(pr.lines.map((line) => line.colour));
    expect(pr.lines.map((line) => line.label)).toEqual(['Atelectasis (AP 0.700)', `${hostileLabel} (AP 0.800)`]);
  });
});
