import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { defaultCacheFolder } from '../config/core-schema.js';
import { substituteEnvVariables } from '../config/env-variables.js';
import { RadprobeError, errorMessage } from '../util/errors.js';
import { printablePath } from '../util/printable-path.js';

/** Where the cache a command acts on is, and why there. */
export interface CacheLocation {
  path: string;
  /** `--cache`: named on the command line; `config`: the `cache` of a config file; `default`: neither was there. */
  source: '--cache' | 'config' | 'default';
  /** The config file, for `config`. */
  config?: string;
}

/**
 * The feature cache folder the runs of a config file use (its `cache`, relative to the file, or the default), or
 * null when there is no such file. The rest of the config is not validated: a cache is found even where the
 * plugins a config names are not installed.
 */
export async function cacheOfConfig(configPath: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const where = printablePath(configPath);
  let config: { cache?: unknown };
  try {
    config = JSON.parse(await readFile(configPath, 'utf8')) as typeof config;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RadprobeError(`${where}: cannot read the config for its "cache" (${errorMessage(error)}); name the cache with --cache DIR`, { file: configPath, cause: error });
  }
  const cache = config?.cache ?? defaultCacheFolder;
  if (typeof cache !== 'string' || cache === '') {
    throw new RadprobeError(`${where}: /cache must be a folder name, not ${JSON.stringify(cache)}`, { file: configPath, pointer: '/cache' });
  }
  const { value, issues } = substituteEnvVariables(cache, env);
  if (issues.length > 0) throw new RadprobeError(`${where}: /cache: ${issues[0].message}`, { file: configPath, pointer: '/cache' });
  return resolve(dirname(configPath), value as string);
}

/** The cache a `radprobe cache` command acts on: `--cache`, else the `cache` of `radprobe.json` in `cwd`, else the default. */
export async function locateCache(flag: string | undefined, cwd: string, env: NodeJS.ProcessEnv): Promise<CacheLocation> {
  if (flag !== undefined) return { path: resolve(cwd, flag), source: '--cache' };
  const config = join(cwd, 'radprobe.json');
  const path = await cacheOfConfig(config, env);
  return path ? { path, source: 'config', config } : { path: resolve(cwd, defaultCacheFolder), source: 'default' };
}
