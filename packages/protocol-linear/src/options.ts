import { MAX_SEED, RadprobeError, checkedOptionList, type JsonSchema, type Split } from '@radprobe/core';

/** The `linear` protocol entry's options, as written in a config. */
export interface LinearOptions {
  method?: 'sgd' | 'logreg';
  preset?: 'study' | 'upstream';
  blocks?: number[];
  avgpool?: boolean[];
  learningRates?: number[];
  epochs?: number;
  batchSize?: number;
  seeds?: number[];
  valFraction?: number;
  logregC?: number[];
  logregMaxIterations?: number;
  finalTraining?: FinalTraining;
}

/** What the chosen setting is retrained on before TEST: the spec's TRAIN ∪ VAL, or TRAIN alone (few-shot). */
export type FinalTraining = 'train+val' | 'train';

/** One input construction: CLS of the last `blocks` blocks, plus the last block's mean patch token if `avgpool`. */
export interface InputSetting {
  blocks: number;
  avgpool: boolean;
}

export interface ResolvedLinearOptions {
  method: 'sgd' | 'logreg';
  preset: 'study' | 'upstream';
  inputs: InputSetting[];
  /** Effective learning rates (upstream's already scaled by batch/256). */
  learningRates: number[];
  epochs: number;
  batchSize: number;
  /** null: one run with the config's seed. */
  seeds: number[] | null;
  valFraction: number;
  logregC: number[];
  logregMaxIterations: number;
  finalTraining: FinalTraining;
}

const STUDY_LEARNING_RATES = [1e-3, 5e-3, 1e-2, 5e-2];
const UPSTREAM_LEARNING_RATES = [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1];
/** Upstream DINOv2's logistic-regression sweep: `10^linspace(-6, 5, 45)`. */
export const LOGREG_C = Array.from({ length: 45 }, (_, i) => 10 ** (-6 + (11 * i) / 44));

// The study's largest rate is 0.05 and upstream's 0.1; SGD on these heads diverges long before 10.
const learningRate: JsonSchema = { type: 'number', exclusiveMinimum: 0, maximum: 10 };

export const linearOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Linear probe options',
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { const: 'linear' },
    name: { type: 'string', description: 'Name of this protocol entry in results (defaults to the kind).' },
    method: {
      enum: ['sgd', 'logreg'],
      default: 'sgd',
      description: 'sgd: the grid of linear heads trained together with SGD. logreg: L2 logistic regression (L-BFGS) on the last block\'s CLS token, C chosen on VAL (upstream log_regression).',
    },
    preset: {
      enum: ['study', 'upstream'],
      default: 'study',
      description: 'study: blocks {1, 4} × avgpool × lr {1e-3, 5e-3, 1e-2, 5e-2} = 16 heads. upstream: 13 lrs from 1e-5 to 0.1 scaled by batch/256 = 52 heads.',
    },
    blocks: { type: 'array', items: { enum: [1, 4] }, minItems: 1, uniqueItems: true, description: 'Overrides the preset: last blocks whose CLS tokens are concatenated.' },
    avgpool: { type: 'array', items: { type: 'boolean' }, minItems: 1, uniqueItems: true, description: "Overrides the preset: whether the last block's mean patch token is appended." },
    learningRates: { type: 'array', items: learningRate, minItems: 1, uniqueItems: true, description: 'Overrides the preset: learning rates, used as given (not batch-scaled).' },
    // The study trains 10 epochs; every head of the grid trains on every epoch.
    epochs: { type: 'integer', minimum: 1, maximum: 1000, default: 10, description: 'Epochs over TRAIN.' },
    batchSize: { type: 'integer', minimum: 1, maximum: 65_536, default: 128, description: 'Mini-batch size, capped at the training set size.' },
    seeds: { type: 'array', items: { type: 'integer', minimum: 0, maximum: MAX_SEED }, minItems: 1, uniqueItems: true, description: 'Runs the whole protocol once per seed; TEST metrics carry every value, mean and std. Default: the config seed, once.' },
    valFraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.1, description: 'Share of TRAIN patients carved into VAL when the dataset has no VAL split.' },
    // Upstream sweeps C up to 10⁵; past 10¹² the L2 term is below float64 rounding of the loss: no regularisation.
    logregC: { type: 'array', items: { type: 'number', exclusiveMinimum: 0, maximum: 1e12 }, minItems: 1, uniqueItems: true, description: 'logreg: inverse L2 strengths to sweep (default 10^linspace(-6, 5, 45)).' },
    logregMaxIterations: {
      type: 'integer',
      minimum: 1,
      // Newton converges in tens of steps; thousands mean the problem needs another formulation, not more steps.
      maximum: 10_000,
      default: 100,
      description: 'logreg: Newton steps per C at most (each solves its Newton system by conjugate gradients); a fit that reaches the limit is marked as not converged.',
    },
    finalTraining: {
      enum: ['train+val', 'train'],
      default: 'train+val',
      description: 'What the setting chosen on VAL is retrained on before TEST: TRAIN ∪ VAL (the study), or TRAIN alone (few-shot sets this so that VAL never joins a few-shot training set).',
    },
  },
};

