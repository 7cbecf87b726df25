import { RadprobeError } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { peftProtocol, type PeftOptions } from '../src/index.js';
import { stripesContext, stripesTask } from './peft-fixture.js';

const task = stripesTask({ train: 12, val: 6, test: 12 }, { amplitude: 1, noise: 0.5, seed: 5 });
const options: PeftOptions = { epochs: 2, batchSize: 6, learningRates: [1e-3], lora: { rank: 4 }, save: 'adapters' };

// The tiny ViT (testkit, D 32, depth 2, patch 4, MLP 128, 4×4 positional grid): per block norm1 64 + qkv 32·96 + 96
// + proj 32·32 + 32 + ls1 32 + norm2 64 + fc1 32·128 + 128 + fc2 128·32 + 32 + ls2 32 = 12,768; two blocks 25,536;
// patch embedding 32·48 + 32 = 1,568, cls 32, pos_embed 17·32 = 544, final norm 64: 27,744 in all. Biases per
// block: norm1 32 + qkv 96 + proj 32 + norm2 32 + fc1 128 + fc2 32 = 352; all biases 2·352 + 32 (patch) + 32
// (final norm) = 768. LoRA rank 4 per block: qkv 4·(32 + 96) = 512, fc1 4·(32 + 128) = 640, fc2 4·(128 + 32) =
// 640, so 1,792 per block, 3,584 in all; its trained biases are qkv, fc1, fc2: 2·(96 + 128 + 32) = 512.
// The binary head: 32 weights + 1 bias = 33; the frozen reference trains only it.
const BACKBONE = 27_744;
const HEAD = 33;
const expectedParameters = {
  full: { trainable: BACKBONE + HEAD, total: BACKBONE + HEAD },
  lora: { trainable: 3_584 + 512 + HEAD, total: BACKBONE + 3_584 + HEAD },
  bitfit: { trainable: 768 + HEAD, total: BACKBONE + HEAD },
  frozen: { trainable: HEAD, total: BACKBONE + HEAD },
};

