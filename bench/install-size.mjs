// What a user's project holds after installing radprobe: `du` of node_modules, per package, and onnxruntime-node's
// share per platform. Two installs: the CLI with one protocol (what an evaluation needs), and @radprobe/core alone
// (what a plugin that codes against the contracts and pure helpers needs). Installs from a local registry of the
// packages as they would be published (scripts/local-registry.mjs), into an empty project with an empty npm cache,
// as the README says to.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isolatedNpmEnvironment, startLocalRegistry } from '../scripts/local-registry.mjs';

const run = promisify(execFile);
const workspace = fileURLToPath(new URL('..', import.meta.url));
const kib = async (path) => Number((await run('du', ['-sk', path])).stdout.split('\t')[0]);
const megabytes = (k) => `${(k / 1024).toFixed(1)} MB`;

/** Installs `installed` into an empty project and prints node_modules' size, its package count and the largest ones. */
async function measureInstall(registryDir, installed) {
  const project = await mkdtemp(join(registryDir, 'project-'));
  await writeFile(join(project, 'package.json'), '{"name":"size-check","private":true}');
  await writeFile(join(project, '.npmrc-user'), '');
  const env = { ...isolatedNpmEnvironment(registry.url, join(project, '.npm-cache'), join(project, '.npmrc-user')), ONNXRUNTIME_NODE_INSTALL: 'skip' };
  await run('npm', ['i', '-D', ...installed], { cwd: project, env, maxBuffer: 1 << 24 });
  const modules = join(project, 'node_modules');
  const total = await kib(modules);
  const packages = [];
  for (const entry of await readdir(modules)) {
    if (entry.startsWith('.')) continue;
    const scoped = entry.startsWith('@') ? (await readdir(join(modules, entry))).map((name) => `${entry}/${name}`) : [entry];
    for (const name of scoped) packages.push({ name, size: await kib(join(modules, name)) });
  }
  packages.sort((a, b) => b.size - a.size);
  console.log(`npm i -D ${installed.join(' ')}: node_modules ${megabytes(total)}, ${packages.length} packages`);
  for (const { name, size } of packages.slice(0, 12)) console.log(`  ${name.padEnd(36)} ${megabytes(size).padStart(9)}  ${((100 * size) / total).toFixed(1)} %`);
  return modules;
}

const workDir = await mkdtemp(join(tmpdir(), 'radprobe-install-size-'));
const names = ['core', 'onnx-format', 'synthetic', 'backbone-onnx', 'datasets', 'report', 'cli', 'protocol-knn'];
const registry = await startLocalRegistry({ packageDirs: names.map((name) => join(workspace, 'packages', name)), storeDir: join(workDir, '.registry') });
try {
  await measureInstall(workDir, ['@radprobe/core']);
  const modules = await measureInstall(workDir, ['@radprobe/cli', '@radprobe/protocol-knn']);
  const platforms = join(modules, 'onnxruntime-node', 'bin', 'napi-v6');
  for (const os of await readdir(platforms)) {
    for (const cpu of await readdir(join(platforms, os))) console.log(`  onnxruntime-node ${`${os}/${cpu}`.padEnd(14)} ${megabytes(await kib(join(platforms, os, cpu))).padStart(9)}`);
  }
} finally {
  await registry.close();
  await rm(workDir, { recursive: true, force: true });
}
