import { readFileSync } from 'node:fs';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTS_VERSION, RadprobeError, checkPluginPackage, definePlugin, type Protocol } from '../src/index.js';
import { discoverPlugins, loadRegistry } from '../src/engine/index.js';
import { loadPluginRegistry } from '../src/engine/plugins/registry.js';
import { freshProject, makeTempDir, writePluginPackage } from './plugin-fixtures.js';

/** The version in core's package.json: the loader must compare against the very core that runs. */
const coreVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let root: string;
beforeAll(async () => {
  root = await realpath(await makeTempDir('compatibility'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const centroid: Protocol = {
  kind: 'centroid',
  title: 'Nearest class centroid',
  tasks: ['multiclass'],
  optionsSchema: { type: 'object' },
  featureNeeds: () => ({ clsBlocks: 1, patchMean: false, patchBlocks: 0 }),
  run: async () => ({ primaryMetric: 'accuracy', rows: [], notes: [], skipped: [] }),
};

describe('a plugin made for another core', () => {
  it('is left out at discovery with one line naming the plugin, its range and the running core, its code never imported', async () => {
    const { project, modules } = await freshProject(root, 'discovered');
    await writePluginPackage(modules, 'radprobe-future', {
      version: '3.0.0',
      manifest: { protocols: ['future'] },
      coreRange: '^9.0.0',
      moduleSource: 'throw new Error("imported");\n',
    });
    await writePluginPackage(modules, 'radprobe-current', { manifest: { protocols: ['current'] }, coreRange: `^${coreVersion}` });
    const registry = await loadPluginRegistry({ builtins: [], discovered: await discoverPlugins(project), explicit: [], baseDir: project });
    expect([...registry.protocols.keys()]).toEqual(['current']);
    expect(registry.failures).toEqual([
      {
        packageName: 'radprobe-future',
        version: '3.0.0',
        manifest: { protocols: ['future'] },
        reason: `plugin radprobe-future@3.0.0 supports @radprobe/core ^9.0.0, but this is @radprobe/core ${coreVersion}: install a version of radprobe-future made for core ${coreVersion}`,
      },
    ]);
    expect(registry.failures[0].reason).not.toContain('\n');
  });

  it('stops the run when the config lists it in "plugins"', async () => {
    const { project, modules } = await freshProject(root, 'explicit');
    await writePluginPackage(modules, '@lab/old-protocol', { version: '0.0.3', manifest: { protocols: ['old'] }, coreRange: '0.0.x' });
    const loading = loadRegistry({ baseDir: project, explicit: ['@lab/old-protocol'], builtins: [] });
    await expect(loading).rejects.toThrow(RadprobeError);
    await expect(loading).rejects.toThrow(
      `plugin @lab/old-protocol@0.0.3 supports @radprobe/core 0.0.x, but this is @radprobe/core ${coreVersion}: install a version of @lab/old-protocol made for core ${coreVersion}`,
    );
  });

  it('loads when the range includes the running core, and when no range is declared', async () => {
    const { project, modules } = await freshProject(root, 'compatible');
    await writePluginPackage(modules, 'radprobe-wide', { manifest: { protocols: ['wide'] }, coreRange: `>=${coreVersion} <99` });
    await writePluginPackage(modules, 'radprobe-unversioned', { manifest: { protocols: ['unversioned'] } });
    const registry = await loadPluginRegistry({ builtins: [], discovered: await discoverPlugins(project), explicit: [], baseDir: project });
    expect([...registry.protocols.keys()].sort()).toEqual(['unversioned', 'wide']);
    expect(registry.failures).toEqual([]);
  });

  it('names a range that is not semver', async () => {
    const { project, modules } = await freshProject(root, 'invalid');
    await writePluginPackage(modules, 'radprobe-typo', { manifest: { protocols: ['typo'] }, coreRange: 'zero point one' });
    const registry = await loadPluginRegistry({ builtins: [], discovered: await discoverPlugins(project), explicit: [], baseDir: project });
    expect(registry.failures.map((failure) => failure.reason)).toEqual([
      'plugin radprobe-typo: "peerDependencies" → "@radprobe/core" must be a semver range, not "zero point one"',
    ]);
  });
});

describe('definePlugin', () => {
  it('returns the plugin it is given, typed as given', () => {
    const plugin = definePlugin({ protocols: [centroid] });
    expect(plugin.protocols[0]).toBe(centroid);
  });

  it('refuses a malformed plugin with the message the loader gives', () => {
    expect(() => definePlugin({ protocols: [{ ...centroid, run: undefined } as unknown as Protocol] })).toThrow(
      "plugin definePlugin(): protocols[0] ('centroid') has no run() function",
    );
  });
});

describe('checkPluginPackage, for a plugin\'s own tests', () => {
  const plugin = definePlugin({ protocols: [centroid] });
  const packageJson = { name: 'radprobe-centroid', version: '1.0.0', radprobe: { protocols: ['centroid'] }, peerDependencies: { '@radprobe/core': `^${coreVersion}` } };

  it('accepts a package.json that declares what the module exports and a range including this core', () => {
    expect(() => checkPluginPackage(packageJson, plugin)).not.toThrow();
  });

  it('names each kind declared but not exported, or exported but not declared', () => {
    expect(() => checkPluginPackage({ ...packageJson, radprobe: { protocols: ['centroids'] } }, plugin)).toThrow(
      'plugin radprobe-centroid: its module does not match the "radprobe" field of its package.json: protocols centroids declared but not exported; protocols centroid exported but not declared',
    );
  });

  it('requires the @radprobe/core peer range, and one that includes this core', () => {
    expect(() => checkPluginPackage({ ...packageJson, peerDependencies: {} }, plugin)).toThrow(
      `plugin radprobe-centroid: package.json declares no "@radprobe/core" range in "peerDependencies" (e.g. "^${coreVersion}")`,
    );
    expect(() => checkPluginPackage({ ...packageJson, peerDependencies: { '@radprobe/core': '^9.0.0' } }, plugin)).toThrow(
      `plugin radprobe-centroid@1.0.0 supports @radprobe/core ^9.0.0, but this is @radprobe/core ${coreVersion}`,
    );
  });
});

it('CONTRACTS_VERSION is a semver version plugins can compare', () => {
  expect(CONTRACTS_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
});
