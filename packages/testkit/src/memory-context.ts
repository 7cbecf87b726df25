import {
  RadprobeError,
  type BackboneInfo,
  type BootstrapSettings,
  type Dataset,
  type DatasetItem,
  type FeatureMatrix,
  type FeatureSource,
  type LabelMap,
  type MaskSource,
  type PatchTokens,
  type PixelSource,
  type Protocol,
  type ProtocolContext,
  type ProgressUpdate,
  type Split,
  type TaskType,
  type TrainableBackbone,
} from '@radprobe/core';

/** Features of every item, per exposed block: `[item][block]`, oldest block first, the last entry = the final block. */
export type PerItemPerBlock = ReadonlyArray<ReadonlyArray<ArrayLike<number>>>;

export interface MemoryContextOptions {
  task: TaskType;
  classes: string[];
  items: readonly DatasetItem[];
  /** CLS token of each item per block, each of width D. */
  cls?: PerItemPerBlock;
  /** Mean patch token of each item per block, each of width D. */
  patchMean?: PerItemPerBlock;
  /** Patch tokens of each item per block, each `[grid.rows * grid.cols, D]`. */
  patchTokens?: { grid: { rows: number; cols: number }; tokens: PerItemPerBlock };
  /**
   * Label map of each item, all of one size (the backbone input's). The items' images are taken to be that size
   * too: `MaskSource.toSource` returns a map unchanged.
   */
  masks?: readonly LabelMap[];
  /** The dataset's label-volume writer, behind `MaskSource.encodeLabelVolume` (absent: not volumetric). */
  encodeLabelVolume?: Dataset['encodeLabelVolume'];
  /**
   * Backbone inputs of every item (`ProtocolContext.pixels`; null when absent), the same `items` indexing as
   * `masks`: `pixels(index)` of a restricted context answers the selected item's entry.
   */
  pixels?: PixelSource | null;
  /** The backbone's network for training (`ProtocolContext.trainable`); null when absent. */
  trainable?: TrainableBackbone | null;
  /** Installed protocols that `ProtocolContext.protocol(kind)` finds. */
  protocols?: ReadonlyArray<Protocol<any>>;
  seed?: number;
  bootstrap?: BootstrapSettings;
  /** Data-parallel training workers (default 1: on the test's own thread). */
  trainingWorkers?: number;
  /** Dataset name (default `memory`) and notes. */
  name?: string;
  notes?: string[];
  /** Overrides of the backbone description derived from the features. */
  backbone?: Partial<BackboneInfo>;
  signal?: AbortSignal;
  progress?: (update: ProgressUpdate) => void;
  log?: (message: string) => void;
}

interface BlockValues {
  blocks: number;
  dim: number;
  values: Float32Array[][];
}

/** Checks that every item has the same number of blocks, each of `tokens · D` values; copies them to float32. */
function blocksOf(what: string, perItem: PerItemPerBlock | undefined, items: number, tokens: number): BlockValues | null {
  if (!perItem) return null;
  if (perItem.length !== items) throw new RadprobeError(`memoryProtocolContext: ${what} has ${perItem.length} entries for ${items} items`);
  const blocks = perItem[0]?.length ?? 0;
  const length = perItem[0]?.[0]?.length ?? 0;
  if (blocks === 0 || length === 0) throw new RadprobeError(`memoryProtocolContext: ${what} of item 0 is empty`);
  const values = perItem.map((itemBlocks, item) => {
    if (itemBlocks.length !== blocks) throw new RadprobeError(`memoryProtocolContext: ${what} of item ${item} has ${itemBlocks.length} blocks, item 0 has ${blocks}`);
    return itemBlocks.map((block, b) => {
      if (block.length !== length) throw new RadprobeError(`memoryProtocolContext: ${what} of item ${item}, block ${b} has ${block.length} values, item 0 has ${length}`);
      return Float32Array.from(block);
    });
  });
  const dim = length / tokens;
  if (!Number.isInteger(dim)) throw new RadprobeError(`memoryProtocolContext: ${what} has ${length} values per block, not a multiple of ${tokens} tokens`);
  return { blocks, dim, values };
}

