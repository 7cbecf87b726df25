import { describe, expect, it } from 'vitest';
import type { BackboneContext } from '@radprobe/core';
import plugin, { radiomicsBackbone } from '../src/index.js';

const context: BackboneContext = { baseDir: '.', modelStoreDir: '.', device: 'auto', log: () => {} };

// A 4×4 gray image, 2×2 patches, 2 bins ([0, 0.5), [0.5, 1]).
const gray = [
  [0, 0, 1, 1],
  [0, 0, 1, 1],
  [0, 1, 0.5, 0.5],
  [1, 0, 0.5, 0.5],
].flat();
/** The image as the engine hands it over: `[1, 3, 4, 4]`, gray replicated into three channels. */
const pixels = Float32Array.from([...gray, ...gray, ...gray]);

// mean, std, skewness, excess kurtosis, energy, entropy (bits), mean gradient magnitude, bin shares.
// Gradients are forward differences on the whole image, 0 past its last row and column.
const expectedPatches = [
  [0, 0, 0, 0, 0, 0, (1 + Math.SQRT2) / 4, 1, 0],
  [1, 0, 0, 0, 1, 0, 0.25, 0, 1],
  [0.5, 0.5, 0, -2, 0.5, 1, (Math.SQRT2 + Math.sqrt(1.25) + 1 + 0.5) / 4, 0.5, 0.5],
  [0.5, 0, 0, 0, 0.25, 0, 0, 0, 1],
];
// Six 0s, six 1s, four 0.5s: m2 = 12 · 0.25 / 16, m4 = 12 · 0.0625 / 16.
const m2 = 0.1875;
const wholeGradient = expectedPatches.reduce((sum, patch) => sum + patch[6] * 4, 0) / 16;
const expectedCls = [0.5, Math.sqrt(m2), 0, 0.046875 / m2 ** 2 - 3, 7 / 16, -(0.375 * Math.log2(0.375) + 0.625 * Math.log2(0.625)), wholeGradient, 0.375, 0.625];

describe('radiomics backbone', () => {
  it('is what the package.json manifest declares', () => {
    expect(plugin.backbones?.map((factory) => factory.kind)).toEqual(['radiomics']);
  });

  it('describes the image as CLS and each patch as a token, matching hand-computed values', async () => {
    const backbone = await radiomicsBackbone.create({ patchSize: 2, bins: 2 }, context);
    expect(backbone.info).toMatchObject({ patchSize: 2, embedDim: 9, exposedBlocks: [0], hasPatchTokens: true, registerTokens: 0 });
    const batch = await backbone.embed(pixels, 1, 4, 4);
    expect(batch.grid).toEqual({ rows: 2, cols: 2 });
    expect(batch.cls).toHaveLength(1);
    [...batch.cls[0]].forEach((value, i) => expect(value, `cls[${i}]`).toBeCloseTo(expectedCls[i], 6));
    const tokens = batch.patch![0];
    expect(tokens).toHaveLength(4 * 9);
    expectedPatches.forEach((patch, p) => patch.forEach((value, i) => expect(tokens[p * 9 + i], `patch ${p}, feature ${i}`).toBeCloseTo(value, 6)));
  });

  it('describes every image of a batch on its own', async () => {
    const backbone = await radiomicsBackbone.create({ patchSize: 2, bins: 2 }, context);
    const flipped = Float32Array.from(pixels, (value) => 1 - value);
    const pair = await backbone.embed(Float32Array.from([...pixels, ...flipped]), 2, 4, 4);
    const single = await backbone.embed(pixels, 1, 4, 4);
    expect([...pair.cls[0].subarray(0, 9)]).toEqual([...single.cls[0]]);
    expect(pair.cls[0][9]).toBeCloseTo(0.5, 6);
    expect(pair.patch![0]).toHaveLength(2 * 4 * 9);
  });

  it('keys the cache by what the descriptor computes, not by its options', async () => {
    const a = await radiomicsBackbone.create({}, context);
    const b = await radiomicsBackbone.create({ bins: 16 }, context);
    expect(a.info.weightsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.info.weightsHash).toBe(a.info.weightsHash);
    expect(b.info.embedDim).toBe(7 + 16);
  });

  it('refuses CUDA and malformed batches with errors that say what to change', async () => {
    await expect(radiomicsBackbone.create({}, { ...context, device: 'cuda' })).rejects.toMatchObject({ pointer: '/device', message: expect.stringContaining('CPU only') });
    const backbone = await radiomicsBackbone.create({ patchSize: 2, bins: 2 }, context);
    await expect(backbone.embed(pixels, 2, 4, 4)).rejects.toThrow('radiomics: 48 pixel values do not make 2×3×4×4');
    await expect(backbone.embed(new Float32Array(3 * 3 * 3), 1, 3, 3)).rejects.toThrow('not a multiple of the patch size 2');
  });
});
