import { trainingBackend, type ResultRow } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { peftProtocol, type PeftOptions } from '../src/index.js';
import { resolvePeftOptions } from '../src/options.js';
import { PixelLoader } from '../src/pixel-loader.js';
import { itemTargets } from '../src/targets.js';
import { trainNetwork } from '../src/training.js';
import { blindClsWeights, memoryPixels, memoryTrainable, stripesContext, stripesTask } from './peft-fixture.js';
import { maxAbsDifference, tinySpec, vitWeightsOf } from './vit-fixture.js';

const tf = await trainingBackend();

// Counts of the tiny ViT as in peft-protocol.test.ts: backbone 27,744, all biases 768, binary head 33. LoRA rank 8:
// per block qkv 8·(32 + 96) = 1,024, fc1 8·(32 + 128) = 1,280, fc2 8·(128 + 32) = 1,280, so 3,584; two blocks 7,168;
// its trained biases (qkv, fc1, fc2) 2·(96 + 128 + 32) = 512.
const BACKBONE = 27_744;
const HEAD = 33;
const PARAMETERS: Record<string, ResultRow['parameters']> = {
  full: { trainable: BACKBONE + HEAD, total: BACKBONE + HEAD },
  lora: { trainable: 7_168 + 512 + HEAD, total: BACKBONE + 7_168 + HEAD },
  bitfit: { trainable: 768 + HEAD, total: BACKBONE + HEAD },
  frozen: { trainable: HEAD, total: BACKBONE + HEAD },
};

const testRows = (rows: readonly ResultRow[]) => rows.filter((row) => row.split === 'test');
const valRows = (rows: readonly ResultRow[]) => rows.filter((row) => row.split === 'val');

/** A mode's VAL rows' best AUROC and the first lr reaching it (the selection rule: first in grid order among equals). */
function bestOnVal(rows: readonly ResultRow[], mode: string): { lr: unknown; value: number } {
  const own = valRows(rows).filter((row) => row.setting.mode === mode);
  const value = Math.max(...own.map((row) => row.metrics.auroc.value));
  return { lr: own.find((row) => row.metrics.auroc.value === value)!.setting.lr, value };
}

describe('the fine-tuning table (issue 13, point 1)', () => {
  // The tiny ViT with blind CLS (value projections 0): the frozen CLS is the same for every image up to float rounding,
  // so a backbone lr of 1e-12 leaves a mode as blind as the frozen reference, 0.01 (full) or 0.05 (LoRA) lets it see
  // the stripes, and BitFit (biases only: the values stay 0) cannot see them at any lr. The rates are listed so that
  // full chooses its second lr and LoRA its first; BitFit's 1e9 diverges.
  const task = stripesTask({ train: 32, val: 16, test: 32 }, { amplitude: 0.5, noise: 1, seed: 1 });
  const table: PeftOptions = {
    modes: ['bitfit', 'lora', 'full'],
    learningRates: [1e-12, 0.01],
    loraLearningRates: [0.05, 1e-12],
    bitfitLearningRates: [1e9, 0.05],
    lora: { rank: 8 },
    epochs: 4,
    batchSize: 16,
    augmentation: { randomResizedCrop: false, horizontalFlip: false },
  };

  it('reports a TEST row per mode at its own VAL-chosen lr, the VAL-best mode first, then the frozen reference', async () => {
    const { context } = stripesContext(task, { trainable: memoryTrainable(blindClsWeights()) });
    const result = await peftProtocol.run({ ...table, compareWithFrozen: true }, context);
    const tested = testRows(result.rows);
    // VAL: every mode × lr that did not diverge, and the frozen reference.
    expect(valRows(result.rows).map((row) => [row.setting.mode, row.setting.lr])).toEqual([
      ['bitfit', 0.05],
      ['lora', 0.05],
      ['lora', 1e-12],
      ['full', 1e-12],
      ['full', 0.01],
      ['frozen', undefined],
    ]);
    expect(result.skipped).toEqual([{ setting: { mode: 'bitfit', lr: 1e9, seed: 0 }, reason: 'diverged on TRAIN: non-finite VAL logits' }]);
    // Each mode's TEST row carries the lr its own VAL rows chose: full and LoRA chose different ones.
    for (const mode of ['full', 'lora', 'bitfit']) {
      const row = tested.find((entry) => entry.setting.mode === mode)!;
      expect(row.setting).toEqual({ mode, lr: bestOnVal(result.rows, mode).lr, selected: true });
      expect(row.parameters).toEqual(PARAMETERS[mode]);
      expect(row.metrics.auroc.ci).toMatchObject({ confidence: 0.95, samples: 50 });
    }
    expect(tested.find((row) => row.setting.mode === 'full')!.setting.lr).toBe(0.01);
    expect(tested.find((row) => row.setting.mode === 'lora')!.setting.lr).toBe(0.05);
    // First the mode best on VAL (LoRA and full tie at 1: LoRA comes first in the modes), the frozen reference last.
    const best = Math.max(...['full', 'lora', 'bitfit'].map((mode) => bestOnVal(result.rows, mode).value));
    expect(bestOnVal(result.rows, tested[0].setting.mode as string).value).toBe(best);
    expect(tested.map((row) => row.setting.mode)).toEqual(['lora', 'full', 'bitfit', 'frozen']);
    const frozen = tested[3];
    expect(frozen.setting).toEqual({ mode: 'frozen' });
    expect(frozen.parameters).toEqual(PARAMETERS.frozen);
    expect(frozen.metrics.auroc.ci).toBeDefined();
    // The modes that see the stripes beat the blind ones on TEST.
    for (const seeing of tested.slice(0, 2)) for (const blind of tested.slice(2)) expect(seeing.metrics.auroc.value - blind.metrics.auroc.value).toBeGreaterThan(0.25);
    expect(result.notes.join('\n')).toMatch(/Frozen reference \(mode=frozen\): the same head trained the same way/);
    expect(result.notes.join('\n')).toMatch(/first row is the mode best on VAL \(lora 1\.000, full 1\.000, bitfit 0\.\d+\)/);
  });

  it('adds the frozen reference only when asked', async () => {
    const result = await peftProtocol.run({ ...table, modes: ['lora'], loraLearningRates: [0.05], compareWithFrozen: false }, stripesContext(task, { trainable: memoryTrainable(blindClsWeights()) }).context);
    expect(result.rows.map((row) => [row.split, row.setting.mode])).toEqual([
      ['test', 'lora'],
      ['val', 'lora'],
    ]);
    expect(result.notes.join('\n')).not.toMatch(/Frozen reference/);
  });
});

