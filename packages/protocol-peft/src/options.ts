import { MAX_SEED, RadprobeError, type JsonSchema, type Split } from '@radprobe/core';

/** How much of the backbone trains: everything, LoRA adapters (plus the adapted layers' biases), or biases only. */
export type AdaptationMode = 'full' | 'lora' | 'bitfit';

/** What is kept of the backbone retrained on TRAIN ∪ VAL, as a result artifact. */
export type SaveMode = 'none' | 'adapters' | 'merged';

/** What the chosen setting is retrained on before TEST: the spec's TRAIN ∪ VAL, or TRAIN alone (few-shot). */
export type FinalTraining = 'train+val' | 'train';

/** What goes to TEST: each mode at its own VAL-chosen learning rate (the fine-tuning table), or the one best setting. */
export type Selection = 'per-mode' | 'best';

export interface LoraOptions {
  rank?: number;
  alpha?: number;
  dropout?: number;
}

export interface AugmentationOptions {
  /** Scale range of the random resized crop (share of the image area), or false for no crop. */
  randomResizedCrop?: [number, number] | false;
  horizontalFlip?: boolean;
}

/** The `peft` protocol entry's options, as written in a config. */
export interface PeftOptions {
  modes?: AdaptationMode[];
  lora?: LoraOptions;
  learningRates?: number[];
  loraLearningRates?: number[];
  bitfitLearningRates?: number[];
  headLearningRate?: number;
  avgpool?: boolean;
  epochs?: number;
  batchSize?: number;
  microBatch?: number | 'auto';
  checkpointing?: boolean | 'auto';
  augmentation?: AugmentationOptions;
  save?: SaveMode;
  seeds?: number[];
  valFraction?: number;
  finalTraining?: FinalTraining;
  select?: Selection;
  compareWithFrozen?: boolean;
}

export interface ResolvedLora {
  rank: number;
  alpha: number;
  dropout: number;
}

export interface ResolvedAugmentation {
  /** null: no crop. */
  scale: [number, number] | null;
  /** Aspect-ratio range of the crop (torchvision's default, 3/4 to 4/3). */
  ratio: [number, number];
  horizontalFlip: boolean;
}

/** One candidate of the VAL selection. */
export interface Candidate {
  mode: AdaptationMode;
  /** Learning rate of the backbone's trainable parameters (all of them, the adapters or the biases). */
  learningRate: number;
}

/** The reference of the fine-tuning table: the same head and training with the backbone frozen (nothing of it trains). */
export interface FrozenReference {
  mode: 'frozen';
}

export const FROZEN_REFERENCE: FrozenReference = { mode: 'frozen' };

/** What one training run trains: a candidate of the grid, or the frozen reference. */
export type TrainedSetting = Candidate | FrozenReference;

export interface ResolvedPeftOptions {
  /** modes × their learning rates, in mode order then rate order: the grid searched on VAL. */
  candidates: Candidate[];
  lora: ResolvedLora;
  headLearningRate: number;
  avgpool: boolean;
  epochs: number;
  batchSize: number;
  /** Images per forward/backward within a batch; `auto` is sized in training from the backbone and input size. */
  microBatch: number | 'auto';
  /** Whether each block keeps only its input for the backward and recomputes the rest; `auto` is decided in training. */
  checkpointing: boolean | 'auto';
  augmentation: ResolvedAugmentation;
  save: SaveMode;
  /** null: one run with the config's seed. */
  seeds: number[] | null;
  valFraction: number;
  finalTraining: FinalTraining;
  select: Selection;
  compareWithFrozen: boolean;
}

const MODES: readonly AdaptationMode[] = ['full', 'lora', 'bitfit'];
const CROP_RATIO: [number, number] = [3 / 4, 4 / 3];
const DEFAULT_LEARNING_RATES = [1e-5];

// Fine-tuning uses ~1e-5 and heads ~1e-3: a rate of 10 already diverges.
const learningRate: JsonSchema = { type: 'number', exclusiveMinimum: 0, maximum: 10 };

const learningRateList = (what: string): JsonSchema => ({
  type: 'array',
  items: learningRate,
  minItems: 1,
  uniqueItems: true,
  description: what,
});

