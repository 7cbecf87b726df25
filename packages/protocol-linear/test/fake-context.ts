import type { BackboneInfo, DatasetItem, FeatureMatrix, FeatureSource, PatchTokens, ProtocolContext, Split, TaskType } from '@radprobe/core';

/** One item with its cached features: CLS per exposed block (oldest first, last = final block) and mean patch token. */
export interface FakeItem extends DatasetItem {
  cls: number[][];
  patchMean: number[];
}

/** A ProtocolContext over in-memory features; reads return the items of the splits asked for, in item order. */
export function fakeContext(task: TaskType, classes: string[], items: FakeItem[], extra: { seed?: number; hasPatchTokens?: boolean; log?: string[] } = {}): ProtocolContext {
  const dim = items[0].patchMean.length;
  const blocks = items[0].cls.length;
  const matrix = (splits: Split | readonly Split[], pick: (item: FakeItem) => number[]): FeatureMatrix => {
    const wanted = new Set(typeof splits === 'string' ? [splits] : splits);
    const rows = items.flatMap((item, index) => (wanted.has(item.split) ? [index] : []));
    return { rows: rows.length, dim, data: Float32Array.from(rows.flatMap((index) => pick(items[index]))), items: rows };
  };
  const features: FeatureSource = {
    clsBlocks: blocks,
    patchBlocks: 0,
    cls: async (splits, fromEnd = 0) => matrix(splits, (item) => item.cls[blocks - 1 - fromEnd]),
    patchMean: async (splits, fromEnd = 0) => {
      if (fromEnd !== 0) throw new Error('the linear probe reads the mean patch token of the last block only');
      return matrix(splits, (item) => item.patchMean);
    },
    patchTokens(): AsyncIterable<PatchTokens> {
      throw new Error('the linear probe must not read patch tokens');
    },
  };
  const backbone: BackboneInfo = {
    description: 'fake ViT',
    patchSize: 14,
    embedDim: dim,
    totalBlocks: blocks,
    exposedBlocks: Array.from({ length: blocks }, (_, i) => i),
    registerTokens: 0,
    inputSize: { height: 14, width: 14 },
    dynamicInputSize: false,
    hasPatchTokens: extra.hasPatchTokens ?? true,
    normalization: { mean: [0, 0, 0], std: [1, 1, 1] },
    weightsHash: 'fake',
    executionProvider: 'none',
  };
  return {
    dataset: { name: 'fake', task, classes, items, notes: [] },
    backbone,
    features,
    seed: extra.seed ?? 0,
    bootstrap: { samples: 100, confidence: 0.95 },
    progress: () => {},
    log: (message) => extra.log?.push(message),
    signal: new AbortController().signal,
    masks: null,
    protocol: () => undefined,
    restrict: () => {
      throw new Error('the linear probe must not restrict its context');
    },
  };
}
