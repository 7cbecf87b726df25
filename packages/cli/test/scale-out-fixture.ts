import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunResults } from '@radprobe/core';
import type { DoneRecord } from '@radprobe/core/engine';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import { filesUnder, writeConfig } from './fixtures.js';
import { BIN, runCli } from './helpers.js';

/**
 * A project folder as a cluster user has it on the shared file system: two generated ViTs × one image folder ×
 * kNN (2 cells), as `radprobe.json`, and `single.json`, the same grid with a cache and output of its own for the
 * single-process run the cluster's merged results must equal.
 */
export async function writeScaleOutProject(dir: string): Promise<void> {
  const models = await Promise.all(
    [5, 6].map((seed) => writeDinov2Fixture(join(dir, `model-${seed}`), { embedDim: 48, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed, style: 'hf' })),
  );
  await writeImageFolderDataset(join(dir, 'data'), { classes: ['normal', 'effusion'], perClass: { train: 10, val: 3, test: 6 }, size: 56, seed: 9 });
  const config = (cache: string, output: string) => ({
    seed: 3,
    cache,
    output,
    batchSize: 4,
    device: 'cpu',
    bootstrap: { samples: 50, confidence: 0.95 },
    backbones: models.map((model, index) => ({ kind: 'onnx', name: `vit-${index}`, model })),
    datasets: [{ kind: 'image-folder', name: 'cxr', root: 'data' }],
    protocols: [{ kind: 'knn', k: [3] }],
  });
  await writeConfig(join(dir, 'radprobe.json'), config('cache', 'results'));
  await writeConfig(join(dir, 'single.json'), config('cache-single', 'results-single'));
}

/** A folder holding `radprobe`, which starts the built CLI: what the container image has on its PATH. */
export async function radprobeOnPath(dir: string): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'radprobe'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  await chmod(join(bin, 'radprobe'), 0o755);
  return bin;
}

/**
 * The merged results of a cluster run equal those of `radprobe run single.json`: every cell (all but its duration),
 * the datasets' summaries and results.csv, byte for byte.
 */
export async function expectEqualToSingleProcessRun(dir: string, merged: string): Promise<RunResults> {
  const single = await runCli(['run', 'single.json', '--reporter', 'jsonl'], { cwd: dir });
  expect(single.code, single.stderr).toBe(0);
  const end = single.events.find((event) => event.type === 'run-end') as { outputDir: string };
  const read = async (folder: string) => JSON.parse(await readFile(join(folder, 'results.json'), 'utf8')) as RunResults;
  const [mergedResults, singleResults] = [await read(merged), await read(end.outputDir)];
  expect(mergedResults.cells.map((cell) => `${cell.backbone}/${cell.dataset}/${cell.protocol}`)).toEqual(['vit-0/cxr/knn', 'vit-1/cxr/knn']);
  // Everything but how long each cell took.
  const numbers = (results: RunResults) => results.cells.map(({ durationMs, ...cell }) => cell);
  expect(numbers(mergedResults)).toEqual(numbers(singleResults));
  expect(mergedResults.datasets).toEqual(singleResults.datasets);
  expect(await readFile(join(merged, 'results.csv'), 'utf8')).toBe(await readFile(join(end.outputDir, 'results.csv'), 'utf8'));
  return mergedResults;
}

/** The finished-shard records in a feature cache: which worker embedded which part of which item list, on what. */
export async function doneRecords(cache: string): Promise<DoneRecord[]> {
  const files = (await filesUnder(cache)).filter((file) => file.endsWith('.done.json'));
  return Promise.all(files.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as DoneRecord));
}
