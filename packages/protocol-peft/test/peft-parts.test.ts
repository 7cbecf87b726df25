import { Random, RadprobeError, type DatasetView } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { applyView, drawView, type AugmentedView } from '../src/augmentation.js';
import { finalTrainingSplits, resolvePeftOptions } from '../src/options.js';
import { PixelLoader } from '../src/pixel-loader.js';
import { encodeSafetensors } from '../src/safetensors.js';
import { itemTargets } from '../src/targets.js';

describe('peft options', () => {
  it('fills the spec defaults: three modes at the backbone lr 1e-5, LoRA 48/16/0.1, head lr 1e-3, augmentation on, a TEST row per mode and the frozen reference', () => {
    const options = resolvePeftOptions({});
    expect(options.candidates).toEqual([
      { mode: 'full', learningRate: 1e-5 },
      { mode: 'lora', learningRate: 1e-5 },
      { mode: 'bitfit', learningRate: 1e-5 },
    ]);
    expect(options.lora).toEqual({ rank: 48, alpha: 16, dropout: 0.1 });
    expect(options.headLearningRate).toBe(1e-3);
    expect(options.avgpool).toBe(false);
    expect(options.augmentation).toEqual({ scale: [0.75, 1], ratio: [3 / 4, 4 / 3], horizontalFlip: true });
    expect(options.save).toBe('none');
    expect(options.seeds).toBeNull();
    expect(finalTrainingSplits(options)).toEqual(['train', 'val']);
    expect(options.select).toBe('per-mode');
    expect(options.compareWithFrozen).toBe(true);
  });

  it('builds the grid from per-mode learning rates, which default to the backbone rates', () => {
    const options = resolvePeftOptions({ modes: ['lora', 'bitfit', 'full'], learningRates: [1e-5, 1e-4], loraLearningRates: [1e-3] });
    expect(options.candidates).toEqual([
      { mode: 'lora', learningRate: 1e-3 },
      { mode: 'bitfit', learningRate: 1e-5 },
      { mode: 'bitfit', learningRate: 1e-4 },
      { mode: 'full', learningRate: 1e-5 },
      { mode: 'full', learningRate: 1e-4 },
    ]);
    expect(resolvePeftOptions({ augmentation: { randomResizedCrop: false } }).augmentation.scale).toBeNull();
    expect(finalTrainingSplits(resolvePeftOptions({ finalTraining: 'train' }))).toEqual(['train']);
  });

  it('names the JSON pointer of a bad value', () => {
    const pointer = (options: object) => {
      try {
        resolvePeftOptions(options);
      } catch (error) {
        expect(error).toBeInstanceOf(RadprobeError);
        return (error as RadprobeError).pointer;
      }
      return 'accepted';
    };
    expect(pointer({ modes: ['full', 'prefix'] })).toBe('/modes/1');
    expect(pointer({ modes: ['lora', 'lora'] })).toBe('/modes/1');
    expect(pointer({ lora: { rank: 0 } })).toBe('/lora/rank');
    expect(pointer({ lora: { dropout: 1 } })).toBe('/lora/dropout');
    expect(pointer({ learningRates: [1e-5, -1] })).toBe('/learningRates/1');
    expect(pointer({ bitfitLearningRates: [] })).toBe('/bitfitLearningRates');
    expect(pointer({ augmentation: { randomResizedCrop: [0.9, 0.5] } })).toBe('/augmentation/randomResizedCrop');
    expect(pointer({ save: 'lora' })).toBe('/save');
    expect(pointer({ epochs: 1.5 })).toBe('/epochs');
    expect(pointer({ select: 'per-lr' })).toBe('/select');
    expect(pointer({ compareWithFrozen: 'yes' })).toBe('/compareWithFrozen');
  });
});

/** `[3, h, w]` with value `100·c + 10·y + x` at channel c, row y, column x: every pixel says where it came from. */
function coordinates(height: number, width: number): Float32Array {
  return Float32Array.from({ length: 3 * height * width }, (_, i) => {
    const c = Math.floor(i / (height * width));
    const y = Math.floor((i % (height * width)) / width);
    return 100 * c + 10 * y + (i % width);
  });
}

