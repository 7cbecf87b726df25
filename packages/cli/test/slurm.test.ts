import { execFile } from 'node:child_process';
import { chmod, readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '@radprobe/core';
import { expectOneClearLine } from './fixtures.js';
import { runCli, temporaryDir } from './helpers.js';
import { doneRecords, expectEqualToSingleProcessRun, writeScaleOutProject } from './scale-out-fixture.js';

const run = promisify(execFile);
const REPOSITORY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FINAL_STATES = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE'];

/** The states of a job's tasks (one for a plain job, one per task of an array), from `scontrol show job`. */
async function jobStates(id: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { stdout } = await run('scontrol', ['show', 'job', id], { env });
  return [...stdout.matchAll(/JobState=(\S+)/g)].map((match) => match[1]);
}

/** Waits until every task of the job is in a final state (no accounting here: scontrol is what there is). */
async function waitForJob(id: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await jobStates(id, env);
    if (states.length > 0 && states.every((state) => FINAL_STATES.includes(state))) return states;
    if (Date.now() > deadline) throw new Error(`job ${id} did not finish in ${timeoutMs / 1000} s: ${states.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('radprobe slurm on a real one-node SLURM cluster', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const daemons: number[] = [];
  beforeAll(async () => {
    dir = await temporaryDir('slurm');
    // munged (as the munge user) reaches its socket in dir only through folders open to all.
    await chmod(dir, 0o755);
    // Installs slurm-wlm and munge when missing (minutes on a fresh machine), then starts the cluster in dir.
    const { stdout } = await run('bash', [join(REPOSITORY, 'scripts', 'setup-slurm.sh'), join(dir, 'cluster')], { timeout: 900_000 });
    const started = Object.fromEntries(stdout.trim().split('\n').map((line) => line.split('=') as [string, string]));
    for (const name of ['SLURMD_PID', 'SLURMCTLD_PID', 'MUNGED_PID']) daemons.push(Number(started[name]));
    env = { ...process.env, SLURM_CONF: started.SLURM_CONF };
    await writeScaleOutProject(dir);
  }, 900_000);

  afterAll(async () => {
    for (const pid of daemons) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        continue;
      }
      for (let waited = 0; waited < 100; waited++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  it('runs the generated extraction array, the dependent cells array and the merge into the results of a single-process run', async () => {
    const written = await runCli(['slurm', 'radprobe.json', '--array', '4', '--cell-jobs', '2', '--out', 'slurm'], { cwd: dir });
    expect(written.code, written.stderr).toBe(0);
    const submit = join(dir, 'slurm', 'submit.sh');
    expect(written.stdout).toContain(`submit them with: bash ${submit}`);

    const { stdout } = await run('bash', [submit], { env });
    const ids = Object.fromEntries(stdout.trim().split(' ').map((pair) => pair.split('=') as [string, string]));
    // The cells wait for every extraction task, the merge for every cells task.
    const [cellsJob] = (await run('scontrol', ['show', 'job', ids.cells], { env })).stdout.split('\n\n');
    expect(cellsJob).toMatch(new RegExp(`Dependency=afterok:${ids.extract}_\\*|JobState=(RUNNING|COMPLETED)`));

    const logs = join(dir, 'slurm', 'logs');
    const mergeStates = await waitForJob(ids.merge, env, 240_000).catch(async (error: Error) => {
      const files = await readdir(logs);
      const texts = await Promise.all(files.map(async (file) => `--- ${file}\n${await readFile(join(logs, file), 'utf8')}`));
      throw new Error(`${error.message}\n${texts.join('\n')}`);
    });
    expect(await jobStates(ids.extract, env)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(await jobStates(ids.cells, env)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(mergeStates).toEqual(['COMPLETED']);
    expect((await readdir(logs)).filter((file) => file.startsWith('extract-')).sort()).toEqual([0, 1, 2, 3].map((task) => `extract-${ids.extract}_${task}.log`));

    // Each shard of each backbone's item list records the array task that embedded it, its host and devices.
    // (A cells run records the whole list as one part it found complete: not a shard of the extraction.)
    const shards = (await doneRecords(join(dir, 'cache'))).filter((record) => record.part.count === 4);
    expect(shards).toHaveLength(2 * 4);
    for (const shard of shards) {
      expect(shard.executionProvider).toBe('onnxruntime CPUExecutionProvider');
      expect(shard.worker).toMatchObject({ engine: 'slurm', scheduler: { SLURM_ARRAY_JOB_ID: ids.extract, SLURM_ARRAY_TASK_ID: String(shard.part.index), SLURM_ARRAY_TASK_COUNT: '4' } });
    }
    await expectEqualToSingleProcessRun(dir, join(dir, 'scale-out', 'merged'));
    // Each cells task recorded where it ran: which task of which array, on which host and devices.
    for (const task of [0, 1]) {
      const folder = join(dir, 'scale-out', 'runs', `cells-${task}`);
      const [runId] = (await readdir(folder)).filter((name) => !name.startsWith('.'));
      const results = JSON.parse(await readFile(join(folder, runId, 'results.json'), 'utf8')) as RunResults;
      expect(results.provenance.worker).toMatchObject({ engine: 'slurm', scheduler: { SLURM_ARRAY_JOB_ID: ids.cells, SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_TASK_COUNT: '2' } });
    }
  }, 600_000);

  it("writes the resources asked for into every job's header, and no GPU into the merge's", async () => {
    const written = await runCli(
      ['slurm', 'radprobe.json', '--out', 'slurm-gpu', '--partition', 'gpu', '--gres', 'gpu:1', '--time', '04:00:00', '--cpus-per-task', '8', '--mem', '32G', '--radprobe', 'radprobe'],
      { cwd: dir },
    );
    expect(written.code, written.stderr).toBe(0);
    const headers = async (name: string) => (await readFile(join(dir, 'slurm-gpu', name), 'utf8')).split('\n').filter((line) => line.startsWith('#SBATCH'));
    expect(await headers('extract.sbatch')).toEqual([
      '#SBATCH --job-name=radprobe-extract',
      `#SBATCH --chdir=${dir}`,
      `#SBATCH --output=${join(dir, 'slurm-gpu', 'logs', 'extract-%A_%a.log')}`,
      '#SBATCH --partition=gpu',
      '#SBATCH --time=04:00:00',
      '#SBATCH --array=0-3',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --cpus-per-task=8',
      '#SBATCH --mem=32G',
    ]);
    expect(await headers('cells.sbatch')).toContain('#SBATCH --array=0-1');
    expect((await headers('merge.sbatch')).filter((line) => /gres|array|cpus|mem/.test(line))).toEqual([]);
    const cells = await readFile(join(dir, 'slurm-gpu', 'cells.sbatch'), 'utf8');
    expect(cells).toContain('exec radprobe run radprobe.json --cells "$SLURM_ARRAY_TASK_ID"/2 --output scale-out/runs/cells-"$SLURM_ARRAY_TASK_ID"\n');
    expectOneClearLine(await runCli(['slurm', 'radprobe.json', '--gres', 'gpu:1 --wrap=x'], { cwd: dir }), '--gres must look like gpu:1');
    expectOneClearLine(await runCli(['slurm', 'radprobe.json', '--array', '0'], { cwd: dir }), '--array must be a positive integer');
  }, 120_000);
});
