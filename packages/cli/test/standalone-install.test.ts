import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '@radprobe/core';
import { writeDinov2Fixture, writeImageFolderDataset, writeSyntheticMontgomery } from '@radprobe/testkit';
// @ts-expect-error: a plain-JS workspace script without declarations
import { isolatedNpmEnvironment, startLocalRegistry } from '../../../scripts/local-registry.mjs';
import { temporaryDir } from './helpers.js';

const run = promisify(execFile);
const workspaceDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface LocalRegistry {
  url: string;
  packages: string[];
  requests: string[];
  unexpected(): string[];
  close(): Promise<void>;
}

/** The install line of the README's "Install into your project" section, as a user would paste it into a shell. */
async function readmeInstallCommand(): Promise<{ env: Record<string, string>; command: string; args: string[] }> {
  const readme = await readFile(join(workspaceDir, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Install into your project'));
  const line = /^(?:\w+=\S+ )*npm i -D @radprobe\/cli[^\n]*$/m.exec(section)?.[0];
  if (!line) throw new Error('README.md has no `npm i -D @radprobe/cli …` line under "Install into your project"');
  const words = line.split(/\s+/);
  const assignments = words.filter((word) => /^\w+=/.test(word));
  const [command, ...args] = words.slice(assignments.length);
  return { env: Object.fromEntries(assignments.map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)])), command, args };
}

/** The example third-party plugins of examples/plugins/, as their own package.json files name and version them. */
const EXAMPLE_PLUGINS = ['radiomics-backbone', 'centroid-protocol'].map((folder) => join(workspaceDir, 'examples', 'plugins', folder));

/**
 * Users install only the protocol plugins they need. This publishes the built packages, the example plugins and
 * every third-party package they need into a registry of the test's own on 127.0.0.1, then runs the README's
 * install line, with the example plugins and the seg protocol added as a user adds the plugins they want, in an
 * empty project with an empty npm cache, as on a machine that has never installed anything, and runs an evaluation
 * there. One install serves both checks: installing takes most of this test's time.
 */
