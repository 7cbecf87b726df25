import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/index.js';
import type { Normalization, RawImage } from '../src/index.js';
import { preprocessInto, resolvePreprocessing, validateConfigText } from '../src/engine/index.js';
import { resamplePilChannel } from '../src/engine/image/resample-pil.js';
import type { ResampleTarget } from '../src/engine/image/resample.js';
import { fakeRegistry } from './fake-registry.js';
import { encodePng } from './png-fixture.js';

/** Written by test/fixtures/pil-bicubic/make_reference.py with real Pillow (see its header for how to rerun it). */
interface PillowReference {
  pillow: string;
  cases: Array<{ name: string; width: number; height: number; channels: 1 | 3; input: number[]; resized: [number, number]; crop: number | null; output: number[] }>;
  sixteenBit: { values: number[]; grayMode: string; grayConvertRgb: number[]; rgbMode: string; rgbConvertRgb: number[] };
}

const reference = JSON.parse(readFileSync(new URL('./fixtures/pil-bicubic/pil-bicubic.json', import.meta.url), 'utf8')) as PillowReference;
/** mean 0, std 1 leaves ToTensor's x / 255 visible. */
const IDENTITY: Normalization = { mean: [0, 0, 0], std: [1, 1, 1] };
const IMAGENET: Normalization = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

function targetOf(resized: [number, number], crop: number | null): ResampleTarget {
  const [width, height] = resized;
  if (crop === null) return { width, height, crop: { top: 0, left: 0, width, height } };
  return { width, height, crop: { top: Math.round((height - crop) / 2), left: Math.round((width - crop) / 2), width: crop, height: crop } };
}

function resizePil(width: number, height: number, values: number[], target: ResampleTarget): number[] {
  const out = new Float32Array(target.crop.width * target.crop.height);
  resamplePilChannel({ data: Uint8Array.from(values), width, height }, target, out, 0);
  return Array.from(out);
}

/** The cases' pixels as Pillow's `tobytes()` lays them out: interleaved channels, row-major. */
function interleaved(planes: Float32Array, channels: number, plane: number): number[] {
  return Array.from({ length: channels * plane }, (_, at) => planes[(at % channels) * plane + Math.floor(at / channels)]);
}

/** Runs preprocessInto with ToTensor's scaling and no normalisation, on the 0..255 scale Pillow's bytes are on. */
function pipeline(image: RawImage, steps: { size: number; mode: 'square' | 'shorter-side'; crop: number | null; resampling: 'float' | 'pil-uint8' }): number[] {
  const resolved = resolvePreprocessing(
    { resize: { mode: steps.mode, size: steps.size }, centerCrop: steps.crop, scale: 'range', normalize: IDENTITY, resampling: steps.resampling },
    { patchSize: 1, normalization: IDENTITY },
  );
  const { width, height } = resolved.outputSize;
  const out = new Float32Array(3 * width * height);
  preprocessInto(image, resolved, out, 0);
  return interleaved(out, image.channels, width * height).map((value) => value * 255);
}

const largestDifference = (a: number[], b: number[]) => a.reduce((worst, value, at) => Math.max(worst, Math.abs(value - b[at])), 0);

