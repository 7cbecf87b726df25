import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '@radprobe/core';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import { temporaryDir } from './helpers.js';

const run = promisify(execFile);
const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Users install only the protocol plugins they need. This packs the built packages as npm would publish them and
 * installs the CLI with protocol-linear alone into an empty project (offline: every third-party package is already
 * in npm's cache from the workspace's own install), then runs a linear evaluation there.
 */
describe('a project that installs the CLI and protocol-linear only', () => {
  let project: string;
  beforeAll(async () => {
    project = await temporaryDir('standalone');
    const tarballs = join(project, 'tarballs');
    await mkdir(tarballs);
    const names = ['core', 'onnx-format', 'testkit', 'backbone-onnx', 'datasets', 'report', 'cli', 'protocol-linear'];
    await run('npm', ['pack', '--silent', '--pack-destination', tarballs, ...names.map((name) => join(packagesDir, name))], { cwd: project });
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'radiology-team', private: true, type: 'module' }));
    const files = (await readdir(tarballs)).map((file) => join(tarballs, file));
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...files], {
      cwd: project,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
      maxBuffer: 16 * 2 ** 20,
    });
  }, 240_000);

  it('lists linear and no kNN, and runs a linear evaluation', async () => {
    const bin = join(project, 'node_modules', '.bin', 'radprobe');
    const { stdout: listed } = await run(bin, ['list', '--json'], { cwd: project });
    const kinds = (JSON.parse(listed) as { packages: Array<{ protocols: string[] }> }).packages.flatMap((entry) => entry.protocols);
    expect(kinds).toEqual(['linear']);

    const model = await writeDinov2Fixture(join(project, 'model'), { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 1, style: 'meta' });
    await writeImageFolderDataset(join(project, 'data'), { perClass: { train: 12, val: 4, test: 6 }, size: 56, seed: 2 });
    await writeFile(
      join(project, 'radprobe.json'),
      JSON.stringify({
        backbones: [{ kind: 'onnx', name: 'vit', model, inputSize: 56 }],
        datasets: [{ kind: 'image-folder', name: 'cxr', root: 'data' }],
        protocols: [{ kind: 'linear', epochs: 2 }],
        bootstrap: { samples: 50, confidence: 0.95 },
      }),
    );
    await run(bin, ['run'], { cwd: project });
    const [runId] = await readdir(join(project, 'results'));
    const results = JSON.parse(await readFile(join(project, 'results', runId, 'results.json'), 'utf8')) as RunResults;
    expect(results.cells.map((cell) => `${cell.protocol}:${cell.status}`)).toEqual(['linear:completed']);
    expect(results.provenance.packages['@radprobe/protocol-linear']).toBe('0.1.0');
  }, 120_000);
});
