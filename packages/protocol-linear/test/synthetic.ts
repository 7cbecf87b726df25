import { Random, type DatasetItem, type ProtocolContext, type Split, type TaskType } from '@radprobe/core';
import { memoryProtocolContext, type MemoryContextOptions } from '@radprobe/testkit';

/** One item with its cached features: CLS per exposed block (oldest first, last = final block) and mean patch token. */
export interface SyntheticItem extends DatasetItem {
  cls: number[][];
  patchMean: number[];
}

export interface SyntheticOptions {
  task: TaskType;
  classes: number;
  dim?: number;
  blocks?: number;
  counts?: Partial<Record<Split, number>>;
  seed?: number;
}

/**
 * Items whose last-block CLS token `x ~ N(0, I)` determines the labels by a fixed linear rule `z = x·R`
 * (multi-label: `z_c > 0`; multiclass: argmax; binary: `z_0 > 0`); earlier blocks and the mean patch token are
 * unrelated noise. Patients are one per item.
 */
export function syntheticItems(options: SyntheticOptions): SyntheticItem[] {
  const { task, classes } = options;
  const dim = options.dim ?? 8;
  const blocks = options.blocks ?? 4;
  const counts = { train: 240, val: 60, test: 120, ...options.counts };
  const random = new Random(options.seed ?? 11);
  const rule = Array.from({ length: dim * classes }, () => random.normal());
  const vector = () => Array.from({ length: dim }, () => random.normal());
  const items: SyntheticItem[] = [];
  for (const split of ['train', 'val', 'test'] as const) {
    for (let i = 0; i < counts[split]; i++) {
      const x = vector();
      const z = Array.from({ length: classes }, (_, c) => x.reduce((sum, v, t) => sum + v * rule[t * classes + c], 0));
      const id = `${split}-${i}`;
      const labelled =
        task === 'multilabel'
          ? { labels: z.map((v) => (v > 0 ? 1 : 0)) }
          : task === 'binary'
            ? { label: z[0] > 0 ? 1 : 0 }
            : { label: z.indexOf(Math.max(...z)) };
      items.push({ id, split, source: `${id}.png`, patient: `P-${id}`, cls: [...Array.from({ length: blocks - 1 }, vector), x], patchMean: vector(), ...labelled });
    }
  }
  return items;
}

/** A context over synthetic items as a fake ViT caches them: every block's CLS token, the last block's mean patch token. */
export function syntheticContext(task: TaskType, classes: string[], items: SyntheticItem[], extra: Partial<MemoryContextOptions> = {}): ProtocolContext {
  return memoryProtocolContext({
    task,
    classes,
    items,
    cls: items.map((item) => item.cls),
    patchMean: items.map((item) => [item.patchMean]),
    backbone: { description: 'fake ViT' },
    bootstrap: { samples: 100, confidence: 0.95 },
    ...extra,
  });
}
