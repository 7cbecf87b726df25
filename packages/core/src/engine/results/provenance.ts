import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { arch, cpus, availableParallelism, hostname, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunConfig } from '../../contracts/config.js';
import type { Provenance } from '../../contracts/results.js';
import { findPackageDir } from '../plugins/discover.js';
import { workerPlacement } from './worker.js';
import { firstPartyPlugins } from '../plugins/first-party.js';
import { isModulePath } from '../plugins/registry.js';

/** Runtimes whose versions change numbers, recorded when installed. */
const runtimePackages = [
  'onnxruntime-node',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
];

const radprobePackages = ['@radprobe/core', '@radprobe/cli', ...firstPartyPlugins.map((plugin) => plugin.packageName)];

const coreDir = dirname(fileURLToPath(import.meta.url));

/**
 * Versions of the named packages as resolvable from `fromDir` (by default from @radprobe/core itself); packages
 * that are not installed are left out.
 */
export async function packageVersions(names: readonly string[], fromDir: string = coreDir): Promise<Record<string, string>> {
  const found = await Promise.all(
    names.map(async (name) => {
      const dir = await findPackageDir(name, fromDir);
      if (!dir) return null;
      try {
        const { version } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
        return typeof version === 'string' ? ([name, version] as const) : null;
      } catch {
        return null;
      }
    }),
  );
  return Object.fromEntries(found.filter((entry) => entry !== null));
}

export interface ProvenanceInput {
  config: RunConfig;
  configHash: string;
  /** The config file's folder: its git commit is recorded. */
  baseDir: string;
  seed: number;
  backbones: Provenance['backbones'];
  /** The plugin packages whose kinds the run used. */
  plugins: NonNullable<Provenance['plugins']>;
  /** Versions to record; by default radprobe's packages, the config's plugin packages and the runtimes installed. */
  packageVersions?: Record<string, string>;
}

/** Everything needed to trace a number back to its code, config, data and machine. Never fails. */
export async function collectProvenance(input: ProvenanceInput): Promise<Provenance> {
  const configPlugins = input.config.plugins.filter((entry) => !isModulePath(entry));
  const [packages, gitCommit] = await Promise.all([
    input.packageVersions ?? packageVersions([...new Set([...radprobePackages, ...configPlugins, ...runtimePackages])]),
    gitHead(input.baseDir),
  ]);
  return {
    configHash: input.configHash,
    packages,
    gitCommit,
    seed: input.seed,
    node: process.version,
    platform: `${process.platform} ${release()} ${arch()}`,
    cpu: cpus()[0]?.model.trim() || 'unknown',
    cpus: availableParallelism(),
    memoryBytes: totalmem(),
    hostname: hostname(),
    backbones: input.backbones,
    plugins: input.plugins,
    worker: workerPlacement(),
  };
}

/** `git rev-parse HEAD` in `dir`; null when it is not in a repository, or git is missing. */
export function gitHead(dir: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd: dir, timeout: 10_000 }, (error, stdout) => {
      const commit = stdout?.trim() ?? '';
      resolve(!error && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null);
    });
  });
}
