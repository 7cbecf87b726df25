import {
  RadprobeError,
  carveValidation,
  classificationPrimaryMetric,
  classificationTestValues,
  classificationValidationValue,
  describeTrainingBackend,
  resamplingGroups,
  testRowAcrossSeeds,
  trainingBackend,
  type MetricValue,
  type PixelSource,
  type Protocol,
  type ProtocolContext,
  type ProtocolResult,
  type ResultArtifact,
  type ResultRow,
  type Split,
  type TensorFlow,
  type TrainableBackbone,
  type VitWeights,
} from '@radprobe/core';
import { memoryPlanOf } from './micro-batch.js';
import { finalTrainingSplits, peftOptionsSchema, resolvePeftOptions, type Candidate, type PeftOptions, type ResolvedPeftOptions } from './options.js';
import { PixelLoader } from './pixel-loader.js';
import { savedArtifact } from './saving.js';
import { itemTargets, scoresOf, type ItemTargets } from './targets.js';
import { trainNetwork, type TrainedNetwork } from './training.js';

type Setting = Record<string, string | number | boolean>;
type Parameters = NonNullable<ResultRow['parameters']>;

interface RunInputs {
  context: ProtocolContext;
  options: ResolvedPeftOptions;
  tf: TensorFlow;
  weights: VitWeights;
  trainable: TrainableBackbone;
  loader: PixelLoader;
  targets: ItemTargets;
}

interface SeedOutcome {
  valRows: ResultRow[];
  /** Bootstrap facts of the TEST metrics. */
  notes: string[];
  diverged: Candidate[];
  chosen: Candidate;
  parameters: Parameters;
  test: Record<string, MetricValue>;
  artifact: ResultArtifact | null;
}

const settingOf = (candidate: Candidate): Setting => ({ mode: candidate.mode, lr: candidate.learningRate });

/** The best candidate on VAL, the first in grid order among equals. */
function choose(values: ReadonlyArray<{ candidate: Candidate; value: number | null }>): Candidate {
  let best: { candidate: Candidate; value: number } | null = null;
  for (const { candidate, value } of values) if (value !== null && (best === null || value > best.value)) best = { candidate, value };
  if (!best) throw new RadprobeError('peft: every setting produced non-finite VAL logits (diverged)');
  return best.candidate;
}

async function withNetwork<T>(network: Promise<TrainedNetwork>, use: (trained: TrainedNetwork) => Promise<T>): Promise<T> {
  const trained = await network;
  try {
    return await use(trained);
  } finally {
    trained.dispose();
  }
}

/**
 * One seed: every candidate trained on TRAIN and scored on VAL; the best retrained fresh on TRAIN ∪ VAL (or
 * TRAIN alone) and scored on TEST, which takes no part in the choice.
 */
async function runSeed(inputs: RunInputs, seed: number, splits: readonly Split[], artifactPrefix: string): Promise<SeedOutcome> {
  const { context, options } = inputs;
  const { dataset } = context;
  const itemsOf = (wanted: readonly Split[]) => splits.flatMap((split, i) => (wanted.includes(split) ? [i] : []));
  const train = itemsOf(['train']);
  const val = itemsOf(['val']);
  const test = itemsOf(['test']);
  const fit = (candidate: Candidate, items: readonly number[], what: string) =>
    trainNetwork({
      ...inputs,
      candidate,
      train: items,
      seed,
      signal: context.signal,
      onEpoch: (done, total) => context.progress({ label: `${what} epochs (seed ${seed}, ${candidate.mode}, lr ${candidate.learningRate})`, done, total }),
    });
  const scored: Array<{ candidate: Candidate; value: number | null; parameters: Parameters }> = [];
  for (const candidate of options.candidates) {
    scored.push(
      await withNetwork(fit(candidate, train, 'TRAIN'), async (network) => ({
        candidate,
        value: classificationValidationValue(dataset, scoresOf(dataset.task, inputs.targets, val, await network.logits(val))),
        parameters: network.parameters,
      })),
    );
  }
  const chosen = choose(scored);
  const primary = classificationPrimaryMetric(dataset.task);
  const valRows = scored.flatMap(({ candidate, value, parameters }) =>
    value === null ? [] : [{ setting: { ...settingOf(candidate), seed }, split: 'val' as const, metrics: { [primary]: { value } }, parameters }],
  );
  const notes: string[] = [];
  const outcome = await withNetwork(fit(chosen, itemsOf(finalTrainingSplits(options)), 'refit'), async (network) => ({
    parameters: network.parameters,
    test: classificationTestValues(
      dataset,
      scoresOf(dataset.task, inputs.targets, test, await network.logits(test)),
      resamplingGroups(test.map((i) => dataset.items[i])),
      { ...context.bootstrap, seed },
      notes,
    ),
    artifact: await savedArtifact(network, chosen, options, inputs.trainable, `${artifactPrefix}${chosen.mode}`),
  }));
  return { valRows, notes, diverged: scored.filter((s) => s.value === null).map((s) => s.candidate), chosen, ...outcome };
}

function requireInputs(context: ProtocolContext): { pixels: PixelSource; trainable: TrainableBackbone } {
  const { pixels, trainable, backbone } = context;
  if (!trainable) throw new RadprobeError(`peft: backbone ${backbone.description} cannot hand out its network for training (only DINOv2-style ViT model files can)`);
  if (!pixels) throw new RadprobeError(`peft: the run gave no backbone inputs (pixels) for dataset ${context.dataset.name}`);
  return { pixels, trainable };
}

function percent(parameters: Parameters): string {
  return `${parameters.trainable} of ${parameters.total} (${((100 * parameters.trainable) / parameters.total).toFixed(2)} %)`;
}

