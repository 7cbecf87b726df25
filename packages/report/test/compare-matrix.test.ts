import { describe, expect, it } from 'vitest';
import { distinguishingKeys } from '../src/compare/distinguishing-keys.js';
import { buildMatrix } from '../src/compare/matrix.js';
import { metricText } from '../src/metric-text.js';
import { runA, runB, weights } from './compare-fixture.js';
import { hostileLabel } from './fixtures.js';

const runs = () => [
  { dir: 'runs/a', results: runA() },
  { dir: 'runs/b', results: runB() },
];

describe('distinguishingKeys', () => {
  it('prefers a key with the same values in every cell over a learning rate chosen per cell', () => {
    const cells = [
      [{ decoder: 'linear', lr: 0.01, selected: true }, { decoder: 'unet', lr: 0.001, selected: true }],
      [{ decoder: 'linear', lr: 0.001, selected: true }, { decoder: 'unet', lr: 0.001, selected: true }],
    ];
    expect(distinguishingKeys(cells)).toEqual(['decoder']);
  });

  it('takes every key needed to tell rows apart, and none for a single row', () => {
    const fewshotOverKnn = [[
      { shots: 1, unit: 'image', k: 5 },
      { shots: 1, unit: 'image', k: 20 },
      { shots: 4, unit: 'image', k: 5 },
      { shots: 4, unit: 'image', k: 20 },
    ]];
    expect(distinguishingKeys(fewshotOverKnn)).toEqual(['shots', 'k']);
    expect(distinguishingKeys([[{ blocks: 4, lr: 0.01, selected: true }], [{ blocks: 1, lr: 0.1, selected: true }]])).toEqual([]);
  });
});

describe('buildMatrix', () => {
  it('lays out backbones as rows and dataset × protocol (× distinguishing setting) as columns', () => {
    const { matrix, differences } = buildMatrix(runs());
    expect(differences).toEqual([]);
    expect(matrix.backbones.map((backbone) => backbone.label)).toEqual(['small', 'base', 'resnet', hostileLabel]);
    expect(matrix.columns.map((column) => [column.label, column.metric, column.task])).toEqual([
      ['cxr · linear', 'auroc', 'multiclass'],
      ['cxr · knn (k=5)', 'auroc', 'multiclass'],
      ['cxr · knn (k=20)', 'auroc', 'multiclass'],
      ['cxr · fewshot (shots=1)', 'auroc', 'multiclass'],
      ['cxr · fewshot (shots=4)', 'auroc', 'multiclass'],
      ['lungs · seg (linear)', 'dice', 'segmentation'],
      ['lungs · seg (unet)', 'dice', 'segmentation'],
    ]);
  });

  it('groups the columns by dataset, the runs\' order kept within each, and names each column\'s family and setting', () => {
    const { matrix } = buildMatrix(runs());
    // Run A reports cxr · linear, cxr · knn, lungs · seg, then cxr · fewshot: the few-shot columns join cxr's.
    expect(matrix.columns.map((column) => [column.dataset, column.family, column.settingText])).toEqual([
      ['cxr', '["cxr","linear"]', ''],
      ['cxr', '["cxr","knn"]', 'k=5'],
      ['cxr', '["cxr","knn"]', 'k=20'],
      ['cxr', '["cxr","fewshot"]', 'shots=1'],
      ['cxr', '["cxr","fewshot"]', 'shots=4'],
      ['lungs', '["lungs","seg"]', 'linear'],
      ['lungs', '["lungs","seg"]', 'unet'],
    ]);
  });

  it('fills each entry with the TEST primary metric: mean ± std over seeds and the interval', () => {
    const { matrix } = buildMatrix(runs());
    const [small, base, resnet] = matrix.backbones;
    const column = (label: string) => matrix.columns.find((candidate) => candidate.label === label)!;
    const text = (backbone: typeof small, label: string) => {
      const entry = matrix.entry(backbone, column(label));
      return entry ? metricText(entry.metric, entry.repetition) : undefined;
    };
    // Seeds 0.79, 0.80, 0.81: mean 0.80, sample std 0.01; the interval as reported.
    expect(text(small, 'cxr · linear')).toBe('0.800 ± 0.010 [0.750, 0.850] (3 seeds)');
    // Interval [value − 0.05, value + 0.05] in the fixture, no seeds.
    expect(text(base, 'lungs · seg (unet)')).toBe('0.920 [0.870, 0.970]');
    // Two tries 0.6 and 0.7: mean 0.65, sample std √((0.05² + 0.05²) / 1) = 0.0707. Few-shot rows repeat tries, not seeds.
    expect(text(resnet, 'cxr · fewshot (shots=1)')).toBe('0.650 ± 0.071 (2 tries)');
    // A single try has no spread: no "± 0.000".
    expect(text(small, 'cxr · fewshot (shots=4)')).toBe('0.700 (1 try)');
    expect(text(resnet, 'cxr · knn (k=5)')).toBeUndefined();
    expect(matrix.entry(resnet, column('cxr · linear'))?.run).toBe('runs/b');
  });

  it('matches a backbone across runs by name and weights hash, and tells namesakes apart by their hash', () => {
    const other = runB();
    other.provenance.backbones[0] = { ...other.provenance.backbones[0], name: 'small', weightsHash: weights.resnet };
    for (const cell of other.cells) if (cell.backbone === 'resnet') cell.backbone = 'small';
    const { matrix } = buildMatrix([runs()[0], { dir: 'runs/b', results: other }]);
    expect(matrix.backbones.map((backbone) => backbone.label)).toEqual(['small (a1a1a1a1)', 'base', 'small (c3c3c3c3)', hostileLabel]);

    const same = runB();
    same.provenance.backbones[0] = { ...same.provenance.backbones[0], name: 'small', weightsHash: weights.small };
    same.cells = same.cells.filter((cell) => cell.protocol === 'seg').map((cell) => ({ ...cell, backbone: 'small', dataset: 'lungs2' }));
    const matched = buildMatrix([runs()[0], { dir: 'runs/b', results: same }]).matrix;
    expect(matched.backbones.map((backbone) => backbone.label)).toEqual(['small', 'base', hostileLabel]);
    expect(matched.entry(matched.backbones[0], matched.columns.find((column) => column.label === 'lungs2 · seg (unet)')!)?.metric.value).toBe(0.88);
  });
});
