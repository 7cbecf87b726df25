import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain-JS workspace script without declarations
import { isolatedNpmEnvironment, startLocalRegistry } from '../../../scripts/local-registry.mjs';

const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A plugin's module that uses the contracts' helpers only, as a third-party author would write it. */
const pluginSource = `
import { CONTRACTS_VERSION, auroc, definePlugin, evenlySpaced } from '@radprobe/core';
const plugin = definePlugin({ protocols: [{
  kind: 'centroid', title: 'Nearest class centroid', tasks: ['multiclass'], optionsSchema: { type: 'object' },
  featureNeeds: () => ({ clsBlocks: 1, patchMean: false, patchBlocks: 0 }),
  run: async () => ({ primaryMetric: 'accuracy', rows: [], notes: [], skipped: [] }),
}] });
console.log(JSON.stringify({
  contracts: CONTRACTS_VERSION,
  kinds: plugin.protocols.map((protocol) => protocol.kind),
  auroc: auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]),
  picks: evenlySpaced(10, 4),
}));
`;

/**
 * A plugin that needs only the contracts and pure helpers depends on @radprobe/core alone: installed from a registry
 * as published, into an empty project, it brings no tfjs and no onnxruntime, its helpers run, and the one that needs
 * tfjs says what to install.
 */
describe('@radprobe/core installed alone', () => {
  let project: string;
  let registry: { url: string; unexpected(): string[]; close(): Promise<void> };
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'radprobe-core-alone-'));
    registry = await startLocalRegistry({ packageDirs: [packageDir], storeDir: join(project, '.registry') });
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'radprobe-centroid', private: true, type: 'module' }));
    await writeFile(join(project, '.npmrc-user'), '');
    const env = isolatedNpmEnvironment(registry.url, join(project, '.npm-cache'), join(project, '.npmrc-user'));
    await run('npm', ['i', '@radprobe/core'], { cwd: project, env, maxBuffer: 1 << 24 });
    await writeFile(join(project, 'plugin.js'), pluginSource);
  }, 120_000);
  afterAll(async () => {
    await registry?.close();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('installs neither tfjs nor onnxruntime', async () => {
    expect(registry.unexpected()).toEqual([]);
    await expect(access(join(project, 'node_modules', '@radprobe', 'core', 'package.json'))).resolves.toBeUndefined();
    await expect(access(join(project, 'node_modules', '@tensorflow'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(access(join(project, 'node_modules', 'onnxruntime-node'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("runs a plugin's module on the contracts and pure helpers", async () => {
    const { stdout } = await run(process.execPath, ['plugin.js'], { cwd: project });
    // AUROC by hand: of the 4 positive-negative pairs, (0.35, 0.4) is the one ranked wrong: 3/4.
    expect(JSON.parse(stdout)).toEqual({ contracts: expect.stringMatching(/^\d+\.\d+\.\d+$/), kinds: ['centroid'], auroc: 0.75, picks: [0, 2, 5, 8] });
  });

  it('serves the engine entry too, and the declaration files the exports map names for both', async () => {
    const installed = join(project, 'node_modules', '@radprobe', 'core');
    const { exports } = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { exports: Record<string, { types: string }> };
    for (const entry of ['.', './engine']) await expect(access(join(installed, exports[entry].types))).resolves.toBeUndefined();
    const script = "const engine = await import('@radprobe/core/engine'); console.log(typeof engine.runEvaluation);";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    expect(stdout.trim()).toBe('function');
  });

  it('names what to install when a helper needs tfjs', async () => {
    const script = "import { computeBackend } from '@radprobe/core'; computeBackend().catch((error) => console.log(error.message));";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    expect(stdout).toContain('wasm: failed to load: @tensorflow/tfjs-core is not installed: it is an optional peer dependency of @radprobe/core');
    expect(stdout).toContain('npm i @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0');
  });
});
