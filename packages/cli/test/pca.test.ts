import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertValidPcaManifest, runEvaluation, type PcaManifest } from '@radprobe/core/engine';
import { builtinPlugins, cliSearchDirs } from '../src/builtins.js';
import { main } from '../src/cli.js';
import { prepareDemo } from '../src/commands/demo.js';
import { pcaForConfig, pcaForRun } from '../src/index.js';
import { writeConfig } from './fixtures.js';
import { temporaryDir } from './helpers.js';

/** The demo's two generated ViTs on its synthetic chest X-rays, at 112 px (an 8 × 8 patch grid) to stay quick. */
async function pcaConfig(demoDir: string, dir: string): Promise<string> {
  const demo = JSON.parse(await readFile(join(demoDir, 'radprobe.json'), 'utf8')) as { backbones: Array<{ name: string; model: string }> };
  const path = join(dir, 'radprobe.json');
  await writeConfig(path, {
    seed: 0,
    output: 'results',
    cache: 'cache',
    preprocessing: { preset: 'study', resize: { mode: 'square', size: 112 } },
    bootstrap: { samples: 20, confidence: 0.95 },
    backbones: demo.backbones.map(({ name, model }) => ({ kind: 'onnx', name, model: join(demoDir, model) })),
    datasets: [{ kind: 'image-folder', name: 'cxr', root: join(demoDir, 'data', 'synthetic-cxr') }],
    protocols: [{ kind: 'knn', k: [3] }],
  });
  return path;
}

async function readManifest(dir: string): Promise<PcaManifest> {
  const file = join(dir, 'pca.json');
  const manifest: unknown = JSON.parse(await readFile(file, 'utf8'));
  assertValidPcaManifest(manifest, file);
  return manifest;
}

describe('radprobe pca', () => {
  let demoDir: string;
  let dir: string;
  let configPath: string;

  beforeAll(async () => {
    demoDir = await temporaryDir('pca-demo');
    await prepareDemo(demoDir);
    dir = await temporaryDir('pca');
    configPath = await pcaConfig(demoDir, dir);
  }, 120_000);

  it('writes decodable PNGs and a valid manifest, embeds once, then reads the cache with identical bytes', async () => {
    const logs: string[] = [];
    const first = join(dir, 'first');
    const code = await main(['pca', configPath, '--backbone', 'vit-tiny-meta-reg4', '--dataset', 'cxr', '--count', '3', '--out', first]);
    expect(code).toBe(0);
    const manifest = await readManifest(first);
    expect(manifest.images.map((image) => [image.backbone, image.dataset])).toEqual(Array(3).fill(['vit-tiny-meta-reg4', 'cxr']));
    expect(new Set(manifest.images.map((image) => image.item)).size).toBe(3);
    // 3 images × 64 patches, of which the first component's chosen side is foreground.
    expect(manifest.explainedVariance[0]).toMatchObject({ backbone: 'vit-tiny-meta-reg4', dataset: 'cxr', patches: 192 });
    expect(manifest.explainedVariance[0].foregroundPatches).toBeLessThan(192);
    for (const image of manifest.images) {
      const png = PNG.sync.read(await readFile(join(first, image.file)));
      // The 112 px input in gray beside the 8 × 8 grid drawn at 112 px.
      expect([png.width, png.height]).toEqual([224, 112]);
    }

    const second = join(dir, 'second');
    await pcaForConfig(configPath, { backbone: 'vit-tiny-meta-reg4', dataset: 'cxr' }, second, { count: 3, log: (message) => logs.push(message) });
    expect(logs.some((line) => line.includes('3 from the cache, 0 embedded'))).toBe(true);
    for (const name of ['pca.json', ...manifest.images.map((image) => image.file)]) {
      expect((await readFile(join(second, name))).equals(await readFile(join(first, name))), name).toBe(true);
    }
  }, 120_000);

  it('draws the components alone with --no-input, for items named by id', async () => {
    const out = join(dir, 'named');
    const first = (await readManifest(join(dir, 'first'))).images[0].item;
    expect(await main(['pca', configPath, '--backbone', 'vit-tiny-hf', '--dataset', 'cxr', '--items', first, '--no-input', '--out', out])).toBe(0);
    const manifest = await readManifest(out);
    expect(manifest.images.map((image) => image.item)).toEqual([first]);
    const png = PNG.sync.read(await readFile(join(out, manifest.images[0].file)));
    expect([png.width, png.height]).toEqual([112, 112]);
  }, 60_000);

  it('names what is wrong: an unknown item, an unknown backbone, a config with several backbones and no choice', async () => {
    await expect(pcaForConfig(configPath, { backbone: 'vit-tiny-hf', dataset: 'cxr' }, join(dir, 'bad'), { items: ['nope'], log: () => undefined })).rejects.toThrow(
      /dataset "cxr" has no item "nope"/,
    );
    await expect(pcaForConfig(configPath, { backbone: 'vit-huge', dataset: 'cxr' }, join(dir, 'bad'))).rejects.toThrow(
      /no backbone named "vit-huge" \(backbones: vit-tiny-hf, vit-tiny-meta-reg4\)/,
    );
    await expect(pcaForConfig(configPath, { dataset: 'cxr' }, join(dir, 'bad'))).rejects.toThrow(/name one of the backbones with --backbone/);
  });

  it('makes the figure of every pair of a finished run into <run>/pca, also for results without a recorded baseDir', async () => {
    const { outputDir, results } = await runEvaluation({ configPath, builtins: builtinPlugins, searchDirs: cliSearchDirs, reporter: () => undefined });
    expect(results.baseDir).toBe('../..');
    const manifest = await pcaForRun(outputDir, { count: 2, log: () => undefined });
    expect(manifest.images.map((image) => `${image.backbone}/${image.dataset}`)).toEqual(['vit-tiny-hf/cxr', 'vit-tiny-hf/cxr', 'vit-tiny-meta-reg4/cxr', 'vit-tiny-meta-reg4/cxr']);
    const written = await readManifest(join(outputDir, 'pca'));
    expect(written).toEqual(manifest);
    const bytes = await readFile(join(outputDir, 'pca', 'pca.json'));

    const resultsFile = join(outputDir, 'results.json');
    const { baseDir: _baseDir, ...older } = JSON.parse(await readFile(resultsFile, 'utf8')) as Record<string, unknown>;
    await writeFile(resultsFile, JSON.stringify(older));
    await pcaForRun(outputDir, { count: 2, log: () => undefined });
    expect((await readFile(join(outputDir, 'pca', 'pca.json'))).equals(bytes)).toBe(true);
  }, 120_000);
});