describe('the peft protocol', () => {
  it('reports a TEST row per mode and the frozen reference, with intervals and trainable parameters on every row', async () => {
    const { context } = stripesContext(task);
    const result = await peftProtocol.run(options, context);
    expect(result.primaryMetric).toBe('auroc');
    const tested = result.rows.filter((row) => row.split === 'test');
    const val = result.rows.filter((row) => row.split === 'val');
    expect(result.rows.slice(0, 4)).toEqual(tested);
    expect(tested.map((row) => row.setting.mode).sort()).toEqual(['bitfit', 'frozen', 'full', 'lora']);
    expect(tested[3].setting).toEqual({ mode: 'frozen' });
    for (const row of tested) {
      expect(row.metrics.auroc.ci).toMatchObject({ confidence: 0.95, samples: 50, unit: 'item' });
      expect(row.metrics.balancedAccuracy).toBeDefined();
      expect(row.parameters).toEqual(expectedParameters[row.setting.mode as keyof typeof expectedParameters]);
      // Each TEST row carries its scores' curves, its AUROC the row's.
      expect(row.classification!.curves![0].auroc).toBe(row.metrics.auroc.value);
    }
    expect(val.every((row) => row.classification === undefined)).toBe(true);
    expect(val.map((row) => [row.split, row.setting.mode, row.setting.lr, row.setting.seed])).toEqual([
      ['val', 'full', 1e-3, 0],
      ['val', 'lora', 1e-3, 0],
      ['val', 'bitfit', 1e-3, 0],
      ['val', 'frozen', undefined, 0],
    ]);
    for (const row of val) expect(row.parameters).toEqual(expectedParameters[row.setting.mode as keyof typeof expectedParameters]);
    expect(result.notes.join('\n')).toMatch(/applied to the preprocessed backbone input/);
    // The tiny ViT at 16×16 (17 tokens, D 32, 4 heads, depth 2) needs 2·17·(1200·32 + 24·4·17) ≈ 1.4 MB per image by
    // the estimate: the whole batch of 6 fits wasm's 1.5 GiB.
    expect(result.notes.join('\n')).toMatch(/micro-batches of 6 images, sized by the activation-memory estimate/);
    // Each mode's retrained backbone is saved; the frozen reference trained nothing of it.
    expect(result.artifacts?.map((a) => a.name).sort()).toEqual(['bitfit-adapters.safetensors', 'full-adapters.safetensors', 'lora-adapters.safetensors']);
  });

  it('gives the same numbers for the same seed, other numbers for another', async () => {
    const run = async (seed: number) => (await peftProtocol.run({ ...options, modes: ['lora'], save: 'none' }, stripesContext(task, { seed }).context)).rows;
    const first = await run(3);
    expect(await run(3)).toEqual(first);
    expect((await run(4))[1].metrics).not.toEqual(first[1].metrics);
  });

  it('saves the LoRA adapters and trained biases as safetensors', async () => {
    const { context } = stripesContext(task);
    const result = await peftProtocol.run({ ...options, modes: ['lora'] }, context);
    const bytes = result.artifacts![0].data;
    const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
    expect(header.__metadata__).toMatchObject({ mode: 'lora', rank: '4', alpha: '16' });
    expect(header['blocks.0.attn.qkv.lora_A.weight']).toMatchObject({ dtype: 'F32', shape: [4, 32] });
    expect(header['blocks.1.mlp.fc2.lora_B.weight']).toMatchObject({ dtype: 'F32', shape: [32, 4] });
    expect(header['blocks.1.mlp.fc1.bias']).toMatchObject({ dtype: 'F32', shape: [128] });
    expect(header['blocks.0.attn.proj.bias']).toBeUndefined();
  });

  it('carves VAL from TRAIN when the dataset has none, and says so', async () => {
    const noVal = { ...task, items: task.items.map((item) => (item.split === 'val' ? { ...item, split: 'train' as const } : item)) };
    const result = await peftProtocol.run({ ...options, modes: ['bitfit'], save: 'none' }, stripesContext(noVal).context);
    expect(result.notes.join('\n')).toMatch(/VAL carved from TRAIN: 2 of 18 items/);
  });

  it('trains multi-class (cross-entropy, top-1) and multi-label (BCE, macro AUROC) tasks', async () => {
    const multiclass = await peftProtocol.run({ ...options, modes: ['bitfit'], save: 'none' }, stripesContext(task, { task: 'multiclass' }).context);
    expect(multiclass.primaryMetric).toBe('top1');
    expect(multiclass.rows[0].metrics.balancedAccuracy).toBeDefined();
    const items = task.items.map((item) => ({ ...item, label: undefined, labels: [item.label!, 1 - item.label!] }));
    const multilabel = await peftProtocol.run({ ...options, modes: ['bitfit'], save: 'none' }, stripesContext({ ...task, items }, { task: 'multilabel' }).context);
    expect(multilabel.primaryMetric).toBe('auroc');
    expect(Object.keys(multilabel.rows[0].metrics.auroc.perClass!)).toEqual(['horizontal', 'vertical']);
  });

  it('says clearly when the backbone cannot train', async () => {
    const { context } = stripesContext(task, { trainable: null });
    await expect(peftProtocol.run(options, context)).rejects.toThrow(RadprobeError);
    await expect(peftProtocol.run(options, context)).rejects.toThrow(/cannot hand out its network for training/);
  });

  it('asks the engine for pixels and the trainable network only', () => {
    expect(peftProtocol.featureNeeds({}, context0().backbone, () => undefined)).toEqual({ clsBlocks: 0, patchMean: false, patchBlocks: 0, pixels: true, trainable: true });
  });
});

function context0() {
  return stripesContext(task).context;
}
