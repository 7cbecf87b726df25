import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxBackbones from '@radprobe/backbone-onnx';
import { accumulateCounts, macroOverlapMetric, segmentationCounts, writeFileAtomic, type ComponentEntry, type Dataset, type RunEvent, type RunResults } from '@radprobe/core';
import { runEvaluation } from '@radprobe/core/engine';
import datasets from '@radprobe/datasets';
import { writeDinov2Fixture } from '@radprobe/testkit';
import segPlugin from '../src/index.js';

/**
 * The end-to-end seg tests' run: a tiny generated ViT with DINOv2's architecture exposing the 5 blocks the U-Net
 * reads, one dataset entry and the given seg entries, evaluated through the engine with the real plugins.
 */
export async function runSegEvaluation(dir: string, options: { side: number; dataset: ComponentEntry; protocols: ComponentEntry[] }): Promise<{ results: RunResults; outputDir: string; events: RunEvent[] }> {
  const model = await writeDinov2Fixture(join(dir, 'model'), { embedDim: 32, depth: 5, heads: 2, patchSize: 14, posGrid: 8, seed: 3, style: 'meta', exposeBlocks: 5, layerScaleInit: 0.02 });
  const configPath = join(dir, 'config.json');
  await writeFileAtomic(
    configPath,
    JSON.stringify({
      seed: 0,
      cache: 'cache',
      output: 'results',
      batchSize: 8,
      bootstrap: { samples: 200, confidence: 0.95 },
      preprocessing: { preset: 'study', resize: { mode: 'square', size: options.side } },
      backbones: [{ kind: 'onnx', name: 'vit', model }],
      datasets: [options.dataset],
      protocols: options.protocols,
    }),
  );
  const builtins = [
    { packageName: '@radprobe/backbone-onnx', version: '0.1.0', plugin: onnxBackbones },
    { packageName: '@radprobe/datasets', version: '0.1.0', plugin: datasets },
    { packageName: '@radprobe/protocol-seg', version: '0.1.0', plugin: segPlugin },
  ];
  const events: RunEvent[] = [];
  const { outputDir } = await runEvaluation({ configPath, builtins, reporter: (event) => events.push(event) });
  const results = JSON.parse(await readFile(join(outputDir, 'results.json'), 'utf8')) as RunResults;
  return { results, outputDir, events };
}

/**
 * Macro Dice on TEST of a prediction that ignores the image: the per-pixel majority class of the TRAIN label maps
 * (the "mean mask"), at the maps' own grid; and of predicting background everywhere.
 */
export async function trivialBaselines(dataset: Dataset): Promise<{ majority: number; background: number }> {
  const masks = await Promise.all(dataset.items.map((item) => dataset.openMask!(item)));
  const pixels = masks[0].data.length;
  const classes = dataset.classes.length;
  const votes = new Uint32Array(pixels * classes);
  dataset.items.forEach((item, i) => {
    if (item.split === 'train') masks[i].data.forEach((label, p) => votes[p * classes + label]++);
  });
  const majority = Uint8Array.from({ length: pixels }, (_, p) => dataset.classes.reduce((best, _name, c) => (votes[p * classes + c] > votes[p * classes + best] ? c : best), 0));
  const test = dataset.items.flatMap((item, i) => (item.split === 'test' ? [i] : []));
  const dice = (prediction: Uint8Array) => {
    const counts = segmentationCounts(test.length, classes);
    test.forEach((i, t) => accumulateCounts(counts, t, masks[i].data, prediction));
    return macroOverlapMetric(counts, dataset.classes, 'dice').evaluate(null) ?? 0;
  };
  return { majority: dice(majority), background: dice(new Uint8Array(pixels)) };
}
