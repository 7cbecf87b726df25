import { describe, expect, it } from 'vitest';
import type { Normalization, RawImage } from '../src/index.js';
import { RadprobeError } from '../src/index.js';
import { preprocessInto, resolvePreprocessing } from '../src/engine/index.js';

const IMAGENET: Normalization = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const DINO = { patchSize: 14, normalization: IMAGENET };
/** mean 0, std 1 leaves the [0, 1] scaled values visible. */
const IDENTITY: Normalization = { mean: [0, 0, 0], std: [1, 1, 1] };

function gray(width: number, height: number, values: number[], max = 255): RawImage {
  return { width, height, channels: 1, data: Float32Array.from(values), range: { min: 0, max } };
}

describe('resolvePreprocessing', () => {
  it('resolves the three presets of protocols.md', () => {
    const study = resolvePreprocessing('study', DINO);
    expect(study).toMatchObject({ resize: { mode: 'square', size: 224 }, centerCrop: null, scale: 'minmax', normalize: IMAGENET, outputSize: { height: 224, width: 224 }, notes: [] });
    const knn = resolvePreprocessing('study-knn', DINO);
    expect(knn).toMatchObject({ resize: { mode: 'square', size: 256 }, centerCrop: 224, scale: 'minmax', outputSize: { height: 224, width: 224 } });
    const upstream = resolvePreprocessing('upstream', DINO);
    expect(upstream).toMatchObject({ resize: { mode: 'shorter-side', size: 256 }, centerCrop: 224, scale: 'range', outputSize: { height: 224, width: 224 } });
    expect(new Set([study.description, knn.description, upstream.description]).size).toBe(3);
  });

  it('merges overrides over a preset (study when none is named) and uses explicit normalisation', () => {
    const big = resolvePreprocessing({ preset: 'study', resize: { mode: 'square', size: 448 } }, DINO);
    expect(big.outputSize).toEqual({ height: 448, width: 448 });
    const custom = resolvePreprocessing({ scale: 'range', normalize: IDENTITY }, DINO);
    expect(custom).toMatchObject({ resize: { mode: 'square', size: 224 }, scale: 'range', normalize: IDENTITY });
    const upstreamMinmax = resolvePreprocessing({ preset: 'upstream', scale: 'minmax' }, DINO);
    expect(upstreamMinmax).toMatchObject({ resize: { mode: 'shorter-side', size: 256 }, centerCrop: 224, scale: 'minmax' });
  });

  it('describes the pipeline as stable canonical JSON, independent of how the config was written', () => {
    const a = resolvePreprocessing('study', DINO).description;
    const b = resolvePreprocessing({ normalize: 'backbone', scale: 'minmax', preset: 'study' }, { normalization: { std: IMAGENET.std, mean: IMAGENET.mean }, patchSize: 14 }).description;
    expect(a).toBe(b);
    expect(JSON.parse(a)).toEqual({
      centerCrop: null,
      interpolation: 'bicubic-antialias-keys-a-0.5',
      normalize: { mean: IMAGENET.mean, std: IMAGENET.std },
      outputSize: { height: 224, width: 224 },
      resize: { mode: 'square', size: 224 },
      scale: 'minmax',
    });
  });

  it('rounds sides to the nearest multiple of the patch size and says so', () => {
    // 230 / 14 = 16.4 → 16 patches = 224.
    const rounded = resolvePreprocessing({ resize: { mode: 'square', size: 230 } }, DINO);
    expect(rounded.outputSize).toEqual({ height: 224, width: 224 });
    expect(rounded.notes).toEqual(['preprocessing: resize size 230 is not a multiple of the patch size 14; used 224']);
    // 5 / 14 rounds to 0 patches; at least one patch is kept.
    expect(resolvePreprocessing({ resize: { mode: 'square', size: 5 } }, DINO).outputSize.width).toBe(14);
    // A crop of 231 = 16.5 patches rounds to 17 (238), larger than the 231 resize: one patch less, 224.
    const crop = resolvePreprocessing({ resize: { mode: 'square', size: 231 }, centerCrop: 231 }, DINO);
    expect(crop).toMatchObject({ resize: { size: 231 }, centerCrop: 224, outputSize: { width: 224 } });
    expect(crop.notes).toEqual(['preprocessing: centre crop 231 is not a multiple of the patch size 14; used 224']);
    // A backbone without patches (CNN) takes any side.
    expect(resolvePreprocessing({ resize: { mode: 'square', size: 230 } }, { patchSize: 0, normalization: IMAGENET }).notes).toEqual([]);
  });

  it('rejects unknown presets, bad sides, crops larger than the resize and uncropped shorter-side resizes', () => {
    expect(() => resolvePreprocessing('nope' as 'study', DINO)).toThrow(/unknown preset "nope"/);
    expect(() => resolvePreprocessing({ resize: { mode: 'square', size: 0 } }, DINO)).toThrow(/\/preprocessing\/resize\/size must be a positive integer/);
    expect(() => resolvePreprocessing({ centerCrop: 300 }, DINO)).toThrow(RadprobeError);
    expect(() => resolvePreprocessing({ preset: 'upstream', centerCrop: null }, DINO)).toThrow(/shorter-side.*needs a centerCrop/);
  });
});

