import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeExecutionProviders } from '@radprobe/backbone-onnx';
import { formatSetting, type RunResults } from '@radprobe/core';
import { formatMetricValue } from '@radprobe/core/engine';
import { prepareDemo } from '../src/commands/demo.js';
import { runCli, temporaryDir, type CliRun } from './helpers.js';

describe('the built-in default run, end to end through the CLI', () => {
  let dir: string;
  let configPath: string;
  let first: CliRun;
  let second: CliRun;
  let results: RunResults;

  beforeAll(async () => {
    dir = await temporaryDir('demo');
    configPath = await prepareDemo(dir);
    first = await runCli(['run', configPath], { cwd: dir });
    second = await runCli(['run', configPath, '--reporter', 'jsonl'], { cwd: dir });
  }, 240_000);

  it('evaluates every cell, writes results.json/md/csv, and a second run reuses the cache with identical numbers', async () => {
    expect(first.stderr).toContain('results written to');
    expect(first.code, first.stderr).toBe(0);
    // The second run (made beforehand, with the first) writes its own folder beside the first's.
    const runs = (await readdir(join(dir, 'results'))).sort();
    expect(runs).toHaveLength(2);
    const outputDir = join(dir, 'results', runs[0]);
    expect(first.stderr).toContain(`results written to ${outputDir}`);
    results = JSON.parse(await readFile(join(outputDir, 'results.json'), 'utf8')) as RunResults;
    expect(results.cells.map((cell) => `${cell.backbone}/${cell.dataset}/${cell.protocol}:${cell.status}`).sort()).toEqual([
      'vit-tiny-hf/synthetic-cxr/knn:completed',
      'vit-tiny-hf/synthetic-cxr/linear:completed',
      'vit-tiny-hf/synthetic-cxr/logreg:completed',
      'vit-tiny-hf/synthetic-nih/knn:completed',
      'vit-tiny-hf/synthetic-nih/linear:completed',
      'vit-tiny-hf/synthetic-nih/logreg:completed',
      'vit-tiny-meta-reg4/synthetic-cxr/knn:completed',
      'vit-tiny-meta-reg4/synthetic-cxr/linear:completed',
      'vit-tiny-meta-reg4/synthetic-cxr/logreg:completed',
      'vit-tiny-meta-reg4/synthetic-nih/knn:completed',
      'vit-tiny-meta-reg4/synthetic-nih/linear:completed',
      'vit-tiny-meta-reg4/synthetic-nih/logreg:completed',
    ]);
    // The Hugging Face-style export exposes only its last block: the 4-block heads are skipped, and say why.
    const hfLinear = results.cells.find((cell) => cell.backbone === 'vit-tiny-hf' && cell.protocol === 'linear')!.result!;
    expect(hfLinear.skipped.some((entry) => entry.setting.blocks === 4)).toBe(true);
    const metaLinear = results.cells.find((cell) => cell.backbone === 'vit-tiny-meta-reg4' && cell.dataset === 'synthetic-cxr' && cell.protocol === 'linear')!.result!;
    expect(metaLinear.skipped).toEqual([]);
    expect(metaLinear.rows[0]).toMatchObject({ split: 'test', setting: { selected: true } });
    // The features are linearly separable: logistic regression on them does at least as well as kNN.
    const logreg = results.cells.find((cell) => cell.backbone === 'vit-tiny-hf' && cell.dataset === 'synthetic-cxr' && cell.protocol === 'logreg')!.result!;
    expect(logreg.rows[0].metrics.top1.value).toBeGreaterThan(0.6);
    await expect(readFile(join(outputDir, 'report.html'), 'utf8')).resolves.toContain('<canvas');
    const multiclass = results.cells.find((cell) => cell.dataset === 'synthetic-cxr' && cell.backbone === 'vit-tiny-hf' && cell.protocol === 'knn')!.result!;
    const top1 = multiclass.rows.find((row) => row.setting.k === 10)!.metrics.top1;
    // Three visibly different classes: even random ViT features put kNN far above the 1/3 of chance.
    expect(top1.value).toBeGreaterThan(0.6);
    expect(top1.ci!.low).toBeLessThanOrEqual(top1.value);
    expect(results.provenance.backbones.every((b) => /^[0-9a-f]{64}$/.test(b.weightsHash))).toBe(true);
    await expect(readFile(join(outputDir, 'results.md'), 'utf8')).resolves.toContain('synthetic-nih');
    await expect(readFile(join(outputDir, 'results.csv'), 'utf8')).resolves.toContain('auroc');
    expect(first.stdout).toContain('top1');

    expect(second.code, second.stderr).toBe(0);
    expect(second.events.some((event) => event.type === 'log' && /^embedding \d+ items/.test(event.message))).toBe(false);
    const end = second.events.find((event) => event.type === 'run-end');
    const again = JSON.parse(await readFile(join(end!.type === 'run-end' ? end!.outputDir : '', 'results.json'), 'utf8')) as RunResults;
    expect(again.cells.map((cell) => cell.result)).toEqual(results.cells.map((cell) => cell.result));
  });

  it('says once, in one short line, that onnxruntime runs on the CPU; the full explanation stays with radprobe doctor', () => {
    if (describeExecutionProviders().autoPicks !== 'CPUExecutionProvider') return;
    const lines = first.stderr.split('\n').filter((line) => /CUDA|GPU/.test(line));
    expect(lines).toHaveLength(1);
    expect(lines[0].length).toBeLessThanOrEqual(120);
    expect(lines[0]).toMatch(/radprobe doctor/);
    expect(first.stderr).not.toContain('ONNXRUNTIME_NODE_INSTALL');
  });

  it('ends each cell with the setting its summary shows, the selected TEST row where the protocol selects one', () => {
    for (const cell of results.cells) {
      const { primaryMetric, rows } = cell.result!;
      const row = rows.find((candidate) => candidate.split === 'test' && candidate.setting.selected === true) ?? rows.find((candidate) => candidate.split === 'test')!;
      const { selected: _selected, ...setting } = row.setting;
      const line = `✓ ${cell.backbone} × ${cell.dataset} × ${cell.protocol} ${formatSetting(setting)}: ${primaryMetric} ${formatMetricValue(row.metrics[primaryMetric])}\n`;
      expect(first.stderr).toContain(line);
    }
    // kNN selects nothing: its first TEST row (k=5 in the demo), named as such.
    expect(first.stderr).toMatch(/^✓ vit-tiny-hf × synthetic-cxr × knn k=5: top1 \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]$/m);
  });

  it('names logistic regression as such, apart from the linear probe', () => {
    expect(first.stderr).toContain('• Logistic regression on synthetic-cxr with vit-tiny-hf\n');
    expect(first.stderr).toContain('• Linear probe on synthetic-cxr with vit-tiny-hf\n');
  });

  it('says when the features come from the cache instead of drawing a progress bar', () => {
    const logs = second.events.flatMap((event) => (event.type === 'log' ? [event.message] : []));
    expect(logs).toContain('all 280 items from the cache');
    expect(second.events.some((event) => event.type === 'progress' && event.label === 'images embedded')).toBe(false);
    expect(first.stderr).toMatch(/^• features of synthetic-cxr × vit-tiny-hf\n {2}embedding 280 items \(0 cached\)\n/m);
  });
});
