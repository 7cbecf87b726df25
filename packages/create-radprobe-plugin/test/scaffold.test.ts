import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { main, PLUGIN_KINDS, type PluginKind } from '../src/index.js';

const run = promisify(execFile);
const workspaceDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const workspaceModules = join(workspaceDir, 'node_modules');
const CLI = join(workspaceDir, 'packages', 'cli', 'dist', 'bin.js');

/** Whether `version` satisfies the caret range `range` (`^1.2.3`: same major, or same minor below 1.0.0, not older). */
function satisfiesCaret(range: string, version: string): boolean {
  const [low, have] = [range.replace(/^\^/, ''), version].map((text) => text.split('.').map(Number));
  const fixed = low[0] > 0 ? 1 : 2;
  if (low.slice(0, fixed).some((part, i) => part !== have[i])) return false;
  for (let i = fixed; i < 3; i++) if (have[i] !== low[i]) return have[i] > low[i];
  return true;
}

const print = (lines: string[]) => (line: string) => void lines.push(line);

describe('create-radprobe-plugin', () => {
  let root: string;
  const dirs = {} as Record<PluginKind, string>;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'radprobe-create-'));
    for (const kind of PLUGIN_KINDS) {
      const lines: string[] = [];
      expect(await main(['--kind', kind, '--name', `demo-${kind}`], root, { ask: null, print: print(lines) })).toBe(0);
      dirs[kind] = join(root, `radprobe-${kind}-demo-${kind}`);
      expect(lines[0]).toMatch(new RegExp(`^wrote radprobe-${kind}-demo-${kind} in ${dirs[kind]}: .*package.json`));
    }
  });

  it('asks for the kind and name when a terminal is attached, until the answers are usable', async () => {
    const answers = ['plugin', 'protocol', 'My KNN', 'my-knn'];
    const lines: string[] = [];
    const code = await main(['mine'], root, { ask: async () => answers.shift()!, print: print(lines) });
    expect(code).toBe(0);
    expect(lines.slice(0, 2)).toEqual([
      '"plugin" is not one of backbone, protocol, dataset',
      '"My KNN" is not a kind name: use lowercase letters and digits, words joined by "-" (e.g. "radiomics")',
    ]);
    const manifest = JSON.parse(await readFile(join(root, 'mine', 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'radprobe-protocol-my-knn', radprobe: { protocols: ['my-knn'] } });
    await expect(main(['--kind', 'protocol'], root, { ask: null, print: () => {} })).rejects.toThrow(/^--name is required when no terminal is attached/);
    await expect(main(['--kind', 'protocol', '--name', 'my-knn', 'mine'], root, { ask: null, print: () => {} })).rejects.toThrow(/mine already exists and is not empty/);
  });

  it('writes the manifest, a peer range on core and tool ranges that the versions it was tested with satisfy', async () => {
    const own = JSON.parse(await readFile(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8'));
    const manifest = JSON.parse(await readFile(join(dirs.dataset, 'package.json'), 'utf8'));
    expect(manifest.radprobe).toEqual({ datasets: ['demo-dataset'] });
    expect(manifest.peerDependencies).toEqual({ '@radprobe/core': `^${own.version}` });
    for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies } as Record<string, string>)) {
      const installed = JSON.parse(await readFile(join(workspaceModules, name, 'package.json'), 'utf8')).version;
      expect(satisfiesCaret(range, installed), `${name} ${range} vs installed ${installed}`).toBe(true);
    }
  });

  // The generated packages use the workspace's node_modules (linked), whose versions satisfy their ranges (above):
  // what `npm install` in the package would fetch, without a registry install per kind. The three build and test
  // side by side, as separate processes.
  it('generated packages of every kind build, and their tests pass', async () => {
    await Promise.all(
      PLUGIN_KINDS.map(async (kind) => {
        await symlink(workspaceModules, join(dirs[kind], 'node_modules'), 'dir');
        await run('npm', ['run', 'build'], { cwd: dirs[kind] });
        const { stdout } = await run('npm', ['test'], { cwd: dirs[kind] });
        // vitest colours its summary when the enclosing run forces colour. Two tests: the kind's own, and the
        // package check (test/package.test.ts: the manifest against the module's exports, the core range).
        const summary = stdout.replace(/\x1b\[[0-9;]*m/g, '');
        expect(summary, kind).toMatch(/Tests +2 passed \(2\)/);
        expect(summary, kind).toContain('test/package.test.ts');
      }),
    );
  }, 240_000);

  it('installed into a project, the CLI discovers all three', async () => {
    const project = join(root, 'project');
    await mkdir(join(project, 'node_modules'), { recursive: true });
    for (const kind of PLUGIN_KINDS) await symlink(dirs[kind], join(project, 'node_modules', `radprobe-${kind}-demo-${kind}`), 'dir');
    const { stdout } = await run(process.execPath, [CLI, 'list', '--json'], { cwd: project });
    const listed = JSON.parse(stdout) as { packages: Array<{ packageName: string; version: string }>; failures: unknown[] };
    expect(listed.failures).toEqual([]);
    expect(listed.packages.filter((entry) => entry.packageName.includes('-demo-'))).toEqual([
      { packageName: 'radprobe-backbone-demo-backbone', version: '0.1.0', protocols: [], backbones: ['demo-backbone'], datasets: [] },
      { packageName: 'radprobe-dataset-demo-dataset', version: '0.1.0', protocols: [], backbones: [], datasets: ['demo-dataset'] },
      { packageName: 'radprobe-protocol-demo-protocol', version: '0.1.0', protocols: ['demo-protocol'], backbones: [], datasets: [] },
    ]);
  }, 60_000);
});