describe('resamplePilChannel: Pillow 8-bit bicubic, by hand', () => {
  it('clamps the overshoot of an upsampled edge to 0..255 (the float resize leaves −17.5 and 272.5)', () => {
    // 4 → 8: output 2 is centred at 1.25 and reads inputs 0..2 with Keys' weights 29/128, 111/128, −9/128, normalised by
    // their sum 131/128: on [0, 0, 255, 255] that is 255 · −9/131 = −17.52 → 0; output 5 reads inputs 1..3 with
    // −9, 111, 29 (/131): 255 · 140/131 = 272.5 → 255.
    const out = resizePil(4, 1, [0, 0, 255, 255], targetOf([8, 1], null));
    expect(out[2]).toBe(0);
    expect(out[5]).toBe(255);
  });

  it('rounds after the horizontal pass, then after the vertical one', () => {
    // 2×2 → 1×1: each axis averages its two inputs, in fixed point 2^21 · (a + b) + 2^21 >> 22 = ⌊(a + b + 1) / 2⌋.
    // Rows [0, 1] and [0, 0] become 1 and 0 (0.5 rounds up), and the column [1, 0] becomes 1, where the exact mean is 0.25.
    expect(resizePil(2, 2, [0, 1, 0, 0], targetOf([1, 1], null))).toEqual([1]);
    // Downsampling 4 → 2 with weights 111, 111, 29, −9 (/242): in fixed point 1923834, 1923834, 502623, −155987
    // (× 2^-22, rounded half away from zero); [0, 255, 0, 255] → ⌊(2^21 + 255 · (1923834 − 155987)) / 2^22⌋ = 107.
    expect(resizePil(4, 1, [0, 255, 0, 255], targetOf([2, 1], null))[0]).toBe(107);
  });
});

describe(`resampling "pil-uint8" against real Pillow (${reference.pillow}, test/fixtures/pil-bicubic)`, () => {
  for (const testCase of reference.cases) {
    it(`${testCase.name}: ${testCase.width}×${testCase.height}×${testCase.channels} → ${testCase.resized.join('×')}${testCase.crop ? `, crop ${testCase.crop}` : ''}: every byte equal`, () => {
      const target = targetOf(testCase.resized, testCase.crop);
      const plane = target.crop.width * target.crop.height;
      const planes = new Float32Array(testCase.channels * plane);
      for (let channel = 0; channel < testCase.channels; channel++) {
        const values = testCase.input.filter((_, at) => at % testCase.channels === channel);
        planes.set(resizePil(testCase.width, testCase.height, values, target), channel * plane);
      }
      expect(interleaved(planes, testCase.channels, plane)).toEqual(testCase.output);
    });
  }

  it('the whole pipeline (resize, centre crop, ToTensor) matches Pillow within float32 rounding; the float resize does not', () => {
    const pipelineCases = reference.cases.filter((testCase) => testCase.crop !== null || testCase.resized[0] === testCase.resized[1]);
    expect(pipelineCases.map((testCase) => testCase.name)).toEqual(['down-non-integer', 'rgb-shorter-side-crop', 'checkerboard-down', 'gray-shorter-side-crop']);
    let floatWorst = 0;
    for (const testCase of pipelineCases) {
      const image: RawImage = { width: testCase.width, height: testCase.height, channels: testCase.channels, data: Float32Array.from(testCase.input), range: { min: 0, max: 255 } };
      const mode = testCase.crop === null ? ('square' as const) : ('shorter-side' as const);
      const size = testCase.crop === null ? testCase.resized[0] : Math.min(...testCase.resized);
      const steps = { size, mode, crop: testCase.crop };
      expect(largestDifference(pipeline(image, { ...steps, resampling: 'pil-uint8' }), testCase.output)).toBeLessThan(1e-3);
      floatWorst = Math.max(floatWorst, largestDifference(pipeline(image, { ...steps, resampling: 'float' }), testCase.output));
    }
    // torchvision's float resize neither rounds nor clamps: it is off Pillow by more than half a level somewhere.
    expect(floatWorst).toBeGreaterThan(0.5);
  });

  it('with scale "minmax", stretches the source channel to 0..255 before resizing (float mode stretches after)', () => {
    // 2×2 → 2×2 is the identity resize: 100..200 becomes round(255 · (x − 100) / 100): 0, 255, 127.5 → 128, 0.
    const image: RawImage = { width: 2, height: 2, channels: 1, data: Float32Array.from([100, 200, 150, 100]), range: { min: 0, max: 255 } };
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 2 }, resampling: 'pil-uint8', scale: 'minmax', normalize: IDENTITY }, { patchSize: 1, normalization: IDENTITY });
    const out = new Float32Array(12);
    preprocessInto(image, resolved, out, 0);
    expect(Array.from(out.subarray(0, 4), (value) => Math.round(value * 255 * 1e4) / 1e4)).toEqual([0, 255, 128, 0]);
  });

  it('normalises ToTensor\'s x / 255 with the backbone\'s mean and std', () => {
    const image: RawImage = { width: 2, height: 2, channels: 1, data: Float32Array.from([10, 10, 10, 10]), range: { min: 0, max: 255 } };
    const resolved = resolvePreprocessing({ resize: { mode: 'square', size: 2 }, resampling: 'pil-uint8', scale: 'range' }, { patchSize: 1, normalization: IMAGENET });
    const out = new Float32Array(12);
    preprocessInto(image, resolved, out, 0);
    for (let channel = 0; channel < 3; channel++) expect(out[channel * 4]).toBeCloseTo((10 / 255 - IMAGENET.mean[channel]) / IMAGENET.std[channel], 6);
  });
});

