import { describe, expect, it } from 'vitest';
import { type ResultRow } from '../src/index.js';
import { cellSummary } from '../src/engine/index.js';

const metric = (value: number) => ({ top1: { value, ci: { low: value - 0.1, high: value + 0.1, confidence: 0.95, samples: 100, unit: 'item' as const } } });

describe('cellSummary', () => {
  it('speaks for the TEST row the protocol selected on VAL, not the first row, and names its setting', () => {
    const rows: ResultRow[] = [
      { setting: { lr: 0.1 }, split: 'val', metrics: metric(0.9) },
      { setting: { lr: 0.01 }, split: 'val', metrics: metric(0.8) },
      { setting: { lr: 0.1, selected: true }, split: 'test', metrics: metric(0.7) },
    ];
    expect(cellSummary({ primaryMetric: 'top1', rows })).toEqual({ summary: 'top1 0.700 [0.600, 0.800]', setting: 'lr=0.1' });
  });

  it('takes the first TEST row when nothing is selected (kNN over k), and has no setting for a single-row protocol', () => {
    const grid: ResultRow[] = [
      { setting: { k: 10 }, split: 'test', metrics: metric(0.7) },
      { setting: { k: 20 }, split: 'test', metrics: metric(0.75) },
    ];
    expect(cellSummary({ primaryMetric: 'top1', rows: grid })).toEqual({ summary: 'top1 0.700 [0.600, 0.800]', setting: 'k=10' });
    expect(cellSummary({ primaryMetric: 'top1', rows: [{ setting: {}, split: 'test', metrics: metric(0.5) }] })).toEqual({ summary: 'top1 0.500 [0.400, 0.600]' });
    expect(cellSummary({ primaryMetric: 'dice', rows: [] })).toEqual({ summary: 'no dice value' });
  });
});
