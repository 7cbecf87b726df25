import { describe, expect, it } from 'vitest';
import type { Normalization, RawImage } from '../src/index.js';
import { preprocessInto, resolvePreprocessing } from '../src/engine/index.js';
import { Random } from '../src/engine/util/random.js';

const IMAGENET: Normalization = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** Keys' cubic, a = -0.5. */
function cubic(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return 1.5 * t ** 3 - 2.5 * t ** 2 + 1;
  if (t < 2) return -0.5 * t ** 3 + 2.5 * t ** 2 - 4 * t + 2;
  return 0;
}

/** Taps and normalised weights of output `index` (Pillow's / PyTorch's antialiased bicubic), in doubles. */
function taps(inputSize: number, outputSize: number, index: number): Array<[number, number]> {
  const scale = inputSize / outputSize;
  const support = 2 * Math.max(scale, 1);
  const centre = scale * (index + 0.5);
  const first = Math.max(Math.trunc(centre - support + 0.5), 0);
  const last = Math.min(Math.trunc(centre + support + 0.5), inputSize);
  const raw: Array<[number, number]> = [];
  for (let input = first; input < last; input++) raw.push([input, cubic((input - centre + 0.5) / Math.max(scale, 1))]);
  const total = raw.reduce((sum, [, weight]) => sum + weight, 0);
  return raw.map(([input, weight]) => [input, weight / total]);
}

/** The whole pipeline written plainly: full separable resize in doubles, crop, min–max, normalise, replicate. */
function reference(image: RawImage, size: number, crop: number): Float64Array {
  const { width, height, channels, data } = image;
  const top = Math.round((size - crop) / 2);
  const out = new Float64Array(3 * crop * crop);
  const planes: Float64Array[] = [];
  for (let channel = 0; channel < channels; channel++) {
    const horizontal = new Float64Array(height * size);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < size; x++) {
        for (const [input, weight] of taps(width, size, x)) horizontal[y * size + x] += weight * data[(y * width + input) * channels + channel];
      }
    }
    const plane = new Float64Array(crop * crop);
    for (let y = 0; y < crop; y++) {
      for (let x = 0; x < crop; x++) {
        for (const [input, weight] of taps(height, size, y + top)) plane[y * crop + x] += weight * horizontal[input * size + x + top];
      }
    }
    planes.push(plane);
  }
  for (let channel = 0; channel < 3; channel++) {
    const plane = planes[channels === 1 ? 0 : channel];
    const low = Math.min(...plane);
    const high = Math.max(...plane);
    for (let index = 0; index < plane.length; index++) {
      out[channel * plane.length + index] = ((plane[index] - low) / (high - low) - IMAGENET.mean[channel]) / IMAGENET.std[channel];
    }
  }
  return out;
}

function randomImage(random: Random, width: number, height: number, channels: 1 | 3): RawImage {
  const data = Float32Array.from({ length: width * height * channels }, () => Math.floor(random.next() * 256));
  return { width, height, channels, data, range: { min: 0, max: 255 } };
}

describe('preprocessInto against a plain reference implementation', () => {
  // Down by non-integer and integer factors, up, equal size, non-square, with and without a centre crop
  // (even margins, so that the crop offset needs no half-to-even rounding).
  const cases: Array<{ width: number; height: number; channels: 1 | 3; size: number; crop: number | null }> = [
    { width: 300, height: 300, channels: 1, size: 56, crop: null },
    { width: 256, height: 256, channels: 1, size: 224, crop: null },
    { width: 97, height: 61, channels: 3, size: 28, crop: null },
    { width: 20, height: 33, channels: 1, size: 42, crop: null },
    { width: 64, height: 64, channels: 3, size: 64, crop: null },
    { width: 150, height: 120, channels: 1, size: 64, crop: 56 },
    { width: 90, height: 90, channels: 3, size: 32, crop: 28 },
  ];
  for (const { width, height, channels, size, crop } of cases) {
    it(`${width}×${height}×${channels} → ${size}${crop ? `, crop ${crop}` : ''}: within 1e-5 (relative, at least 1 in scale)`, () => {
      const image = randomImage(new Random(width * 1000 + height), width, height, channels);
      const resolved = resolvePreprocessing({ resize: { mode: 'square', size }, centerCrop: crop, normalize: IMAGENET }, { patchSize: 1, normalization: IMAGENET });
      const side = crop ?? size;
      const out = new Float32Array(3 * side * side);
      preprocessInto(image, resolved, out, 0);
      const expected = reference(image, size, side);
      let worst = 0;
      for (let index = 0; index < out.length; index++) worst = Math.max(worst, Math.abs(out[index] - expected[index]) / Math.max(1, Math.abs(expected[index])));
      expect(worst).toBeLessThan(1e-5);
    });
  }
});
