import type { DatasetItem, LabelMap, Split } from '@radprobe/core';
import { segProtocol } from '@radprobe/protocol-seg';
import { memoryProtocolContext } from '@radprobe/testkit';
import { describe, expect, it } from 'vitest';
import { fewshotProtocol } from '../src/index.js';

const SIDE = 8;
/** The U-Net's narrowest layer has D/8 channels, so D is at least 8. */
const DIM = 8;
const BLOCKS = 5;

/**
 * 8 TRAIN, 3 VAL and 3 TEST images of 8×8 on a 2×2 patch grid: item i's lesion fills patch quadrant i mod 4, and
 * each of its 5 blocks of patch tokens says which (channel 0 = 1 there, channel 1 = 1 elsewhere, channels 2–7
 * per-item constants).
 */
function lesionContext(log: (message: string) => void) {
  const splits: Split[] = [...Array<Split>(8).fill('train'), 'val', 'val', 'val', 'test', 'test', 'test'];
  const items: DatasetItem[] = splits.map((split, i) => ({ id: `img${String(i).padStart(2, '0')}`, source: `img${i}.png`, split }));
  const masks: LabelMap[] = items.map((_, i) => ({
    width: SIDE,
    height: SIDE,
    data: Uint8Array.from({ length: SIDE * SIDE }, (_, p) => Number(Math.floor(p / SIDE / 4) * 2 + Math.floor((p % SIDE) / 4) === i % 4)),
  }));
  const tokens = items.map((_, i) => {
    const block = Float32Array.from({ length: 4 * DIM }, (_, v) => (v % DIM >= 2 ? 0.1 * ((i + v) % 3) : Number((Math.floor(v / DIM) === i % 4) === (v % DIM === 0))));
    return Array.from({ length: BLOCKS }, () => block);
  });
  return memoryProtocolContext({
    task: 'segmentation',
    classes: ['background', 'lesion'],
    items,
    masks,
    patchTokens: { grid: { rows: 2, cols: 2 }, tokens },
    protocols: [segProtocol],
    seed: 3,
    log,
    bootstrap: { samples: 20, confidence: 0.95 },
  });
}

describe('fewshot around the seg protocol', () => {
  it('trains both decoders on 1, 2 and all TRAIN images with VAL kept for choosing only, one row per decoder and shots', async () => {
    const logs: string[] = [];
    const context = lesionContext((message) => logs.push(message));
    const result = await fewshotProtocol.run(
      { protocol: { kind: 'seg', learningRates: [0.5], epochs: 2, batchSize: 2, microBatchSize: 2, writeMasks: 0 }, shots: [1, 2, 'all'], nTries: 2 },
      context,
    );
    expect(result.primaryMetric).toBe('dice');
    expect(result.rows.map((row) => row.setting)).toEqual([
      { shots: 1, unit: 'image', decoder: 'linear' },
      { shots: 1, unit: 'image', decoder: 'unet' },
      { shots: 2, unit: 'image', decoder: 'linear' },
      { shots: 2, unit: 'image', decoder: 'unet' },
      { shots: 'all', unit: 'image', decoder: 'linear' },
      { shots: 'all', unit: 'image', decoder: 'unet' },
    ]);
    // Two tries (seeds 3 and 4) per shots value, one for "all"; every row carries Dice and IoU.
    expect(result.rows.map((row) => row.metrics.dice.seeds?.seeds)).toEqual([[3, 4], [3, 4], [3, 4], [3, 4], [3], [3]]);
    for (const row of result.rows) expect(Object.keys(row.metrics)).toEqual(['dice', 'iou']);
    // The seg runs saw the few-shot TRAIN sets (1, 2 and 8 images), 3 VAL images and 3 TEST images, and retrained on TRAIN alone.
    const sizes = logs.filter((line) => line.includes('TRAIN /')).map((line) => line.match(/on (\d+) TRAIN \/ (\d+) VAL \/ (\d+) TEST/)!.slice(1).join('/'));
    expect(sizes).toEqual(['1/3/3', '1/3/3', '2/3/3', '2/3/3', '8/3/3']);
    expect(result.notes.join(' ')).toContain('retrained fresh on TRAIN alone');
    expect(result.notes.join(' ')).not.toContain('TRAIN ∪ VAL and reported');
  }, 120_000);
});
