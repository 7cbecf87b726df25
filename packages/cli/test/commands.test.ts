import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, temporaryDir } from './helpers.js';

interface ListedPackage {
  packageName: string;
  protocols: string[];
  backbones: string[];
  datasets: string[];
}

describe('radprobe list', () => {
  it('shows the installed plugins and their kinds, also from a folder with no node_modules (found beside the CLI)', async () => {
    const cwd = await temporaryDir('list');
    const text = await runCli(['list'], { cwd });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^@radprobe\/protocol-knn@\S+\n {2}protocols: knn$/m);
    expect(text.stdout).toMatch(/^@radprobe\/backbone-onnx@\S+\n {2}backbones: onnx$/m);
    // Other dataset kinds may join these three; the line lists them all.
    expect(text.stdout).toMatch(/^@radprobe\/datasets@\S+\n {2}datasets: (.+, )?image-folder, csv, nih-chestxray14(, .+)?$/m);

    const json = await runCli(['list', '--json'], { cwd });
    expect(json.code, json.stderr).toBe(0);
    const { packages } = JSON.parse(json.stdout) as { packages: ListedPackage[] };
    const byName = new Map(packages.map((pkg) => [pkg.packageName, pkg]));
    expect(byName.get('@radprobe/protocol-knn')).toMatchObject({ protocols: ['knn'], backbones: [], datasets: [] });
    expect(byName.get('@radprobe/backbone-onnx')).toMatchObject({ protocols: [], backbones: ['onnx'], datasets: [] });
    expect(byName.get('@radprobe/datasets')).toMatchObject({ protocols: [], backbones: [], datasets: expect.arrayContaining(['image-folder', 'csv', 'nih-chestxray14']) });
  });

  it('lists a plugin that fails to import with its error, and still lists the others', async () => {
    const cwd = await temporaryDir('list-broken');
    const dir = join(cwd, 'node_modules', 'radprobe-broken');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'radprobe-broken', version: '1.2.0', type: 'module', main: 'index.js', radprobe: { protocols: ['broken'] } }));
    await writeFile(join(dir, 'index.js'), 'throw new Error("libcuda.so.1: cannot open shared object file");\n');
    const text = await runCli(['list'], { cwd });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^@radprobe\/protocol-knn@\S+\n {2}protocols: knn$/m);
    expect(text.stdout).toMatch(/^radprobe-broken@1\.2\.0\n {2}failed to load: plugin radprobe-broken: cannot import \S+index\.js: libcuda\.so\.1: cannot open shared object file$/m);

    const json = await runCli(['list', '--json'], { cwd });
    const { failures } = JSON.parse(json.stdout) as { failures: Array<{ packageName: string; version: string; reason: string }> };
    expect(failures.filter((failure) => failure.packageName === 'radprobe-broken')).toEqual([
      { packageName: 'radprobe-broken', version: '1.2.0', reason: expect.stringContaining('libcuda.so.1') },
    ]);
  });
});

describe('radprobe doctor', () => {
  it('shows node, the CPU execution provider and the compute backend', async () => {
    const cwd = await temporaryDir('doctor');
    const text = await runCli(['doctor'], { cwd });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`node          ${process.version}`);
    expect(text.stdout).toMatch(/^onnxruntime {3}cpu[,;].*; device "auto" picks \w+ExecutionProvider$/m);
    expect(text.stdout).toMatch(/^compute {7}wasm /m);

    const json = await runCli(['doctor', '--json'], { cwd });
    const report = JSON.parse(json.stdout) as { node: string; computeBackend: string; onnxruntime: { providers: Array<{ name: string; usable: boolean }> } };
    expect(report.node).toBe(process.version);
    expect(report.computeBackend).toBe('wasm');
    expect(report.onnxruntime.providers.find((provider) => provider.name === 'cpu')).toMatchObject({ usable: true });
  });
});

describe('radprobe schema', () => {
  it('writes a JSON Schema whose protocol entries know the options of knn', async () => {
    const cwd = await temporaryDir('schema');
    const written = await runCli(['schema', '--out', 'radprobe.schema.json'], { cwd });
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toBe(`wrote ${join(cwd, 'radprobe.schema.json')}\n`);
    type Branch = { if: { properties: { kind: { const: string } } }; then: { additionalProperties: boolean; properties: Record<string, unknown> } };
    const schema = JSON.parse(await readFile(join(cwd, 'radprobe.schema.json'), 'utf8')) as {
      properties: { protocols: { items: { properties: { kind: { enum: string[] } }; allOf: Branch[] } } };
    };
    const items = schema.properties.protocols.items;
    expect(items.properties.kind.enum).toContain('knn');
    const knn = items.allOf.find((branch) => branch.if.properties.kind.const === 'knn');
    expect(knn?.then.additionalProperties).toBe(false);
    expect(Object.keys(knn!.then.properties)).toEqual(expect.arrayContaining(['kind', 'name', 'k']));
  });
});

describe('usage', () => {
  it('--help prints usage and exits 0; no command prints it and exits 2', async () => {
    const cwd = await temporaryDir('usage');
    const help = await runCli(['--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage:\n  radprobe demo');
    const bare = await runCli([], { cwd });
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe(help.stdout);
  });

  it('an unknown command or flag names it, prints usage and exits 2', async () => {
    const cwd = await temporaryDir('usage');
    const command = await runCli(['frobnicate'], { cwd });
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^radprobe: unknown command 'frobnicate'\n\nradprobe: how well/);
    expect(command.stderr).toContain('usage:\n  radprobe demo');

    const flag = await runCli(['run', '--frobnicate'], { cwd });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^radprobe: Unknown option '--frobnicate'/);
    expect(flag.stderr).toContain('usage:\n  radprobe demo');
    expect(flag.stderr).not.toMatch(/\n\s+at /);
  });
});
