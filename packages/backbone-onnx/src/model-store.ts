import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RadprobeError } from '@radprobe/core';
import { readJsonObjectIfPresent } from './json-file.js';

/** Short names for the DINOv2 exports on the Hugging Face hub. */
export const KNOWN_MODELS: Readonly<Record<string, string>> = Object.fromEntries(
  ['small', 'base', 'large', 'giant'].flatMap((size) => [
    [`dinov2-${size}`, `onnx-community/dinov2-${size}`],
    [`dinov2-with-registers-${size}`, `onnx-community/dinov2-with-registers-${size}`],
  ]),
);

/** Which of the hub's ONNX files to fetch. */
export type ModelVariant = 'fp32' | 'fp16' | 'quantized';

const VARIANT_FILES: Record<ModelVariant, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  quantized: 'onnx/model_quantized.onnx',
};

export const STORE_MANIFEST = 'radprobe-store.json';
const REPOSITORY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The hub file of a variant, relative to the repository root. */
export function variantFile(variant: ModelVariant): string {
  return VARIANT_FILES[variant];
}

/** Whether a string names a hub repository (`owner/repo`) rather than a path. */
function isRepositoryId(name: string): boolean {
  return REPOSITORY_ID.test(name) && !name.endsWith('.onnx');
}

/** The hub repository of a store name: a known short name or any `owner/repo`. */
export function repositoryFor(name: string): string {
  const known = KNOWN_MODELS[name];
  if (known) return known;
  if (isRepositoryId(name)) return name;
  throw new RadprobeError(
    `Unknown model "${name}": use one of ${Object.keys(KNOWN_MODELS).join(', ')}, or a Hugging Face repository as owner/repo`,
  );
}

/** Folder of a store entry: `<storeDir>/<name>`, where an `owner/repo` name gives two levels. */
export function storeFolder(storeDir: string, name: string): string {
  repositoryFor(name);
  return join(storeDir, ...name.split('/'));
}

/** One downloaded file of a store entry. */
export interface StoredFile {
  /** Path relative to the entry's folder (the hub's layout, e.g. `onnx/model.onnx`). */
  path: string;
  size: number;
  sha256: string;
}

/** `<storeDir>/<name>/radprobe-store.json`: where an entry came from and what it holds. */
export interface StoreEntry {
  name: string;
  repo: string;
  revision: string;
  /** The ONNX file to load, relative to the entry's folder. */
  modelFile: string;
  files: StoredFile[];
  /** ISO 8601 time of the pull. */
  pulledAt: string;
}

function checkStoreEntry(value: unknown, file: string): StoreEntry {
  const entry = value as Partial<StoreEntry> | null;
  const strings = ['name', 'repo', 'revision', 'modelFile', 'pulledAt'] as const;
  for (const key of strings) {
    if (!entry || typeof entry[key] !== 'string') {
      throw new RadprobeError(`${file}: /${key} must be a string`, { file, pointer: `/${key}` });
    }
  }
  if (!Array.isArray(entry!.files)) throw new RadprobeError(`${file}: /files must be an array`, { file, pointer: '/files' });
  entry!.files.forEach((stored, i) => {
    const ok = stored && typeof stored.path === 'string' && typeof stored.size === 'number' && typeof stored.sha256 === 'string';
    if (!ok) throw new RadprobeError(`${file}: /files/${i} must be {path, size, sha256}`, { file, pointer: `/files/${i}` });
  });
  return entry as StoreEntry;
}

/** Reads a store entry's manifest, or `undefined` when the folder holds none. */
export async function readStoreEntry(folder: string): Promise<StoreEntry | undefined> {
  const file = join(folder, STORE_MANIFEST);
  const json = await readJsonObjectIfPresent(file);
  return json === undefined ? undefined : checkStoreEntry(json, file);
}

/**
 * The ONNX file a config's `model` means: an existing path (relative to `baseDir`) wins; otherwise a store name
 * that must have been pulled.
 */
export async function resolveModel(nameOrPath: string, storeDir: string, baseDir: string = process.cwd()): Promise<string> {
  const asPath = resolve(baseDir, nameOrPath);
  if (existsSync(asPath) && statSync(asPath).isFile()) return asPath;
  if (!(nameOrPath in KNOWN_MODELS) && !isRepositoryId(nameOrPath)) {
    throw new RadprobeError(
      `Model file ${asPath} does not exist (and "${nameOrPath}" is not a model name: ` +
        `${Object.keys(KNOWN_MODELS).join(', ')} or owner/repo)`,
      { file: asPath },
    );
  }
  const folder = storeFolder(storeDir, nameOrPath);
  const entry = await readStoreEntry(folder);
  if (!entry) {
    throw new RadprobeError(
      `Model "${nameOrPath}" is not in the model store ${storeDir}: run \`radprobe model pull ${nameOrPath}\` ` +
        '(on a machine with internet access) or give the path of an .onnx file',
    );
  }
  const modelPath = join(folder, entry.modelFile);
  if (!existsSync(modelPath)) {
    throw new RadprobeError(
      `The model store entry ${folder} lists ${entry.modelFile}, but the file is missing: run \`radprobe model pull ${nameOrPath}\` again`,
      { file: modelPath },
    );
  }
  return modelPath;
}

/** Every entry in the store, with its folder, sorted by name. */
export async function listStore(storeDir: string): Promise<(StoreEntry & { dir: string })[]> {
  const found: (StoreEntry & { dir: string })[] = [];
  const visit = async (folder: string, depth: number): Promise<void> => {
    let children;
    try {
      children = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const child of children) {
      if (!child.isDirectory()) continue;
      const childFolder = join(folder, child.name);
      const entry = await readStoreEntry(childFolder);
      if (entry) found.push({ ...entry, dir: childFolder });
      // `owner/repo` entries sit one level deeper than short names.
      else if (depth === 0) await visit(childFolder, 1);
    }
  };
  await visit(storeDir, 0);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
