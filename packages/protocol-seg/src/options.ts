import { RadprobeError, checkedOptionList, type JsonSchema, type Split } from '@radprobe/core';

export type DecoderKind = 'linear' | 'unet';
export type SegLoss = 'dice' | 'dice+ce';
/** What the chosen learning rate is retrained on before TEST: the spec's TRAIN ∪ VAL, or TRAIN alone (few-shot). */
export type FinalTraining = 'train+val' | 'train';

/** The `seg` protocol entry's options, as written in a config. */
export interface SegOptions {
  decoders?: DecoderKind[];
  loss?: SegLoss;
  learningRates?: number[];
  epochs?: number;
  batchSize?: number;
  microBatchSize?: number;
  valFraction?: number;
  writeMasks?: number;
  finalTraining?: FinalTraining;
}

export interface ResolvedSegOptions {
  decoders: DecoderKind[];
  loss: SegLoss;
  learningRates: number[];
  epochs: number;
  batchSize: number;
  microBatchSize: number;
  valFraction: number;
  writeMasks: number;
  finalTraining: FinalTraining;
}

/** The study's segmentation learning-rate grid. */
export const SEG_LEARNING_RATES = [1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 1e-1];
/** Blocks of patch tokens each decoder reads: the last block, or the last five (x0..x4). */
export const DECODER_BLOCKS: Record<DecoderKind, number> = { linear: 1, unet: 5 };

export const segOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Segmentation decoder options',
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { const: 'seg' },
    name: { type: 'string', description: 'Name of this protocol entry in results (defaults to the kind).' },
    decoders: {
      type: 'array',
      items: { enum: ['linear', 'unet'] },
      minItems: 1,
      uniqueItems: true,
      default: ['linear', 'unet'],
      description: "linear: 1×1 conv on the last block's patch tokens + bilinear upsampling. unet: four up-blocks over the last 5 blocks' patch tokens.",
    },
    loss: { enum: ['dice', 'dice+ce'], default: 'dice', description: 'Dice loss on the softmax (MONAI DiceLoss(softmax, to_onehot_y)), or Dice + cross-entropy (MONAI DiceCELoss).' },
    learningRates: {
      type: 'array',
      // The study's grid tops at 0.1; the decoders diverge long before 10.
      items: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
      minItems: 1,
      uniqueItems: true,
      description: 'One decoder per learning rate, trained together on the same batches (default the study grid 1e-4 … 1e-1).',
    },
    epochs: { type: 'integer', minimum: 1, maximum: 1000, default: 10, description: 'Epochs over TRAIN.' },
    batchSize: { type: 'integer', minimum: 1, maximum: 65_536, default: 128, description: 'Images per optimiser step, capped at the training set size.' },
    microBatchSize: {
      type: 'integer',
      minimum: 1,
      // Capped at the batch size; a U-Net pass at 448 holds ~1 GiB of activations per 2 images.
      maximum: 65_536,
      default: 2,
      description:
        'Images per forward/backward pass: a batch is processed in chunks whose gradients are summed (exactly the batch gradient; BatchNorm sees the statistics of each chunk). The U-Net at a 448 input on the wasm backend needs ≤ 2 (its heap is 4 GiB); raise it on native backends for speed.',
    },
    valFraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.1, description: 'Share of TRAIN patients carved into VAL when the dataset has no VAL split.' },
    writeMasks: {
      type: 'integer',
      minimum: 0,
      // Masks are for a reader to look at (two PNGs per item and decoder): thousands would be a copy of the dataset.
      maximum: 1000,
      default: 4,
      description:
        'TEST items whose true and predicted label maps are written as PNG images next to results.json, and for datasets of scans (BTCV, AMOS, MSD) TEST scans whose predicted label volumes are written as NIfTI (<decoder>-<scan>-pred.nii.gz) on the scan\'s own grid and header transform (per decoder, first seed).',
    },
    finalTraining: {
      enum: ['train+val', 'train'],
      default: 'train+val',
      description: 'What the learning rate chosen on VAL is retrained on before TEST: TRAIN ∪ VAL (the study), or TRAIN alone (few-shot sets this so that VAL never joins a few-shot training set).',
    },
  },
};

function positiveInteger(value: unknown, key: string, minimum = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new RadprobeError(`seg option ${key} = ${String(value)} must be an integer ≥ ${minimum}`, { pointer: `/${key}` });
  }
  return value;
}

const list = <T>(value: T[] | undefined, key: string, check: (entry: unknown) => boolean, what: string) => checkedOptionList('seg', value, key, check, what);

/** Options with defaults filled in, checked; a bad value names its JSON pointer within the entry. */
export function resolveSegOptions(options: SegOptions): ResolvedSegOptions {
  const loss = options.loss ?? 'dice';
  if (loss !== 'dice' && loss !== 'dice+ce') throw new RadprobeError(`seg option loss = ${String(loss)} must be "dice" or "dice+ce"`, { pointer: '/loss' });
  const valFraction = options.valFraction ?? 0.1;
  if (!(valFraction > 0 && valFraction < 1)) throw new RadprobeError(`seg option valFraction = ${valFraction} must lie strictly between 0 and 1`, { pointer: '/valFraction' });
  const finalTraining = options.finalTraining ?? 'train+val';
  if (finalTraining !== 'train+val' && finalTraining !== 'train') throw new RadprobeError(`seg option finalTraining = ${String(finalTraining)} must be "train+val" or "train"`, { pointer: '/finalTraining' });
  return {
    decoders: list(options.decoders, 'decoders', (entry) => entry === 'linear' || entry === 'unet', '"linear" or "unet"') ?? ['linear', 'unet'],
    loss,
    learningRates: list(options.learningRates, 'learningRates', (entry) => typeof entry === 'number' && entry > 0 && Number.isFinite(entry), 'a positive number') ?? SEG_LEARNING_RATES,
    epochs: positiveInteger(options.epochs ?? 10, 'epochs'),
    batchSize: positiveInteger(options.batchSize ?? 128, 'batchSize'),
    microBatchSize: positiveInteger(options.microBatchSize ?? 2, 'microBatchSize'),
    valFraction,
    writeMasks: positiveInteger(options.writeMasks ?? 4, 'writeMasks', 0),
    finalTraining,
  };
}

/** The splits the chosen learning rate is retrained on. */
export function finalTrainingSplits(options: ResolvedSegOptions): Split[] {
  return options.finalTraining === 'train' ? ['train'] : ['train', 'val'];
}