describe('select: best, and several seeds', () => {
  const task = stripesTask({ train: 12, val: 6, test: 12 }, { amplitude: 1, noise: 0.5, seed: 5 });
  const options: PeftOptions = { modes: ['full', 'lora', 'bitfit'], epochs: 2, batchSize: 6, learningRates: [1e-3], loraLearningRates: [1e-3, 1e-2], lora: { rank: 4 } };

  it('select: best reports the one best mode × lr on VAL, as the per-mode table reports that mode', async () => {
    const perMode = await peftProtocol.run({ ...options, compareWithFrozen: false }, stripesContext(task).context);
    const best = await peftProtocol.run({ ...options, select: 'best', compareWithFrozen: false }, stripesContext(task).context);
    expect(testRows(best.rows)).toHaveLength(1);
    const [row] = best.rows;
    const value = Math.max(...valRows(best.rows).map((entry) => entry.metrics.auroc.value));
    const winner = valRows(best.rows).find((entry) => entry.metrics.auroc.value === value)!;
    expect(row.setting).toEqual({ mode: winner.setting.mode, lr: winner.setting.lr, selected: true });
    expect(valRows(best.rows)).toEqual(valRows(perMode.rows));
    // The same seed trains the same network: the per-mode table's row of that mode is the same row.
    expect(testRows(perMode.rows).find((entry) => entry.setting.mode === row.setting.mode)).toEqual(row);
    expect(testRows(perMode.rows)).toHaveLength(3);
  });

  it('merges each mode (and the frozen reference) over the seeds as one run per seed gives them', async () => {
    const seeds = [3, 4];
    const merged = await peftProtocol.run({ ...options, seeds }, stripesContext(task).context);
    const single = await Promise.all(seeds.map(async (seed) => (await peftProtocol.run(options, stripesContext(task, { seed }).context)).rows));
    const tested = testRows(merged.rows);
    expect(tested.map((row) => row.setting.mode).sort()).toEqual(['bitfit', 'frozen', 'full', 'lora']);
    for (const row of tested) {
      const perSeed = single.map((rows) => testRows(rows).find((entry) => entry.setting.mode === row.setting.mode)!);
      const values = perSeed.map((entry) => entry.metrics.auroc.value);
      expect(row.metrics.auroc.seeds).toMatchObject({ seeds, values });
      expect(row.metrics.auroc.value).toBeCloseTo((values[0] + values[1]) / 2, 12);
      const lrs = perSeed.map((entry) => entry.setting.lr);
      if (row.setting.mode !== 'frozen') expect(row.setting.lr).toBe(lrs[0] === lrs[1] ? lrs[0] : lrs.join(' | '));
      expect(row.parameters).toEqual(perSeed[0].parameters);
    }
    // The first row is the mode whose chosen lr scored best on VAL on average over the seeds.
    const meanBest = (mode: string) => seeds.reduce((sum, seed) => sum + Math.max(...valRows(merged.rows).filter((r) => r.setting.mode === mode && r.setting.seed === seed).map((r) => r.metrics.auroc.value)), 0) / seeds.length;
    const means = ['full', 'lora', 'bitfit'].map(meanBest);
    expect(meanBest(tested[0].setting.mode as string)).toBe(Math.max(...means));
    expect(tested[3].setting.mode).toBe('frozen');
  });
});

