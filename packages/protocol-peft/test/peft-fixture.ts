import { Random, RadprobeError, type DatasetItem, type PixelSource, type Split, type TrainableBackbone, type VitWeights } from '@radprobe/core';
import { memoryProtocolContext, type MemoryContextOptions } from '@radprobe/testkit';
import { tinySpec, vitWeightsOf } from './vit-fixture.js';

export const SIDE = 16;

/**
 * A two-class task on 16×16 images: class 0 carries horizontal stripes, class 1 vertical ones (period 2, a
 * detail finer than the 4-pixel patches), under per-pixel noise.
 */
export interface StripesTask {
  items: DatasetItem[];
  pixels: Float32Array[];
}

export function stripesTask(counts: Record<Split, number>, options: { amplitude: number; noise: number; seed: number }): StripesTask {
  const random = new Random(options.seed);
  const items: DatasetItem[] = [];
  const pixels: Float32Array[] = [];
  for (const split of ['train', 'val', 'test'] as const) {
    for (let i = 0; i < counts[split]; i++) {
      const label = i % 2;
      const image = new Float32Array(3 * SIDE * SIDE);
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const stripe = (label === 0 ? y : x) % 2 === 0 ? 1 : -1;
          const value = options.amplitude * stripe + options.noise * random.normal();
          for (let c = 0; c < 3; c++) image[c * SIDE * SIDE + y * SIDE + x] = value;
        }
      }
      items.push({ id: `${split}-${i}`, split, label, source: `${split}/${i}.png` });
      pixels.push(image);
    }
  }
  return { items, pixels };
}

/**
 * The tiny testkit ViT with the value rows of every block's fused qkv set to 0: attention then hands every token
 * the same constant (the value bias), so no image content reaches the CLS token and its frozen features are equal
 * for all images, while LoRA on qkv can learn a value projection.
 */
export function blindClsWeights(): VitWeights {
  const weights = vitWeightsOf(tinySpec());
  const d = weights.architecture.embedDim;
  for (const [name, parameter] of weights.parameters) {
    if (name.endsWith('.attn.qkv.weight')) parameter.values.fill(0, 2 * d * d, 3 * d * d);
  }
  return weights;
}

/** A PixelSource over in-memory images, counting reads (to check streaming). */
export function memoryPixels(images: readonly Float32Array[], height = SIDE, width = SIDE): PixelSource & { reads: number } {
  const source = {
    size: { height, width },
    reads: 0,
    async pixels(index: number) {
      if (!images[index]) throw new RadprobeError(`no image ${index}`);
      source.reads++;
      return images[index].slice();
    },
  };
  return source;
}

/** The tiny testkit ViT as a TrainableBackbone that lives in memory (writing files is the ONNX backbone's job). */
export function memoryTrainable(weights: VitWeights = vitWeightsOf(tinySpec())): TrainableBackbone {
  return {
    async weights() {
      return { architecture: { ...weights.architecture }, parameters: new Map([...weights.parameters].map(([name, p]) => [name, { shape: p.shape.slice(), values: p.values.slice() }])) };
    },
    async writeWeights() {
      throw new RadprobeError('the in-memory backbone writes no files');
    },
  };
}

/** A protocol context over a stripes task with the tiny ViT. */
export function stripesContext(task: StripesTask, extra: Partial<MemoryContextOptions> = {}) {
  const pixels = memoryPixels(task.pixels);
  const context = memoryProtocolContext({
    task: 'binary',
    classes: ['horizontal', 'vertical'],
    items: task.items,
    pixels,
    trainable: memoryTrainable(),
    bootstrap: { samples: 50, confidence: 0.95 },
    ...extra,
  });
  return { context, pixels };
}
