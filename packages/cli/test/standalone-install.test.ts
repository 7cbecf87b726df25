import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '@radprobe/core';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
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

/**
 * Users install only the protocol plugins they need. This publishes the built packages and every third-party
 * package they need into a registry of the test's own on 127.0.0.1, then runs the README's install line in an empty
 * project with an empty npm cache, as on a machine that has never installed anything, and runs an evaluation there.
 */
describe("a project that installs what the README's install line says", () => {
  let project: string;
  let registry: LocalRegistry;
  beforeAll(async () => {
    project = await temporaryDir('standalone');
    // @radprobe/testkit is not published here: an install that still asked for it would fail on an unexpected request.
    const names = ['core', 'onnx-format', 'synthetic', 'backbone-onnx', 'datasets', 'report', 'cli', 'protocol-knn', 'protocol-linear'];
    registry = (await startLocalRegistry({ packageDirs: names.map((name) => join(workspaceDir, 'packages', name)), storeDir: join(project, '.registry') })) as LocalRegistry;
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'radiology-team', private: true, type: 'module' }));
    await writeFile(join(project, '.npmrc-user'), '');
    const install = await readmeInstallCommand();
    const env = { ...isolatedNpmEnvironment(registry.url, join(project, '.npm-cache'), join(project, '.npmrc-user')), ...install.env };
    await run(install.command, install.args, { cwd: project, env, maxBuffer: 1 << 24 });
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
    expect(kinds.sort()).toEqual(['knn', 'linear']);

    const model = await writeDinov2Fixture(join(project, 'model'), { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 1, style: 'meta' });
    await writeImageFolderDataset(join(project, 'data'), { perClass: { train: 12, val: 4, test: 6 }, size: 56, seed: 2 });
    await writeFile(
      join(project, 'radprobe.json'),
      JSON.stringify({
        backbones: [{ kind: 'onnx', name: 'vit', model, inputSize: 56 }],
        datasets: [{ kind: 'image-folder', name: 'cxr', root: 'data' }],
        protocols: [{ kind: 'knn', k: [3] }, { kind: 'linear', epochs: 2 }],
        bootstrap: { samples: 50, confidence: 0.95 },
      }),
    );
    await run(bin, ['run'], { cwd: project });
    const [runId] = await readdir(join(project, 'results'));
    const results = JSON.parse(await readFile(join(project, 'results', runId, 'results.json'), 'utf8')) as RunResults;
    expect(results.cells.map((cell) => `${cell.protocol}:${cell.status}`)).toEqual(['knn:completed', 'linear:completed']);
    expect(results.provenance.packages['@radprobe/protocol-linear']).toBe('0.1.0');
  }, 120_000);
});
