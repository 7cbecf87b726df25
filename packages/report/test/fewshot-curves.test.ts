import type { RunResults } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { fewshotCurveCharts } from '../src/charts/fewshot-curves.js';
import { fewshotCells, fixtureResults } from './fixtures.js';

describe('fewshotCurveCharts', () => {
  it('puts shots on x (counts ascending, "all" last) and one line per backbone with mean ± std per point', () => {
    // Numbers from fixtures.ts: vits14 0.62 ± 0.02, 0.71 ± 0.03, 0.80; vitb14 0.66 ± 0.01, no 4-shot row, 0.85.
    expect(fewshotCurveCharts(fixtureResults())).toEqual([
      {
        kind: 'fewshot-curve',
        dataset: 'nih-mini',
        protocol: 'fewshot',
        metric: 'auroc',
        axis: 'shots (patients per class)',
        shots: ['1', '4', 'all'],
        series: [
          { label: 'dinov2-vits14', points: [{ mean: 0.62, std: 0.02, tries: 3 }, { mean: 0.71, std: 0.03, tries: 3 }, { mean: 0.8, std: 0, tries: 1 }] },
          { label: 'dinov2-vitb14', points: [{ mean: 0.66, std: 0.01, tries: 3 }, null, { mean: 0.85, std: 0, tries: 1 }] },
        ],
        // Points and bars span 0.60 (0.62 − 0.02) … 0.85; a margin of one step (0.05) each side.
        valueAxis: { min: 0.55, max: 0.9 },
      },
    ]);
  });

  it('splits a backbone by the wrapped setting (kNN k), keeps datasets apart and sorts shots numerically', () => {
    const point = (value: number) => ({ auroc: { value } });
    const run: RunResults = {
      ...fixtureResults(),
      cells: [
        ...fewshotCells,
        {
          backbone: 'dinov2-vits14',
          dataset: 'cxr-folder',
          protocol: 'fewshot-knn',
          protocolKind: 'fewshot',
          status: 'completed',
          durationMs: 1,
          result: {
            primaryMetric: 'auroc',
            rows: [
              { setting: { shots: 16, unit: 'image', k: 3 }, split: 'test', metrics: point(0.7) },
              { setting: { shots: 2, unit: 'image', k: 3 }, split: 'test', metrics: point(0.6) },
              { setting: { shots: 2, unit: 'image', k: 10 }, split: 'test', metrics: point(0.55) },
            ],
            notes: [],
            skipped: [],
          },
        },
      ],
    };
    const charts = fewshotCurveCharts(run);
    expect(charts.map((chart) => [chart.dataset, chart.protocol])).toEqual([
      ['nih-mini', 'fewshot'],
      ['cxr-folder', 'fewshot-knn'],
    ]);
    expect(charts[1].shots).toEqual(['2', '16']);
    expect(charts[1].series).toEqual([
      { label: 'dinov2-vits14 · k=3', points: [{ mean: 0.6, std: 0, tries: 1 }, { mean: 0.7, std: 0, tries: 1 }] },
      { label: 'dinov2-vits14 · k=10', points: [{ mean: 0.55, std: 0, tries: 1 }, null] },
    ]);
  });

  it('says on the x axis what shots count, from the rows\' unit, and never puts two units on one chart', () => {
    const cell = (backbone: string, unit: string, values: number[]) => ({
      backbone,
      dataset: 'cxr-folder',
      protocol: 'fewshot',
      protocolKind: 'fewshot',
      status: 'completed' as const,
      durationMs: 1,
      result: {
        primaryMetric: 'auroc',
        rows: values.map((value, at) => ({ setting: { shots: 2 ** at, unit }, split: 'test' as const, metrics: { auroc: { value } } })),
        notes: [],
        skipped: [],
      },
    });
    const charts = fewshotCurveCharts({ cells: [cell('a', 'per-class', [0.6, 0.7]), cell('b', 'per-class', [0.65, 0.75]), cell('c', 'image', [0.5])] });
    expect(charts.map((chart) => [chart.axis, chart.shots, chart.series.map((series) => series.label)])).toEqual([
      ['shots (images per class)', ['1', '2'], ['a', 'b']],
      ['shots (images in total)', ['1'], ['c']],
    ]);
  });

  it('draws nothing for a run without few-shot cells', () => {
    const run = fixtureResults();
    expect(fewshotCurveCharts({ ...run, cells: run.cells.filter((cell) => cell.protocolKind !== 'fewshot') })).toEqual([]);
  });
});
