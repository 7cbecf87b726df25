import type { DatasetItem, FeatureMatrix, FeatureSource, PatchTokens, ProtocolContext, Split, TaskType } from '@radprobe/core';

/** One item with its CLS feature. */
export interface FakeItem extends DatasetItem {
  feature: number[];
}

/** A ProtocolContext over in-memory features: `cls(splits)` returns the items of those splits in item order. */
export function fakeContext(
  task: TaskType,
  classes: string[],
  items: FakeItem[],
  extra: { signal?: AbortSignal; progress?: Array<[string, number, number]> } = {},
): ProtocolContext {
  const dim = items[0].feature.length;
  const matrix = (splits: Split | readonly Split[]): FeatureMatrix => {
    const wanted = new Set(typeof splits === 'string' ? [splits] : splits);
    const rows = items.flatMap((item, index) => (wanted.has(item.split) ? [index] : []));
    return { rows: rows.length, dim, data: Float32Array.from(rows.flatMap((index) => items[index].feature)), items: rows };
  };
  const features: FeatureSource = {
    clsBlocks: 1,
    patchBlocks: 0,
    cls: async (splits) => matrix(splits),
    patchMean: async () => {
      throw new Error('kNN must not read patch means');
    },
    patchTokens(): AsyncIterable<PatchTokens> {
      throw new Error('kNN must not read patch tokens');
    },
  };
  return {
    dataset: { name: 'fake', task, classes, items, notes: [] },
    backbone: {
      description: 'fake',
      patchSize: 14,
      embedDim: dim,
      totalBlocks: 1,
      exposedBlocks: [0],
      registerTokens: 0,
      inputSize: { height: 14, width: 14 },
      dynamicInputSize: false,
      hasPatchTokens: false,
      normalization: { mean: [0, 0, 0], std: [1, 1, 1] },
      weightsHash: 'fake',
      executionProvider: 'none',
    },
    features,
    seed: 0,
    bootstrap: { samples: 200, confidence: 0.95 },
    progress: (update) => extra.progress?.push([update.label, update.done, update.total]),
    log: () => {},
    signal: extra.signal ?? new AbortController().signal,
    masks: null,
    protocol: () => undefined,
    restrict: () => {
      throw new Error('kNN must not restrict its context');
    },
  };
}

/** The unit vector at `degrees`. */
export const direction = (degrees: number): number[] => [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];
