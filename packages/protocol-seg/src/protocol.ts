import {
  RadprobeError,
  accumulateCounts,
  carveValidation,
  computeBackend,
  macroOverlapMetric,
  metricValue,
  resamplingGroups,
  segmentationCounts,
  volumeDiceMetric,
  type MetricValue,
  type Protocol,
  type ProtocolContext,
  type ProtocolResult,
  type ResultArtifact,
  type ResultRow,
  type SegmentationCounts,
  type Split,
} from '@radprobe/core';
import { trainDecoders, type TrainedDecoders } from './decoder-grid.js';
import type { DecoderShape } from './decoders.js';
import { DICE_SMOOTH } from './dice-loss.js';
import { maskImageName, predictedVolumeName } from './artifact-names.js';
import { labelMapsPng } from './label-png.js';
import { DECODER_BLOCKS, finalTrainingSplits, resolveSegOptions, segOptionsSchema, type DecoderKind, type ResolvedSegOptions, type SegOptions } from './options.js';
import { readMasks, readTokens, type MaskTable } from './segmentation-data.js';

type Setting = Record<string, string | number | boolean>;

/** Per-item counts of every decoder's predictions of `items`, and the predictions of the items in `keep` (only those). */
async function countPredictions(trained: TrainedDecoders, items: readonly number[], masks: MaskTable, classes: number, keepItems: ReadonlySet<number> = new Set()) {
  const counts = trained.decoders.map(() => segmentationCounts(items.length, classes));
  const kept: Array<Map<number, Uint8Array>> = trained.decoders.map(() => new Map());
  const position = new Map(items.map((item, i) => [item, i]));
  const size = masks.height * masks.width;
  await trained.predict(items, (chunk, predictions) => {
    chunk.forEach((item, c) => {
      predictions.forEach((labels, d) => {
        const predicted = labels.subarray(c * size, (c + 1) * size);
        accumulateCounts(counts[d], position.get(item)!, masks.masks.get(item)!, predicted);
        if (keepItems.has(item)) kept[d].set(item, predicted.slice());
      });
    });
  });
  return { counts, kept };
}

/** Dice, IoU and, for scans, per-volume 3D Dice of the TEST items, with bootstrap intervals by patient or volume. */
function testMetrics(context: ProtocolContext, items: readonly number[], counts: SegmentationCounts, seed: number, notes: string[]): Record<string, MetricValue> {
  const { dataset } = context;
  const tested = items.map((item) => dataset.items[item]);
  const groups = resamplingGroups(tested);
  const bootstrap = { ...context.bootstrap, seed };
  const metrics: Record<string, MetricValue> = {};
  const add = (name: string, metric: Parameters<typeof metricValue>[0]) => {
    const { value, skippedNote } = metricValue(metric, groups, bootstrap);
    metrics[name] = value;
    if (skippedNote) notes.push(`${name}: ${skippedNote}`);
  };
  add('dice', macroOverlapMetric(counts, dataset.classes, 'dice'));
  add('iou', macroOverlapMetric(counts, dataset.classes, 'iou'));
  if (tested.every((item) => item.volume !== undefined)) {
    const volumes = new Map<string, number[]>();
    tested.forEach((item, i) => volumes.set(item.volume!, [...(volumes.get(item.volume!) ?? []), i]));
    add('volumeDice', volumeDiceMetric(counts, [...volumes.values()]));
  }
  return metrics;
}

/** The TEST items of each of the first `count` scans among `items` (items with a `volume`), in item order. */
function firstVolumes(context: ProtocolContext, items: readonly number[], count: number): Map<string, number[]> {
  const volumes = new Map<string, number[]>();
  for (const item of items) {
    const volume = context.dataset.items[item].volume;
    if (volume === undefined) continue;
    let slices = volumes.get(volume);
    if (!slices) {
      if (volumes.size === count) continue;
      slices = [];
      volumes.set(volume, slices);
    }
    slices.push(item);
  }
  return volumes;
}

/** Each scan's predicted slices as a label volume in the source's format and geometry (the dataset writes it). */
async function labelVolumeArtifacts(context: ProtocolContext, kind: DecoderKind, volumes: Map<string, number[]>, predictions: Map<number, Uint8Array>, masks: MaskTable): Promise<ResultArtifact[]> {
  const artifacts: ResultArtifact[] = [];
  for (const [volume, items] of volumes) {
    const slices = items.map((item) => ({ index: item, labels: { width: masks.width, height: masks.height, data: predictions.get(item)! } }));
    const file = await context.masks!.encodeLabelVolume!(volume, slices);
    artifacts.push({ name: predictedVolumeName(kind, volume), mediaType: file.mediaType, data: file.data });
  }
  return artifacts;
}

interface DecoderOutcome {
  valRows: ResultRow[];
  testRow: ResultRow;
  artifacts: ResultArtifact[];
}

/**
 * One decoder kind: the learning-rate grid trained together on TRAIN, each decoder scored by macro Dice on VAL;
 * the best learning rate retrained fresh on TRAIN ∪ VAL (or TRAIN alone, `finalTraining`) and scored on TEST. TEST is read only after the choice.
 */
