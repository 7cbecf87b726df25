import { describe, expect, it } from 'vitest';
import { RadprobeError } from '../src/index.js';
import { fakePlugins, runFake, writeFakeConfig, type BackboneDefect } from './fake-run.js';

const prefix = 'backbone "net" (kind fake, @acme/radprobe-fake@1.2.0): embed returned a batch that does not match its BackboneInfo: ';

async function failureOf(defect: BackboneDefect, onBadItem: 'fail' | 'skip' = 'fail'): Promise<unknown> {
  const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'net', defect }], onBadItem });
  return runFake(dir, fakePlugins()).then(
    () => null,
    (error: unknown) => error,
  );
}

describe('every batch a backbone returns is checked against the BackboneInfo it declared', () => {
  // Batches of 2 images of 28 × 28 in 14-pixel patches (a 2 × 2 grid), 2 exposed blocks of width 4, 4 registers.
  it.each<[BackboneDefect, string]>([
    ['cls-short', 'cls[0] has 7 floats, expected 2 images × 4 (embedDim) = 8'],
    ['cls-long', 'cls[0] has 9 floats, expected 2 images × 4 (embedDim) = 8'],
    ['cls-empty', 'cls has 0 arrays, expected 2 (one per exposed block: exposedBlocks [0, 1])'],
    ['patch-short', 'patch[0] has 28 floats, expected 2 images × 2 × 2 patches × 4 (embedDim) = 32'],
    ['registers-left', 'patch[0] has 64 floats, expected 2 images × 2 × 2 patches × 4 (embedDim) = 32; that is 4 register tokens per image too many: registers must be removed'],
    ['batch-size', 'batchSize is 3, expected 2 (the images passed to embed)'],
  ])('%s: one error naming the plugin, the entry and the expected and received shape', async (defect, detail) => {
    const error = await failureOf(defect);
    expect(error).toBeInstanceOf(RadprobeError);
    expect((error as Error).message).toBe(prefix + detail);
  });

  it('blames the backbone, never an image, even when bad items are skipped', async () => {
    const error = await failureOf('patch-short', 'skip');
    expect((error as Error).message).toBe(`${prefix}patch[0] has 28 floats, expected 2 images × 2 × 2 patches × 4 (embedDim) = 32`);
  });

  it('still makes an item with non-finite features a bad item once the shapes are right', async () => {
    const error = await failureOf('nan-first-item');
    expect((error as Error).message).toBe('mem://memory/0: fake ViT gave non-finite features (NaN or Infinity) for this image (use --on-bad-item skip to leave such items out)');
  });
});