describe('16-bit images', () => {
  const { values } = reference.sixteenBit;
  const png = encodePng({ width: values.length, height: 1, bitDepth: 16, colorType: 0, rows: [values] });

  it('Pillow saturates a 16-bit gray PNG at 255 on convert("RGB") and keeps the high byte of a 16-bit RGB PNG (the fixture says so)', () => {
    expect(reference.sixteenBit).toMatchObject({ grayMode: 'I', grayConvertRgb: [0, 100, 255, 255, 255, 255, 255, 255], rgbMode: 'RGB', rgbConvertRgb: values.map((value) => value >> 8) });
  });

  it('"pil-uint8" scales them to 8 bits by the scale step instead (range: round(v / 257)); "float" keeps v / 65535', () => {
    const image = decodeImage(png, 'sixteen.png');
    expect(image.range).toEqual({ min: 0, max: 65535 });
    // A resize to the same width and height is the identity in both modes, so what remains is the conversion.
    const steps = { size: values.length, mode: 'square' as const, crop: null };
    const rows = Array.from({ length: values.length }, (_, row) => row);
    const squared = { ...image, height: values.length, data: Float32Array.from(rows.flatMap(() => values)) };
    const firstRow = (out: number[]) => out.slice(0, values.length);
    expect(firstRow(pipeline(squared, { ...steps, resampling: 'pil-uint8' })).map((value) => Math.round(value * 1e4) / 1e4)).toEqual([0, 0, 1, 1, 1, 4, 156, 255]);
    expect(firstRow(pipeline(squared, { ...steps, resampling: 'float' }))).toEqual(values.map((value) => expect.closeTo((value / 65535) * 255, 3)));
  });
});

describe('preprocessing option "resampling"', () => {
  const config = (preprocessing: string) => `{
  "preprocessing": ${preprocessing},
  "backbones": [{ "kind": "onnx", "model": "m.onnx" }],
  "datasets": [{ "kind": "image-folder", "path": "d" }],
  "protocols": [{ "kind": "knn" }]
}`;

  it('is validated by the schema and keys the cache apart from the float resize', () => {
    expect(validateConfigText(config('{ "preset": "upstream", "resampling": "pil-uint8" }'), 'radprobe.json', fakeRegistry(), {}).preprocessing).toEqual({
      preset: 'upstream',
      resampling: 'pil-uint8',
    });
    expect(() => validateConfigText(config('{ "resampling": "pil" }'), 'radprobe.json', fakeRegistry(), {})).toThrow(/\/preprocessing\/resampling: must be one of "float", "pil-uint8"/);
    const dino = { patchSize: 14, normalization: IMAGENET };
    const float = resolvePreprocessing('upstream', dino);
    const pil = resolvePreprocessing({ preset: 'upstream', resampling: 'pil-uint8' }, dino);
    expect(float.resampling).toBe('float');
    expect(pil.resampling).toBe('pil-uint8');
    expect(pil.description).not.toBe(float.description);
  });
});