describe('augmentation of the preprocessed input', () => {
  it('flips exactly: column x takes column W−1−x, channels and rows unchanged', () => {
    const flipped = applyView(coordinates(2, 3), 2, 3, { top: 0, left: 0, height: 2, width: 3, flip: true });
    expect(Array.from(flipped)).toEqual([2, 1, 0, 12, 11, 10, 102, 101, 100, 112, 111, 110, 202, 201, 200, 212, 211, 210]);
  });

  it('returns an equal copy for the whole image without a flip', () => {
    const image = coordinates(4, 5);
    expect(Array.from(applyView(image, 4, 5, { top: 0, left: 0, height: 4, width: 5, flip: false }))).toEqual(Array.from(image));
  });

  it('resizes the crop back bilinearly with half-pixel centres', () => {
    // A 1×2 crop [x=1, x=2] of the rows of a 2×4 image, stretched to width 4: the source column of output x is
    // (x + ½)·(2/4) − ½ = −0.25, 0.25, 0.75, 1.25, clamped to [0, 1]: weights (1, 0), (0.75, 0.25), (0.25, 0.75),
    // (0, 1) of the crop's columns, whose values in row 0 are 1 and 2: 1, 1.25, 1.75, 2. The crop's 1 row
    // stretched to 2 rows repeats it (source rows −0.25 → 0 and 0.25 → 0 with the next row clamped to 0).
    const image = coordinates(2, 4);
    const view: AugmentedView = { top: 0, left: 1, height: 1, width: 2, flip: false };
    const out = applyView(image, 2, 4, view);
    expect(Array.from(out.subarray(0, 8))).toEqual([1, 1.25, 1.75, 2, 1, 1.25, 1.75, 2]);
    expect(Array.from(out.subarray(8, 12))).toEqual([101, 101.25, 101.75, 102]);
  });

  it('draws crop boxes within the image, of area 75–100 % (up to rounding) and ratio 3/4–4/3, the same per seed', () => {
    const settings = resolvePeftOptions({}).augmentation;
    const draw = (seed: number) => {
      const random = new Random(seed);
      return Array.from({ length: 200 }, () => drawView(random, 224, 224, settings));
    };
    const views = draw(3);
    for (const view of views) {
      expect(view.top).toBeGreaterThanOrEqual(0);
      expect(view.left).toBeGreaterThanOrEqual(0);
      expect(view.top + view.height).toBeLessThanOrEqual(224);
      expect(view.left + view.width).toBeLessThanOrEqual(224);
      // Rounding each side to an integer moves the area by at most about one side's length.
      expect(view.height * view.width).toBeGreaterThanOrEqual(0.75 * 224 * 224 - 2 * 224);
      expect(view.width / view.height).toBeGreaterThanOrEqual(3 / 4 - 0.01);
      expect(view.width / view.height).toBeLessThanOrEqual(4 / 3 + 0.01);
    }
    const flips = views.filter((view) => view.flip).length;
    expect(flips).toBeGreaterThan(70);
    expect(flips).toBeLessThan(130);
    expect(draw(3)).toEqual(views);
    expect(draw(4)).not.toEqual(views);
  });

  it('draws the whole image without flips when augmentation is off', () => {
    const settings = resolvePeftOptions({ augmentation: { randomResizedCrop: false, horizontalFlip: false } }).augmentation;
    expect(drawView(new Random(0), 8, 6, settings)).toEqual({ top: 0, left: 0, height: 8, width: 6, flip: false });
  });

  it('falls back to the centred box when no drawn box fits (scale 1 on a 1×4 strip: ratio 4 is outside 3/4–4/3)', () => {
    // Every box of area 4 with a ratio ≤ 4/3 is taller than 1 row; the fallback keeps the height 1 and clamps the
    // width to round(1 · 4/3) = 1, centred: left = ⌊(4 − 1) / 2⌋ = 1.
    const settings = { scale: [1, 1] as [number, number], ratio: [3 / 4, 4 / 3] as [number, number], horizontalFlip: false };
    expect(drawView(new Random(0), 1, 4, settings)).toEqual({ top: 0, left: 1, height: 1, width: 1, flip: false });
  });

  it('rejects a box outside the image', () => {
    expect(() => applyView(coordinates(2, 2), 2, 2, { top: 1, left: 0, height: 2, width: 2, flip: false })).toThrow(/does not lie within 2×2/);
  });
});

