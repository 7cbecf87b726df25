import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { compareStrings } from './ordering.js';

/** Folders read at once while checking which listed files exist. */
const PARALLEL_READS = 16;

/** An entry of a folder, with symbolic links resolved to what they point at. */
export interface FolderEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

/** The entries of a folder sorted by name (never in the order the filesystem happens to list them). */
export async function readFolder(folder: string): Promise<FolderEntry[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const resolved = await Promise.all(
    entries.map(async (entry) => {
      const kind = entry.isSymbolicLink() ? await stat(join(folder, entry.name)).catch(() => null) : entry;
      return { name: entry.name, isDirectory: kind?.isDirectory() ?? false, isFile: kind?.isFile() ?? false };
    }),
  );
  return resolved.sort((a, b) => compareStrings(a.name, b.name));
}

/** Every file under `folder` (following links), as `/`-separated paths relative to it, sorted. */
export async function listFiles(folder: string): Promise<string[]> {
  const files: string[] = [];
  async function walk(relative: string): Promise<void> {
    for (const entry of await readFolder(join(folder, relative))) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) files.push(path);
    }
  }
  await walk('');
  return files;
}

/**
 * Which of `paths` exist as files, found by reading each distinct folder once (in parallel) rather than
 * stat-ing every file: a manifest of 100k images lists a handful of folders.
 */
export async function existingFiles(paths: readonly string[]): Promise<Set<string>> {
  const folders = [...new Set(paths.map((path) => dirname(path)))];
  const existing = new Set<string>();
  for (let first = 0; first < folders.length; first += PARALLEL_READS) {
    await Promise.all(
      folders.slice(first, first + PARALLEL_READS).map(async (folder) => {
        const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
          const path = join(folder, entry.name);
          if (entry.isFile() || (entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isFile())) existing.add(path);
        }
      }),
    );
  }
  return existing;
}
