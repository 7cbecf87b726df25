import { describe, expect, it } from 'vitest';
import { Random, type ResultRow } from '@radprobe/core';
import { linearProtocol, resolveLinearOptions } from '../src/index.js';
import { syntheticContext, syntheticItems } from './synthetic.js';

const CLASSES = ['a', 'b', 'c'];
const testRow = (rows: ResultRow[]) => rows.find((row) => row.split === 'test')!;

describe('linear option finalTraining', () => {
  const items = syntheticItems({ task: 'multilabel', classes: 3, counts: { train: 120, val: 60, test: 80 } });
  // VAL labels shuffled among VAL items: a refit that reads VAL learns something else, one that does not is unmoved.
  const random = new Random(3);
  const valLabels = random.shuffle(items.filter((item) => item.split === 'val').map((item) => item.labels!));
  let next = 0;
  const scrambledVal = items.map((item) => (item.split === 'val' ? { ...item, labels: valLabels[next++] } : item));
  // One candidate only, so the VAL scramble cannot change the choice, only the refit's training set.
  const single = { blocks: [1], avgpool: [false], learningRates: [0.05] };

  it('defaults to the spec’s TRAIN ∪ VAL and rejects other values with the pointer', () => {
    expect(resolveLinearOptions({}).finalTraining).toBe('train+val');
    expect(() => resolveLinearOptions({ finalTraining: 'val' as never })).toThrow('linear option finalTraining = val must be "train+val" or "train"');
  });

  for (const method of ['sgd', 'logreg'] as const) {
    it(`${method}: with 'train' the TEST result does not depend on VAL; with 'train+val' it does`, async () => {
      const options = { ...single, method, logregC: [1], logregMaxIterations: 100 };
      const run = async (finalTraining: 'train' | 'train+val', data: typeof items) =>
        testRow((await linearProtocol.run({ ...options, finalTraining }, syntheticContext('multilabel', CLASSES, data))).rows).metrics.auroc.value;
      expect(await run('train', scrambledVal)).toBe(await run('train', items));
      expect(await run('train+val', scrambledVal)).not.toBe(await run('train+val', items));
    });
  }

  it('says what the chosen head was retrained on', async () => {
    const result = await linearProtocol.run({ ...single, finalTraining: 'train' }, syntheticContext('multilabel', CLASSES, items));
    expect(result.notes.join('\n')).toContain('retrained fresh on TRAIN alone (VAL only chooses)');
  });
});
