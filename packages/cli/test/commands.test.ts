import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, temporaryDir } from './helpers.js';
import { COMMANDS } from '../src/usage.js';

const require = createRequire(import.meta.url);
const cliPackage = require('../package.json') as { version: string };
const knnPackage = require('@radprobe/protocol-knn/package.json') as { version: string };

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
    const text = await runCli(['doctor'], { cwd, env: { RADPROBE_TRAINING_WORKERS: '3' } });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`node          ${process.version}`);
    expect(text.stdout).toMatch(/^onnxruntime {3}cpu[,;].*; device "auto" picks \w+ExecutionProvider$/m);
    expect(text.stdout).toMatch(/^compute {7}wasm /m);
    // Neither native TensorFlow package is a dependency: doctor says so for each.
    expect(text.stdout).toMatch(/^ {14}tensorflow-gpu: not installed \(@tensorflow\/tfjs-node-gpu\)$/m);
    expect(text.stdout).toMatch(/^ {14}tensorflow: not installed \(@tensorflow\/tfjs-node\)$/m);
    expect(text.stdout).toMatch(/^training {6}wasm \(SIMD, 1 thread\) × 3 workers \(from RADPROBE_TRAINING_WORKERS\)$/m);

    const json = await runCli(['doctor', '--json'], { cwd, env: { RADPROBE_TRAINING_WORKERS: '' } });
    const report = JSON.parse(json.stdout) as { node: string; computeBackend: string; trainingWorkers: number; onnxruntime: { providers: Array<{ name: string; usable: boolean }> } };
    expect(report.node).toBe(process.version);
    expect(report.computeBackend).toBe('wasm');
    expect(report.trainingWorkers).toBe(availableParallelism());
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

  it('bounds every number of the composed schema (core and every first-party plugin) from below and above', async () => {
    const cwd = await temporaryDir('schema-bounds');
    const written = await runCli(['schema', '--out', 'radprobe.schema.json'], { cwd });
    expect(written.code, written.stderr).toBe(0);
    const schema = JSON.parse(await readFile(join(cwd, 'radprobe.schema.json'), 'utf8')) as Record<string, unknown>;
    const numbers = numericSchemas(schema, '');
    // Every first-party kind contributes some: the walk reaches into each plugin's options.
    for (const where of ['/properties/bootstrap/properties/samples', '"knn"', '"linear"', '"seg"', '"fewshot"', '"peft"', '"nih-chestxray14"', '"btcv"']) {
      expect(numbers.some(({ pointer }) => pointer.includes(where)), where).toBe(true);
    }
    const unbounded = numbers
      .filter(({ node }) => !('minimum' in node || 'exclusiveMinimum' in node) || !('maximum' in node || 'exclusiveMaximum' in node))
      .map(({ pointer }) => pointer);
    expect(unbounded).toEqual([]);
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
    expect((await runCli(['help'], { cwd })).stdout).toBe(help.stdout);
  });

  it('<command> --help and help <command> print that command\'s usage and every option it takes, from the same table as the overall usage', async () => {
    const cwd = await temporaryDir('usage');
    const overall = (await runCli(['--help'], { cwd })).stdout;
    for (const command of COMMANDS) {
      const help = await runCli([command.name, '--help'], { cwd });
      expect(help.code, command.name).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: radprobe ${escapeRegExp(command.synopsis[0])}`));
      for (const option of command.options) expect(help.stdout, `${command.name} --${option.name}`).toMatch(new RegExp(`^  --${option.name}\\b.*\\S`, 'm'));
      for (const form of command.synopsis) expect(overall).toContain(`  radprobe ${form}\n`);
      expect((await runCli(['help', command.name], { cwd })).stdout).toBe(help.stdout);
    }
    const run = (await runCli(['run', '-h'], { cwd })).stdout;
    expect(run).toMatch(/^ {2}--on-bad-item fail\|skip +overrides the config's onBadItem/m);
    expect(run).not.toContain('--allow-mixed');
  });

  it('an unknown command or flag names it, prints usage and exits 2', async () => {
    const cwd = await temporaryDir('usage');
    const command = await runCli(['frobnicate'], { cwd });
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^radprobe: unknown command 'frobnicate'\n\nradprobe: how well/);
    expect(command.stderr).toContain('usage:\n  radprobe demo');

    const flag = await runCli(['run', '--frobnicate'], { cwd });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^radprobe: Unknown option '--frobnicate'.*\n\nusage: radprobe run \[CONFIG\]/s);
    expect(flag.stderr).not.toMatch(/\n\s+at /);

    const foreign = await runCli(['list', '--reporter', 'jsonl'], { cwd });
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/^radprobe: radprobe list takes no option --reporter\n\nusage: radprobe list/);
  });

  it('--version prints the CLI\'s version and each installed plugin\'s, as radprobe list finds them', async () => {
    const cwd = await temporaryDir('version');
    const version = await runCli(['--version'], { cwd });
    expect(version.code, version.stderr).toBe(0);
    const lines = version.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`@radprobe/cli ${cliPackage.version}`);
    const { packages } = JSON.parse((await runCli(['list', '--json'], { cwd })).stdout) as { packages: Array<{ packageName: string; version: string }> };
    expect(lines.slice(1)).toEqual(packages.map((pkg) => `${pkg.packageName} ${pkg.version}`));
    expect(lines).toContain(`@radprobe/protocol-knn ${knnPackage.version}`);
  });

  it('output into a pipe the reader already closed (radprobe list | head -1) ends quietly, without an EPIPE crash', async () => {
    const cwd = await temporaryDir('epipe');
    for (const args of [['list'], ['--help'], ['list', '--json']]) {
      const closed = await runIntoClosedPipe(args, cwd);
      expect(closed.stderr, args.join(' ')).toBe('');
      expect(closed.code, args.join(' ')).toBe(0);
    }
  });
});

/**
 * Every subschema that admits a number (`type` number or integer, alone or in a list), with its JSON pointer; an
 * `if` branch is labelled with the kind it selects so that failures say whose option it is.
 */
function numericSchemas(node: unknown, pointer: string): Array<{ pointer: string; node: Record<string, unknown> }> {
  if (Array.isArray(node)) return node.flatMap((child, index) => numericSchemas(child, `${pointer}/${index}`));
  if (!node || typeof node !== 'object') return [];
  const schema = node as Record<string, unknown>;
  const types = ([] as unknown[]).concat(schema.type ?? []);
  const found = types.includes('number') || types.includes('integer') ? [{ pointer, node: schema }] : [];
  const kind = (schema.if as { properties?: { kind?: { const?: string } } } | undefined)?.properties?.kind?.const;
  for (const [key, child] of Object.entries(schema)) {
    if (['enum', 'const', 'default', 'examples', 'if'].includes(key)) continue;
    found.push(...numericSchemas(child, `${pointer}/${key}${key === 'then' && kind ? `("${kind}")` : ''}`));
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs the CLI with its stdout a pipe whose reading end is closed before the CLI writes to it. */
function runIntoClosedPipe(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
