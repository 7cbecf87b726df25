import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '@radprobe/core';
import { runCli, temporaryDir } from './helpers.js';

/** A results.json with one backbone's linear probe on `dataset`, `test` TEST items and the given preprocessing. */
function results(runId: string, backbone: string, value: number, options: { test?: number; preprocessing?: string } = {}): RunResults {
  return {
    schemaVersion: 1,
    runId,
    name: `run ${runId}`,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:10:00.000Z',
    config: { preprocessing: options.preprocessing ?? 'study' },
    provenance: {
      configHash: '11'.repeat(32),
      packages: {},
      gitCommit: null,
      seed: 0,
      node: 'v20.19.0',
      platform: 'linux',
      cpu: 'cpu',
      cpus: 2,
      memoryBytes: 2 ** 30,
      hostname: 'ci',
      backbones: [{ name: backbone, description: backbone, weightsHash: backbone === 'vits' ? '22'.repeat(32) : '33'.repeat(32), executionProvider: 'cpu' }],
    },
    datasets: [{ name: 'cxr', kind: 'image-folder', task: 'multiclass', classes: ['a', 'b'], counts: { train: 8, val: 2, test: options.test ?? 4 }, patients: null, skipped: [], notes: [] }],
    cells: [
      {
        backbone,
        dataset: 'cxr',
        protocol: 'linear',
        protocolKind: 'linear',
        status: 'completed',
        durationMs: 5,
        result: { primaryMetric: 'auroc', rows: [{ setting: { lr: 0.01, selected: true }, split: 'test', metrics: { auroc: { value, ci: { low: value - 0.1, high: value + 0.1, confidence: 0.95, samples: 100, unit: 'item' } } } }], notes: [], skipped: [] },
      },
    ],
  };
}

async function writeResults(dir: string, content: RunResults): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'results.json'), JSON.stringify(content));
}

describe('radprobe report compare', () => {
  it('writes the comparison of several results folders into --out', async () => {
    const cwd = await temporaryDir('report-compare');
    await writeResults(join(cwd, 'results', 'one'), results('one', 'vits', 0.8));
    await writeResults(join(cwd, 'results', 'two'), results('two', 'resnet', 0.7));
    const run = await runCli(['report', 'compare', 'results/one', 'results/two', '--out', 'cmp', '--title', 'Two backbones'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(['compare.html', 'compare.md', 'compare.csv'].map((name) => `wrote ${join(cwd, 'cmp', name)}\n`).join(''));
    const markdown = await readFile(join(cwd, 'cmp', 'compare.md'), 'utf8');
    expect(markdown).toContain('# Two backbones');
    expect(markdown).toContain('| vits | 0.800 [0.700, 0.900] |');
    expect(markdown).toContain('| resnet | 0.700 [0.600, 0.800] |');
    expect(existsSync(join(cwd, 'cmp', 'compare.html'))).toBe(true);
  });

  it('refuses runs with different splits or preprocessing, naming what differs; --allow-mixed warns and goes on', async () => {
    const cwd = await temporaryDir('report-compare-mixed');
    await writeResults(join(cwd, 'a'), results('a', 'vits', 0.8));
    await writeResults(join(cwd, 'b'), results('b', 'resnet', 0.7, { test: 5, preprocessing: 'upstream' }));
    const refused = await runCli(['report', 'compare', 'a', 'b'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('radprobe: compare: the runs are not comparable (--allow-mixed compares them anyway, with warnings):');
    expect(refused.stderr).toContain('  dataset "cxr" counts.test: a has 4, b has 5');
    expect(refused.stderr).toContain('  dataset "cxr" preprocessing.scale: a has minmax, b has range');
    expect(existsSync(join(cwd, 'compare'))).toBe(false);

    const mixed = await runCli(['report', 'compare', 'a', 'b', '--allow-mixed'], { cwd });
    expect(mixed.code, mixed.stderr).toBe(0);
    expect(mixed.stderr).toContain('warning: dataset "cxr" counts.test: a has 4, b has 5\n');
    expect(await readFile(join(cwd, 'compare', 'compare.html'), 'utf8')).toContain('dataset &quot;cxr&quot; counts.test: a has 4, b has 5');
  });

  it('asks for at least one folder', async () => {
    const run = await runCli(['report', 'compare'], { cwd: await temporaryDir('report-compare-none') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("radprobe report: expected 'compare DIR…'");
  });
});
