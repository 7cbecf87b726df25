import {
  RadprobeError,
  carveValidation,
  classificationDiagnostics,
  classificationPrimaryMetric,
  classificationTestValues,
  classificationValidationValue,
  describeTrainingBackend,
  formatSetting,
  resamplingGroups,
  testRowAcrossSeeds,
  trainingBackend,
  type ClassificationDiagnostics,
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
import { FROZEN_REFERENCE, finalTrainingSplits, peftOptionsSchema, resolvePeftOptions, type PeftOptions, type ResolvedPeftOptions, type TrainedSetting } from './options.js';
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

/** One TEST row's source: the best of `settings` on VAL (a mode's learning rates, the whole grid, or the frozen reference). */
interface ReportedGroup {
  /** The mode, `best` (the whole grid), or `frozen`. */
  name: string;
  settings: TrainedSetting[];
  /** The frozen reference: reported after the fine-tuning rows, never the first row. */
  reference: boolean;
}

/** What one seed gives a group: the setting it chose on VAL, and that setting retrained and scored on TEST. */
interface GroupOutcome {
  chosen: TrainedSetting;
  /** The chosen setting's VAL value. */
  value: number;
  parameters: Parameters;
  test: Record<string, MetricValue>;
  /** The TEST scores' curves and confusion matrix; computed for the first seed only (the row shows that seed's). */
  classification: ClassificationDiagnostics | null;
  artifact: ResultArtifact | null;
}

interface SeedOutcome {
  valRows: ResultRow[];
  /** Bootstrap facts of the TEST metrics. */
  notes: string[];
  diverged: TrainedSetting[];
  /** By group name; a group whose every setting diverged is absent. */
  groups: Map<string, GroupOutcome>;
}

const settingOf = (setting: TrainedSetting): Setting => (setting.mode === 'frozen' ? { mode: setting.mode } : { mode: setting.mode, lr: setting.learningRate });

/** Per mode, or the whole grid as one group; then the frozen reference when asked. */
function reportedGroups(options: ResolvedPeftOptions): ReportedGroup[] {
  const modes = [...new Set(options.candidates.map((candidate) => candidate.mode))];
  const trained =
    options.select === 'best'
      ? [{ name: 'best', settings: options.candidates, reference: false }]
      : modes.map((mode) => ({ name: mode, settings: options.candidates.filter((candidate) => candidate.mode === mode), reference: false }));
  return options.compareWithFrozen ? [...trained, { name: FROZEN_REFERENCE.mode, settings: [FROZEN_REFERENCE], reference: true }] : trained;
}

/** A group's best setting on VAL so far, with its network when that network is the one TEST will see. */
interface Leader {
  setting: TrainedSetting;
  value: number;
  network: TrainedNetwork | null;
}

/**
 * One seed, group by group: every setting of the group (the grid's, or the frozen reference) trained on TRAIN and
 * scored on VAL; the best (the first in grid order among equals) scored on TEST, which takes no part in a choice.
 * With `finalTraining` TRAIN ∪ VAL the best is first retrained fresh on it. With TRAIN alone, retraining would repeat
 * the very run scored on VAL (same items, same seed: the same network), so that network is kept and scored as it
 * is; at most two networks are alive then, the group's best so far and the one training.
 */
async function runSeed(inputs: RunInputs, groups: readonly ReportedGroup[], seed: number, splits: readonly Split[], artifactPrefix: string, firstSeed: boolean): Promise<SeedOutcome> {
  const { context, options } = inputs;
  const { dataset } = context;
  const itemsOf = (wanted: readonly Split[]) => splits.flatMap((split, i) => (wanted.includes(split) ? [i] : []));
  const train = itemsOf(['train']);
  const val = itemsOf(['val']);
  const testItems = itemsOf(['test']);
  const keepChosen = options.finalTraining === 'train';
  const primary = classificationPrimaryMetric(dataset.task);
  const fit = (setting: TrainedSetting, items: readonly number[], what: string) =>
    trainNetwork({
      ...inputs,
      candidate: setting,
      train: items,
      seed,
      workers: context.trainingWorkers,
      signal: context.signal,
      onEpoch: (done, total) => context.progress({ label: `${what} epochs (seed ${seed}, ${formatSetting(settingOf(setting))})`, done, total }),
    });
  const valRows: ResultRow[] = [];
  const diverged: TrainedSetting[] = [];
  const notes: string[] = [];
  const outcomes = new Map<string, GroupOutcome>();
  for (const group of groups) {
    let leader: Leader | null = null;
    try {
      for (const setting of group.settings) {
        const network = await fit(setting, train, 'TRAIN');
        let kept = false;
        try {
          const value = classificationValidationValue(dataset, scoresOf(dataset.task, inputs.targets, val, await network.logits(val)));
          if (value === null) {
            diverged.push(setting);
          } else {
            valRows.push({ setting: { ...settingOf(setting), seed }, split: 'val', metrics: { [primary]: { value } }, parameters: network.parameters });
            if (leader === null || value > leader.value) {
              leader?.network?.dispose();
              leader = { setting, value, network: keepChosen ? network : null };
              kept = keepChosen;
            }
          }
        } finally {
          if (!kept) network.dispose();
        }
      }
      if (leader === null) continue;
      const chosen = leader.setting;
      const network = leader.network ?? (await fit(chosen, itemsOf(finalTrainingSplits(options)), 'refit'));
      leader.network = network;
      const testNotes: string[] = [];
      const testScores = scoresOf(dataset.task, inputs.targets, testItems, await network.logits(testItems));
      const testGroups = resamplingGroups(testItems.map((i) => dataset.items[i]));
      const test = classificationTestValues(dataset, testScores, testGroups, { ...context.bootstrap, seed }, testNotes);
      const classification = firstSeed ? classificationDiagnostics(dataset, testScores, testGroups, { ...context.bootstrap, seed }) : null;
      const artifact = chosen.mode === 'frozen' ? null : await savedArtifact(network, chosen, options, inputs.trainable, `${artifactPrefix}${chosen.mode}`);
      notes.push(...testNotes.map((note) => (groups.length > 1 ? `${group.name}: ${note}` : note)));
      outcomes.set(group.name, { chosen, value: leader.value, parameters: network.parameters, test, classification, artifact });
    } finally {
      leader?.network?.dispose();
    }
  }
  if (!groups.some((group) => !group.reference && outcomes.has(group.name))) throw new RadprobeError('peft: every setting produced non-finite VAL logits (diverged)');
  return { valRows, notes, diverged, groups: outcomes };
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

/** The VAL value of the setting a group chose, averaged over the seeds. */
function meanValidation(group: ReportedGroup, outcomes: ReadonlyArray<Map<string, GroupOutcome>>): number {
  return outcomes.reduce((sum, seed) => sum + seed.get(group.name)!.value, 0) / outcomes.length;
}

/** Groups best on VAL first; the first in group order among equals (the sort is stable). */
function byValidation(groups: readonly ReportedGroup[], outcomes: ReadonlyArray<Map<string, GroupOutcome>>): ReportedGroup[] {
  return [...groups].sort((a, b) => meanValidation(b, outcomes) - meanValidation(a, outcomes));
}

async function runPeft(options: ResolvedPeftOptions, context: ProtocolContext): Promise<ProtocolResult> {
  const { dataset } = context;
  const { pixels, trainable } = requireInputs(context);
  const tf = await trainingBackend();
  const inputs: RunInputs = { context, options, tf, weights: await trainable.weights(), trainable, loader: new PixelLoader(pixels), targets: itemTargets(dataset) };
  const seeds = options.seeds ?? [context.seed];
  const groups = reportedGroups(options);
  const hasVal = dataset.items.some((item) => item.split === 'val');
  const notes: string[] = [];
  const skipped: ProtocolResult['skipped'] = [];
  const valRows: ResultRow[] = [];
  const outcomes: Array<Map<string, GroupOutcome>> = [];
  const artifacts: ResultArtifact[] = [];
  const settings = groups.reduce((count, group) => count + group.settings.length, 0);
  context.log(`peft: ${settings} setting(s) × ${seeds.length} seed(s) on ${dataset.items.length} items, on ${(await describeTrainingBackend()).description}`);
  for (const seed of seeds) {
    const carved = hasVal ? null : carveValidation(dataset.items, options.valFraction, seed);
    if (carved) notes.push(carved.note);
    const splits = carved ? carved.splits : dataset.items.map((item) => item.split);
    for (const split of ['train', 'val', 'test'] as const) {
      if (!splits.includes(split)) throw new RadprobeError(`peft: dataset ${dataset.name} has no ${split.toUpperCase()} items${split === 'val' && carved ? ' after carving' : ''}`);
    }
    const outcome = await runSeed(inputs, groups, seed, splits, seeds.length > 1 ? `seed${seed}-` : '', seed === seeds[0]);
    valRows.push(...outcome.valRows);
    notes.push(...outcome.notes);
    for (const setting of outcome.diverged) skipped.push({ setting: { ...settingOf(setting), seed }, reason: 'diverged on TRAIN: non-finite VAL logits' });
    outcomes.push(outcome.groups);
    for (const group of outcome.groups.values()) if (group.artifact) artifacts.push(group.artifact);
  }

  // A group reports only when every seed gave it a setting; the primary (first) row is the fine-tuning group best on VAL.
  const complete = groups.filter((group) => {
    const missing = seeds.filter((_, i) => !outcomes[i].has(group.name));
    if (missing.length > 0) skipped.push({ setting: { mode: group.name }, reason: `no TEST row: every setting diverged on TRAIN with seed ${missing.join(', ')}` });
    return missing.length === 0;
  });
  const ordered = [...byValidation(complete.filter((group) => !group.reference), outcomes), ...complete.filter((group) => group.reference)];
  const testRows: ResultRow[] = ordered.map((group) => {
    const runs = outcomes.map((seed) => seed.get(group.name)!);
    const merged = testRowAcrossSeeds(seeds, runs.map((run) => run.test), runs.map((run) => settingOf(run.chosen)), Boolean(options.seeds));
    if (merged.note) notes.push(groups.length > 1 ? `${group.name}: ${merged.note}` : merged.note);
    // The reference is not chosen on VAL: its row carries no `selected`.
    const setting = group.reference ? settingOf(FROZEN_REFERENCE) : merged.setting;
    const classification = runs[0].classification;
    return { setting, split: 'test', metrics: merged.metrics, parameters: runs[0].parameters, ...(classification ? { classification } : {}) };
  });
  notes.push(...reportNotes(options, inputs, tf.getBackend(), ordered, testRows, outcomes, classificationPrimaryMetric(dataset.task)));
  if (dataset.items.some((item) => item.volume !== undefined)) notes.push('3D: slices train and are scored one by one; bootstrap resamples keep the slices of a scan (or patient) together.');
  return { primaryMetric: classificationPrimaryMetric(dataset.task), rows: [...testRows, ...valRows], notes, skipped, ...(artifacts.length > 0 ? { artifacts } : {}) };
}

/** What was trained, how it was chosen and what each TEST row is, for the results' notes. */
function reportNotes(
  options: ResolvedPeftOptions,
  inputs: RunInputs,
  backend: string,
  ordered: readonly ReportedGroup[],
  testRows: readonly ResultRow[],
  outcomes: ReadonlyArray<Map<string, GroupOutcome>>,
  primary: string,
): string[] {
  const { microBatch, checkpointed } = memoryPlanOf(options.microBatch, options.checkpointing, inputs.weights.architecture, inputs.loader.height, inputs.loader.width, backend, options.batchSize);
  // Retraining on TRAIN alone would repeat the VAL run exactly: that network is the one scored.
  const tested = options.finalTraining === 'train' ? 'its network trained on TRAIN scored on TEST as it is (VAL only chooses)' : 'retrained fresh on TRAIN ∪ VAL and scored on TEST';
  const chosen =
    options.select === 'best'
      ? `The best mode × learning rate by VAL ${primary} is chosen, ${tested}`
      : `Each mode's learning rate is chosen by VAL ${primary}, ${tested}, one row per mode; the first row is the mode best on VAL (${ordered
          .filter((group) => !group.reference)
          .map((group) => `${group.name} ${meanValidation(group, outcomes).toFixed(3)}`)
          .join(', ')}${outcomes.length > 1 ? ', means over the seeds' : ''})`;
  const notes = [
    `Fine-tuning / PEFT: the backbone (rebuilt in tensorflow.js from the model file) trains with one linear head on its last block's CLS token${options.avgpool ? ' and mean patch token' : ''}; SGD momentum 0.9, cosine to 0 per iteration, batch ${options.batchSize} capped at the training size (gradients summed over micro-batches of ${microBatch} image${microBatch === 1 ? '' : 's'}${options.microBatch === 'auto' ? ', sized by the activation-memory estimate' : ''}${checkpointed ? ', each block checkpointed: recomputed in the backward' : ''}: the update is the whole batch's), ${options.epochs} epochs, backbone at the setting's lr, head at lr ${options.headLearningRate} (weights N(0, 0.01²)). ${chosen}; TEST never takes part in a choice.`,
    `Trainable parameters, head included: ${ordered.map((group, i) => `${group.name} ${percent(testRows[i].parameters!)}`).join('; ')}.`,
  ];
  if (options.compareWithFrozen) {
    notes.push(
      `Frozen reference (mode=frozen): the same head trained the same way (head lr ${options.headLearningRate}, ${options.epochs} epochs, batch ${options.batchSize}, same loss, augmentation, seed, batches and head initialisation) on the features of the same tfjs forward, with nothing of the backbone training; scored on TEST as the modes are. It is a reference, never chosen: the linear protocol's grid of heads on cached features is the study's frozen linear probe.`,
    );
  }
  if (options.candidates.some((c) => c.mode === 'lora')) {
    notes.push(`LoRA: rank ${options.lora.rank}, alpha ${options.lora.alpha} (scale ${options.lora.alpha / options.lora.rank}), dropout ${options.lora.dropout} on qkv, fc1 and fc2 of every block; those layers' biases train too; gradients flow into the adapters (the study's code ran the backbone under no-grad, so its adapters never trained).`);
  }
  const { scale, horizontalFlip } = options.augmentation;
  notes.push(
    scale || horizontalFlip
      ? `Augmentation of training images: ${[scale ? `random resized crop (scale ${scale[0]}–${scale[1]}, aspect ratio 3/4–4/3, bilinear back to the input size)` : '', horizontalFlip ? 'horizontal flip (p = 0.5)' : ''].filter(Boolean).join(', then ')}, applied to the preprocessed backbone input (after min–max scaling and normalisation), not to the source image.`
      : 'No augmentation.',
  );
  return notes;
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