describe('safetensors', () => {
  it('writes the header length, a JSON header with F32 dtype, shapes and offsets, then little-endian data', () => {
    const bytes = encodeSafetensors(
      new Map([
        ['b', { shape: [2], values: Float32Array.from([1.5, -2]) }],
        ['a', { shape: [1, 1], values: Float32Array.from([0.25]) }],
      ]),
      { mode: 'lora' },
    );
    const view = new DataView(bytes.buffer);
    const headerLength = Number(view.getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    // Tensors in name order: a (1 value, bytes 0–4), then b (2 values, bytes 4–12).
    expect(header).toEqual({
      __metadata__: { mode: 'lora' },
      a: { dtype: 'F32', shape: [1, 1], data_offsets: [0, 4] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    });
    expect(bytes.length).toBe(8 + headerLength + 12);
    const data = 8 + headerLength;
    expect([view.getFloat32(data, true), view.getFloat32(data + 4, true), view.getFloat32(data + 8, true)]).toEqual([0.25, 1.5, -2]);
  });

  it('rejects a tensor whose values do not fill its shape', () => {
    expect(() => encodeSafetensors(new Map([['w', { shape: [2, 2], values: new Float32Array(3) }]]))).toThrow(/tensor w has 3 values for shape \[2, 2\]/);
  });
});

describe('the pixel loader', () => {
  const images = [0, 1, 2, 3].map((i) => Float32Array.from({ length: 12 }, (_, j) => 10 * i + j));
  const source = () => {
    const reads: number[] = [];
    return { reads, source: { size: { height: 2, width: 2 }, pixels: async (index: number) => (reads.push(index), images[index].slice()) } };
  };

  it('stacks images in the order asked, through their views', async () => {
    const { source: pixels } = source();
    const loader = new PixelLoader(pixels);
    const batch = await loader.batch([2, 0], null);
    expect(Array.from(batch)).toEqual([...images[2], ...images[0]]);
    const flipped = await loader.batch([1], [{ top: 0, left: 0, height: 2, width: 2, flip: true }]);
    expect(Array.from(flipped)).toEqual([11, 10, 13, 12, 15, 14, 17, 16, 19, 18, 21, 20]);
  });

  it('keeps at most its byte budget of images, the most recently used', async () => {
    const { reads, source: pixels } = source();
    // 48 bytes per image (3·2·2 float32): a 100-byte budget holds 2.
    const loader = new PixelLoader(pixels, 100);
    await loader.batch([0, 1], null);
    await loader.batch([0], null);
    await loader.batch([2], null);
    expect(loader.cached).toBe(2);
    await loader.batch([0, 1], null);
    // 0 was used after 1, so reading 2 evicted 1: only 1 is read again.
    expect(reads).toEqual([0, 1, 2, 1]);
  });

  it('rejects pixels of the wrong size, naming the item', async () => {
    const loader = new PixelLoader({ size: { height: 3, width: 3 }, pixels: async () => new Float32Array(12) });
    await expect(loader.batch([5], null)).rejects.toThrow(/pixels of item 5 have 12 values; \[3, 3, 3\] needs 27/);
  });
});

describe('item targets', () => {
  const view = (task: DatasetView['task'], items: DatasetView['items']): DatasetView => ({ name: 'd', task, classes: ['a', 'b', 'c'], items, notes: [] });
  it('reads class indices, binary 0/1 and multi-hot rows', () => {
    expect(Array.from(itemTargets(view('multiclass', [{ id: 'x', split: 'train', label: 2, source: 'x' }])).labels)).toEqual([2]);
    const binary = itemTargets({ ...view('binary', [{ id: 'x', split: 'train', label: 1, source: 'x' }, { id: 'y', split: 'train', label: 0, source: 'y' }]), classes: ['no', 'yes'] });
    expect(binary.outputs).toBe(1);
    expect(Array.from(binary.targets)).toEqual([1, 0]);
    expect(Array.from(itemTargets(view('multilabel', [{ id: 'x', split: 'train', labels: [1, 0, 1], source: 'x' }])).targets)).toEqual([1, 0, 1]);
  });
  it('names the item and file of a bad label', () => {
    expect(() => itemTargets(view('multiclass', [{ id: 'x', split: 'train', label: 3, source: 'img/x.png' }]))).toThrow(/item x \(img\/x.png\) of dataset d has label 3/);
    expect(() => itemTargets(view('multilabel', [{ id: 'y', split: 'train', labels: [1, 2, 0], source: 'y.png' }]))).toThrow(/item y \(y.png\).*3 values of 0 or 1/);
  });
});