function positiveInteger(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new RadprobeError(`linear option ${key} = ${String(value)} must be a positive integer`, { pointer: `/${key}` });
  return value;
}

const list = <T>(value: T[] | undefined, key: string, check: (entry: unknown) => boolean, what: string) => checkedOptionList('linear', value, key, check, what);

const isPositive = (entry: unknown) => typeof entry === 'number' && entry > 0 && Number.isFinite(entry);

/** Options with defaults and the preset filled in, checked; a bad value names its JSON pointer within the entry. */
export function resolveLinearOptions(options: LinearOptions): ResolvedLinearOptions {
  const method = options.method ?? 'sgd';
  if (method !== 'sgd' && method !== 'logreg') throw new RadprobeError(`linear option method = ${String(method)} must be "sgd" or "logreg"`, { pointer: '/method' });
  const preset = options.preset ?? 'study';
  if (preset !== 'study' && preset !== 'upstream') throw new RadprobeError(`linear option preset = ${String(preset)} must be "study" or "upstream"`, { pointer: '/preset' });
  const batchSize = positiveInteger(options.batchSize ?? 128, 'batchSize');
  const blocks = list(options.blocks, 'blocks', (entry) => entry === 1 || entry === 4, '1 or 4') ?? [1, 4];
  const avgpool = list(options.avgpool, 'avgpool', (entry) => typeof entry === 'boolean', 'true or false') ?? [false, true];
  const learningRates =
    list(options.learningRates, 'learningRates', isPositive, 'a positive number') ??
    (preset === 'study' ? STUDY_LEARNING_RATES : UPSTREAM_LEARNING_RATES.map((lr) => (lr * batchSize) / 256));
  const valFraction = options.valFraction ?? 0.1;
  if (!(valFraction > 0 && valFraction < 1)) throw new RadprobeError(`linear option valFraction = ${valFraction} must lie strictly between 0 and 1`, { pointer: '/valFraction' });
  const finalTraining = options.finalTraining ?? 'train+val';
  if (finalTraining !== 'train+val' && finalTraining !== 'train') throw new RadprobeError(`linear option finalTraining = ${String(finalTraining)} must be "train+val" or "train"`, { pointer: '/finalTraining' });
  const seeds = list(options.seeds, 'seeds', (entry) => typeof entry === 'number' && Number.isInteger(entry) && entry >= 0, 'a non-negative integer') ?? null;
  return {
    method,
    preset,
    // The logistic regression reads the last block's CLS token only, as upstream's log_regression does.
    inputs: method === 'logreg' ? [{ blocks: 1, avgpool: false }] : blocks.flatMap((n) => avgpool.map((a) => ({ blocks: n, avgpool: a }))),
    learningRates,
    epochs: positiveInteger(options.epochs ?? 10, 'epochs'),
    batchSize,
    seeds,
    valFraction,
    logregC: list(options.logregC, 'logregC', isPositive, 'a positive number') ?? LOGREG_C,
    logregMaxIterations: positiveInteger(options.logregMaxIterations ?? 100, 'logregMaxIterations'),
    finalTraining,
  };
}

/** The splits the chosen setting is retrained on. */
export function finalTrainingSplits(options: ResolvedLinearOptions): Split[] {
  return options.finalTraining === 'train' ? ['train'] : ['train', 'val'];
}
