import { describe, expect, it } from 'vitest';
import { resolveSegOptions, segProtocol, SEG_LEARNING_RATES } from '../src/index.js';

describe('seg options', () => {
  it('defaults to the study grid, both decoders and Dice loss', () => {
    expect(resolveSegOptions({})).toEqual({
      decoders: ['linear', 'unet'],
      loss: 'dice',
      learningRates: SEG_LEARNING_RATES,
      epochs: 10,
      batchSize: 128,
      microBatchSize: 2,
      valFraction: 0.1,
      writeMasks: 4,
      finalTraining: 'train+val',
    });
    expect(SEG_LEARNING_RATES).toEqual([1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 1e-1]);
  });

  it('names the JSON pointer of a bad value', () => {
    expect(() => resolveSegOptions({ decoders: ['unet', 'fpn' as never] })).toThrow(/decoders\[1\] = fpn/);
    expect(() => resolveSegOptions({ epochs: 0 })).toThrow(/epochs = 0/);
    expect(() => resolveSegOptions({ loss: 'ce' as never })).toThrow(/loss = ce/);
    expect(() => resolveSegOptions({ finalTraining: 'val' as never })).toThrow(expect.objectContaining({ pointer: '/finalTraining' }));
  });

  it('asks for the patch tokens of 1 or 5 blocks, capped by the backbone, and for masks', () => {
    const backbone = { hasPatchTokens: true, exposedBlocks: [0, 1, 2, 3] } as never;
    expect(segProtocol.featureNeeds({ decoders: ['linear'] }, backbone, () => undefined)).toEqual({ clsBlocks: 0, patchMean: false, patchBlocks: 1, masks: true });
    expect(segProtocol.featureNeeds({}, backbone, () => undefined).patchBlocks).toBe(4);
  });
});
