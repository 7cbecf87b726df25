import { describe, expect, it } from 'vitest';
import { auroc, classificationDiagnostics, resamplingGroups } from '../src/index.js';
import { MAX_CURVE_POINTS, classCurves, downsampleCurve } from '../src/engine/metrics/curves.js';

const bootstrap = { samples: 200, confidence: 0.95, seed: 3 };
const itemsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, split: 'test' as const, source: `i${i}.png` }));

/** Area under a polyline drawn point to point (the trapezoid rule). */
function area(curve: { x: number[]; y: number[] }): number {
  let sum = 0;
  for (let i = 1; i < curve.x.length; i++) sum += ((curve.x[i] - curve.x[i - 1]) * (curve.y[i] + curve.y[i - 1])) / 2;
  return sum;
}

describe('classCurves', () => {
  // Scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.6 (neg): thresholds give TP/FP 1/0, 1/1, 2/1, 2/2.
  const scores = [0.9, 0.8, 0.7, 0.6];
  const positive = [1, 0, 1, 0];

  it('computes ROC, PR, AUROC and AP of a hand-worked case', () => {
    const curves = classCurves('Effusion', scores, positive)!;
    expect(curves).toMatchObject({ className: 'Effusion', positives: 2, negatives: 2 });
    expect(curves.roc).toEqual({ x: [0, 0, 0.5, 0.5, 1], y: [0, 0.5, 0.5, 1, 1] });
    // AUROC: 3 of the 4 positive–negative pairs ordered right.
    expect(curves.auroc).toBe(0.75);
    // AP = 0.5·1 + 0·0.5 + 0.5·(2/3) + 0·0.5.
    expect(curves.averagePrecision).toBeCloseTo(0.5 + 1 / 3, 12);
    // Precision 1 over recall (0, 0.5], 2/3 over (0.5, 1]; the zero-width steps at the thresholds 0.8 and 0.6 stay.
    expect(curves.pr).toEqual({ x: [0, 0.5, 0.5, 0.5, 1, 1], y: [1, 1, 0.5, 0.6667, 0.6667, 0.5] });
    expect(area(curves.roc)).toBeCloseTo(curves.auroc, 12);
  });

  it('joins tied scores by a diagonal (ties count one half)', () => {
    const curves = classCurves('x', [1, 1], [1, 0])!;
    expect(curves.roc).toEqual({ x: [0, 1], y: [0, 1] });
    expect(curves.auroc).toBe(0.5);
  });

  it('is null without positives or negatives', () => {
    expect(classCurves('x', [0.1, 0.2], [0, 0])).toBeNull();
    expect(classCurves('x', [0.1, 0.2], [1, 1])).toBeNull();
  });

  it('keeps at most 200 points per curve, its end points and its step shape, and the exact AUROC and AP of every score', () => {
    const n = 3000;
    const scores = Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453));
    const positive = Array.from({ length: n }, (_, i) => (scores[i] + ((i * 7) % 10) / 20 > 0.7 ? 1 : 0));
    const curves = classCurves('x', scores, positive)!;
    expect(curves.auroc).toBe(auroc(scores, positive));
    for (const curve of [curves.roc, curves.pr]) {
      expect(curve.x.length).toBeLessThanOrEqual(MAX_CURVE_POINTS);
      // Downsampled, not collapsed: about one step per 2 points survives.
      expect(curve.x.length).toBeGreaterThan(MAX_CURVE_POINTS / 4);
      for (let i = 1; i < curve.x.length; i++) {
        // Every segment is a step's rise or run, and recall / FPR never go back.
        expect(curve.x[i] === curve.x[i - 1] || curve.y[i] === curve.y[i - 1]).toBe(true);
        expect(curve.x[i]).toBeGreaterThanOrEqual(curve.x[i - 1]);
      }
    }
    expect([curves.roc.x[0], curves.roc.y[0], curves.roc.x.at(-1), curves.roc.y.at(-1)]).toEqual([0, 0, 1, 1]);
    expect([curves.pr.x[0], curves.pr.y[0], curves.pr.x.at(-1)]).toEqual([0, 1, 1]);
    expect(curves.pr.y.at(-1)).toBeCloseTo(positive.filter(Boolean).length / n, 4);
    // The drawn steps stay within a few hundredths of the exact area.
    expect(Math.abs(area(curves.roc) - curves.auroc)).toBeLessThan(0.02);
  });
});