describe('finalTraining: train', () => {
  const task = stripesTask({ train: 12, val: 6, test: 12 }, { amplitude: 1, noise: 0.5, seed: 5 });
  const options: PeftOptions = { modes: ['lora', 'bitfit'], epochs: 2, batchSize: 6, learningRates: [1e-3, 1e-2], lora: { rank: 4 } };
  /** The settings each run trained, by what they trained for. */
  async function trainings(finalTraining: 'train' | 'train+val') {
    const finished: string[] = [];
    const { context } = stripesContext(task, { progress: (update) => update.done === update.total && finished.push(update.label) });
    const result = await peftProtocol.run({ ...options, finalTraining }, context);
    return { result, train: finished.filter((label) => label.startsWith('TRAIN')), refit: finished.filter((label) => label.startsWith('refit')) };
  }

  it('scores the network chosen on VAL as it is, where TRAIN ∪ VAL retrains it', async () => {
    const alone = await trainings('train');
    const both = await trainings('train+val');
    // Two lrs for each of two modes, and the frozen reference.
    expect(alone.train).toHaveLength(5);
    expect(both.train).toEqual(alone.train);
    expect(alone.refit).toEqual([]);
    expect(both.refit).toHaveLength(3);
    expect(alone.result.notes.join('\n')).toMatch(/its network trained on TRAIN scored on TEST as it is/);
    expect(both.result.notes.join('\n')).toMatch(/retrained fresh on TRAIN ∪ VAL and scored on TEST/);
    expect(valRows(alone.result.rows)).toEqual(valRows(both.result.rows));
  });

  it('may, since training again on the same items with the same seed gives the same network (LoRA dropout included)', async () => {
    const weights = vitWeightsOf(tinySpec());
    const resolved = resolvePeftOptions({ ...options, lora: { rank: 4, dropout: 0.1 } });
    const dataset = { name: 'stripes', task: 'binary' as const, classes: ['horizontal', 'vertical'], items: task.items, notes: [] };
    const train = task.items.flatMap((item, i) => (item.split === 'train' ? [i] : []));
    const logits = async () => {
      const network = await trainNetwork({ tf, weights, candidate: { mode: 'lora', learningRate: 1e-2 }, options: resolved, targets: itemTargets(dataset), loader: new PixelLoader(memoryPixels(task.pixels)), train, seed: 3, workers: 1 });
      const out = await network.logits(task.items.map((_, i) => i));
      network.dispose();
      return out;
    };
    expect(await logits()).toEqual(await logits());
  });
});

describe('the frozen reference', () => {
  it('trains exactly as full fine-tuning at backbone lr 0 does (same batches, views, head initialisation), the backbone untouched', async () => {
    const task = stripesTask({ train: 12, val: 0, test: 0 }, { amplitude: 1, noise: 0.5, seed: 5 });
    const weights = vitWeightsOf(tinySpec());
    const options = resolvePeftOptions({ batchSize: 4, epochs: 2, headLearningRate: 0.5 });
    const dataset = { name: 'stripes', task: 'binary' as const, classes: ['horizontal', 'vertical'], items: task.items, notes: [] };
    const items = task.items.map((_, i) => i);
    const train = async (candidate: Parameters<typeof trainNetwork>[0]['candidate'], seed: number) => {
      const network = await trainNetwork({ tf, weights, candidate, options, targets: itemTargets(dataset), loader: new PixelLoader(memoryPixels(task.pixels)), train: items, seed, workers: 1 });
      const result = { logits: await network.logits(items), parameters: network.parameters, backbone: network.mergedParameters() };
      network.dispose();
      return result;
    };
    const frozen = await train({ mode: 'frozen' }, 3);
    const still = await train({ mode: 'full', learningRate: 0 }, 3);
    expect(maxAbsDifference(frozen.logits, still.logits)).toBeLessThan(1e-5);
    expect(frozen.parameters).toEqual({ trainable: 33, total: 27_744 + 33 });
    for (const [name, parameter] of frozen.backbone) expect(parameter.values).toEqual(weights.parameters.get(name)!.values);
    // The head did train, and another seed (other batches, views and head) is far outside the tolerance.
    const other = await train({ mode: 'frozen' }, 4);
    expect(maxAbsDifference(frozen.logits, other.logits)).toBeGreaterThan(1e-2);
  });
});
