import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RunEvent, type RunResults } from '@radprobe/core';
import { resultsJson } from '@radprobe/core/engine';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import { resultsOf, writeConfig } from './fixtures.js';
import { runCli, temporaryDir, type CliRun } from './helpers.js';

/** One backbone × one dataset × three kNN protocols: a grid of three cells. */
function config(cache: string, model: string): Record<string, unknown> {
  return {
    seed: 3,
    cache,
    output: 'results',
    batchSize: 4,
    bootstrap: { samples: 100, confidence: 0.95 },
    backbones: [{ kind: 'onnx', name: 'vit', model }],
    datasets: [{ kind: 'image-folder', name: 'cxr', root: 'data' }],
    protocols: [
      { kind: 'knn', name: 'knn3', k: [3] },
      { kind: 'knn', name: 'knn5', k: [5] },
      { kind: 'knn', name: 'knn9', k: [9] },
    ],
  };
}

/** The `embedding N items (M cached)` line of a jsonl extraction, as [N, M]. */
function embedding(run: CliRun): [number, number] {
  const line = run.events.find((event): event is Extract<RunEvent, { type: 'log' }> => event.type === 'log' && /^embedding \d+ items/.test(event.message));
  expect(line, run.stderr).toBeDefined();
  const [, embedded, cached] = /^embedding (\d+) items \((\d+) cached\)/.exec(line!.message)!.map(Number);
  return [embedded, cached];
}

interface Status {
  pairs: Array<{ items: number; cached: number; shards: { count: number; complete: number[]; missing: number[] }; workers: Array<{ part: { index: number }; alive: string }> }>;
}

/** results.json without the fields that are per run by nature (see PER_RUN_FIELDS in @radprobe/report). */
function withoutPerRunFields(results: RunResults): unknown {
  const { runId: _id, name: _name, startedAt: _start, finishedAt: _end, ...rest } = results;
  return { ...rest, cells: rest.cells.map(({ durationMs: _ms, ...cell }) => cell) };
}

