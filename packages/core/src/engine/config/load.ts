import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { RunConfig } from '../../contracts/config.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { RadprobeError } from '../util/errors.js';
import { validateConfigSource } from './validate.js';

export interface LoadedConfig {
  /** The config file's path, as given. */
  file: string;
  /** Validated, with every default filled in. */
  config: RunConfig;
  /** What resolving read differently from the text (single values as lists of one). */
  notes: string[];
  /** The config file's folder: relative paths in the config resolve against it. */
  baseDir: string;
  /** The file's text as read. */
  source: string;
}

/** Reads and validates a run config file (see `validateConfigText`). */
export async function loadConfig(path: string, registry: PluginRegistry): Promise<LoadedConfig> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new RadprobeError(`${path}: cannot read the config (${code})`, { file: path, cause: error });
  }
  return { file: path, ...validateConfigSource(source, path, registry), baseDir: dirname(resolve(path)), source };
}
