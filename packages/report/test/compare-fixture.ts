import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellResult, ConfidenceInterval, DatasetSummary, MetricValue, ResultRow, RunResults } from '@radprobe/core';
import { onePixelPng } from './artifact-fixture.js';
import { hostileLabel } from './fixtures.js';

/**
 * Two runs to compare. Run A: backbones small (S) and base (B); run B: resnet (R) and a backbone named with a
 * hostile label (H). Primary metrics on TEST:
 *
 * | column                | S    | B    | R    | H    |
 * | cxr · linear          | 0.80 | 0.90 | 0.80 | 0.50 |
 * | cxr · knn (k=5)       | 0.70 | 0.60 |      |      |
 * | cxr · knn (k=20)      | 0.75 | 0.75 |      |      |
 * | lungs · seg (linear)  | 0.85 | 0.80 | 0.70 |      |
 * | lungs · seg (unet)    | 0.90 | 0.92 | 0.88 |      |
 * | cxr · fewshot (shots=1) | 0.60 |    | 0.65 |      |
 * | cxr · fewshot (shots=4) | 0.70 |    | 0.70 |      |
 */
export const weights = { small: 'a1'.repeat(32), base: 'b2'.repeat(32), resnet: 'c3'.repeat(32), hostile: 'd4'.repeat(32) };

const interval = (low: number, high: number): ConfidenceInterval => ({ low, high, confidence: 0.95, samples: 200, unit: 'item' });
const plain = (value: number, low = value - 0.05, high = value + 0.05): MetricValue => ({ value, ci: interval(low, high) });

function cell(backbone: string, dataset: string, protocol: string, primaryMetric: string, rows: ResultRow[]): CellResult {
  return { backbone, dataset, protocol, protocolKind: protocol, status: 'completed', durationMs: 10, result: { primaryMetric, rows, notes: [], skipped: [] } };
}

function linear(backbone: string, metric: MetricValue, primaryMetric = 'auroc'): CellResult {
  const valRow: ResultRow = { setting: { blocks: 1, avgpool: false, lr: 0.001, seed: 0 }, split: 'val', metrics: { [primaryMetric]: { value: 0.99 } } };
  return cell(backbone, 'cxr', 'linear', primaryMetric, [valRow, { setting: { blocks: 1, avgpool: false, lr: 0.01, selected: true }, split: 'test', metrics: { [primaryMetric]: metric } }]);
}

function knn(backbone: string, k5: number, k20: number): CellResult {
  return cell(backbone, 'cxr', 'knn', 'auroc', [
    { setting: { k: 5 }, split: 'test', metrics: { auroc: plain(k5) } },
    { setting: { k: 20 }, split: 'test', metrics: { auroc: plain(k20) } },
  ]);
}

/** Learning rates differ between decoders and backbones (chosen on VAL); only the decoder names a column. */
function seg(backbone: string, linearDice: number, unetDice: number, linearLr: number, unetLr: number): CellResult {
  return cell(backbone, 'lungs', 'seg', 'dice', [
    { setting: { decoder: 'linear', lr: linearLr, selected: true }, split: 'test', metrics: { dice: plain(linearDice), iou: { value: linearDice - 0.1 } } },
    { setting: { decoder: 'unet', lr: unetLr, selected: true }, split: 'test', metrics: { dice: plain(unetDice), iou: { value: unetDice - 0.1 } } },
  ]);
}

function fewshot(backbone: string, one: number[], four: number[]): CellResult {
  const row = (shots: number, values: number[]): ResultRow => {
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const std = values.length > 1 ? Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1)) : 0;
    return { setting: { shots, unit: 'image' }, split: 'test', metrics: { auroc: { value: mean, seeds: { seeds: values.map((_, i) => i), values, mean, std, intervals: values.map(() => null) } } } };
  };
  return cell(backbone, 'cxr', 'fewshot', 'auroc', [row(1, one), row(4, four)]);
}

export function datasetSummaries(): DatasetSummary[] {
  return [
    { name: 'cxr', kind: 'image-folder', task: 'multiclass', classes: ['normal', 'effusion'], counts: { train: 10, val: 2, test: 5 }, patients: null, splitHash: 'e5'.repeat(32), skipped: [], notes: [] },
    { name: 'lungs', kind: 'segmentation-folder', task: 'segmentation', classes: ['background', 'lung'], counts: { train: 8, val: 2, test: 4 }, patients: 14, splitHash: 'f6'.repeat(32), skipped: [], notes: [] },
  ];
}

function run(runId: string, name: string, backbones: Array<[string, string]>, cells: CellResult[]): RunResults {
  return {
    schemaVersion: 1,
    runId,
    name,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T01:00:00.000Z',
    config: { name, preprocessing: 'study' },
    provenance: {
      configHash: '0f'.repeat(32),
      packages: {},
      gitCommit: null,
      seed: 0,
      node: 'v20.19.0',
      platform: 'linux',
      cpu: 'Test CPU',
      cpus: 2,
      memoryBytes: 2 ** 30,
      hostname: 'ci',
      backbones: backbones.map(([backboneName, weightsHash]) => ({ name: backboneName, description: backboneName, weightsHash, executionProvider: 'cpu' })),
    },
    datasets: datasetSummaries(),
    cells,
  };
}

