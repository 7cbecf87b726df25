import { createHash } from 'node:crypto';
import { RadprobeError, type BackboneFactory, type BackboneInfo, type EmbeddedBatch } from '@radprobe/core';

const PATCH = 16;

/**
 * Each patch's mean per channel as its token, the image's as CLS: replace `embed` with your model. The hash names
 * the computation (bump it when the features change); the engine adds the entry's options to the cache key.
 */
const info: BackboneInfo = {
  description: '__KIND__ (mean of each patch)',
  patchSize: PATCH,
  embedDim: 3,
  totalBlocks: 1,
  exposedBlocks: [0],
  registerTokens: 0,
  inputSize: { height: 224, width: 224 },
  dynamicInputSize: true,
  hasPatchTokens: true,
  normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  weightsHash: createHash('sha256').update('__PACKAGE__ patch means, version 1').digest('hex'),
  executionProvider: 'JavaScript (CPU)',
};

async function embed(pixels: Float32Array, batchSize: number, height: number, width: number): Promise<EmbeddedBatch> {
  if (height % PATCH !== 0 || width % PATCH !== 0) throw new RadprobeError(`__KIND__: input ${height}×${width} is not a multiple of ${PATCH}`);
  const rows = height / PATCH;
  const cols = width / PATCH;
  const cls = new Float32Array(batchSize * 3);
  const patch = new Float32Array(batchSize * rows * cols * 3);
  for (let b = 0; b < batchSize; b++) {
    for (let c = 0; c < 3; c++) {
      const plane = pixels.subarray((b * 3 + c) * height * width, (b * 3 + c + 1) * height * width);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const token = (b * rows + Math.floor(y / PATCH)) * cols + Math.floor(x / PATCH);
          patch[token * 3 + c] += plane[y * width + x] / (PATCH * PATCH);
          cls[b * 3 + c] += plane[y * width + x] / (height * width);
        }
      }
    }
  }
  return { batchSize, grid: { rows, cols }, cls: [cls], patch: [patch] };
}

export const backbone: BackboneFactory = {
  kind: '__KIND__',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  async create(_options, context) {
    if (context.device === 'cuda') throw new RadprobeError('__KIND__ runs on the CPU only: set "device" to "cpu" or "auto"', { pointer: '/device' });
    return { info, embed, dispose: async () => {} };
  },
};