describe('sharded extraction into one cache by concurrent workers', () => {
  let dir: string;
  const env = { RADPROBE_FLUSH_ITEMS: '4' };
  beforeAll(async () => {
    dir = await temporaryDir('scale-out');
    const model = await writeDinov2Fixture(join(dir, 'model'), { embedDim: 48, depth: 2, heads: 2, patchSize: 14, posGrid: 8, seed: 5, style: 'hf' });
    await writeImageFolderDataset(join(dir, 'data'), { perClass: { train: 12, val: 3, test: 6 }, size: 112, seed: 9 });
    await writeConfig(join(dir, 'shared.json'), config('cache-shared', model));
    await writeConfig(join(dir, 'clean.json'), config('cache-clean', model));
  });

  it('three shards, one of them killed with SIGKILL and one given twice, then rerun: the cache is whole and its features are those of one process', async () => {
    const extract = (shard: string, kill = false) =>
      runCli(['extract', 'shared.json', '--shard', shard, '--reporter', 'jsonl'], {
        cwd: dir,
        env,
        killWhen: kill ? (event) => event.type === 'progress' && event.label === 'images embedded' && event.done >= 8 : undefined,
      });
    const [killed, one, oneAgain, two] = await Promise.all([extract('0/3', true), extract('1/3'), extract('1/3'), extract('2/3')]);
    expect(killed.signal).toBe('SIGKILL');
    for (const run of [one, oneAgain, two]) expect(run.code, run.stderr).toBe(0);
    expect(one.events.some((event) => event.type === 'log' && event.message === 'radprobe extract: shard 1/3 (from --shard 1/3); only the feature cache is filled, no protocol runs')).toBe(true);

    // The killed worker's claim is reported by cache ls and cache status; its shard is missing.
    const listing = await runCli(['cache', 'ls', '--cache', 'cache-shared'], { cwd: dir });
    expect(listing.stdout).toMatch(/worker \S+ pid \d+ on shard 0\/3 of cxr since \S+: killed: its process is gone/);
    const before = JSON.parse((await runCli(['cache', 'status', 'shared.json', '--json'], { cwd: dir })).stdout) as Status;
    expect(before.pairs).toHaveLength(1);
    expect(before.pairs[0].shards).toEqual({ count: 3, complete: [1, 2], missing: [0] });
    expect(before.pairs[0].cached).toBeLessThan(before.pairs[0].items);
    expect(before.pairs[0].workers).toEqual([expect.objectContaining({ part: expect.objectContaining({ index: 0 }), alive: 'no' })]);
    const text = await runCli(['cache', 'status', 'shared.json'], { cwd: dir });
    expect(text.stdout).toContain(`vit × cxr: ${before.pairs[0].cached} / ${before.pairs[0].items} items cached; shards of 3: 2 complete, missing 0`);

    // Rerunning the killed index reuses its finished shards (written every 4 items, killed at ≥ 8 embedded).
    const rerun = await extract('0/3');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(embedding(rerun)[1]).toBeGreaterThanOrEqual(8);
    // A shard already complete exits 0 at once and says so.
    const again = await runCli(['extract', 'shared.json', '--shard', '0/3'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('shard 0/3: already complete in the cache (1 backbone × dataset pairs); nothing to do\n');
    expect(again.stderr).not.toContain('embedding');

    const after = JSON.parse((await runCli(['cache', 'status', 'shared.json', '--json'], { cwd: dir })).stdout) as Status;
    expect(after.pairs[0].cached).toBe(after.pairs[0].items);
    expect(after.pairs[0].shards.missing).toEqual([]);
    expect((await runCli(['cache', 'verify', '--cache', 'cache-shared'], { cwd: dir })).code).toBe(0);

    // The same numbers as a run that embedded everything in one process.
    const fromShards = await runCli(['run', 'shared.json', '--reporter', 'jsonl', '--backbone', 'vit'], { cwd: dir, env: { SLURM_ARRAY_TASK_ID: '', JOB_COMPLETION_INDEX: '' } });
    expect(fromShards.code, fromShards.stderr).toBe(0);
    expect(fromShards.events.some((event) => event.type === 'log' && /^all \d+ items from the cache$/.test(event.message))).toBe(true);
    const single = await runCli(['run', 'clean.json', '--reporter', 'jsonl'], { cwd: dir });
    expect(single.code, single.stderr).toBe(0);
    expect((await resultsOf(fromShards)).cells.map((cell) => cell.result)).toEqual((await resultsOf(single)).cells.map((cell) => cell.result));
  }, 400_000);

  it('takes the shard from a SLURM array task or a Kubernetes Indexed Job, says which, and run in an array embeds its shard only', async () => {
    const slurm = await runCli(['run', 'shared.json'], { cwd: dir, env: { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' } });
    expect(slurm.code, slurm.stderr).toBe(0);
    expect(slurm.stderr).toContain('radprobe run: shard 1/3 (from SLURM_ARRAY_TASK_ID=1 of SLURM_ARRAY_TASK_COUNT=3); only the feature cache is filled, no protocol runs');
    expect(slurm.stdout).toBe('shard 1/3: already complete in the cache (1 backbone × dataset pairs); nothing to do\n');
    const indexed = await runCli(['extract', 'shared.json'], { cwd: dir, env: { JOB_COMPLETION_INDEX: '2', RADPROBE_SHARD_COUNT: '3' } });
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(indexed.stderr).toContain('radprobe extract: shard 2/3 (from JOB_COMPLETION_INDEX=2 of RADPROBE_SHARD_COUNT=3)');
    const countless = await runCli(['extract', 'shared.json'], { cwd: dir, env: { JOB_COMPLETION_INDEX: '2' } });
    expect(countless.code).toBe(2);
    expect(countless.stderr).toContain('JOB_COMPLETION_INDEX is set but RADPROBE_SHARD_COUNT is not');
    const both = await runCli(['run', 'shared.json', '--shard', '0/3', '--cells', '0/3'], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give one of them');
  }, 200_000);

  it('run --cells 0/3, 1/3, 2/3 and report merge give the results.json of one run, apart from per-run fields', async () => {
    const whole = await runCli(['run', 'shared.json', '--reporter', 'jsonl'], { cwd: dir });
    expect(whole.code, whole.stderr).toBe(0);
    const parts: string[] = [];
    for (const index of [0, 1, 2]) {
      const part = await runCli(['run', 'shared.json', '--cells', `${index}/3`, '--reporter', 'jsonl'], { cwd: dir });
      expect(part.code, part.stderr).toBe(0);
      const results = await resultsOf(part);
      expect(results.partition).toEqual({ cells: { index, count: 3 }, of: 3 });
      expect(results.cells.map((cell) => cell.protocol)).toEqual([['knn3', 'knn5', 'knn9'][index]]);
      parts.push((part.events.find((event) => event.type === 'run-end') as Extract<RunEvent, { type: 'run-end' }>).outputDir);
    }

    const missing = await runCli(['report', 'merge', parts[0], parts[1]], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('1 of the 3 cells of the config are in none of the given results: vit × cxr × knn9 (they belong to --cells 2/3)');
    const wholeDir = (whole.events.find((event) => event.type === 'run-end') as Extract<RunEvent, { type: 'run-end' }>).outputDir;
    const overlap = await runCli(['report', 'merge', parts[0], wholeDir], { cwd: dir });
    expect(overlap.stderr).toContain('cell vit × cxr × knn3 is in both');

    const merged = await runCli(['report', 'merge', ...parts], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    const out = /into (.+)\n$/.exec(merged.stdout)![1];
    const mergedResults = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResults;
    expect(withoutPerRunFields(mergedResults)).toEqual(withoutPerRunFields(await resultsOf(whole)));
    // Byte for byte, once the per-run fields are set alike.
    const wholeText = await readFile(join(wholeDir, 'results.json'), 'utf8');
    const wholeResults = JSON.parse(wholeText) as RunResults;
    const aligned = { ...mergedResults, runId: wholeResults.runId, name: wholeResults.name, startedAt: wholeResults.startedAt, finishedAt: wholeResults.finishedAt };
    aligned.cells = aligned.cells.map((cell, index) => ({ ...cell, durationMs: wholeResults.cells[index].durationMs }));
    expect(resultsJson(aligned)).toBe(wholeText);
    for (const file of ['results.md', 'results.csv', 'report.html']) expect((await readFile(join(out, file))).length).toBeGreaterThan(0);

    // A part of another config is refused, naming the field and both values.
    const other = await runCli(['run', 'clean.json', '--cells', '2/3', '--reporter', 'jsonl'], { cwd: dir });
    const otherDir = (other.events.find((event) => event.type === 'run-end') as Extract<RunEvent, { type: 'run-end' }>).outputDir;
    const mixed = await runCli(['report', 'merge', parts[0], parts[1], otherDir], { cwd: dir });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/cannot merge: provenance\.configHash is "[0-9a-f]{64}" in .+ but "[0-9a-f]{64}" in .+results\.json/);
  }, 400_000);
});
