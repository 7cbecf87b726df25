import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { montgomeryDataset } from '@radprobe/datasets';
import { writeSyntheticMontgomery } from '@radprobe/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSegEvaluation, trivialBaselines } from './seg-run.js';

const SIDE = 84;

describe('seg protocol end to end: a tiny ViT on a synthetic Montgomery set', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'radprobe-seg-'));
    await writeSyntheticMontgomery(join(dir, 'data'), { images: 36, side: SIDE, seed: 11 });
  });

  it('trains both decoders well above trivial baselines, the U-Net above the linear decoder, and writes mask images', async () => {
    const { results, outputDir } = await runSegEvaluation(dir, {
      side: SIDE,
      dataset: { kind: 'montgomery', name: 'cxr', root: 'data' },
      // Two entries over one cache: the linear decoder is cheap and gets more epochs; both use Dice + CE, whose
      // gradient moves these tiny-feature decoders faster than Dice alone. At 84 px the patch grid is 6×6, so the
      // linear decoder's bilinear upsampling of per-patch logits bounds its Dice (≈ 0.4 here).
      protocols: [
        { kind: 'seg', name: 'seg-linear', decoders: ['linear'], loss: 'dice+ce', epochs: 100, batchSize: 6, microBatchSize: 6, learningRates: [5e-2, 1e-1], writeMasks: 2 },
        { kind: 'seg', name: 'seg-unet', decoders: ['unet'], loss: 'dice+ce', epochs: 15, batchSize: 6, microBatchSize: 6, learningRates: [1e-1], writeMasks: 2 },
      ],
    });
    for (const cell of results.cells) expect(cell.status, cell.reason).toBe('completed');
    const testRows = results.cells.map((cell) => cell.result!.rows.filter((row) => row.split === 'test'));
    expect(testRows.map((rows) => rows.map((row) => row.setting.decoder))).toEqual([['linear'], ['unet']]);
    const [linear, unet] = testRows.map(([row]) => row.metrics.dice.value);
    const { majority: meanMask, background } = await trivialBaselines(await montgomeryDataset.create({ root: join(dir, 'data') }, { baseDir: '/', log: () => {} }));
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