/** S's linear probe ran with three seeds: 0.79, 0.80, 0.81 (mean 0.80, sample std 0.01), interval [0.75, 0.85]. */
export const smallLinear: MetricValue = {
  value: 0.8,
  ci: interval(0.75, 0.85),
  seeds: { seeds: [0, 1, 2], values: [0.79, 0.8, 0.81], mean: 0.8, std: 0.01, intervals: [null, null, null] },
};

export function runA(): RunResults {
  return run('20260101-000000-aaaa', 'run A', [['small', weights.small], ['base', weights.base]], [
    linear('small', smallLinear),
    linear('base', plain(0.9)),
    knn('small', 0.7, 0.75),
    knn('base', 0.6, 0.75),
    seg('small', 0.85, 0.9, 0.01, 0.001),
    seg('base', 0.8, 0.92, 0.001, 0.001),
    fewshot('small', [0.6], [0.7]),
  ]);
}

export function runB(): RunResults {
  return run('20260101-000000-bbbb', 'run B', [['resnet', weights.resnet], [hostileLabel, weights.hostile]], [
    linear('resnet', plain(0.8)),
    linear(hostileLabel, plain(0.5)),
    seg('resnet', 0.7, 0.88, 0.01, 0.01),
    fewshot('resnet', [0.6, 0.7], [0.7]),
  ]);
}

/** The parameters of a backbone that trained: `trainable` of `total` (head included, as the peft protocol counts them). */
const trained = (trainable: number, total: number) => ({ trainable, total });

/**
 * A peft cell as the protocol writes it (select per-mode, compareWithFrozen): a TEST row per mode, the mode best on
 * VAL first, `{ mode, lr, selected }`, and the frozen reference `{ mode: 'frozen' }` last.
 */
function peft(backbone: string, total: number, modes: Array<[mode: string, lr: number | null, value: number, trainable: number]>): CellResult {
  const rows = modes.map(([mode, lr, value, trainable]): ResultRow => ({
    setting: lr === null ? { mode } : { mode, lr, selected: true },
    split: 'test',
    metrics: { auroc: plain(value) },
    parameters: trained(trainable, total),
  }));
  const valRow: ResultRow = { setting: { mode: 'full', lr: 0.01, seed: 0 }, split: 'val', metrics: { auroc: { value: 0.9 } }, parameters: trained(total, total) };
  return cell(backbone, 'cxr', 'peft', 'auroc', [...rows, valRow]);
}

/**
 * Run C: fine-tuning of S and B on cxr. TEST AUROC (interval ± 0.05) and trainable parameters, head (770) included:
 *
 * | mode   | S (total 1,000,770)   | B (total 4,000,770)   |
 * | frozen | 0.78, 770             | 0.88, 770             |
 * | full   | 0.84, 1,000,770 (lr 0.01) | 0.86, 4,000,770 (lr 0.03) |
 * | lora   | 0.86, 30,770 (lr 0.3) | 0.91, 60,770 (lr 1)   |
 * | bitfit | 0.80, 2,270 (lr 3)    | 0.89, 4,770 (lr 1)    |
 */
export function runC(): RunResults {
  return run('20260101-000000-cccc', 'run C', [['small', weights.small], ['base', weights.base]], [
    peft('small', 1_000_770, [['lora', 0.3, 0.86, 30_770], ['full', 0.01, 0.84, 1_000_770], ['bitfit', 3, 0.8, 2_270], ['frozen', null, 0.78, 770]]),
    peft('base', 4_000_770, [['lora', 1, 0.91, 60_770], ['bitfit', 1, 0.89, 4_770], ['full', 0.03, 0.86, 4_000_770], ['frozen', null, 0.88, 770]]),
  ]);
}

/** Writes `results` as `<dir>/results.json`; returns `dir`. */
export async function writeRun(dir: string, results: RunResults): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  return dir;
}

/** Two PCA images of S in run A's `pca/pca.json` (the manifest `radprobe pca --run` writes). */
export async function writePcaImages(dir: string): Promise<void> {
  await mkdir(join(dir, 'pca'), { recursive: true });
  const images = ['case-1', 'case-2'].map((item) => ({ backbone: 'small', dataset: 'lungs', item, file: `small__lungs__${item}.png`, source: `images/${item}.png` }));
  for (const image of images) await writeFile(join(dir, 'pca', image.file), onePixelPng);
  const explainedVariance = [{ backbone: 'small', dataset: 'lungs', patches: 32, foregroundPatches: 12, side: 'positive', cut: 0, allPatches: [0.5, 0.2, 0.1], foreground: [0.4, 0.3, 0.1] }];
  await writeFile(join(dir, 'pca', 'pca.json'), JSON.stringify({ components: 3, threshold: 0, foreground: 'auto', images, explainedVariance, skipped: [] }));
}
