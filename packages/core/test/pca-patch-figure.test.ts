import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { patchPca, pcaImagePng, type PatchGrid } from '../src/engine/index.js';

const close = (actual: ArrayLike<number>, expected: readonly number[], digits = 6) => {
  expect(Array.from(actual)).toHaveLength(expected.length);
  expected.forEach((value, index) => expect(actual[index]).toBeCloseTo(value, digits));
};

/** Two 2 × 2 images of 4-dimensional tokens; half the patches are "object". */
function halfObjectImages(): PatchGrid[] {
  const background = [0, 0, 0, 0];
  // Objects sit 10 along e₁ with zero-mean offsets ±1 along e₂ and ±2 along e₃.
  const o1 = [10, 1, 0, 0];
  const o2 = [10, -1, 0, 0];
  const o3 = [10, 0, 2, 0];
  const o4 = [10, 0, -2, 0];
  const image = (...patches: number[][]): PatchGrid => ({ grid: { rows: 2, cols: 2 }, dim: 4, data: Float32Array.from(patches.flat()) });
  return [image(o1, background, o3, background), image(background, o2, background, o4)];
}

describe('patchPca', () => {
  it('masks the object half and colours it by the foreground components', () => {
    // All 8 patches: mean (5, 0, 0, 0); centred, objects are (5, ±1, 0, 0), (5, 0, ±2, 0) and background (−5, 0, 0, 0).
    // The covariance (divisor 7) is diagonal: 200/7, 2/7, 8/7, 0 along e₁..e₄, so the first component is e₁ with a
    // share 200/210, then e₃ (8/210), e₂ (2/210). Objects project to +5, background to −5: both sides reach 5, and
    // `auto` takes the positive side on a tie.
    const figure = patchPca(halfObjectImages(), { threshold: 0, foreground: 'auto' });
    expect(figure.side).toBe('positive');
    expect(figure.cut).toBe(0);
    expect(figure.patches).toBe(8);
    expect(figure.foregroundPatches).toBe(4);
    close(figure.allPatchesExplainedVariance, [200 / 210, 8 / 210, 2 / 210]);
    expect(Array.from(figure.images[0].foreground)).toEqual([1, 0, 1, 0]);
    expect(Array.from(figure.images[1].foreground)).toEqual([0, 1, 0, 1]);
    // Objects alone: centred (0, ±1, 0, 0), (0, 0, ±2, 0); variances (divisor 3) 8/3 along e₃, 2/3 along e₂, shares
    // 0.8 and 0.2. Red is the e₃ coordinate (o3 +2, o4 −2, others 0 → 1, 0, 0.5), green the e₂ one (o1 +1, o2 −1 →
    // 1, 0, 0.5 for the rest); the third component carries no variance: blue is 0.
    close(figure.explainedVariance, [0.8, 0.2, 0]);
    close(figure.images[0].rgb, [0.5, 1, 0, 0, 0, 0, 1, 0.5, 0, 0, 0, 0]);
    close(figure.images[1].rgb, [0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0.5, 0]);
  });

  it('takes the background side when told to', () => {
    const figure = patchPca(halfObjectImages(), { threshold: 0, foreground: 'negative' });
    expect(figure.side).toBe('negative');
    expect(Array.from(figure.images[0].foreground)).toEqual([0, 1, 0, 1]);
    // Identical background tokens: every colour component is constant over the foreground and scales to 0.
    expect(Array.from(figure.images[0].rgb).every((value) => value === 0)).toBe(true);
  });

  describe('the threshold on the first component', () => {
    // One 1 × 5 image whose tokens vary along e₁ only, with values s = (−3, −2, 1, 2, 2) (mean 0): the first
    // component is e₁ and each patch projects to its s.
    const line: PatchGrid[] = [{ grid: { rows: 1, cols: 5 }, dim: 3, data: Float32Array.from([-3, -2, 1, 2, 2].flatMap((s) => [s, 0, 0])) }];
    const mask = (options: Parameters<typeof patchPca>[1]) => {
      const figure = patchPca(line, options);
      return { side: figure.side, cut: figure.cut, mask: Array.from(figure.images[0].foreground) };
    };

    it('auto picks the side reaching furthest (−3 beats +2), and the threshold is a share of its extreme', () => {
      expect(mask({ threshold: 0, foreground: 'auto' })).toEqual({ side: 'negative', cut: 0, mask: [1, 1, 0, 0, 0] });
      // cut 0.5 · 3 = 1.5: −s = 3 and 2 pass.
      expect(mask({ threshold: 0.5, foreground: 'auto' })).toEqual({ side: 'negative', cut: 1.5, mask: [1, 1, 0, 0, 0] });
      // cut 0.7 · 3 = 2.1: only −s = 3 passes.
      expect(mask({ threshold: 0.7, foreground: 'auto' }).mask).toEqual([1, 0, 0, 0, 0]);
    });

    it('positive keeps values strictly above the cut', () => {
      // cut 0.5 · 2 = 1: s = 2, 2 pass, s = 1 does not.
      expect(mask({ threshold: 0.5, foreground: 'positive' })).toEqual({ side: 'positive', cut: 1, mask: [0, 0, 0, 1, 1] });
    });
  });

  it('rejects patches that do not vary, a bad threshold, and mismatched images, saying what is wrong', () => {
    const flat: PatchGrid = { grid: { rows: 1, cols: 2 }, dim: 3, data: new Float32Array(6).fill(1) };
    expect(() => patchPca([flat])).toThrow(/no patch lies above the threshold 0 on the positive side/);
    expect(() => patchPca(halfObjectImages(), { threshold: 1, foreground: 'auto' })).toThrow(/threshold must be in \[0, 1\), got 1/);
    expect(() => patchPca([halfObjectImages()[0], flat])).toThrow(/image 1 has 6 values, expected 2 patches of 4/);
    expect(() => patchPca([])).toThrow(/no images/);
  });
});

