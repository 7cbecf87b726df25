import { readFile, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import { resultsOf, smallConfig, writeConfig } from './fixtures.js';
import { runCli, temporaryDir } from './helpers.js';

describe('a run started by a cluster engine', () => {
  it('records its host, job and the GPUs the engine gave it, and --output puts its folder where asked', async () => {
    const dir = await temporaryDir('worker');
    const model = await writeDinov2Fixture(join(dir, 'model'), { embedDim: 48, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 5, style: 'hf' });
    await writeImageFolderDataset(join(dir, 'data'), { classes: ['normal', 'effusion'], perClass: { train: 6, val: 2, test: 4 }, size: 56, seed: 9 });
    await writeConfig(join(dir, 'radprobe.json'), smallConfig(model, { kind: 'image-folder', name: 'cxr', root: 'data' }));
    // What a SLURM job with --gres=gpu:1 sees: its job variables, and its GPU as CUDA_VISIBLE_DEVICES. (Not an array
    // task: there, `run` without --cells embeds the task's shard.)
    const env = { SLURM_JOB_ID: '41', SLURM_JOB_NODELIST: 'gpu07', SLURM_JOB_GPUS: '2', CUDA_VISIBLE_DEVICES: '2' };
    const run = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl', '--device', 'cpu', '--output', 'elsewhere/part-1'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    const results = await resultsOf(run);
    expect(await readdir(join(dir, 'elsewhere', 'part-1'))).toEqual([results.runId]);
    expect(await readdir(dir)).not.toContain('results');
    expect(results.provenance.worker).toEqual({
      host: hostname(),
      engine: 'slurm',
      scheduler: { SLURM_JOB_ID: '41', SLURM_JOB_NODELIST: 'gpu07', SLURM_JOB_GPUS: '2' },
      cudaVisibleDevices: '2',
      nvidiaVisibleDevices: null,
    });
    expect(results.provenance.backbones.map((backbone) => backbone.executionProvider)).toEqual(['onnxruntime CPUExecutionProvider']);
    const markdown = await readFile(join(dir, 'elsewhere', 'part-1', results.runId, 'results.md'), 'utf8');
    expect(markdown).toContain(
      `- worker: host ${hostname()} (slurm SLURM_JOB_ID=41 SLURM_JOB_NODELIST=gpu07 SLURM_JOB_GPUS=2), CUDA_VISIBLE_DEVICES=2`,
    );
    // The output override is not part of the config: the run's config hash is that of a run without it.
    const plain = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl', '--device', 'cpu'], { cwd: dir });
    expect(plain.code, plain.stderr).toBe(0);
    expect((await resultsOf(plain)).provenance.configHash).toBe(results.provenance.configHash);
  }, 120_000);
});