async function runDecoder(args: {
  context: ProtocolContext;
  options: ResolvedSegOptions;
  kind: DecoderKind;
  shape: DecoderShape;
  masks: MaskTable;
  splits: Record<Split, number[]>;
  seed: number;
  notes: string[];
  skipped: ProtocolResult['skipped'];
}): Promise<DecoderOutcome> {
  const { context, options, kind, shape, masks, splits, seed } = args;
  const classes = context.dataset.classes;
  const common = { context, kind, shape, masks, loss: options.loss, epochs: options.epochs, batchSize: options.batchSize, microBatchSize: options.microBatchSize, seed, workers: context.trainingWorkers };
  const progress = (label: string) => (epoch: number, epochs: number) => context.progress({ label, done: epoch, total: epochs });
  const grid = await trainDecoders({ ...common, train: splits.train, learningRates: options.learningRates, onEpoch: progress(`${kind} decoder grid epochs (${options.learningRates.length} decoders)`) });
  let valCounts: SegmentationCounts[];
  try {
    valCounts = (await countPredictions(grid, splits.val, masks, classes.length)).counts;
  } finally {
    grid.dispose();
  }
  context.log(`${kind} decoders: last-epoch TRAIN loss ${options.learningRates.map((lr, d) => `lr ${lr}: ${grid.epochLosses[d][options.epochs - 1].toFixed(4)}`).join(', ')}`);
  const valRows: ResultRow[] = [];
  let best: { lr: number; value: number } | null = null;
  options.learningRates.forEach((lr, d) => {
    const setting: Setting = { decoder: kind, lr };
    const lastLoss = grid.epochLosses[d][grid.epochLosses[d].length - 1];
    const value = Number.isFinite(lastLoss) ? macroOverlapMetric(valCounts[d], classes, 'dice').evaluate(null) : null;
    if (value === null) {
      args.skipped.push({ setting, reason: Number.isFinite(lastLoss) ? 'no foreground class in VAL truth or predictions' : 'diverged on TRAIN: non-finite loss' });
      return;
    }
    valRows.push({ setting, split: 'val', metrics: { dice: { value } } });
    if (best === null || value > best.value) best = { lr, value };
  });
  const chosen = best as { lr: number; value: number } | null;
  if (!chosen) throw new RadprobeError(`seg: every ${kind} decoder diverged or predicted no foreground on VAL`);
  const refit = finalTrainingSplits(options).flatMap((split) => splits[split]).sort((a, b) => a - b);
  const final = await trainDecoders({ ...common, train: refit, learningRates: [chosen.lr], onEpoch: progress(`${kind} decoder refit epochs`) });
  try {
    const imaged = splits.test.slice(0, options.writeMasks);
    const volumes = context.masks?.encodeLabelVolume ? firstVolumes(context, splits.test, options.writeMasks) : new Map<string, number[]>();
    const { counts, kept } = await countPredictions(final, splits.test, masks, classes.length, new Set([...imaged, ...[...volumes.values()].flat()]));
    const artifacts: ResultArtifact[] = imaged.map((item) => ({
      name: maskImageName(kind, context.dataset.items[item].id),
      mediaType: 'image/png',
      data: labelMapsPng(masks.masks.get(item)!, kept[0].get(item)!, masks.width, masks.height),
    }));
    artifacts.push(...(await labelVolumeArtifacts(context, kind, volumes, kept[0], masks)));
    context.log(`${kind} decoder, lr ${chosen.lr}: VAL Dice ${chosen.value.toFixed(4)}, refit last-epoch loss ${final.epochLosses[0][options.epochs - 1].toFixed(4)}`);
    const testRow: ResultRow = { setting: { decoder: kind, lr: chosen.lr, selected: true }, split: 'test', metrics: testMetrics(context, splits.test, counts[0], seed, args.notes) };
    return { valRows, testRow, artifacts };
  } finally {
    final.dispose();
  }
}

/** The decoders the cache can serve; the others go to `skipped` with the reason. */
function runnableDecoders(options: ResolvedSegOptions, context: ProtocolContext, skipped: ProtocolResult['skipped']): DecoderKind[] {
  return options.decoders.filter((kind) => {
    if (DECODER_BLOCKS[kind] <= context.features.patchBlocks) return true;
    skipped.push({
      setting: { decoder: kind },
      reason: `needs the patch tokens of the last ${DECODER_BLOCKS[kind]} blocks; ${context.backbone.description} exposes ${context.features.patchBlocks}`,
    });
    return false;
  });
}

