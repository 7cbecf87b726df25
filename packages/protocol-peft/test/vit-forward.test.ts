import { trainingBackend } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { buildVit } from '../src/vit/index.js';
import { maxAbsDifference, randomPixels, referenceFeatures, tinySpec, vitWeightsOf } from './vit-fixture.js';

const tf = await trainingBackend();

describe('the tfjs ViT forward against the testkit reference (float64 JavaScript)', () => {
  const sizes = [
    { name: 'the trained grid (no interpolation)', height: 16, width: 16 },
    { name: 'a larger non-square grid (bicubic upsampling)', height: 20, width: 12 },
    { name: 'a smaller grid (bicubic downsampling)', height: 8, width: 12 },
  ];
  for (const registers of [0, 4]) {
    for (const { name, height, width } of sizes) {
      it(`matches within 1e-4 with ${registers} registers at ${height}×${width}, ${name}`, () => {
        const spec = tinySpec({ registers });
        const batch = 2;
        const pixels = randomPixels(batch * 3 * height * width, height * 100 + width + registers);
        const model = buildVit(tf, vitWeightsOf(spec), { mode: 'full' }, 1);
        const input = tf.tensor4d(pixels, [batch, 3, height, width]);
        const { cls, patchMean } = model.forward(input, null);
        const expected = referenceFeatures(spec, pixels, batch, height, width);
        expect(cls.shape).toEqual([batch, spec.embedDim]);
        expect(maxAbsDifference(cls.dataSync(), expected.cls)).toBeLessThan(1e-4);
        expect(maxAbsDifference(patchMean.dataSync(), expected.patchMean)).toBeLessThan(1e-4);
        tf.dispose([cls, patchMean, input]);
        model.dispose();
      });
    }
  }
});
