import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN_KINDS = ['backbone', 'protocol', 'dataset'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** The manifest list of each kind of plugin (`radprobe.backbones`, …). */
const MANIFEST_LIST: Record<PluginKind, 'backbones' | 'protocols' | 'datasets'> = { backbone: 'backbones', protocol: 'protocols', dataset: 'datasets' };

/** What a config entry's `kind` may be: lowercase words joined by `-`, as radprobe's own kinds are. */
const KIND_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export interface ScaffoldOptions {
  kind: PluginKind;
  /** The kind name configs use (`"kind": "<name>"`). */
  name: string;
  /** Folder to create; must not exist or be empty. */
  dir: string;
  /** npm package name; default `radprobe-<kind>-<name>`. */
  packageName?: string;
}

/** Why `name` cannot be a kind name, or null. */
export function kindNameProblem(name: string): string | null {
  return KIND_NAME.test(name) ? null : `"${name}" is not a kind name: use lowercase letters and digits, words joined by "-" (e.g. "radiomics")`;
}

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

interface OwnPackageJson {
  version: string;
  templateDependencies: Record<string, string>;
}

/** The package.json of the new plugin: the manifest, a peer range on the core it was made for, its build and test tools. */
function pluginPackageJson(options: Required<ScaffoldOptions>, own: OwnPackageJson): Record<string, unknown> {
  const tools = own.templateDependencies;
  const core = `^${own.version}`;
  const pick = (names: string[]) => Object.fromEntries(names.map((name) => [name, tools[name]]));
  const usesPng = options.kind === 'dataset';
  return {
    name: options.packageName,
    version: '0.1.0',
    description: `radprobe ${options.kind} plugin: ${options.name}`,
    type: 'module',
    exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' }, './package.json': './package.json' },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist'],
    scripts: { build: 'tsup', test: 'vitest run', typecheck: 'tsc --noEmit -p tsconfig.json' },
    // Read by radprobe without importing the package: it must list exactly the kinds the module exports.
    radprobe: { [MANIFEST_LIST[options.kind]]: [options.name] },
    // The CLI's own copy of core serves every plugin of a run: a peer, never a dependency of its own.
    peerDependencies: { '@radprobe/core': core },
    ...(usesPng ? { dependencies: pick(['pngjs']) } : {}),
    devDependencies: {
      '@radprobe/core': core,
      ...(options.kind === 'protocol' ? { '@radprobe/testkit': core } : {}),
      ...pick(['@types/node', ...(usesPng ? ['@types/pngjs'] : []), 'tsup', 'typescript', 'vitest']),
    },
  };
}

const CONFIG_FILES: Record<string, string> = {
  'tsconfig.json': `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: ['node'],
        strict: true,
        skipLibCheck: true,
        isolatedModules: true,
        verbatimModuleSyntax: true,
        noEmit: true,
      },
      include: ['src', 'test'],
    },
    null,
    2,
  )}\n`,
  'tsup.config.ts': `import { defineConfig } from 'tsup';

// @radprobe/core stays external (a peer dependency): every plugin of a run must share the CLI's copy.
export default defineConfig({ entry: ['src/index.ts'], format: ['esm'], target: 'node20', platform: 'node', dts: true, clean: true });
`,
  'vitest.config.ts': `import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
`,
  '.gitignore': 'node_modules/\ndist/\n',
};

function readme(options: Required<ScaffoldOptions>): string {
  return `# ${options.packageName}

A radprobe ${options.kind} plugin: configs use it as \`{ "kind": "${options.name}" }\` in \`${MANIFEST_LIST[options.kind]}\`.

\`\`\`sh
npm install
npm run build
npm test
\`\`\`

Installed next to \`@radprobe/cli\` (\`npm i -D ${options.packageName}\`, or \`npm link\` while developing), \`radprobe list\`
shows it. How to write one: docs/plugins.md in radprobe's repository.
`;
}

/** Template files of a kind, as paths relative to its folder. */
async function templateFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? templateFiles(dir, join(prefix, entry.name)) : Promise.resolve([join(prefix, entry.name)]))),
  );
  return nested.flat().sort();
}

/**
 * Writes a plugin package into `options.dir`: the kind's template sources (with the kind and package names filled
 * in), package.json, tsconfig, tsup and vitest configs, .gitignore and a README. Every file is written under a
 * temporary name first and renamed into place, so an interrupted run leaves no half-written file. Returns the
 * files written, relative to the folder.
 */
export async function scaffoldPlugin(options: ScaffoldOptions): Promise<string[]> {
  const problem = kindNameProblem(options.name);
  if (problem) throw new Error(problem);
  if (!PLUGIN_KINDS.includes(options.kind)) throw new Error(`kind "${options.kind}" is not one of ${PLUGIN_KINDS.join(', ')}`);
  if (existsSync(options.dir) && (await readdir(options.dir)).length > 0) {
    throw new Error(`${options.dir} already exists and is not empty: choose another folder`);
  }
  const full: Required<ScaffoldOptions> = { packageName: `radprobe-${options.kind}-${options.name}`, ...options };
  const own = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as OwnPackageJson;
  const templateDir = join(packageRoot, 'templates', full.kind);
  const files = new Map<string, string>(Object.entries(CONFIG_FILES));
  files.set('package.json', `${JSON.stringify(pluginPackageJson(full, own), null, 2)}\n`);
  files.set('README.md', readme(full));
  for (const file of await templateFiles(templateDir)) {
    const text = await readFile(join(templateDir, file), 'utf8');
    files.set(file, text.replaceAll('__KIND__', full.name).replaceAll('__PACKAGE__', full.packageName));
  }
  for (const [file, text] of files) {
    const target = join(full.dir, file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(`${target}.partial`, text);
    await rename(`${target}.partial`, target);
  }
  return [...files.keys()].sort();
}