describe('downsampleCurve', () => {
  it('drops the interior points of straight runs, losing nothing', () => {
    const points = [{ x: 0, y: 0 }, { x: 0, y: 0.5 }, { x: 0, y: 1 }, { x: 0.5, y: 1 }, { x: 0.5, y: 1 }, { x: 1, y: 1 }];
    expect(downsampleCurve(points)).toEqual([{ x: 0, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 1 }]);
  });

  it('replaces stretches by steps, rising first, between evenly spaced vertices (hand-worked)', () => {
    // A staircase of 7 corners and L1 length 6, cut to 5 points: 2 steps, so the vertices at length 0, 3 and 6.
    const stairs = [[0, 0], [0, 1], [1, 1], [1, 2], [2, 2], [2, 3], [3, 3]].map(([x, y]) => ({ x, y }));
    expect(downsampleCurve(stairs, 5)).toEqual([[0, 0], [0, 2], [1, 2], [1, 3], [3, 3]].map(([x, y]) => ({ x, y })));
  });
});

describe('classificationDiagnostics', () => {
  it('counts the confusion matrix and per-class sensitivity, specificity and PPV of a multiclass head (hand-worked)', () => {
    // Predictions (highest score, ties to the lower index): 0, 1, 1, 0, 2, 1 for labels 0, 0, 1, 1, 2, 2.
    const logits = Float32Array.from([2, 1, 0, 0, 3, 1, 0, 2, 1, 1, 1, 1, 0, 0, 5, 0, 1, 0]);
    const labels = Int32Array.from([0, 0, 1, 1, 2, 2]);
    const diagnostics = classificationDiagnostics({ task: 'multiclass', classes: ['a', 'b', 'c'] }, { outputs: 3, logits, truth: { labels } }, resamplingGroups(itemsOf(6)), bootstrap);
    expect(diagnostics.confusion).toEqual({ classes: ['a', 'b', 'c'], counts: [[1, 1, 0], [1, 1, 0], [0, 1, 1]] });
    expect(diagnostics.curves).toBeUndefined();
    const values = diagnostics.decisions!.map((entry) => [entry.className, entry.sensitivity?.value, entry.specificity?.value, entry.ppv?.value]);
    expect(values).toEqual([
      ['a', 1 / 2, 3 / 4, 1 / 2],
      ['b', 1 / 2, 2 / 4, 1 / 3],
      ['c', 1 / 2, 1, 1],
    ]);
    const interval = diagnostics.decisions![0].sensitivity!.ci!;
    expect(interval).toMatchObject({ unit: 'item', samples: 200 });
    expect(interval.low).toBeLessThanOrEqual(0.5);
    expect(interval.high).toBeGreaterThanOrEqual(0.5);
  });

  it('gives a binary head (one logit, decided above 0) its positive class curves and a 2 × 2 matrix', () => {
    const logits = Float32Array.from([-1, 2, -0.5, 0.5]);
    const labels = Int32Array.from([0, 1, 1, 0]);
    const diagnostics = classificationDiagnostics({ task: 'binary', classes: ['normal', 'effusion'] }, { outputs: 1, logits, truth: { labels } }, resamplingGroups(itemsOf(4)), bootstrap);
    expect(diagnostics.curves!.map((curve) => [curve.className, curve.auroc])).toEqual([['effusion', 0.75]]);
    expect(diagnostics.confusion!.counts).toEqual([[1, 1], [1, 1]]);
    expect(diagnostics.decision).toBe('effusion where its logit is above 0');
  });

  it('gives a multi-label head a curve per class with positives and negatives, none for the others', () => {
    const logits = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.7, 0.3]);
    const targets = Float32Array.from([1, 0, 0, 0, 1, 0]);
    const diagnostics = classificationDiagnostics({ task: 'multilabel', classes: ['A', 'B'] }, { outputs: 2, logits, truth: { targets } }, resamplingGroups(itemsOf(3)), bootstrap);
    expect(diagnostics.curves!.map((curve) => [curve.className, curve.positives, curve.negatives, curve.auroc])).toEqual([['A', 2, 1, 1]]);
    expect(diagnostics.confusion).toBeUndefined();
  });

  it('names the item of a label outside the classes', () => {
    expect(() =>
      classificationDiagnostics({ task: 'multiclass', classes: ['a', 'b'] }, { outputs: 2, logits: [1, 0], truth: { labels: [2] } }, resamplingGroups(itemsOf(1)), bootstrap),
    ).toThrow('label of item 0 is 2, not a class index in [0, 2)');
  });
});