function blockIndex(what: string, fromEnd: number, blocks: number): number {
  if (!Number.isInteger(fromEnd) || fromEnd < 0 || fromEnd >= blocks) {
    throw new RadprobeError(`${what}: block ${fromEnd} before the last was requested, but only the last ${blocks} block(s) are given`);
  }
  return blocks - 1 - fromEnd;
}

/**
 * A complete ProtocolContext over in-memory features, labels and masks, for protocol tests: reads see the items
 * of the splits asked for in item order, and `restrict` behaves as the engine's (any order and repeats in,
 * dataset order out, re-indexed from 0, out-of-range indices rejected).
 */
export function memoryProtocolContext(options: MemoryContextOptions): ProtocolContext {
  const { items } = options;
  const cls = blocksOf('cls', options.cls, items.length, 1);
  const patchMean = blocksOf('patchMean', options.patchMean, items.length, 1);
  const grid = options.patchTokens?.grid;
  const patch = blocksOf('patchTokens', options.patchTokens?.tokens, items.length, grid ? grid.rows * grid.cols : 1);
  const dims = [cls, patchMean, patch].flatMap((block) => (block ? [block.dim] : []));
  if (dims.some((dim) => dim !== dims[0])) throw new RadprobeError(`memoryProtocolContext: cls, patchMean and patchTokens differ in width (${dims.join(', ')})`);
  const masks = options.masks;
  if (masks) {
    if (masks.length !== items.length) throw new RadprobeError(`memoryProtocolContext: masks has ${masks.length} entries for ${items.length} items`);
    const odd = masks.findIndex((map) => map.width !== masks[0].width || map.height !== masks[0].height);
    if (odd >= 0) throw new RadprobeError(`memoryProtocolContext: mask ${odd} is ${masks[odd].width}×${masks[odd].height}, mask 0 ${masks[0].width}×${masks[0].height}`);
  }
  const blocks = Math.max(cls?.blocks ?? 0, patch?.blocks ?? 0, patchMean?.blocks ?? 0, 1);
  const backbone: BackboneInfo = {
    description: 'in-memory backbone',
    patchSize: 14,
    embedDim: dims[0] ?? 0,
    totalBlocks: blocks,
    exposedBlocks: Array.from({ length: blocks }, (_, index) => index),
    registerTokens: 0,
    inputSize: { height: 14 * (grid?.rows ?? 1), width: 14 * (grid?.cols ?? 1) },
    dynamicInputSize: false,
    hasPatchTokens: Boolean(patchMean || patch),
    normalization: { mean: [0, 0, 0], std: [1, 1, 1] },
    weightsHash: 'memory',
    executionProvider: 'memory',
    ...options.backbone,
  };
  const protocols = options.protocols ?? [];
  const pixels = options.pixels ?? null;
  const shared = {
    backbone,
    seed: options.seed ?? 0,
    bootstrap: options.bootstrap ?? { samples: 200, confidence: 0.95 },
    trainingWorkers: options.trainingWorkers ?? 1,
    signal: options.signal ?? new AbortController().signal,
    progress: options.progress ?? (() => {}),
    log: options.log ?? (() => {}),
    trainable: options.trainable ?? null,
    protocol: (kind: string) => protocols.find((protocol) => protocol.kind === kind),
  };

  const over = (selection: readonly number[]): ProtocolContext => {
    const view = selection.map((index) => items[index]);
    const rowsOf = (splits: Split | readonly Split[]) => {
      const wanted = new Set<Split>(typeof splits === 'string' ? [splits] : splits);
      return view.flatMap((item, index) => (wanted.has(item.split) ? [index] : []));
    };
    const matrix = (what: string, source: BlockValues | null, splits: Split | readonly Split[], fromEnd: number): FeatureMatrix => {
      if (!source) throw new RadprobeError(`memoryProtocolContext: no ${what} were given`);
      const block = blockIndex(what, fromEnd, source.blocks);
      const rows = rowsOf(splits);
      const data = new Float32Array(rows.length * source.dim);
      rows.forEach((row, position) => data.set(source.values[selection[row]][block], position * source.dim));
      return { rows: rows.length, dim: source.dim, data, items: rows };
    };
    const features: FeatureSource = {
      clsBlocks: cls?.blocks ?? 0,
      patchBlocks: patch?.blocks ?? 0,
      cls: async (splits, fromEnd = 0) => matrix('CLS tokens', cls, splits, fromEnd),
      patchMean: async (splits, fromEnd = 0) => matrix('mean patch tokens', patchMean, splits, fromEnd),
      patchTokens(splits, fromEnd = 0): AsyncIterable<PatchTokens> {
        if (!patch || !grid) throw new RadprobeError('memoryProtocolContext: no patch tokens were given');
        const block = blockIndex('patch tokens', fromEnd, patch.blocks);
        const rows = rowsOf(splits);
        return {
          async *[Symbol.asyncIterator]() {
            for (const row of rows) yield { item: row, grid, dim: patch.dim, data: patch.values[selection[row]][block].slice() };
          },
        };
      },
    };
    const itemIndex = (index: number): number => {
      if (!Number.isInteger(index) || index < 0 || index >= view.length) throw new RadprobeError(`memoryProtocolContext: no item ${index} among the ${view.length}`);
      return selection[index];
    };
    const maskSource: MaskSource | null = masks ? memoryMaskSource(masks, itemIndex, (index) => items[itemIndex(index)], options.encodeLabelVolume) : null;
    const pixelSource: PixelSource | null = pixels
      ? {
          size: pixels.size,
          async pixels(index) {
            if (!Number.isInteger(index) || index < 0 || index >= view.length) throw new RadprobeError(`memoryProtocolContext: no item ${index} among the ${view.length}`);
            return pixels.pixels(selection[index]);
          },
        }
      : null;
    return {
      ...shared,
      dataset: { name: options.name ?? 'memory', task: options.task, classes: options.classes, items: view, notes: options.notes ?? [] },
      features,
      masks: maskSource,
      pixels: pixelSource,
      restrict(subset) {
        const chosen = [...new Set(subset)].sort((a, b) => a - b);
        const outside = chosen.find((index) => !Number.isInteger(index) || index < 0 || index >= selection.length);
        if (outside !== undefined) throw new RadprobeError(`restrict: item ${outside} is not one of the ${selection.length} items of this context`);
        return over(chosen.map((index) => selection[index]));
      },
    };
  };
  return over(items.map((_, index) => index));
}

/** Masks that are both the items' own and the backbone input's geometry, so carrying one back changes nothing. */
function memoryMaskSource(
  masks: readonly LabelMap[],
  itemIndex: (index: number) => number,
  itemAt: (index: number) => DatasetItem,
  encode: Dataset['encodeLabelVolume'],
): MaskSource {
  const { height, width } = masks[0];
  const source: MaskSource = {
    size: { height, width },
    async mask(index) {
      return masks[itemIndex(index)];
    },
    async toSource(index, labels) {
      itemIndex(index);
      if (labels.width !== width || labels.height !== height || labels.data.length !== width * height) {
        throw new RadprobeError(`memoryProtocolContext: label map ${labels.width}×${labels.height} of item ${index} is not the masks' ${width}×${height}`);
      }
      return labels;
    },
  };
  if (encode) source.encodeLabelVolume = async (volume, slices) => encode(volume, slices.map(({ index, labels }) => ({ item: itemAt(index), labels })));
  return source;
}
