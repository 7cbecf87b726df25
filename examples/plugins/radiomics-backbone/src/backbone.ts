import { createHash } from 'node:crypto';
import {
  RadprobeError,
  type Backbone,
  type BackboneContext,
  type BackboneFactory,
  type BackboneInfo,
  type BackboneInputDescription,
  type EmbeddedBatch,
  type JsonSchema,
  type Normalization,
} from '@radprobe/core';
import { describeRegion, descriptorWidth, gradientMagnitude, type GrayImage } from './descriptor.js';

/** The `kind: "radiomics"` entry's options, as written in a config. */
export interface RadiomicsOptions {
  patchSize?: number;
  bins?: number;
}

const DEFAULTS = { patchSize: 16, bins: 8 };

/**
 * `kind`, `name`, `device` and `batchSize` are the engine's: it adds them to every backbone entry's schema, so
 * this one lists only the kind's own options. Every number is bounded: a typo must not allocate gigabytes.
 */
export const radiomicsOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    patchSize: {
      type: 'integer',
      minimum: 2,
      maximum: 64,
      default: DEFAULTS.patchSize,
      description: 'Side of the square patches described one by one (the patch grid that seg decodes).',
    },
    bins: { type: 'integer', minimum: 2, maximum: 64, default: DEFAULTS.bins, description: 'Intensity histogram bins over [0, 1].' },
  },
};

/**
 * Names the descriptor's computation: it stands in for the weights' hash, so it changes whenever the code would
 * give other features for the same image and options (bump the version with any such change). The options
 * themselves need not go in: the engine keys the cache on them as well.
 */
const DESCRIPTOR_VERSION = 'radprobe-backbone-radiomics first-order descriptor, version 1';

// The descriptor reads intensities on [0, 1]: the preprocessing's scaling, left unnormalised.
const IDENTITY: Normalization = { mean: [0, 0, 0], std: [1, 1, 1] };

function resolve(options: RadiomicsOptions): Required<RadiomicsOptions> {
  return { ...DEFAULTS, ...options };
}

export function radiomicsInfo(options: RadiomicsOptions): BackboneInfo {
  const { patchSize, bins } = resolve(options);
  const side = patchSize * Math.round(224 / patchSize);
  return {
    description: `radiomics first-order descriptor (patch ${patchSize}, ${bins} bins)`,
    patchSize,
    embedDim: descriptorWidth(bins),
    // One "block": the descriptor itself. CLS is the whole image's descriptor, patch tokens each patch's.
    totalBlocks: 1,
    exposedBlocks: [0],
    registerTokens: 0,
    inputSize: { height: side, width: side },
    dynamicInputSize: true,
    hasPatchTokens: true,
    normalization: IDENTITY,
    weightsHash: createHash('sha256').update(DESCRIPTOR_VERSION).digest('hex'),
    executionProvider: 'JavaScript (CPU)',
  };
}

class RadiomicsBackbone implements Backbone {
  constructor(readonly info: BackboneInfo, private readonly bins: number) {}

  async embed(pixels: Float32Array, batchSize: number, height: number, width: number): Promise<EmbeddedBatch> {
    const { patchSize, embedDim } = this.info;
    if (pixels.length !== batchSize * 3 * height * width) {
      throw new RadprobeError(`radiomics: ${pixels.length} pixel values do not make ${batchSize}×3×${height}×${width}`);
    }
    if (height % patchSize !== 0 || width % patchSize !== 0) {
      throw new RadprobeError(`radiomics: input ${height}×${width} is not a multiple of the patch size ${patchSize}`);
    }
    const rows = height / patchSize;
    const cols = width / patchSize;
    const plane = height * width;
    const cls = new Float32Array(batchSize * embedDim);
    const patch = new Float32Array(batchSize * rows * cols * embedDim);
    for (let b = 0; b < batchSize; b++) {
      // Gray: the mean of the three channels (a gray image arrives replicated into all three).
      const values = new Float32Array(plane);
      for (let c = 0; c < 3; c++) {
        const channel = pixels.subarray((b * 3 + c) * plane, (b * 3 + c + 1) * plane);
        for (let i = 0; i < plane; i++) values[i] += channel[i] / 3;
      }
      const image: GrayImage = { width, height, values };
      const gradient = gradientMagnitude(image);
      describeRegion(image, gradient, { top: 0, left: 0, rows: height, cols: width }, this.bins, cls, b * embedDim);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const region = { top: r * patchSize, left: c * patchSize, rows: patchSize, cols: patchSize };
          describeRegion(image, gradient, region, this.bins, patch, ((b * rows + r) * cols + c) * embedDim);
        }
      }
    }
    return { batchSize, grid: { rows, cols }, cls: [cls], patch: [patch] };
  }

  async dispose(): Promise<void> {}
}

/** Plain JavaScript on the CPU: a request for CUDA cannot be met, and saying so beats running elsewhere silently. */
function checkDevice(context: BackboneContext): void {
  if (context.device === 'cuda') {
    throw new RadprobeError('radiomics runs on the CPU only: set "device" to "cpu" or "auto" for this backbone', { pointer: '/device' });
  }
}

export const radiomicsBackbone: BackboneFactory<RadiomicsOptions> = {
  kind: 'radiomics',
  optionsSchema: radiomicsOptionsSchema,
  async create(options, context) {
    checkDevice(context);
    const { bins } = resolve(options);
    const info = radiomicsInfo(options);
    context.log(`radiomics: ${info.embedDim} features per patch of ${info.patchSize}×${info.patchSize} pixels and per image`);
    return new RadiomicsBackbone(info, bins);
  },
  async describeInput(options): Promise<BackboneInputDescription> {
    const info = radiomicsInfo(options);
    return { fixedSize: null, patchSize: info.patchSize, normalization: info.normalization, sizeSource: 'the radiomics descriptor (any multiple of the patch size)' };
  },
};