export const peftOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Fine-tuning and PEFT options',
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { const: 'peft' },
    name: { type: 'string', description: 'Name of this protocol entry in results (defaults to the kind).' },
    modes: {
      type: 'array',
      items: { enum: [...MODES] },
      minItems: 1,
      uniqueItems: true,
      default: [...MODES],
      description: 'full: every backbone parameter trains. lora: low-rank adapters on qkv, fc1 and fc2 of every block, plus those layers\' biases. bitfit: only the biases train. Each mode × learning rate is one candidate chosen on VAL.',
    },
    lora: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        // A rank at the layer width (1536 for ViT-g) is a full-rank update: nothing left to save.
        rank: { type: 'integer', minimum: 1, maximum: 1536, default: 48, description: 'Rank r of every adapter (B·A with A of shape [r, in]).' },
        alpha: { type: 'number', exclusiveMinimum: 0, maximum: 10_000, default: 16, description: 'The adapter output is scaled by alpha / rank.' },
        dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.1, description: 'Dropout on the adapter input branch while training.' },
      },
    },
    learningRates: learningRateList('Backbone learning rates (default [1e-5], the spec\'s full fine-tuning rate); also the LoRA and BitFit rates unless those are given.'),
    loraLearningRates: learningRateList('LoRA learning rates (default: learningRates, as the spec says lr = backbone lr).'),
    bitfitLearningRates: learningRateList('BitFit learning rates (default: learningRates).'),
    headLearningRate: { ...learningRate, default: 1e-3, description: 'Learning rate of the linear head (the spec\'s fallback linear-probe setting).' },
    avgpool: { type: 'boolean', default: false, description: 'Whether the head reads the last block\'s mean patch token next to its CLS token.' },
    epochs: { type: 'integer', minimum: 1, maximum: 1000, default: 10, description: 'Epochs over the training set.' },
    // Micro-batching bounds the memory of a batch, not its time: 4096 images per step is already one epoch of most data.
    batchSize: { type: 'integer', minimum: 1, maximum: 4096, default: 32, description: 'Mini-batch size, capped at the training set size.' },
    microBatch: {
      default: 'auto',
      description: 'Images per forward and backward pass within a batch: their gradients add up to the whole batch\'s before the one SGD step, so the update does not depend on it, only the memory does (activations kept for the backward grow with it). auto: as many as an estimate of the activation memory fits in a budget for the backend (1.5 GiB on tfjs-wasm, 6 GiB on tfjs-node); an integer is capped at the batch size.',
      oneOf: [{ type: 'integer', minimum: 1, maximum: 4096 }, { const: 'auto' }],
    },
    checkpointing: {
      default: 'auto',
      description: 'Activation checkpointing per transformer block: the forward keeps only each block\'s input, and the backward recomputes the block (same dropout masks) before taking its gradients, so a pass holds about one block\'s activations instead of all of them, for one more forward of compute. The gradients are the same. auto: on when, by the estimate, the budget would not hold the micro-batch without it (two images under microBatch auto, or one when the batch is one image); it then sizes an auto micro-batch.',
      oneOf: [{ type: 'boolean' }, { const: 'auto' }],
    },
    augmentation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Applied to the preprocessed backbone input of every training image (features are not cached here, so it is on by default).',
      properties: {
        randomResizedCrop: {
          default: [0.75, 1],
          description: 'Scale range (share of the area) of a random crop with aspect ratio in [3/4, 4/3], resized back bilinearly; false for none.',
          oneOf: [
            { type: 'array', items: { type: 'number', exclusiveMinimum: 0, maximum: 1 }, minItems: 2, maxItems: 2 },
            { const: false },
          ],
        },
        horizontalFlip: { type: 'boolean', default: true, description: 'Mirror left–right with probability 1/2.' },
      },
    },
    save: {
      enum: ['none', 'adapters', 'merged'],
      default: 'none',
      description: 'What is kept of the backbone retrained for TEST: adapters writes the trained parameters that are not the original\'s (LoRA A/B and trained biases; every parameter for full) as safetensors; merged writes a new model file with the adapters merged in, loadable as a backbone.',
    },
    seeds: { type: 'array', items: { type: 'integer', minimum: 0, maximum: MAX_SEED }, minItems: 1, uniqueItems: true, description: 'Runs the whole protocol once per seed; TEST metrics carry every value, mean and std. Default: the config seed, once.' },
    valFraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.1, description: 'Share of TRAIN patients carved into VAL when the dataset has no VAL split.' },
    finalTraining: {
      enum: ['train+val', 'train'],
      default: 'train+val',
      description: 'What the setting chosen on VAL is retrained on before TEST: TRAIN ∪ VAL (the study), or TRAIN alone (few-shot).',
    },
    select: {
      enum: ['per-mode', 'best'],
      default: 'per-mode',
      description: 'per-mode: every mode gets its learning rate chosen on VAL and its own TEST row (the fine-tuning table), the mode best on VAL first. best: the one mode × learning rate best on VAL goes to TEST.',
    },
    compareWithFrozen: {
      type: 'boolean',
      default: true,
      description: 'Adds the frozen reference: the same head trained the same way (epochs, batch, head lr, loss, augmentation, seed) on the features of the same backbone forward with the backbone frozen, with its own VAL and TEST rows. It never takes part in the choice.',
    },
  },
};

function fail(message: string, pointer: string): never {
  throw new RadprobeError(`peft option ${message}`, { pointer });
}

function positiveInteger(value: unknown, pointer: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(`${pointer.slice(1)} = ${String(value)} must be a positive integer`, pointer);
  return value;
}

function positiveNumber(value: unknown, pointer: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) fail(`${pointer.slice(1)} = ${String(value)} must be a positive number`, pointer);
  return value;
}

function list<T>(value: unknown, pointer: string, check: (entry: unknown, at: string) => T): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) fail(`${pointer.slice(1)} must be a non-empty list`, pointer);
  return value.map((entry, i) => {
    if (value.indexOf(entry) !== i) fail(`${pointer.slice(1)} lists ${String(entry)} twice`, `${pointer}/${i}`);
    return check(entry, `${pointer}/${i}`);
  });
}

