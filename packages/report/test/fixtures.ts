import type { CellResult, ConfidenceInterval, ResultRow, RunResults } from '@radprobe/core';

/** A class name that would run script if any string from the data reached the page unescaped. */
export const hostileLabel = '<img src=x onerror=alert(1)>';
/** A note that would end the data block if the JSON inside it were not escaped. */
export const hostileNote = '</script><script>alert(2)</script>';

export const blocksOptions = [1, 4];
export const avgpoolOptions = [false, true];
export const learningRates = [1e-3, 5e-3, 1e-2, 5e-2];
export const seeds = [0, 1, 2];

/** A head's VAL macro AUROC in the fixture: 0.70 + 0.02·[blocks=4] + 0.01·avgpool + lrBonus(lr) + 0.001·seed. */
const lrBonus = new Map([
  [1e-3, 0],
  [5e-3, 0.03],
  [1e-2, 0.05],
  [5e-2, 0.01],
]);
export function valAuroc(blocks: number, avgpool: boolean, lr: number, seed: number): number {
  return 0.7 + (blocks === 4 ? 0.02 : 0) + (avgpool ? 0.01 : 0) + (lrBonus.get(lr) ?? 0) + 0.001 * seed;
}

const interval = (low: number, high: number, unit: ConfidenceInterval['unit'] = 'patient'): ConfidenceInterval => ({ low, high, confidence: 0.95, samples: 1000, unit });

/** The linear probe's rows: one per grid head per seed on VAL, and the selected head retrained and scored on TEST. */
function linearProbeRows(): ResultRow[] {
  const valRows: ResultRow[] = [];
  for (const seed of seeds)
    for (const blocks of blocksOptions)
      for (const avgpool of avgpoolOptions)
        for (const lr of learningRates) valRows.push({ setting: { blocks, avgpool, lr, seed }, split: 'val', metrics: { auroc: { value: valAuroc(blocks, avgpool, lr, seed) } } });
  const testRow: ResultRow = {
    setting: { blocks: 4, avgpool: true, lr: 1e-2, selected: true },
    split: 'test',
    metrics: {
      auroc: {
        value: 0.8,
        ci: interval(0.78, 0.82),
        perClass: { Atelectasis: 0.75, [hostileLabel]: 0.9, Effusion: null },
        excludedClasses: [{ name: 'Effusion', reason: 'no positives in split' }],
        seeds: { seeds, values: [0.79, 0.8, 0.81], mean: 0.8, std: 0.01, intervals: [interval(0.77, 0.81), interval(0.78, 0.82), null] },
      },
    },
    classification: {
      seed: 0,
      // Effusion has no TEST positives: no curve. The hostile class's interval is unreliable.
      curves: [
        { className: 'Atelectasis', positives: 12, negatives: 16, auroc: 0.75, aurocInterval: interval(0.6, 0.88), averagePrecision: 0.7, roc: { x: [0, 0, 0.5, 0.5, 1], y: [0, 0.5, 0.5, 1, 1] }, pr: { x: [0, 0.5, 0.5, 1], y: [1, 1, 0.6, 0.6] } },
        {
          className: hostileLabel,
          positives: 3,
          negatives: 25,
          auroc: 0.9,
          aurocInterval: { ...interval(0.7, 1), defined: 612, unreliable: `built from 612 of 1000 resamples; the others had no positives of ${hostileLabel} (388)` },
          averagePrecision: 0.8,
          roc: { x: [0, 0, 0.2, 1], y: [0, 0.8, 1, 1] },
          pr: { x: [0, 0.8, 0.8, 1], y: [1, 1, 0.5, 0.5] },
        },
      ],
    },
  };
  return [...valRows, testRow];
}

const linearCell: CellResult = {
  backbone: 'dinov2-vits14',
  dataset: 'nih-mini',
  protocol: 'linear',
  protocolKind: 'linear',
  status: 'completed',
  durationMs: 12_345,
  result: {
    primaryMetric: 'auroc',
    rows: linearProbeRows(),
    notes: ['VAL carved from TRAIN (10 %, by patient).', hostileNote],
    skipped: [{ setting: { blocks: 8 }, reason: `the export has 4 blocks ${hostileLabel}` }],
  },
};

const knnCell: CellResult = {
  backbone: 'dinov2-vits14',
  dataset: 'cxr-folder',
  protocol: 'knn',
  protocolKind: 'knn',
  status: 'completed',
  durationMs: 173,
  result: {
    primaryMetric: 'top1',
    rows: [
      [5, 0.775, 0.675, 0.8625],
      [10, 0.7, 0.6, 0.8],
      [20, 0.5625, 0.4625, 0.675],
    ].map(([k, value, low, high]): ResultRow => ({
      setting: { k },
      split: 'test' as const,
      // k = 20's interval is marked unreliable, to show how it is drawn.
      metrics: { top1: { value, ci: k === 20 ? { ...interval(low, high, 'item'), unreliable: 'built from 700 of 1000 resamples; the others had no items of effusion (300)' } : interval(low, high, 'item') }, balancedAccuracy: { value: 0.7 } },
      ...(k === 5
        ? {
            classification: {
              seed: 0,
              decision: 'the highest score (ties to the lower class index)',
              confusion: { classes: ['normal', 'effusion'], counts: [[30, 10], [8, 32]] },
              decisions: [
                { className: 'normal', sensitivity: { value: 0.75, ci: interval(0.6, 0.87, 'item') }, specificity: { value: 0.8, ci: interval(0.67, 0.91, 'item') }, ppv: { value: 30 / 38 } },
                { className: 'effusion', sensitivity: { value: 0.8, ci: interval(0.67, 0.91, 'item') }, specificity: { value: 0.75, ci: interval(0.6, 0.87, 'item') }, ppv: null },
              ],
            },
          }
        : {}),
    })),
    notes: [],
    skipped: [],
  },
};