describe("a project that installs what the README's install line says", () => {
  let project: string;
  let registry: LocalRegistry;
  let examples: Array<{ name: string; version: string }>;
  beforeAll(async () => {
    project = await temporaryDir('standalone');
    // @radprobe/testkit is not published here: an install that still asked for it would fail on an unexpected request.
    const names = ['core', 'onnx-format', 'synthetic', 'backbone-onnx', 'datasets', 'report', 'cli', 'protocol-knn', 'protocol-linear', 'protocol-seg'];
    const packageDirs = [...names.map((name) => join(workspaceDir, 'packages', name)), ...EXAMPLE_PLUGINS];
    registry = (await startLocalRegistry({ packageDirs, storeDir: join(project, '.registry') })) as LocalRegistry;
    examples = await Promise.all(EXAMPLE_PLUGINS.map(async (dir) => JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; version: string }));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'radiology-team', private: true, type: 'module' }));
    await writeFile(join(project, '.npmrc-user'), '');
    const install = await readmeInstallCommand();
    const env = { ...isolatedNpmEnvironment(registry.url, join(project, '.npm-cache'), join(project, '.npmrc-user')), ...install.env };
    const added = [...examples.map((example) => example.name), '@radprobe/protocol-seg'];
    await run(install.command, [...install.args, ...added], { cwd: project, env, maxBuffer: 1 << 24 });
  }, 400_000);
  afterAll(() => registry?.close());

  it('resolved every package from the local registry, fetching nothing it did not serve', () => {
    expect(registry.unexpected()).toEqual([]);
    expect(registry.requests).toEqual(expect.arrayContaining(['GET /@radprobe%2fcli', 'GET /ajv']));
  });

  it('installs the demo generators, and no test fixtures', async () => {
    const installed = await readdir(join(project, 'node_modules', '@radprobe'));
    expect(installed).toContain('synthetic');
    expect(installed).not.toContain('testkit');
    expect(registry.requests.filter((request) => request.includes('testkit'))).toEqual([]);
  });

  it('links the radprobe command, finds only the installed protocols and runs an evaluation', async () => {
    const bin = join(project, 'node_modules', '.bin', 'radprobe');
    const { stdout: listed } = await run(bin, ['list', '--json'], { cwd: project });
    const kinds = (JSON.parse(listed) as { packages: Array<{ protocols: string[] }> }).packages.flatMap((entry) => entry.protocols);
    expect(kinds.sort()).toEqual(['centroid', 'knn', 'linear', 'seg']);

    const model = await writeDinov2Fixture(join(project, 'model'), { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 1, style: 'meta' });
    await writeImageFolderDataset(join(project, 'data'), { perClass: { train: 12, val: 4, test: 6 }, size: 56, seed: 2 });
    await writeSyntheticMontgomery(join(project, 'lungs'), { images: 12, side: 56, seed: 3 });
    await writeFile(
      join(project, 'radprobe.json'),
      JSON.stringify({
        // The example backbone next to the ONNX one; 56 px is 4 × 4 patches of 14 px, 7 × 7 of 8 px.
        backbones: [{ kind: 'onnx', name: 'vit', model, inputSize: 56 }, { kind: 'radiomics', patchSize: 8, bins: 4 }],
        datasets: [{ kind: 'image-folder', name: 'cxr', root: 'data' }, { kind: 'montgomery', name: 'lungs', root: 'lungs' }],
        protocols: [{ kind: 'knn', k: [3] }, { kind: 'linear', epochs: 2 }, { kind: 'centroid' }, { kind: 'seg', decoders: ['linear'], epochs: 2 }],
        preprocessing: { preset: 'study', resize: { mode: 'square', size: 56 } },
        bootstrap: { samples: 50, confidence: 0.95 },
      }),
    );
    await run(bin, ['run'], { cwd: project });
    const [runId] = await readdir(join(project, 'results'));
    const results = JSON.parse(await readFile(join(project, 'results', runId, 'results.json'), 'utf8')) as RunResults;
    // Classification protocols skip the segmentation set and seg the classification set; every other cell completes.
    const completed = results.cells.filter((cell) => cell.status === 'completed').map((cell) => `${cell.backbone}/${cell.dataset}/${cell.protocol}`);
    expect(completed).toEqual(['vit/cxr/knn', 'vit/cxr/linear', 'vit/cxr/centroid', 'vit/lungs/seg', 'radiomics/cxr/knn', 'radiomics/cxr/linear', 'radiomics/cxr/centroid', 'radiomics/lungs/seg']);
    expect(results.provenance.packages['@radprobe/protocol-linear']).toBe('0.1.0');
    const centroid = results.cells.find((cell) => cell.backbone === 'radiomics' && cell.protocol === 'centroid')!.result!;
    expect(centroid.rows.find((row) => row.split === 'test')?.metrics.top1.ci?.samples).toBe(50);
    const [radiomics, centroidPlugin] = examples;
    expect(results.provenance.plugins).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: radiomics.name, version: radiomics.version, firstParty: false, contributed: { backbones: ['radiomics'] } }),
        expect.objectContaining({ name: centroidPlugin.name, version: centroidPlugin.version, firstParty: false, contributed: { protocols: ['centroid'] } }),
      ]),
    );
    const report = await readFile(join(project, 'results', runId, 'report.html'), 'utf8');
    for (const example of examples) expect(report).toContain(`<tr><td>${example.name}</td><td>${example.version}</td><td>no</td>`);

    await run(bin, ['schema', '--out', 'radprobe.schema.json'], { cwd: project });
    const schema = await readFile(join(project, 'radprobe.schema.json'), 'utf8');
    expect(schema).toContain(`"from ${radiomics.name}@${radiomics.version}"`);
    expect(schema).toContain(`"Nearest centroid (protocol from ${centroidPlugin.name}@${centroidPlugin.version})"`);
  }, 240_000);
});
