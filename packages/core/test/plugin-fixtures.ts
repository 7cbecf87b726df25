import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FixtureKinds {
  protocols?: string[];
  backbones?: string[];
  datasets?: string[];
}

/** An empty project folder `name` under `root`, with the node_modules a test installs plugin packages into. */
export async function freshProject(root: string, name: string): Promise<{ project: string; modules: string }> {
  const project = join(root, name);
  const modules = join(project, 'node_modules');
  await mkdir(modules, { recursive: true });
  return { project, modules };
}

/** A temporary folder to hold fixture node_modules trees. */
export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `radprobe-${prefix}-`));
}

/** ESM source of a plugin module contributing the given kinds (each with a one-option schema). */
export function pluginModuleSource(kinds: FixtureKinds): string {
  const protocols = (kinds.protocols ?? []).map(
    (kind) => `{ kind: ${JSON.stringify(kind)}, title: ${JSON.stringify(kind.toUpperCase())}, tasks: ['multiclass'],
      optionsSchema: { type: 'object', properties: { k: { type: 'integer', default: 20, description: 'neighbours' } } },
      featureNeeds() { return { clsBlocks: 1, patchMean: false, patchBlocks: 0 }; },
      async run() { throw new Error('not run in these tests'); } }`,
  );
  const factory = (kind: string) =>
    `{ kind: ${JSON.stringify(kind)}, optionsSchema: { type: 'object', properties: { path: { type: 'string' } } },
      async create() { throw new Error('not created in these tests'); } }`;
  return `export default {
    protocols: [${protocols.join(',')}],
    backbones: [${(kinds.backbones ?? []).map(factory).join(',')}],
    datasets: [${(kinds.datasets ?? []).map(factory).join(',')}],
  };\n`;
}

/**
 * Writes `<modulesDir>/<name>/` with a package.json (its `radprobe` field = `manifest`) and an `index.js` that
 * contributes `exported` (defaults to the manifest's kinds); `coreRange` is its `@radprobe/core` peer range.
 */
export async function writePluginPackage(
  modulesDir: string,
  name: string,
  options: { version?: string; manifest?: (FixtureKinds & { entry?: string }) | null; exported?: FixtureKinds; moduleSource?: string; coreRange?: string } = {},
): Promise<string> {
  const dir = join(modulesDir, ...name.split('/'));
  await mkdir(dir, { recursive: true });
  const manifest = options.manifest === undefined ? options.exported ?? {} : options.manifest;
  const packageJson: Record<string, unknown> = {
    name,
    version: options.version ?? '1.0.0',
    type: 'module',
    exports: { '.': { types: './index.d.ts', import: './index.js' } },
  };
  if (manifest) packageJson.radprobe = manifest;
  if (options.coreRange !== undefined) packageJson.peerDependencies = { '@radprobe/core': options.coreRange };
  await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson, null, 2));
  await writeFile(join(dir, 'index.js'), options.moduleSource ?? pluginModuleSource(options.exported ?? manifest ?? {}));
  return dir;
}

/** Writes a package.json-only package (what most of a real node_modules is). */
export async function writePlainPackage(modulesDir: string, name: string): Promise<void> {
  const dir = join(modulesDir, ...name.split('/'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '2.0.0', bin: { radprobe: 'x.js' } }));
}

export async function linkPackage(target: string, modulesDir: string, name: string): Promise<void> {
  const link = join(modulesDir, ...name.split('/'));
  await mkdir(join(link, '..'), { recursive: true });
  await symlink(target, link, 'dir');
}
