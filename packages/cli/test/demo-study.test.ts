import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '@radprobe/core';
import { runCli, temporaryDir, type CliRun } from './helpers.js';

const BACKBONES = ['vit-l', 'vit-m', 'vit-s'];

async function resultsOf(runDir: string): Promise<RunResults> {
  return JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as RunResults;
}

const cellNames = (results: RunResults) => results.cells.map((cell) => `${cell.backbone}/${cell.dataset}/${cell.protocol}:${cell.status}`).sort();

describe('radprobe demo --study, at its smallest scale', () => {
  let dir: string;
  let run: CliRun;
  let runDirs: string[];

  beforeAll(async () => {
    dir = await temporaryDir('demo-study');
    run = await runCli(['demo', '--study', '--scale', 'smallest', '--dir', dir, '--reporter', 'jsonl'], { cwd: dir });
    runDirs = run.events.flatMap((event) => (event.type === 'run-end' ? [event.outputDir] : []));
  }, 420_000);

  it('generates the models, data and one config per protocol family, and runs every cell of the grid', async () => {
    expect(run.code, run.stderr).toBe(0);
    for (const file of ['models/vit-s/model.onnx', 'models/vit-m/model.onnx', 'models/vit-l/model.onnx', 'data/synthetic-cxr/train', 'data/synthetic-nih/Data_Entry_2017.csv', 'data/synthetic-lungs/CXR_png']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    expect(runDirs.map((runDir) => runDir.slice(join(dir, 'results').length + 1).split('/')[0]).slice(0, 2)).toEqual(['classification', 'segmentation']);

    const classification = await resultsOf(runDirs[0]);
    expect(cellNames(classification)).toEqual(
      BACKBONES.flatMap((backbone) =>
        ['synthetic-cxr', 'synthetic-nih'].flatMap((dataset) => ['fewshot-linear', 'knn', 'linear'].map((protocol) => `${backbone}/${dataset}/${protocol}:completed`)),
      ),
    );
    // Every backbone exposes 5 blocks: the study's 4-block heads train, none is skipped.
    for (const cell of classification.cells.filter((entry) => entry.protocol === 'linear')) expect(cell.result!.skipped).toEqual([]);
    const fewshot = classification.cells.find((cell) => cell.dataset === 'synthetic-nih' && cell.protocol === 'fewshot-linear')!.result!;
    expect(fewshot.rows.map((row) => row.setting.shots)).toEqual([1, 4, 'all']);
    expect(fewshot.rows[0].setting.unit).toBe('patient');

    const segmentation = await resultsOf(runDirs[1]);
    expect(cellNames(segmentation)).toEqual(BACKBONES.flatMap((backbone) => ['fewshot-seg', 'seg'].map((protocol) => `${backbone}/synthetic-lungs/${protocol}:completed`)));
    const seg = segmentation.cells.find((cell) => cell.protocol === 'seg')!.result!;
    expect(seg.rows.filter((row) => row.split === 'test').map((row) => row.setting.decoder)).toEqual(['linear', 'unet']);
    expect(Object.keys(seg.rows[0].metrics.dice.perClass!)).toEqual(['left lung', 'right lung']);

    // One preprocessing for every run, so that a comparison may put them side by side.
    const classificationConfig = JSON.parse(await readFile(join(dir, 'study-classification.json'), 'utf8'));
    const segmentationConfig = JSON.parse(await readFile(join(dir, 'study-segmentation.json'), 'utf8'));
    expect(segmentationConfig.preprocessing).toEqual(classificationConfig.preprocessing);
    for (const runDir of runDirs) await expect(readFile(join(runDir, 'report.html'), 'utf8')).resolves.toContain('<canvas');
  });

  it('compares its runs on one page, with a Markdown and a CSV table', async () => {
    expect(run.stderr).toContain(`comparison: ${join(dir, 'compare', 'compare.html')}`);
    const page = await readFile(join(dir, 'compare', 'compare.html'), 'utf8');
    expect(page).toContain('<canvas');
    // PCA of the lung images' patch tokens, per backbone, made from the segmentation run's cache and shown on the page.
    const pca = JSON.parse(await readFile(join(runDirs[1], 'pca', 'pca.json'), 'utf8')) as { images: Array<{ backbone: string; dataset: string; file: string }> };
    expect([...new Set(pca.images.map((image) => image.backbone))].sort()).toEqual(BACKBONES);
    expect(pca.images.every((image) => image.dataset === 'synthetic-lungs')).toBe(true);
    expect(pca.images).toHaveLength(12);
    expect(page.match(/<img [^>]*src="data:image\/png;base64,/g)?.length ?? 0).toBeGreaterThanOrEqual(12);
    for (const dataset of ['synthetic-cxr', 'synthetic-nih', 'synthetic-lungs']) expect(page).toContain(dataset);
    const table = await readFile(join(dir, 'compare', 'compare.md'), 'utf8');
    for (const backbone of BACKBONES) expect(table).toContain(backbone);
    await expect(readFile(join(dir, 'compare', 'compare.csv'), 'utf8')).resolves.toContain('vit-s');
  });

  it('runs fine-tuning exactly when the peft protocol is installed, and says so when it is not', async () => {
    const { stdout } = await runCli(['list', '--json'], { cwd: dir });
    const { packages } = JSON.parse(stdout) as { packages: Array<{ protocols: string[] }> };
    const peftInstalled = packages.some((entry) => entry.protocols.includes('peft'));
    expect(existsSync(join(dir, 'study-peft.json'))).toBe(peftInstalled);
    expect(runDirs).toHaveLength(peftInstalled ? 3 : 2);
    if (!peftInstalled) expect(run.stderr).toContain('protocol peft is not installed');
  });
});