async function runSeg(options: ResolvedSegOptions, context: ProtocolContext): Promise<ProtocolResult> {
  const { dataset, backbone } = context;
  if (dataset.task !== 'segmentation') throw new RadprobeError(`seg: dataset ${dataset.name} is a ${dataset.task} task, not segmentation`);
  if (!backbone.hasPatchTokens) throw new RadprobeError(`seg: ${backbone.description} has no patch tokens to decode`);
  const notes: string[] = [];
  const skipped: ProtocolResult['skipped'] = [];
  const kinds = runnableDecoders(options, context, skipped);
  if (kinds.length === 0) throw new RadprobeError(`seg: no decoder can run on these features (${skipped.map((s) => s.reason).join('; ')})`);
  const seed = context.seed;
  const carved = dataset.items.some((item) => item.split === 'val') ? null : carveValidation(dataset.items, options.valFraction, seed);
  if (carved) notes.push(carved.note);
  const splits: Record<Split, number[]> = { train: [], val: [], test: [] };
  dataset.items.forEach((item, index) => splits[carved ? carved.splits[index] : item.split].push(index));
  for (const split of ['train', 'val', 'test'] as const) {
    if (splits[split].length === 0) throw new RadprobeError(`seg: dataset ${dataset.name} has no ${split.toUpperCase()} items${split === 'val' && carved ? ' after carving' : ''}`);
  }
  const masks = await readMasks(context, dataset.items.map((_, index) => index));
  const probe = await readTokens(context, [0], 1);
  const shape: DecoderShape = { embedDim: probe.dim, classes: dataset.classes.length, grid: probe.grid, output: { height: masks.height, width: masks.width } };
  context.log(
    `${kinds.join(' and ')} decoder(s), ${options.learningRates.length} learning rates each, on ${splits.train.length} TRAIN / ${splits.val.length} VAL / ${splits.test.length} TEST images ` +
      `(patch grid ${shape.grid.rows}×${shape.grid.cols}×${shape.embedDim} → ${shape.output.height}×${shape.output.width}, ${shape.classes} classes), on ${(await computeBackend()).name}`,
  );
  const testRows: ResultRow[] = [];
  const valRows: ResultRow[] = [];
  const artifacts: ResultArtifact[] = [];
  for (const kind of kinds) {
    const outcome = await runDecoder({ context, options, kind, shape, masks, splits, seed, notes, skipped });
    testRows.push(outcome.testRow);
    valRows.push(...outcome.valRows);
    artifacts.push(...outcome.artifacts);
  }
  notes.push(
    `Segmentation: one decoder per learning rate trained together on TRAIN (SGD momentum 0.9, cosine to 0 per iteration, batch ${options.batchSize} capped at the TRAIN size, ` +
      `${options.epochs} epochs, processed in chunks of ${options.microBatchSize} images whose gradients are summed; BatchNorm uses each chunk's statistics), ` +
      `the best by VAL macro Dice retrained fresh on ${options.finalTraining === 'train' ? 'TRAIN alone' : 'TRAIN ∪ VAL'} and reported on TEST.`,
    `Loss: ${options.loss === 'dice' ? 'Dice' : 'Dice + cross-entropy'} on the softmax with one-hot targets, as MONAI DiceLoss(softmax=True, to_onehot_y=True): per image and class ` +
      `1 − (2·Σp·g + ${DICE_SMOOTH}) / (Σg + Σp + ${DICE_SMOOTH}), background included, averaged over images and classes${options.loss === 'dice' ? '' : '; plus the mean pixel cross-entropy'}.`,
    'Metrics: Dice and IoU per foreground class from the pixels of all TEST images pooled, macro-averaged over foreground classes (background excluded); a class absent from both truth and ' +
      'prediction has no Dice and is left out of the average (listed as excluded); a class predicted but absent from the truth scores 0.',
  );
  if (kinds.includes('unet')) {
    notes.push('U-Net decoder: the last up-block ends in a plain 3×3 conv (no BatchNorm + ReLU, unlike the study\'s code, whose logits were therefore non-negative); its 16h output is resized bilinearly (align_corners false) to the input size.');
  }
  if (testRows[0].metrics.volumeDice) notes.push('volumeDice: per scan, the Dice of each foreground class present in its truth or prediction, averaged; then the mean over scans (radprobe addition).');
  const result: ProtocolResult = { primaryMetric: 'dice', rows: [...testRows, ...valRows], notes, skipped };
  if (artifacts.length > 0) {
    result.artifacts = artifacts;
    notes.push(`Mask images: the first ${options.writeMasks} TEST images per decoder, truth (left) and prediction (right), one colour per class.`);
    if (artifacts.some((artifact) => artifact.name.endsWith('-pred.nii.gz'))) {
      notes.push(
        `Predicted label volumes: the first ${options.writeMasks} TEST scans per decoder as NIfTI (<decoder>-<scan>-pred.nii.gz) on the scan's own grid and header transform, ` +
          'each slice carried back through the resize and crop (nearest neighbour, cropped-away pixels 0); slices without an item are 0.',
      );
    }
  }
  return result;
}

export const segProtocol: Protocol<SegOptions> = {
  kind: 'seg',
  title: 'Segmentation decoders',
  optionsSchema: segOptionsSchema,
  tasks: ['segmentation'],
  featureNeeds(options, backbone) {
    const { decoders } = resolveSegOptions(options);
    const wanted = Math.max(...decoders.map((kind) => DECODER_BLOCKS[kind]));
    return { clsBlocks: 0, patchMean: false, patchBlocks: backbone.hasPatchTokens ? Math.min(wanted, backbone.exposedBlocks.length) : 0, masks: true };
  },
  async run(options, context) {
    return runSeg(resolveSegOptions(options), context);
  },
};
