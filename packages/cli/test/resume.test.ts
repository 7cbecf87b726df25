import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunResults } from '@radprobe/core';
import { writeFileAtomic } from '@radprobe/core';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import { runCli, temporaryDir } from './helpers.js';

function config(cache: string, model: string): string {
  return JSON.stringify({
    seed: 3,
    cache,
    output: 'results',
    batchSize: 4,
    bootstrap: { samples: 200, confidence: 0.95 },
    backbones: [{ kind: 'onnx', name: 'vit', model }],
    datasets: [{ kind: 'image-folder', name: 'cxr', root: 'data' }],
    protocols: [{ kind: 'knn', k: [3, 9] }],
  });
}

const resultOf = async (events: RunEvent[]) => {
  const end = events.find((event): event is Extract<RunEvent, { type: 'run-end' }> => event.type === 'run-end')!;
  return (JSON.parse(await readFile(join(end.outputDir, 'results.json'), 'utf8')) as RunResults).cells[0].result;
};

describe('a run killed with SIGKILL during extraction', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await temporaryDir('resume');
    const model = await writeDinov2Fixture(join(dir, 'model'), { embedDim: 48, depth: 2, heads: 2, patchSize: 14, posGrid: 8, seed: 5, style: 'hf' });
    await writeImageFolderDataset(join(dir, 'data'), { perClass: { train: 24, val: 4, test: 12 }, size: 112, seed: 9 });
    await writeFileAtomic(join(dir, 'killed.json'), config('cache-killed', model));
    await writeFileAtomic(join(dir, 'clean.json'), config('cache-clean', model));
  });

  it('resumes from the finished shards and ends with the numbers of an uninterrupted run', async () => {
    const env = { RADPROBE_FLUSH_ITEMS: '8' };
    const killed = await runCli(['run', 'killed.json', '--reporter', 'jsonl'], {
      cwd: dir,
      env,
      killWhen: (event) => event.type === 'progress' && event.label === 'images embedded' && event.done >= 40,
    });
    expect(killed.signal).toBe('SIGKILL');
    const total = (killed.events.find((event) => event.type === 'progress') as Extract<RunEvent, { type: 'progress' }>).total;

    const resumed = await runCli(['run', 'killed.json', '--reporter', 'jsonl'], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const embedding = resumed.events.find((event): event is Extract<RunEvent, { type: 'log' }> => event.type === 'log' && event.message.startsWith('embedding'))!;
    const [, recomputed, cached] = /^embedding (\d+) items \((\d+) cached\)/.exec(embedding.message)!.map(Number);
    // Shards of 8 were written up to the kill at ≥ 40 embedded: at least 40 items were not embedded again.
    expect(cached).toBeGreaterThanOrEqual(40);
    expect(recomputed + cached).toBe(total);

    const clean = await runCli(['run', 'clean.json', '--reporter', 'jsonl'], { cwd: dir });
    expect(clean.code, clean.stderr).toBe(0);
    expect(await resultOf(resumed.events)).toEqual(await resultOf(clean.events));
  }, 240_000);
});

describe('a run cancelled with SIGINT (Ctrl-C, or Cancel in the editor) during extraction', () => {
  it('stops after the current batch with exit 130 and a message, and the next run resumes from the cache', async () => {
    const dir = await temporaryDir('cancel');
    const model = await writeDinov2Fixture(join(dir, 'model'), { embedDim: 48, depth: 2, heads: 2, patchSize: 14, posGrid: 8, seed: 5, style: 'hf' });
    await writeImageFolderDataset(join(dir, 'data'), { perClass: { train: 24, val: 4, test: 12 }, size: 112, seed: 9 });
    await writeFileAtomic(join(dir, 'radprobe.json'), config('cache', model));
    const env = { RADPROBE_FLUSH_ITEMS: '8' };
    const cancelled = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], {
      cwd: dir,
      env,
      killSignal: 'SIGINT',
      killWhen: (event) => event.type === 'progress' && event.label === 'images embedded' && event.done >= 16,
    });
    expect(cancelled.code, cancelled.stderr).toBe(130);
    expect(cancelled.stderr).toContain('radprobe: cancelled; the feature cache keeps every finished shard, so running again resumes');
    expect(cancelled.events.some((event) => event.type === 'run-end')).toBe(false);
    // Nothing of the cancelled run is left in the output folder, not even its staging folder.
    expect(await readdir(join(dir, 'results'))).toEqual([]);

    const resumed = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const embedding = resumed.events.find((event): event is Extract<RunEvent, { type: 'log' }> => event.type === 'log' && event.message.startsWith('embedding'))!;
    expect(Number(/\((\d+) cached\)/.exec(embedding.message)![1])).toBeGreaterThanOrEqual(16);
  }, 240_000);
});
