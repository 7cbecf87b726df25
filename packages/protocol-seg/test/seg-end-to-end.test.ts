import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxBackbones from '@radprobe/backbone-onnx';
import { accumulateCounts, macroOverlapMetric, runEvaluation, segmentationCounts, writeFileAtomic, type RunEvent, type RunResults } from '@radprobe/core';
import datasets, { montgomeryDataset } from '@radprobe/datasets';
import { writeDinov2Fixture } from '@radprobe/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import segPlugin from '../src/index.js';
import { writeSyntheticMontgomery } from './synthetic-cxr.js';

const SIDE = 84;

/** Macro Dice on TEST of the per-pixel majority label of the TRAIN masks (the "mean mask"), and of all background. */
async function baselines(root: string): Promise<{ meanMask: number; background: number }> {
  const dataset = await montgomeryDataset.create({ root }, { baseDir: '/', log: () => {} });
  const masks = await Promise.all(dataset.items.map((item) => dataset.openMask!(item)));
  const votes = new Uint32Array(SIDE * SIDE * 3);
  dataset.items.forEach((item, i) => {
    if (item.split === 'train') masks[i].data.forEach((label, p) => votes[p * 3 + label]++);
  });
  const majority = Uint8Array.from({ length: SIDE * SIDE }, (_, p) => [0, 1, 2].reduce((best, c) => (votes[p * 3 + c] > votes[p * 3 + best] ? c : best), 0));
  const test = dataset.items.flatMap((item, i) => (item.split === 'test' ? [i] : []));
  const dice = (prediction: (p: number) => number) => {
    const counts = segmentationCounts(test.length, 3);
    test.forEach((i, t) => accumulateCounts(counts, t, masks[i].data, Uint8Array.from({ length: SIDE * SIDE }, (_, p) => prediction(p))));
    return macroOverlapMetric(counts, dataset.classes, 'dice').evaluate(null)!;
  };
  return { meanMask: dice((p) => majority[p]), background: dice(() => 0) ?? 0 };
}

describe('seg protocol end to end: a tiny ViT on a synthetic Montgomery set', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'radprobe-seg-'));
    await writeSyntheticMontgomery(join(dir, 'data'), { images: 36, side: SIDE, seed: 11 });
    const model = await writeDinov2Fixture(join(dir, 'model'), { embedDim: 32, depth: 5, heads: 2, patchSize: 14, posGrid: 8, seed: 3, style: 'meta', exposeBlocks: 5, layerScaleInit: 0.02 });
    await writeFileAtomic(
      join(dir, 'config.json'),
      JSON.stringify({
        seed: 0,
        cache: 'cache',
        output: 'results',
        batchSize: 8,
        bootstrap: { samples: 200, confidence: 0.95 },
        preprocessing: { preset: 'study', resize: { mode: 'square', size: SIDE } },
        backbones: [{ kind: 'onnx', name: 'vit', model }],
        datasets: [{ kind: 'montgomery', name: 'cxr', root: 'data' }],
        // Two entries over one cache: the linear decoder is cheap and gets more epochs; both use Dice + CE, whose
        // gradient moves these tiny-feature decoders faster than Dice alone. At 84 px the patch grid is 6×6, so the
        // linear decoder's bilinear upsampling of per-patch logits bounds its Dice (≈ 0.4 here).
        protocols: [
          { kind: 'seg', name: 'seg-linear', decoders: ['linear'], loss: 'dice+ce', epochs: 100, batchSize: 6, microBatchSize: 6, learningRates: [5e-2, 1e-1], writeMasks: 2 },
          { kind: 'seg', name: 'seg-unet', decoders: ['unet'], loss: 'dice+ce', epochs: 15, batchSize: 6, microBatchSize: 6, learningRates: [1e-1], writeMasks: 2 },
        ],
      }),
    );
  });

  it('trains both decoders well above trivial baselines, the U-Net above the linear decoder, and writes mask images', async () => {
    const events: RunEvent[] = [];
    const builtins = [
      { packageName: '@radprobe/backbone-onnx', version: '0.1.0', plugin: onnxBackbones },
      { packageName: '@radprobe/datasets', version: '0.1.0', plugin: datasets },
      { packageName: '@radprobe/protocol-seg', version: '0.1.0', plugin: segPlugin },
    ];
    const { outputDir } = await runEvaluation({ configPath: join(dir, 'config.json'), builtins, reporter: (event) => events.push(event) });
    const results = JSON.parse(await readFile(join(outputDir, 'results.json'), 'utf8')) as RunResults;
    for (const cell of results.cells) expect(cell.status, cell.reason).toBe('completed');
    const testRows = results.cells.map((cell) => cell.result!.rows.filter((row) => row.split === 'test'));
    expect(testRows.map((rows) => rows.map((row) => row.setting.decoder))).toEqual([['linear'], ['unet']]);
    const [linear, unet] = testRows.map(([row]) => row.metrics.dice.value);
    const { meanMask, background } = await baselines(join(dir, 'data'));
    console.log(`Dice: linear ${linear.toFixed(3)}, U-Net ${unet.toFixed(3)}, mean-mask baseline ${meanMask.toFixed(3)}, all-background ${background}`);
    expect(background).toBe(0);
    expect(linear).toBeGreaterThan(meanMask + 0.05);
    expect(unet).toBeGreaterThan(linear);
    for (const [row] of testRows) {
      expect(row.metrics.dice.ci?.unit).toBe('item');
      expect(Object.keys(row.metrics.dice.perClass!)).toEqual(['left lung', 'right lung']);
      expect(row.metrics.iou.value).toBeLessThan(row.metrics.dice.value);
    }
    for (const cell of results.cells) {
      const kind = cell.protocol.slice('seg-'.length);
      expect(cell.result!.rows.filter((row) => row.split === 'val')).toHaveLength(kind === 'linear' ? 2 : 1);
      // Two mask images per decoder, on disk next to results.json, named in results.json without their bytes.
      expect(cell.artifacts!.map((artifact) => artifact.name)).toEqual([`${kind}-CXR_png_MCUCXR_0000_0.png`, `${kind}-CXR_png_MCUCXR_0003_0.png`]);
      const png = await readFile(join(outputDir, cell.artifacts![0].file));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(JSON.stringify(cell.result)).not.toContain('"data"');
    }
  }, 120_000);
});