describe('preprocessInto', () => {
  it('resizes, min–max scales and normalises a gray image, replicated to 3 channels', () => {
    // Upscaling [[0, 34], [34, 68]] to 4×4 gives r[x] + r[y] with r = [-3, 986/140, 34 - 986/140, 37]
    // (see image-resample.test.ts): min -6, max 74, so x → (x + 6) / 80, then (· - mean_c) / std_c.
    const normalization: Normalization = { mean: [0, 0.5, 0.25], std: [1, 0.5, 2] };
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 4 }, normalize: normalization }, { patchSize: 2, normalization: IMAGENET });
    const out = new Float32Array(1 + 3 * 16);
    preprocessInto(gray(2, 2, [0, 34, 34, 68]), resolved, out, 1);
    const r = [-3, 986 / 140, 34 - 986 / 140, 37];
    for (let channel = 0; channel < 3; channel++) {
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 4; x++) {
          const unit = (r[x] + r[y] + 6) / 80;
          const expected = (unit - normalization.mean[channel]) / normalization.std[channel];
          expect(out[1 + channel * 16 + y * 4 + x]).toBeCloseTo(expected, 5);
        }
      }
    }
    expect(out[0]).toBe(0);
  });

  it('scales a constant channel to 0 before normalising (no NaN)', () => {
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 2 }, normalize: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } }, { patchSize: 1, normalization: IMAGENET });
    const out = new Float32Array(12);
    preprocessInto(gray(3, 3, new Array(9).fill(42)), resolved, out, 0);
    // (0 - 0.5) / 0.25 = -2 everywhere.
    expect(Array.from(out)).toEqual(new Array(12).fill(-2));
  });

  it('upstream: shorter side to `size`, longer truncated, centre crop offset by round-half-even, divide by the nominal max', () => {
    // A 7×2 image resized with shorter side 2 keeps 7×2 (int(2·7/2) = 7): identity. The crop of 2 starts at
    // round((7 - 2) / 2) = round(2.5) = 2 (Python rounds half to even), so columns 2 and 3 remain.
    const resolved = resolvePreprocessing({ preset: 'upstream', resize: { mode: 'shorter-side', size: 2 }, centerCrop: 2, normalize: IDENTITY }, { patchSize: 1, normalization: IMAGENET });
    const values = [0, 10, 20, 30, 40, 50, 60, 5, 15, 25, 35, 45, 55, 65];
    const out = new Float32Array(12);
    preprocessInto(gray(7, 2, values, 100), resolved, out, 0);
    const plane = [20, 30, 25, 35].map((value) => value / 100);
    for (let channel = 0; channel < 3; channel++) {
      Array.from(out.subarray(channel * 4, channel * 4 + 4)).forEach((value, index) => expect(value).toBeCloseTo(plane[index], 6));
    }
  });

  it('keeps RGB channels apart and min–max scales each on its own', () => {
    const image: RawImage = { width: 2, height: 1, channels: 3, data: Float32Array.from([0, 5, 7, 10, 5, 9]), range: { min: 0, max: 255 } };
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 2 }, normalize: IDENTITY }, { patchSize: 1, normalization: IMAGENET });
    const out = new Float32Array(12);
    // Resizing 2×1 to 2×2 duplicates the row (vertical upscaling of one row); per channel min–max:
    // R [0, 10] → [0, 1]; G constant → 0; B [7, 9] → [0, 1].
    preprocessInto(image, resolved, out, 0);
    expect(Array.from(out)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]);
  });

  it('refuses a range scale for an image without a nominal range, and a too small buffer', () => {
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 2 }, scale: 'range' }, { patchSize: 1, normalization: IMAGENET });
    const noRange: RawImage = { width: 1, height: 1, channels: 1, data: Float32Array.from([-1000]) };
    expect(() => preprocessInto(noRange, resolved, new Float32Array(12), 0)).toThrow(/nominal range/);
    expect(() => preprocessInto(gray(1, 1, [0]), resolved, new Float32Array(12), 1)).toThrow(/cannot hold \[3, 2, 2\] at offset 1/);
  });

  it('brings a 1024×1024 8-bit gray image to 224×224 with every value finite (speed: bench/extract.mjs)', () => {
    const image = gray(1024, 1024, Array.from({ length: 1024 * 1024 }, (_, index) => (index * 2654435761) % 256));
    const out = new Float32Array(3 * 224 * 224);
    preprocessInto(image, resolvePreprocessing('study', DINO), out, 0);
    expect(out.every(Number.isFinite)).toBe(true);
  });
});

describe('preprocessInto: input values', () => {
  it('refuses an image with NaN or infinite values, so that the item, not the model, is blamed', () => {
    const image = gray(2, 2, [0, Number.NaN, 255, Number.POSITIVE_INFINITY]);
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 14 } }, DINO);
    expect(() => preprocessInto(image, resolved, new Float32Array(3 * 14 * 14), 0)).toThrow(new RadprobeError('the image contains NaN/Inf values (2 of 4)'));
  });
});

describe('preprocessInto on integer samples', () => {
  it('gives the same bits from a Uint8Array, Uint16Array or Float32Array of the same values', () => {
    const width = 97;
    const height = 61;
    const values = Array.from({ length: width * height * 3 }, (_, index) => (index * 7919) % 256);
    const image = (data: RawImage['data'], channels: 1 | 3): RawImage => ({ width, height, channels, data, range: { min: 0, max: 255 } });
    for (const config of [{ preset: 'study' as const }, { preset: 'upstream' as const, resampling: 'pil-uint8' as const }, { preset: 'study' as const, scale: 'range' as const }]) {
      const resolved = resolvePreprocessing(config, DINO);
      const size = 3 * resolved.outputSize.width * resolved.outputSize.height;
      for (const channels of [1, 3] as const) {
        const samples = values.slice(0, width * height * channels);
        const fromFloats = new Float32Array(size);
        preprocessInto(image(Float32Array.from(samples), channels), resolved, fromFloats, 0);
        for (const data of [Uint8Array.from(samples), Uint16Array.from(samples)]) {
          const fromIntegers = new Float32Array(size);
          preprocessInto(image(data, channels), resolved, fromIntegers, 0);
          expect(fromIntegers).toEqual(fromFloats);
        }
      }
    }
  });
});
