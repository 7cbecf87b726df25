import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PluginManifest } from '../../contracts/plugin.js';
import { RadprobeError, errorMessage } from '../util/errors.js';

/** The fields of a package.json that plugin loading reads. */
export interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  exports?: unknown;
  radprobe?: unknown;
  peerDependencies?: unknown;
}

/** Reads `<dir>/package.json`; `null` when the file is absent. A file that is present but not JSON is an error. */
export async function readPackageJson(dir: string): Promise<PackageJson | null> {
  const path = join(dir, 'package.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  return parsePackageJson(text, path);
}

export function parsePackageJson(text: string, path: string): PackageJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RadprobeError(`${path}: not valid JSON (${errorMessage(error)})`, { file: path, cause: error });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RadprobeError(`${path}: must hold a JSON object`, { file: path });
  }
  return parsed as PackageJson;
}

const manifestLists = ['protocols', 'backbones', 'datasets'] as const;

/** Checks the `radprobe` field of a package.json against `PluginManifest`. */
export function parseManifest(value: unknown, path: string): PluginManifest {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new RadprobeError(`${path}: field "radprobe" must be an object listing protocols, backbones or datasets`, {
      file: path,
      pointer: '/radprobe',
    });
  }
  const field = value as Record<string, unknown>;
  const manifest: PluginManifest = {};
  for (const key of Object.keys(field)) {
    if (key === 'entry') {
      if (typeof field.entry !== 'string' || field.entry === '') {
        throw new RadprobeError(`${path}: "radprobe.entry" must be a non-empty string`, { file: path, pointer: '/radprobe/entry' });
      }
      manifest.entry = field.entry;
    } else if ((manifestLists as readonly string[]).includes(key)) {
      const list = field[key];
      if (!Array.isArray(list) || !list.every((kind) => typeof kind === 'string' && kind !== '')) {
        throw new RadprobeError(`${path}: "radprobe.${key}" must be an array of kind names (strings)`, {
          file: path,
          pointer: `/radprobe/${key}`,
        });
      }
      manifest[key as (typeof manifestLists)[number]] = list as string[];
    } else {
      throw new RadprobeError(
        `${path}: unknown key "radprobe.${key}" (allowed: ${[...manifestLists, 'entry'].join(', ')})`,
        { file: path, pointer: `/radprobe/${key}` },
      );
    }
  }
  return manifest;
}
