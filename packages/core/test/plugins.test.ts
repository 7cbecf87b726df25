import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RadprobeError, type RadprobePlugin } from '../src/index.js';
import { discoverPlugins } from '../src/engine/index.js';
import { loadPluginRegistry } from '../src/engine/plugins/registry.js';
import { freshProject, linkPackage, makeTempDir, pluginModuleSource, writePlainPackage, writePluginPackage } from './plugin-fixtures.js';

let root: string;
beforeAll(async () => {
  root = await realpath(await makeTempDir('plugins'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const builtinDatasets: RadprobePlugin = {
  datasets: [{ kind: 'image-folder', optionsSchema: { type: 'object' }, create: async () => Promise.reject(new Error('unused')) }],
};

describe('discoverPlugins', () => {
  it('finds scoped, unscoped and symlinked plugins, nearest first, ignoring other packages', async () => {
    const { project, modules } = await freshProject(root, 'discover');
    const app = join(project, 'apps', 'app');
    const appModules = join(app, 'node_modules');
    await writePluginPackage(modules, 'radprobe-extra', { version: '1.0.0', manifest: { protocols: ['extra'] } });
    await writePluginPackage(appModules, 'radprobe-extra', { version: '2.0.0', manifest: { protocols: ['extra'] } });
    await writePluginPackage(modules, '@lab/protocol-mine', { manifest: { protocols: ['mine'], entry: 'index.js' } });
    await writePlainPackage(modules, 'left-pad');
    await writePlainPackage(modules, '@types/node');
    await mkdir(join(modules, '.bin'), { recursive: true });
    const workspace = await writePluginPackage(join(project, 'packages'), '@lab/backbone-local', { manifest: { backbones: ['local'] } });
    await linkPackage(workspace, modules, '@lab/backbone-local');

    const found = await discoverPlugins(app);
    expect(found).toEqual([
      { name: '@lab/backbone-local', version: '1.0.0', dir: workspace, manifest: { backbones: ['local'] } },
      { name: '@lab/protocol-mine', version: '1.0.0', dir: join(modules, '@lab', 'protocol-mine'), manifest: { protocols: ['mine'], entry: 'index.js' } },
      { name: 'radprobe-extra', version: '2.0.0', dir: join(appModules, 'radprobe-extra'), manifest: { protocols: ['extra'] } },
    ]);
  });

  it('rejects a malformed radprobe field, naming the package.json and the field', async () => {
    const { project, modules } = await freshProject(root, 'bad-manifest');
    await writePluginPackage(modules, 'radprobe-bad', { manifest: { protocols: 'knn' } as never, moduleSource: '' });
    await expect(discoverPlugins(project)).rejects.toThrow(
      `${join(modules, 'radprobe-bad', 'package.json')}: "radprobe.protocols" must be an array of kind names (strings)`,
    );
  });

  it('finds the one plugin among a thousand packages', async () => {
    const { project, modules } = await freshProject(root, 'many');
    await Promise.all(Array.from({ length: 1000 }, (_, index) => writePlainPackage(modules, `package-${index}`)));
    await writePluginPackage(modules, 'radprobe-one', { manifest: { datasets: ['one'] } });
    const found = await discoverPlugins(project);
    expect(found.map((plugin) => plugin.name)).toEqual(['radprobe-one']);
  });
});

describe('loadPluginRegistry', () => {
  it('imports discovered plugins and maps each kind to its provider', async () => {
    const { project, modules } = await freshProject(root, 'registry');
    await writePluginPackage(modules, '@lab/protocol-mine', { version: '0.3.0', manifest: { protocols: ['mine', 'other'] } });
    await writePluginPackage(modules, 'radprobe-backbones', { version: '1.2.0', manifest: { backbones: ['local'] } });
    const registry = await loadPluginRegistry({
      builtins: [{ packageName: '@radprobe/datasets', plugin: builtinDatasets }],
      discovered: await discoverPlugins(project),
      explicit: [],
      baseDir: project,
    });
    expect([...registry.protocols.keys()]).toEqual(['mine', 'other']);
    expect(registry.protocols.get('mine')).toMatchObject({ kind: 'mine', packageName: '@lab/protocol-mine', version: '0.3.0', builtin: false });
    expect(registry.protocols.get('mine')!.protocol.title).toBe('MINE');
    expect(registry.backbones.get('local')).toMatchObject({ packageName: 'radprobe-backbones', version: '1.2.0' });
    expect(typeof registry.backbones.get('local')!.factory.create).toBe('function');
    expect(registry.datasets.get('image-folder')).toMatchObject({ packageName: '@radprobe/datasets', version: 'builtin', builtin: true });
    expect(registry.warnings).toEqual([]);
  });

  it('says how the module differs from its manifest', async () => {
    const { project, modules } = await freshProject(root, 'mismatch');
    await writePluginPackage(modules, 'radprobe-liar', {
      manifest: { protocols: ['knn', 'linear'] },
      exported: { protocols: ['knn'], datasets: ['csv'] },
    });
    const registry = await loadPluginRegistry({ builtins: [], discovered: await discoverPlugins(project), explicit: [], baseDir: project });
    expect(registry.protocols.size).toBe(0);
    expect(registry.failures.map((failure) => failure.reason)).toEqual([
      'plugin radprobe-liar: its module does not match the "radprobe" field of its package.json: datasets csv exported but not declared; protocols linear declared but not exported',
    ]);
  });

  it('refuses two plugins with the same kind, naming both', async () => {
    const { project, modules } = await freshProject(root, 'clash');
    await writePluginPackage(modules, 'radprobe-a', { manifest: { protocols: ['knn'] } });
    await writePluginPackage(modules, 'radprobe-b', { manifest: { protocols: ['knn'] } });
    const attempt = loadPluginRegistry({ builtins: [], discovered: await discoverPlugins(project), explicit: [], baseDir: project });
    await expect(attempt).rejects.toThrow(RadprobeError);
    await expect(attempt).rejects.toThrow(
      "protocol kind 'knn' is contributed by two plugins: radprobe-a and radprobe-b; uninstall one of them",
    );
  });

  it('keeps a built-in kind unless the shadowing plugin is listed explicitly, warning either way', async () => {
    const { project, modules } = await freshProject(root, 'shadow');
    await writePluginPackage(modules, 'radprobe-folders', { version: '4.0.0', manifest: { datasets: ['image-folder'] } });
    const discovered = await discoverPlugins(project);
    const builtins = [{ packageName: '@radprobe/datasets', plugin: builtinDatasets }];

    const kept = await loadPluginRegistry({ builtins, discovered, explicit: [], baseDir: project });
    expect(kept.datasets.get('image-folder')!.packageName).toBe('@radprobe/datasets');
    expect(kept.warnings).toEqual([
      "dataset kind 'image-folder' of plugin radprobe-folders is ignored: the built-in from @radprobe/datasets keeps the name (list radprobe-folders in \"plugins\" to use it instead)",
    ]);

    const replaced = await loadPluginRegistry({ builtins, discovered, explicit: ['radprobe-folders'], baseDir: project });
    expect(replaced.datasets.get('image-folder')).toMatchObject({ packageName: 'radprobe-folders', version: '4.0.0', builtin: false });
    expect(replaced.warnings).toEqual([
      "dataset kind 'image-folder': plugin radprobe-folders (listed in \"plugins\") replaces the built-in from @radprobe/datasets",
    ]);
  });

  it('does not import a discovered package that is also a built-in', async () => {
    const { project, modules } = await freshProject(root, 'builtin-installed');
    await writePluginPackage(modules, '@radprobe/datasets', {
      version: '0.9.0',
      manifest: { datasets: ['image-folder'] },
      moduleSource: 'throw new Error("must not be imported");\n',
    });
    const registry = await loadPluginRegistry({
      builtins: [{ packageName: '@radprobe/datasets', plugin: builtinDatasets }],
      discovered: await discoverPlugins(project),
      explicit: [],
      baseDir: project,
    });
    expect(registry.datasets.get('image-folder')).toMatchObject({ packageName: '@radprobe/datasets', version: '0.9.0', builtin: true });
    expect(registry.warnings).toEqual([]);
  });

  it('leaves out a discovered plugin that fails to import, naming it and the error, and keeps the others', async () => {
    const { project, modules } = await freshProject(root, 'broken');
    await writePluginPackage(modules, 'radprobe-broken', {
      version: '2.1.0',
      manifest: { protocols: ['x'] },
      moduleSource: 'throw new Error("native addon missing");\n',
    });
    await writePluginPackage(modules, 'radprobe-shapeless', {
      manifest: { protocols: ['y'] },
      moduleSource: "export default { protocols: [{ kind: 'y', title: 'Y', tasks: [], optionsSchema: {}, featureNeeds() {} }] };\n",
    });
    await writePluginPackage(modules, 'radprobe-fine', { manifest: { protocols: ['fine-probe'] }, moduleSource: pluginModuleSource({ protocols: ['fine-probe'] }) });
    const registry = await loadPluginRegistry({ builtins: [], discovered: await discoverPlugins(project), explicit: [], baseDir: project });
    expect([...registry.protocols.keys()]).toEqual(['fine-probe']);
    expect(registry.failures.map(({ packageName, version, manifest }) => ({ packageName, version, manifest }))).toEqual([
      { packageName: 'radprobe-broken', version: '2.1.0', manifest: { protocols: ['x'] } },
      { packageName: 'radprobe-shapeless', version: '1.0.0', manifest: { protocols: ['y'] } },
    ]);
    expect(registry.failures[0].reason).toMatch(/^plugin radprobe-broken: cannot import .*radprobe-broken[/\\]index\.js: native addon missing$/);
    expect(registry.failures[1].reason).toBe("plugin radprobe-shapeless: protocols[0] ('y') has no run() function");
  });

  it('fails when a plugin listed in "plugins" fails to import', async () => {
    const { project, modules } = await freshProject(root, 'broken-explicit');
    await writePluginPackage(modules, 'radprobe-broken', {
      manifest: { protocols: ['x'] },
      moduleSource: 'throw new Error("native addon missing");\n',
    });
    await expect(
      loadPluginRegistry({ builtins: [], discovered: await discoverPlugins(project), explicit: ['radprobe-broken'], baseDir: project }),
    ).rejects.toThrow(/^plugin radprobe-broken: cannot import .*radprobe-broken[/\\]index\.js: native addon missing$/);
  });

  it('loads explicit module paths relative to baseDir, and names an explicit package that is not installed', async () => {
    const { project } = await freshProject(root, 'explicit');
    await writeFile(join(project, 'my-protocol.js'), pluginModuleSource({ protocols: ['local-probe'] }));
    const registry = await loadPluginRegistry({ builtins: [], discovered: [], explicit: ['./my-protocol.js'], baseDir: project });
    expect(registry.protocols.get('local-probe')).toMatchObject({ packageName: './my-protocol.js', version: 'local', builtin: false });

    await expect(
      loadPluginRegistry({ builtins: [], discovered: [], explicit: ['@radprobe/protocol-peft'], baseDir: project }),
    ).rejects.toThrow(
      `plugin @radprobe/protocol-peft (listed in "plugins") is not installed: no node_modules/@radprobe/protocol-peft from ${project} up; install it with npm i @radprobe/protocol-peft`,
    );
  });
});