async function runPeft(options: ResolvedPeftOptions, context: ProtocolContext): Promise<ProtocolResult> {
  const { dataset } = context;
  const { pixels, trainable } = requireInputs(context);
  const tf = await trainingBackend();
  const inputs: RunInputs = { context, options, tf, weights: await trainable.weights(), trainable, loader: new PixelLoader(pixels), targets: itemTargets(dataset) };
  const seeds = options.seeds ?? [context.seed];
  const hasVal = dataset.items.some((item) => item.split === 'val');
  const notes: string[] = [];
  const skipped: ProtocolResult['skipped'] = [];
  const valRows: ResultRow[] = [];
  const choices: Setting[] = [];
  const testRuns: Array<Record<string, MetricValue>> = [];
  const artifacts: ResultArtifact[] = [];
  let testParameters: Parameters | null = null;
  context.log(`peft: ${options.candidates.length} setting(s) × ${seeds.length} seed(s) on ${dataset.items.length} items, on ${(await describeTrainingBackend()).description}`);
  for (const seed of seeds) {
    const carved = hasVal ? null : carveValidation(dataset.items, options.valFraction, seed);
    if (carved) notes.push(carved.note);
    const splits = carved ? carved.splits : dataset.items.map((item) => item.split);
    for (const split of ['train', 'val', 'test'] as const) {
      if (!splits.includes(split)) throw new RadprobeError(`peft: dataset ${dataset.name} has no ${split.toUpperCase()} items${split === 'val' && carved ? ' after carving' : ''}`);
    }
    const outcome = await runSeed(inputs, seed, splits, seeds.length > 1 ? `seed${seed}-` : '');
    valRows.push(...outcome.valRows);
    notes.push(...outcome.notes);
    for (const candidate of outcome.diverged) skipped.push({ setting: { ...settingOf(candidate), seed }, reason: 'diverged on TRAIN: non-finite VAL logits' });
    choices.push(settingOf(outcome.chosen));
    testRuns.push(outcome.test);
    testParameters ??= outcome.parameters;
    if (outcome.artifact) artifacts.push(outcome.artifact);
  }

  const merged = testRowAcrossSeeds(seeds, testRuns, choices, Boolean(options.seeds));
  if (merged.note) notes.push(merged.note);
  const primary = classificationPrimaryMetric(dataset.task);
  const { microBatch, checkpointed } = memoryPlanOf(options.microBatch, options.checkpointing, inputs.weights.architecture, inputs.loader.height, inputs.loader.width, tf.getBackend(), options.batchSize);
  const finalOn = options.finalTraining === 'train' ? 'TRAIN alone (VAL only chooses)' : 'TRAIN ∪ VAL';
  notes.push(
    `Fine-tuning / PEFT: the backbone (rebuilt in tensorflow.js from the model file) trains with one linear head on its last block's CLS token${options.avgpool ? ' and mean patch token' : ''}; SGD momentum 0.9, cosine to 0 per iteration, batch ${options.batchSize} capped at the training size (gradients summed over micro-batches of ${microBatch} image${microBatch === 1 ? '' : 's'}${options.microBatch === 'auto' ? ', sized by the activation-memory estimate' : ''}${checkpointed ? ', each block checkpointed: recomputed in the backward' : ''}: the update is the whole batch's), ${options.epochs} epochs, backbone at the setting's lr, head at lr ${options.headLearningRate} (weights N(0, 0.01²)). The best setting by VAL ${primary} is retrained fresh on ${finalOn} and reported on TEST; TEST never takes part in the choice.`,
    `Trainable parameters of the reported setting: ${percent(testParameters!)}, head included.`,
  );
  if (options.candidates.some((c) => c.mode === 'lora')) {
    notes.push(`LoRA: rank ${options.lora.rank}, alpha ${options.lora.alpha} (scale ${options.lora.alpha / options.lora.rank}), dropout ${options.lora.dropout} on qkv, fc1 and fc2 of every block; those layers' biases train too; gradients flow into the adapters (the study's code ran the backbone under no-grad, so its adapters never trained).`);
  }
  const { scale, horizontalFlip } = options.augmentation;
  notes.push(
    scale || horizontalFlip
      ? `Augmentation of training images: ${[scale ? `random resized crop (scale ${scale[0]}–${scale[1]}, aspect ratio 3/4–4/3, bilinear back to the input size)` : '', horizontalFlip ? 'horizontal flip (p = 0.5)' : ''].filter(Boolean).join(', then ')}, applied to the preprocessed backbone input (after min–max scaling and normalisation), not to the source image.`
      : 'No augmentation.',
  );
  if (dataset.items.some((item) => item.volume !== undefined)) notes.push('3D: slices train and are scored one by one; bootstrap resamples keep the slices of a scan (or patient) together.');
  const testRow: ResultRow = { setting: merged.setting, split: 'test', metrics: merged.metrics, parameters: testParameters! };
  return { primaryMetric: primary, rows: [testRow, ...valRows], notes, skipped, ...(artifacts.length > 0 ? { artifacts } : {}) };
}

export const peftProtocol: Protocol<PeftOptions> = {
  kind: 'peft',
  title: 'Fine-tuning / PEFT',
  optionsSchema: peftOptionsSchema,
  tasks: ['multiclass', 'binary', 'multilabel'],
  featureNeeds(options) {
    resolvePeftOptions(options);
    return { clsBlocks: 0, patchMean: false, patchBlocks: 0, pixels: true, trainable: true };
  },
  async run(options, context) {
    return runPeft(resolvePeftOptions(options), context);
  },
};
