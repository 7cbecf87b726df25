import { describe, expect, it } from 'vitest';
import {
  classificationPrimaryMetric,
  classificationTestValues,
  classificationValidationValue,
  resamplingGroups,
  testRowAcrossSeeds,
} from '../src/index.js';

const bootstrap = { samples: 200, confidence: 0.95, seed: 3 };
const itemsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, split: 'test' as const, source: `i${i}.png` }));

describe('classification task metrics', () => {
  it('selects on macro AUROC for multi-label and binary tasks, top-1 for multiclass', () => {
    expect(classificationPrimaryMetric('multilabel')).toBe('auroc');
    expect(classificationPrimaryMetric('binary')).toBe('auroc');
    expect(classificationPrimaryMetric('multiclass')).toBe('top1');
  });

  it('scores VAL by the primary metric, and null when the logits are not finite', () => {
    // Binary, logits 0.9, 0.2, 0.4, 0.1 for labels 1, 0, 1, 0: positives {0.9, 0.4} beat negatives {0.2, 0.1} in all 4 pairs → 1.
    const binary = { outputs: 1, logits: Float32Array.of(0.9, 0.2, 0.4, 0.1), truth: { labels: Int32Array.of(1, 0, 1, 0) } };
    expect(classificationValidationValue({ task: 'binary', classes: ['no', 'yes'] }, binary)).toBe(1);
    // Multiclass, 3 classes: argmax rows are 2, 0, 1 against labels 2, 1, 1 → 2 of 3 right.
    const multiclass = { outputs: 3, logits: Float32Array.of(0, 1, 5, 3, 2, 1, 0, 4, 1), truth: { labels: Int32Array.of(2, 1, 1) } };
    expect(classificationValidationValue({ task: 'multiclass', classes: ['a', 'b', 'c'] }, multiclass)).toBeCloseTo(2 / 3, 12);
    // Multi-label, 2 classes: class a's positives score 0.8 > 0.3 (AUROC 1); class b's positive 0.1 < 0.6 (AUROC 0) → macro 0.5.
    const multilabel = { outputs: 2, logits: Float32Array.of(0.8, 0.1, 0.3, 0.6), truth: { targets: Float32Array.of(1, 1, 0, 0) } };
    expect(classificationValidationValue({ task: 'multilabel', classes: ['a', 'b'] }, multilabel)).toBe(0.5);
    expect(classificationValidationValue({ task: 'binary', classes: ['no', 'yes'] }, { ...binary, logits: Float32Array.of(NaN, 0, 1, 2) })).toBeNull();
  });

  it('reports every TEST metric of the task with intervals: balanced accuracy from logit > 0 for binary, top-5 from 5 classes', () => {
    const notes: string[] = [];
    const binary = { outputs: 1, logits: Float32Array.of(0.9, -0.2, -0.4, 0.1), truth: { labels: Int32Array.of(1, 0, 1, 0) } };
    const values = classificationTestValues({ task: 'binary', classes: ['no', 'yes'] }, binary, resamplingGroups(itemsOf(4)), bootstrap, notes);
    expect(Object.keys(values)).toEqual(['auroc', 'balancedAccuracy']);
    // Pairs (pos, neg): (0.9,-0.2) (0.9,0.1) (-0.4,-0.2)✗ (-0.4,0.1)✗ → 2/4. Predictions 1,0,0,1: recall 1/2 on each class → 0.5.
    expect(values.auroc.value).toBe(0.5);
    expect(values.balancedAccuracy.value).toBe(0.5);
    expect(values.auroc.ci).toMatchObject({ confidence: 0.95, samples: 200, unit: 'item' });

    const five = { outputs: 5, logits: Float32Array.of(5, 4, 3, 2, 1, 1, 2, 3, 4, 5), truth: { labels: Int32Array.of(4, 4) } };
    const multiclass = classificationTestValues({ task: 'multiclass', classes: ['a', 'b', 'c', 'd', 'e'] }, five, resamplingGroups(itemsOf(2)), bootstrap, []);
    // Row 0 ranks the true class e last, row 1 first: top-1 = 1/2; top-5 of 5 classes covers every class: 1.
    expect(Object.keys(multiclass)).toEqual(['top1', 'top5', 'balancedAccuracy']);
    expect(multiclass.top1.value).toBe(0.5);
    expect(multiclass.top5.value).toBe(1);
  });

  it("merges several seeds' runs: metrics over the seeds, agreeing keys kept, differing ones listed per seed, noted", () => {
    const runs = [{ auroc: { value: 0.7 } }, { auroc: { value: 0.8 } }];
    const merged = testRowAcrossSeeds([1, 2], runs, [{ blocks: 4, lr: 0.01 }, { blocks: 4, lr: 0.05 }], true);
    expect(merged.setting).toEqual({ blocks: 4, lr: '0.01 | 0.05', selected: true });
    // mean 0.75; sample std √((0.05² + 0.05²) / 1) = 0.0707…
    expect(merged.metrics.auroc.value).toBeCloseTo(0.75, 12);
    expect(merged.metrics.auroc.seeds!.std).toBeCloseTo(Math.SQRT2 * 0.05, 12);
    expect(merged.note).toBe('Seeds chose different settings on VAL: seed 1: {"blocks":4,"lr":0.01}; seed 2: {"blocks":4,"lr":0.05}.');
    const single = testRowAcrossSeeds([0], [{ top1: { value: 0.5 } }], [{ mode: 'lora' }], false);
    expect(single).toEqual({ setting: { mode: 'lora', selected: true }, metrics: { top1: { value: 0.5 } }, note: null });
  });
});
