import type { DatasetItem, LabelMap, ProtocolResult, Split } from '@radprobe/core';
import { memoryProtocolContext } from '@radprobe/testkit';
import { describe, expect, it } from 'vitest';
import { segProtocol } from '../src/index.js';

const GRID = 2;
const SIDE = 8;
const DIM = 3;
const SPLITS: Split[] = ['train', 'train', 'train', 'train', 'train', 'train', 'val', 'val', 'val', 'test', 'test', 'test'];

/**
 * Item i's lesion fills patch quadrant (i + shift) mod 4 of an 8×8 map on a 2×2 patch grid; its patch tokens say
 * quadrant i mod 4 (channel 0 = 1 there, channel 1 = 1 elsewhere, channel 2 a per-item constant). `valShift` moves
 * only the VAL items' lesions away from where their tokens say, so two calls differ in VAL labels alone.
 */
function lesionSet(valShift: number) {
  const items: DatasetItem[] = SPLITS.map((split, i) => ({ id: `img${i}`, source: `img${i}.png`, split }));
  const quadrants = SPLITS.map((split, i) => (i + (split === 'val' ? valShift : 0)) % 4);
  const masks: LabelMap[] = quadrants.map((quadrant) => {
    const data = new Uint8Array(SIDE * SIDE);
    for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) data[y * SIDE + x] = Math.floor(y / 4) * 2 + Math.floor(x / 4) === quadrant ? 1 : 0;
    return { width: SIDE, height: SIDE, data };
  });
  const tokens = items.map((_, i) => [Float32Array.from({ length: GRID * GRID * DIM }, (_, v) => {
    const [patch, channel] = [Math.floor(v / DIM), v % DIM];
    return channel === 2 ? 0.1 * (i % 3) : Number((patch === i % 4) === (channel === 0));
  })]);
  return memoryProtocolContext({ task: 'segmentation', classes: ['background', 'lesion'], items, masks, patchTokens: { grid: { rows: GRID, cols: GRID }, tokens }, seed: 5, bootstrap: { samples: 20, confidence: 0.95 } });
}

const testRow = (result: ProtocolResult) => result.rows.find((row) => row.split === 'test')!;

describe('seg finalTraining', () => {
  const options = (finalTraining: 'train' | 'train+val') => ({ decoders: ['linear' as const], learningRates: [0.5], epochs: 4, batchSize: 3, microBatchSize: 3, writeMasks: 0, finalTraining });

  it("with 'train', TEST does not depend on VAL; with 'train+val' (the default, the spec) it does", async () => {
    const [trainOnlyA, trainOnlyB, withValA, withValB] = await Promise.all([
      segProtocol.run(options('train'), lesionSet(0)),
      segProtocol.run(options('train'), lesionSet(1)),
      segProtocol.run(options('train+val'), lesionSet(0)),
      segProtocol.run(options('train+val'), lesionSet(1)),
    ]);
    // The VAL rows see the changed VAL masks, so the two VAL sets really differ.
    expect(trainOnlyA.rows.find((row) => row.split === 'val')!.metrics.dice.value).not.toBe(trainOnlyB.rows.find((row) => row.split === 'val')!.metrics.dice.value);
    expect(testRow(trainOnlyA)).toEqual(testRow(trainOnlyB));
    expect(testRow(withValA).metrics).not.toEqual(testRow(withValB).metrics);
    expect(trainOnlyA.notes.join(' ')).toContain('retrained fresh on TRAIN alone');
    expect(withValA.notes.join(' ')).toContain('retrained fresh on TRAIN ∪ VAL');
  }, 60_000);
});
