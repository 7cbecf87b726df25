import { Random, type DatasetItem, type ProtocolContext, type Protocol, type Split, type TaskType } from '@radprobe/core';
import { memoryProtocolContext } from '@radprobe/testkit';

export interface PatientData {
  task: TaskType;
  classes: string[];
  items: DatasetItem[];
  cls: number[][][];
}

/**
 * Patients whose vector `z ~ N(0, I)` fixes their labels by a linear rule (multi-label: `z·R_c > 0`; multiclass:
 * argmax), each with `images` images whose one-block CLS token is `z` plus a little noise. Patient ids are
 * `P-<split>-<nn>`; with `patients: false` items carry no patient (image-level data).
 */
export function patientData(options: { task: 'multilabel' | 'multiclass'; counts: Record<Split, number>; images?: number; seed?: number; patients?: boolean }): PatientData {
  const classes = ['A', 'B', 'C'];
  const dim = 6;
  const random = new Random(options.seed ?? 4);
  const rule = Array.from({ length: dim * classes.length }, () => random.normal());
  const items: DatasetItem[] = [];
  const cls: number[][][] = [];
  for (const split of ['train', 'val', 'test'] as const) {
    for (let p = 0; p < options.counts[split]; p++) {
      const z = Array.from({ length: dim }, () => random.normal());
      const scores = classes.map((_, c) => z.reduce((sum, v, t) => sum + v * rule[t * classes.length + c], 0));
      const labelled = options.task === 'multilabel' ? { labels: scores.map((s) => (s > 0 ? 1 : 0)) } : { label: scores.indexOf(Math.max(...scores)) };
      const patient = `P-${split}-${String(p).padStart(2, '0')}`;
      for (let i = 0; i < (options.images ?? 2); i++) {
        const id = `${patient}-${i}`;
        items.push({ id, split, source: `${id}.png`, ...(options.patients === false ? {} : { patient }), ...labelled });
        cls.push([z.map((v) => v + 0.2 * random.normal())]);
      }
    }
  }
  return { task: options.task, classes, items, cls };
}

export function contextOf(data: PatientData, protocols: ReadonlyArray<Protocol<any>>, seed = 0): ProtocolContext {
  return memoryProtocolContext({ task: data.task, classes: data.classes, items: data.items, cls: data.cls, protocols, seed, bootstrap: { samples: 50, confidence: 0.95 } });
}
