import { mkdir, readFile, readdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '@radprobe/core';
import { writeImageFolderDataset } from '@radprobe/testkit';
import { expectNothingHalfWritten, expectOneClearLine, writeConfig } from './fixtures.js';
import { runCli, temporaryDir } from './helpers.js';

const PACKAGE = '@acme/radprobe-fake';
const VERSION = '1.2.0';

/**
 * A third-party backbone plugin: 28 × 28 inputs in 14-pixel patches, 2 × 2 tokens of width 8 per image, CLS and
 * patch tokens made of each image's channel means (so that kNN has something to separate). Option `defect` makes
 * its batches wrong: `cls-short` gives every CLS array one float less.
 */
const BACKBONE_SOURCE = `
const info = {
  description: 'acme fake ViT', patchSize: 14, embedDim: 8, totalBlocks: 1, exposedBlocks: [0], registerTokens: 0,
  inputSize: { height: 28, width: 28 }, dynamicInputSize: false, hasPatchTokens: true,
  normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, weightsHash: 'a'.repeat(64), executionProvider: 'test',
};
function embed(defect) {
  return async (pixels, batchSize, height, width) => {
    const plane = height * width;
    const tokens = (height / 14) * (width / 14);
    const cls = new Float32Array(batchSize * 8);
    const patch = new Float32Array(batchSize * tokens * 8);
    for (let image = 0; image < batchSize; image++) {
      for (let d = 0; d < 8; d++) {
        let sum = 0;
        const start = image * 3 * plane + (d % 3) * plane + Math.floor(d / 3) * 7 * width;
        for (let p = 0; p < 7 * width; p++) sum += pixels[start + p];
        cls[image * 8 + d] = sum / (7 * width);
        for (let t = 0; t < tokens; t++) patch[(image * tokens + t) * 8 + d] = cls[image * 8 + d] + t;
      }
    }
    return { batchSize, grid: { rows: height / 14, cols: width / 14 }, cls: [defect === 'cls-short' ? cls.slice(1) : cls], patch: [patch] };
  };
}
export default {
  backbones: [{
    kind: 'fake',
    optionsSchema: { type: 'object', properties: { defect: { enum: ['none', 'cls-short'], default: 'none' } } },
    async create(options) { return { info, embed: embed(options.defect), async dispose() {} }; },
  }],
};
`;

/** Two classes, 12 images each of 56 px. */
const DATA = { classes: ['normal', 'effusion'], perClass: { train: 6, val: 2, test: 4 }, size: 56, seed: 9 };

let project: string;
let packageDir: string;
beforeAll(async () => {
  project = await temporaryDir('third-party');
  packageDir = join(project, 'node_modules', '@acme', 'radprobe-fake');
  await mkdir(packageDir, { recursive: true });
  await writeFile(
    join(packageDir, 'package.json'),
    JSON.stringify({ name: PACKAGE, version: VERSION, type: 'module', main: 'index.js', radprobe: { backbones: ['fake'] }, peerDependencies: { '@radprobe/core': '*' } }),
  );
  await writeFile(join(packageDir, 'index.js'), BACKBONE_SOURCE);
  await writeImageFolderDataset(join(project, 'data'), DATA);
});

/** A config in its own folder of the project (so that each test has its own results and cache). */
async function configWith(name: string, backbones: object[]): Promise<string> {
  const dir = join(project, name);
  await mkdir(dir);
  await writeConfig(join(dir, 'radprobe.json'), {
    seed: 1,
    cache: 'cache',
    output: 'results',
    batchSize: 4,
    bootstrap: { samples: 50, confidence: 0.95 },
    preprocessing: { preset: 'study', resize: { mode: 'square', size: 28 } },
    backbones,
    datasets: [{ kind: 'image-folder', name: 'cxr', root: '../data' }],
    protocols: [{ kind: 'knn', k: [3] }],
  });
  return dir;
}

const shapeError = `backbone "short" (kind fake, ${PACKAGE}@${VERSION}): embed returned a batch that does not match its BackboneInfo: cls[0] has 31 floats, expected 4 images × 8 (embedDim) = 32`;

describe('a third-party backbone plugin that returns batches of the wrong shape', () => {
  it('fails its own cells naming the package and the shape; the other backbone completes, the results show the failure, exit 1', async () => {
    const dir = await configWith('mixed', [{ kind: 'fake', name: 'good' }, { kind: 'fake', name: 'short', defect: 'cls-short' }]);
    const run = await runCli(['run', 'radprobe.json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`✗ short × cxr × knn: ${shapeError}`);
    expect(run.stdout).toContain(`failed: ${shapeError}`);

    const [runId] = await readdir(join(dir, 'results'));
    const runDir = join(dir, 'results', runId);
    const results = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as RunResults;
    expect(results.cells.map((cell) => cell.status)).toEqual(['completed', 'failed']);
    expect(results.failed).toEqual([{ backbone: 'short', dataset: 'cxr', protocol: 'knn', plugin: `${PACKAGE}@${VERSION}`, stage: 'extract', message: shapeError }]);
    expect(await readFile(join(runDir, 'results.md'), 'utf8')).toContain(`- short × cxr × knn (embedding): ${shapeError}`);
    expect(await readFile(join(runDir, 'results.csv'), 'utf8')).toContain(',failed,"backbone ""short"" (kind fake');
    expect(await readFile(join(runDir, 'report.html'), 'utf8')).toContain('cls[0] has 31 floats, expected 4 images × 8 (embedDim) = 32');
  });

  it('with no other backbone, stops with that one line and writes nothing (exit 2)', async () => {
    const dir = await configWith('only-short', [{ kind: 'fake', name: 'short', defect: 'cls-short' }]);
    const run = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir });
    expect(expectOneClearLine(run)).toBe(`radprobe: ${shapeError}`);
    await expectNothingHalfWritten(dir);
  });
});

describe('provenance', () => {
  it('lists the third-party backbone package with its version and folder, beside the first-party ones', async () => {
    const dir = await configWith('provenance', [{ kind: 'fake', name: 'good' }]);
    const run = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const [runId] = await readdir(join(dir, 'results'));
    const { provenance } = JSON.parse(await readFile(join(dir, 'results', runId, 'results.json'), 'utf8')) as RunResults;
    const byName = new Map((provenance.plugins ?? []).map((plugin) => [plugin.name, plugin]));
    expect(byName.get(PACKAGE)).toEqual({ name: PACKAGE, version: VERSION, location: await realpath(packageDir), firstParty: false, contributed: { backbones: ['fake'] } });
    expect(byName.get('@radprobe/protocol-knn')).toMatchObject({ firstParty: true, contributed: { protocols: ['knn'] }, location: expect.stringMatching(/protocol-knn$/) });
    expect(byName.get('@radprobe/datasets')).toMatchObject({ firstParty: true, contributed: { datasets: ['image-folder'] }, location: expect.stringMatching(/datasets$/) });
    expect([...byName.keys()]).toEqual([PACKAGE, '@radprobe/datasets', '@radprobe/protocol-knn']);
  });
});