function flag(value: unknown, pointer: string): boolean {
  if (typeof value !== 'boolean') fail(`${pointer.slice(1).replace(/\//g, '.')} = ${String(value)} must be true or false`, pointer);
  return value;
}

function microBatchOption(value: unknown): number | 'auto' {
  if (value === 'auto') return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(`microBatch = ${JSON.stringify(value)} must be "auto" or a positive integer`, '/microBatch');
  return value;
}

function checkpointingOption(value: unknown): boolean | 'auto' {
  if (value === 'auto' || typeof value === 'boolean') return value;
  fail(`checkpointing = ${JSON.stringify(value)} must be "auto", true or false`, '/checkpointing');
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], pointer: string): T {
  if (!allowed.includes(value as T)) fail(`${pointer.slice(1)} = ${String(value)} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, pointer);
  return value as T;
}

function resolveLora(lora: LoraOptions | undefined): ResolvedLora {
  const dropout = lora?.dropout ?? 0.1;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) fail(`lora.dropout = ${String(dropout)} must lie in [0, 1)`, '/lora/dropout');
  return { rank: positiveInteger(lora?.rank ?? 48, '/lora/rank'), alpha: positiveNumber(lora?.alpha ?? 16, '/lora/alpha'), dropout };
}

function resolveAugmentation(augmentation: AugmentationOptions | undefined): ResolvedAugmentation {
  const crop = augmentation?.randomResizedCrop ?? [0.75, 1];
  let scale: [number, number] | null = null;
  if (crop !== false) {
    const pointer = '/augmentation/randomResizedCrop';
    if (!Array.isArray(crop) || crop.length !== 2 || !crop.every((v) => typeof v === 'number' && v > 0 && v <= 1) || crop[0] > crop[1]) {
      fail(`augmentation.randomResizedCrop = ${JSON.stringify(crop)} must be false or [low, high] with 0 < low ≤ high ≤ 1`, pointer);
    }
    scale = [crop[0], crop[1]];
  }
  return { scale, ratio: CROP_RATIO, horizontalFlip: flag(augmentation?.horizontalFlip ?? true, '/augmentation/horizontalFlip') };
}

/** Options with defaults filled in, checked; a bad value names its JSON pointer within the entry. */
export function resolvePeftOptions(options: PeftOptions): ResolvedPeftOptions {
  const modes = list(options.modes, '/modes', (entry, at) => oneOf(entry, MODES, at)) ?? [...MODES];
  const rates = (key: 'learningRates' | 'loraLearningRates' | 'bitfitLearningRates') => list(options[key], `/${key}`, positiveNumber);
  const backboneRates = rates('learningRates') ?? DEFAULT_LEARNING_RATES;
  const ratesOf: Record<AdaptationMode, number[]> = {
    full: backboneRates,
    lora: rates('loraLearningRates') ?? backboneRates,
    bitfit: rates('bitfitLearningRates') ?? backboneRates,
  };
  const valFraction = options.valFraction ?? 0.1;
  if (typeof valFraction !== 'number' || !(valFraction > 0 && valFraction < 1)) fail(`valFraction = ${String(valFraction)} must lie strictly between 0 and 1`, '/valFraction');
  return {
    candidates: modes.flatMap((mode) => ratesOf[mode].map((learningRate) => ({ mode, learningRate }))),
    lora: resolveLora(options.lora),
    headLearningRate: positiveNumber(options.headLearningRate ?? 1e-3, '/headLearningRate'),
    avgpool: flag(options.avgpool ?? false, '/avgpool'),
    epochs: positiveInteger(options.epochs ?? 10, '/epochs'),
    batchSize: positiveInteger(options.batchSize ?? 32, '/batchSize'),
    microBatch: microBatchOption(options.microBatch ?? 'auto'),
    checkpointing: options.checkpointing === undefined ? 'auto' : checkpointingOption(options.checkpointing),
    augmentation: resolveAugmentation(options.augmentation),
    save: oneOf(options.save ?? 'none', ['none', 'adapters', 'merged'] as const, '/save'),
    seeds: list(options.seeds, '/seeds', (entry, at) => (typeof entry === 'number' && Number.isInteger(entry) && entry >= 0 ? entry : fail(`${at.slice(1)} = ${String(entry)} must be a non-negative integer`, at))) ?? null,
    valFraction,
    finalTraining: oneOf(options.finalTraining ?? 'train+val', ['train+val', 'train'] as const, '/finalTraining'),
    select: oneOf(options.select ?? 'per-mode', ['per-mode', 'best'] as const, '/select'),
    compareWithFrozen: flag(options.compareWithFrozen ?? true, '/compareWithFrozen'),
  };
}

/** The splits the chosen setting is retrained on. */
export function finalTrainingSplits(options: ResolvedPeftOptions): Split[] {
  return options.finalTraining === 'train' ? ['train'] : ['train', 'val'];
}
