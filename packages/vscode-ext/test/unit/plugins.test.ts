import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configEntryLocations } from '../../src/config/entry-locations.js';
import { configPlugins } from '../../src/plugins/config-plugins.js';
import { scanInstalledPlugins } from '../../src/plugins/manifest-scan.js';
import { missingPlugins } from '../../src/plugins/missing-plugins.js';
import { kindTooltip, pluginTooltip } from '../../src/plugins/plugin-tooltip.js';

function writePackage(dir: string, manifest: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
}

describe('scanInstalledPlugins', () => {
  it('reads radprobe manifests (scoped, symlinked), nearest first, without loading code', async () => {
    const root = mkdtempSync(join(tmpdir(), 'radprobe-scan-'));
    const workspace = join(root, 'ws');
    writePackage(join(root, 'node_modules', '@radprobe', 'protocol-knn'), { name: '@radprobe/protocol-knn', version: '0.0.1', radprobe: { protocols: ['knn'] } });
    writePackage(join(workspace, 'node_modules', '@radprobe', 'protocol-knn'), { name: '@radprobe/protocol-knn', version: '0.2.0', radprobe: { protocols: ['knn'] } });
    writePackage(join(root, 'linked-src'), { name: 'my-datasets', version: '1.0.0', radprobe: { datasets: ['my-set'], protocols: 'not a list' } });
    symlinkSync(join(root, 'linked-src'), join(workspace, 'node_modules', 'my-datasets'));
    writePackage(join(workspace, 'node_modules', 'left-pad'), { name: 'left-pad', version: '1.3.0' });
    mkdirSync(join(workspace, 'node_modules', 'broken'));
    writeFileSync(join(workspace, 'node_modules', 'broken', 'package.json'), '{ not json');
    // Its code would throw if anything imported it.
    writeFileSync(join(workspace, 'node_modules', '@radprobe', 'protocol-knn', 'index.js'), 'throw new Error("imported")');
    const cliDir = join(root, 'cli-install', 'node_modules', '@radprobe', 'cli', 'dist');
    writePackage(join(root, 'cli-install', 'node_modules', '@radprobe', 'backbone-onnx'), { name: '@radprobe/backbone-onnx', version: '0.1.0', radprobe: { backbones: ['onnx'] } });
    mkdirSync(cliDir, { recursive: true });

    const found = await scanInstalledPlugins(workspace, [cliDir]);
    expect(found.map(({ name, version, protocols, backbones, datasets }) => ({ name, version, protocols, backbones, datasets }))).toEqual([
      { name: '@radprobe/backbone-onnx', version: '0.1.0', protocols: [], backbones: ['onnx'], datasets: [] },
      { name: '@radprobe/protocol-knn', version: '0.2.0', protocols: ['knn'], backbones: [], datasets: [] },
      { name: 'my-datasets', version: '1.0.0', protocols: [], backbones: [], datasets: ['my-set'] },
    ]);
  });
});

describe('missingPlugins', () => {
  const config = `{
  "backbones": [{ "kind": "onnx", "model": "m.onnx" }],
  "datasets": [{ "kind": "image-folder", "root": "d" }, { "kind": "someone-elses" }],
  "protocols": [{ "kind": "knn" }, { "kind": "seg" }]
}`;
  const installed = [
    { name: '@radprobe/backbone-onnx', version: '0.1.0', description: '', dir: '/x', protocols: [], backbones: ['onnx'], datasets: [] },
    { name: '@radprobe/datasets', version: '0.1.0', description: '', dir: '/y', protocols: [], backbones: [], datasets: ['image-folder'] },
    { name: '@radprobe/protocol-knn', version: '0.1.0', description: '', dir: '/z', protocols: ['knn'], backbones: [], datasets: [] },
  ];

  it('names the package to install for a first-party kind, and explains what to look for otherwise', () => {
    const missing = missingPlugins(configEntryLocations(config), installed);
    expect(missing.map(({ entry, packageName }) => [entry.section, entry.kind, packageName])).toEqual([
      ['datasets', 'someone-elses', null],
      ['protocols', 'seg', '@radprobe/protocol-seg'],
    ]);
    expect(missing[1].message).toBe("no installed plugin provides the protocol kind 'seg': install it with `npm install --save-dev @radprobe/protocol-seg`");
    expect(missing[0].message).toMatch(/lists 'someone-elses' under radprobe.datasets/);
  });
});

describe('missingPlugins suggestions (the "Change to" quick fix)', () => {
  const installed = [
    { name: '@radprobe/protocol-knn', version: '0.1.0', description: '', dir: '/z', protocols: ['knn', 'linear'], backbones: [], datasets: [] },
    { name: '@radprobe/datasets', version: '0.1.0', description: '', dir: '/y', protocols: [], backbones: [], datasets: ['image-folder', 'nih-chestxray14'] },
  ];

  it('offers the installed kind of the same section a typo or a partial name means, and nothing for an unrelated name', () => {
    const config = JSON.stringify({ datasets: [{ kind: 'nih' }, { kind: 'image-folder' }], protocols: [{ kind: 'knnn' }, { kind: 'seg' }, { kind: 'image-foldr' }] });
    const missing = missingPlugins(configEntryLocations(config), installed);
    expect(missing.map(({ entry, suggestion, packageName }) => [entry.kind, suggestion, packageName])).toEqual([
      ['nih', 'nih-chestxray14', null],
      ['knnn', 'knn', null],
      ['seg', null, '@radprobe/protocol-seg'],
      // A dataset kind under protocols is no protocol: changing to it would not help.
      ['image-foldr', null, null],
    ]);
  });
});

describe('the plugins view tooltips', () => {
  it('say package, version, description, kinds by section and folder; a kind says which package provides it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'radprobe-tooltip-'));
    writePackage(join(dir, 'node_modules', 'my-plugin'), {
      name: 'my-plugin',
      version: '1.2.0',
      description: 'Probes and datasets for chest X-rays.',
      radprobe: { protocols: ['probe-a', 'probe-b'], datasets: ['cxr'] },
    });
    const [plugin] = await scanInstalledPlugins(dir);
    expect(pluginTooltip(plugin)).toBe(
      `my-plugin 1.2.0\nProbes and datasets for chest X-rays.\nprotocol kinds: probe-a, probe-b\ndataset kinds: cxr\n${join(dir, 'node_modules', 'my-plugin')}`,
    );
    expect(kindTooltip(plugin, 'datasets', 'cxr')).toBe("dataset kind 'cxr' from my-plugin 1.2.0\nProbes and datasets for chest X-rays.");
    expect(pluginTooltip({ ...plugin, description: '' }).split('\n')[1]).toBe('protocol kinds: probe-a, probe-b');
  });
});

describe('configPlugins', () => {
  it('reads the manifests of plugins a config names, and counts module files it cannot read', async () => {
    const root = mkdtempSync(join(tmpdir(), 'radprobe-config-plugins-'));
    writePackage(join(root, 'local-plugin'), { name: 'local-plugin', version: '2.0.0', radprobe: { protocols: ['mine'] } });
    writePackage(join(root, 'node_modules', 'named-plugin'), { name: 'named-plugin', version: '3.0.0', radprobe: { backbones: ['b'] } });
    const text = JSON.stringify({ plugins: ['./local-plugin', 'named-plugin', './plugin.js'] });
    const { plugins, unknown } = await configPlugins(join(root, 'radprobe.json'), text);
    expect(plugins.map((plugin) => plugin.name)).toEqual(['local-plugin', 'named-plugin']);
    expect(unknown).toBe(1);
  });
});
