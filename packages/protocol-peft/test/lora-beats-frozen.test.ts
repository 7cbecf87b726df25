import { trainingBackend } from '@radprobe/core';
import { linearProtocol } from '@radprobe/protocol-linear';
import { memoryProtocolContext } from '@radprobe/testkit';
import { describe, expect, it } from 'vitest';
import { peftProtocol } from '../src/index.js';
import { buildVit } from '../src/vit/index.js';
import { SIDE, blindClsWeights, memoryTrainable, stripesContext, stripesTask } from './peft-fixture.js';

const tf = await trainingBackend();

/** The frozen backbone's final CLS token of every item, as the feature cache would hold it. */
function frozenCls(images: readonly Float32Array[]): number[][] {
  const vit = buildVit(tf, blindClsWeights(), { mode: 'bitfit' }, 0);
  const pixels = tf.tensor4d(Float32Array.from(images.flatMap((image) => Array.from(image))), [images.length, 3, SIDE, SIDE]);
  const { cls, patchMean } = vit.forward(pixels, null);
  const rows = cls.arraySync() as number[][];
  tf.dispose([pixels, cls, patchMean]);
  vit.dispose();
  return rows;
}

describe('LoRA against the frozen linear probe (issue 6, point 6)', () => {
  // Stripe orientation under noise, on a backbone whose frozen CLS token sees no image content (value projections
  // zero): the frozen features differ between images only by float rounding, LoRA on qkv can learn to pass it on.
  for (const dataSeed of [1, 2]) {
    it(`LoRA reaches a TEST AUROC ≥ 0.95 where both frozen linear probes and the frozen reference stay near chance (data seed ${dataSeed})`, async () => {
      const task = stripesTask({ train: 96, val: 32, test: 96 }, { amplitude: 0.5, noise: 1, seed: dataSeed });
      const cls = frozenCls(task.pixels);
      const spread = Math.max(...cls.flatMap((row) => row.map((value, c) => Math.abs(value - cls[0][c]))));
      expect(spread).toBeLessThan(1e-4);
      const frozen = memoryProtocolContext({ task: 'binary', classes: ['horizontal', 'vertical'], items: task.items, cls: cls.map((row) => [row]), bootstrap: { samples: 50, confidence: 0.95 } });
      const sgd = await linearProtocol.run({ avgpool: [false] }, frozen);
      const logreg = await linearProtocol.run({ method: 'logreg' }, frozen);
      const { context } = stripesContext(task, { trainable: memoryTrainable(blindClsWeights()) });
      const peft = await peftProtocol.run(
        { modes: ['lora'], loraLearningRates: [0.05], lora: { rank: 8 }, epochs: 10, batchSize: 16, augmentation: { randomResizedCrop: false, horizontalFlip: false } },
        context,
      );
      const lora = peft.rows[0].metrics.auroc.value;
      // The protocol's own frozen reference (the same head and training on the frozen forward) is blind too.
      const reference = peft.rows.find((row) => row.split === 'test' && row.setting.mode === 'frozen')!;
      for (const probe of [sgd.rows[0], logreg.rows[0], reference]) {
        expect(probe.metrics.auroc.value).toBeLessThan(0.7);
        expect(lora - probe.metrics.auroc.value).toBeGreaterThan(0.3);
      }
      expect(lora).toBeGreaterThanOrEqual(0.95);
    });
  }
});