describe('pcaImagePng', () => {
  const image = { grid: { rows: 2, cols: 2 }, foreground: Uint8Array.from([1, 0, 1, 1]), rgb: Float32Array.from([1, 0, 0, 0, 0, 0, 0, 1, 0, 0.5, 0.5, 1]) };

  it('draws each patch over its cell by nearest neighbour', () => {
    const png = PNG.sync.read(Buffer.from(pcaImagePng(image, { size: { height: 4, width: 4 } })));
    expect([png.width, png.height]).toEqual([4, 4]);
    const pixel = (x: number, y: number) => Array.from(png.data.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 3));
    // 4 px for 2 patches: pixels 0–1 belong to patch 0, 2–3 to patch 1; 0.5 · 255 = 127.5 rounds to 128.
    expect([pixel(0, 0), pixel(1, 1), pixel(2, 0), pixel(0, 2), pixel(3, 3)]).toEqual([[255, 0, 0], [255, 0, 0], [0, 0, 0], [0, 255, 0], [128, 128, 255]]);
  });

  it('puts the input in gray on the left, its normalisation undone', () => {
    // Normalised with mean 0.5 and std 0.25: stored (g − 0.5) / 0.25 for gray g = 0, 0.2, 1 → bytes 0, 51, 255.
    const plane = [0, 0.2, 1, 1].map((gray) => (gray - 0.5) / 0.25);
    const pixels = Float32Array.from([...plane, ...plane, ...plane]);
    const normalization = { mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.25, 0.25, 0.25] as [number, number, number] };
    const png = PNG.sync.read(Buffer.from(pcaImagePng(image, { size: { height: 2, width: 2 }, input: { pixels, normalization } })));
    expect([png.width, png.height]).toEqual([4, 2]);
    const row = (y: number) => Array.from({ length: 4 }, (_, x) => Array.from(png.data.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 3)));
    expect(row(0)).toEqual([[0, 0, 0], [51, 51, 51], [255, 0, 0], [0, 0, 0]]);
    expect(row(1)).toEqual([[255, 255, 255], [255, 255, 255], [0, 255, 0], [128, 128, 255]]);
  });

  it('rejects a size smaller than the grid and an input of the wrong size', () => {
    expect(() => pcaImagePng(image, { size: { height: 1, width: 4 } })).toThrow(/cannot draw a 2 × 2 patch grid at 1 × 4 pixels/);
    const normalization = { mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
    expect(() => pcaImagePng(image, { size: { height: 2, width: 2 }, input: { pixels: new Float32Array(3), normalization } })).toThrow(/expected \[3, 2, 2\]/);
  });
});