const failedCell: CellResult = {
  backbone: 'dinov2-vitb14',
  dataset: 'nih-mini',
  protocol: 'linear',
  protocolKind: 'linear',
  status: 'failed',
  reason: 'out of memory',
  durationMs: 5,
};

/** A TEST row of a few-shot cell: the primary metric over tries (sample std given by hand). */
function fewshotRow(shots: number | 'all', values: number[], mean: number, std: number): ResultRow {
  const tries = values.map((_, t) => t);
  return { setting: { shots, unit: 'patient' }, split: 'test', metrics: { auroc: { value: mean, seeds: { seeds: tries, values, mean, std, intervals: values.map(() => null) } } } };
}

/**
 * Few-shot cells of two backbones on nih-mini. vits14: 1 shot 0.60, 0.62, 0.64 (mean 0.62, std 0.02); 4 shots
 * 0.68, 0.71, 0.74 (mean 0.71, std 0.03); all 0.80 once. vitb14 (rows out of order, no 4-shot row): all 0.85;
 * 1 shot 0.65, 0.66, 0.67 (mean 0.66, std 0.01).
 */
export const fewshotCells: CellResult[] = [
  {
    backbone: 'dinov2-vits14',
    dataset: 'nih-mini',
    protocol: 'fewshot',
    protocolKind: 'fewshot',
    status: 'completed',
    durationMs: 2_000,
    result: {
      primaryMetric: 'auroc',
      rows: [fewshotRow(1, [0.6, 0.62, 0.64], 0.62, 0.02), fewshotRow(4, [0.68, 0.71, 0.74], 0.71, 0.03), fewshotRow('all', [0.8], 0.8, 0)],
      notes: [],
      skipped: [],
    },
  },
  {
    backbone: 'dinov2-vitb14',
    dataset: 'nih-mini',
    protocol: 'fewshot',
    protocolKind: 'fewshot',
    status: 'completed',
    durationMs: 3_000,
    result: { primaryMetric: 'auroc', rows: [fewshotRow('all', [0.85], 0.85, 0), fewshotRow(1, [0.65, 0.66, 0.67], 0.66, 0.01)], notes: [], skipped: [] },
  },
];

/**
 * A run with the linear probe over three seeds, a kNN cell, a failed cell and few-shot cells of two backbones;
 * hostile strings in labels and notes.
 */
export function fixtureResults(): RunResults {
  return {
    schemaVersion: 1,
    runId: '20260101-000000-abcdef12',
    name: `study reproduction ${hostileLabel}`,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T01:00:00.000Z',
    config: { name: 'study reproduction' },
    provenance: {
      configHash: 'ab'.repeat(32),
      packages: { '@radprobe/core': '0.1.0', '@radprobe/protocol-linear': '0.1.0' },
      gitCommit: 'cd'.repeat(20),
      seed: 0,
      node: 'v20.19.0',
      platform: 'linux 6.1 x64',
      cpu: 'Test CPU',
      cpus: 2,
      memoryBytes: 8 * 2 ** 30,
      hostname: 'ci-host',
      backbones: [{ name: 'dinov2-vits14', description: 'models/dinov2-vits14.onnx (onnx, Meta style)', weightsHash: 'ef'.repeat(32), executionProvider: 'onnxruntime CPUExecutionProvider' }],
      plugins: [
        { name: '@acme/radprobe-backbones', version: '1.2.0', location: `/opt/${hostileLabel}/radprobe-backbones`, firstParty: false, contributed: { backbones: ['medsam'] } },
        { name: '@radprobe/protocol-linear', version: '0.1.0', location: '/work/node_modules/@radprobe/protocol-linear', firstParty: true, contributed: { protocols: ['linear'] } },
      ],
    },
    datasets: [
      {
        name: 'nih-mini',
        kind: 'nih-chestxray14',
        task: 'multilabel',
        classes: ['Atelectasis', hostileLabel, 'Effusion'],
        counts: { train: 113, val: 20, test: 28 },
        patients: 80,
        positives: { train: [40, 9, 2], val: [7, 2, 0], test: [12, 3, 0] },
        skipped: [{ source: `images/${hostileLabel}.png`, reason: 'unreadable PNG' }],
        notes: ['nih-chestxray14: TRAIN 113 / VAL 20 / TEST 28'],
      },
      { name: 'cxr-folder', kind: 'image-folder', task: 'multiclass', classes: ['normal', 'effusion'], counts: { train: 160, val: 40, test: 80 }, patients: null, positives: { train: [80, 80], val: [20, 20], test: [40, 40] }, skipped: [], notes: [] },
    ],
    cells: [linearCell, knnCell, failedCell, ...fewshotCells],
    failed: [{ backbone: 'dinov2-vitb14', dataset: 'nih-mini', protocol: 'linear', plugin: '@radprobe/protocol-linear@0.1.0', stage: 'protocol', message: 'out of memory' }],
  };
}
