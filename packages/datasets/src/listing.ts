import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { printablePath, type SkippedItem } from '@radprobe/core';
import { compareStrings } from './ordering.js';

/** Folders read at once while checking which listed files exist. */
const PARALLEL_READS = 16;
const SEPARATOR = sep.charCodeAt(0);

/**
 * A path that opens a file or folder: a string, or the bytes of a path that is not UTF-8 (on Linux a name is bytes,
 * and a Latin-1 `é` read as UTF-8 would become a character that names no file).
 */
export type FilePath = string | Buffer;

/** An entry of a folder, with symbolic links resolved to what they point at. */
export interface FolderEntry {
  /** The name, printable (`printablePath`): what ids and messages use. */
  name: string;
  /** The path that opens it. */
  path: FilePath;
  /** The path, printable: an item's `source`. */
  source: string;
  isDirectory: boolean;
  isFile: boolean;
  /** A symbolic link (`isDirectory` and `isFile` say what it points at; neither when it points nowhere). */
  isLink: boolean;
}

/** A file found under a folder. */
export interface ListedFile {
  /** The file's path relative to the folder, `/`-separated, printable. */
  relative: string;
  path: FilePath;
  source: string;
}

/**
 * One scan of a dataset's folders: links are followed, but every real folder (device and inode) is read once and
 * every real file listed once. A link back to a folder above (`loop -> .`), a second way to a folder already read
 * and a second name of a file already listed (a link to it) are left out and reported in `skipped` with their
 * path, so that no walk runs forever and no image counts twice. A loader uses one scan for all its folders.
 */
export class FolderScan {
  /** Loops and duplicates found so far: the loader reports them with its skipped items. */
  readonly skipped: SkippedItem[] = [];
  private readonly foldersRead = new Map<string, string>();
  private readonly filesListed = new Map<string, string>();

  /** The entries of `folder`, sorted by name (never in the order the file system lists them). */
  async entries(folder: FilePath): Promise<FolderEntry[]> {
    const source = printablePath(folder);
    const { dev, ino } = await stat(folder);
    const first = this.foldersRead.get(`${dev}:${ino}`);
    if (first !== undefined) {
      const loop = source.startsWith(`${first}${sep}`);
      this.skipped.push({ source, reason: `${loop ? 'symbolic link loop: leads back to' : 'the same folder as'} ${first}, which is read once` });
      return [];
    }
    this.foldersRead.set(`${dev}:${ino}`, source);
    const listed = await listFolder(folder);
    const duplicates = new Set<FolderEntry>();
    // Plain files claim their identity before links, so that the link is the one reported.
    for (const { entry, identity } of [...listed.filter(({ entry }) => !entry.isLink), ...listed.filter(({ entry }) => entry.isLink)]) {
      if (identity === null) continue;
      const earlier = this.filesListed.get(identity);
      if (earlier === undefined) {
        this.filesListed.set(identity, entry.source);
        continue;
      }
      duplicates.add(entry);
      this.skipped.push({ source: entry.source, reason: `the same file as ${earlier}, which is listed once` });
    }
    return listed.map(({ entry }) => entry).filter((entry) => !duplicates.has(entry));
  }

  /** Every file under `folder` (following links, each real folder and file once), sorted by relative path. */
  async files(folder: FilePath): Promise<ListedFile[]> {
    const files: ListedFile[] = [];
    const walk = async (path: FilePath, relative: string): Promise<void> => {
      for (const entry of await this.entries(path)) {
        const name = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory) await walk(entry.path, name);
        else if (entry.isFile) files.push({ relative: name, path: entry.path, source: entry.source });
      }
    };
    await walk(folder, '');
    return files;
  }
}

/**
 * Which of `paths` exist as files, found by reading each distinct folder once (in parallel) rather than stat-ing
 * every file: a manifest of 100k images lists a handful of folders. Each existing path maps to its file's
 * identity (its real path), which two paths to one file share (`data/./x.png`, a link to `data/x.png`).
 */
export async function existingFiles(paths: readonly string[]): Promise<Map<string, string>> {
  const folders = [...new Set(paths.map((path) => dirname(path)))];
  const existing = new Map<string, string>();
  for (let first = 0; first < folders.length; first += PARALLEL_READS) {
    await Promise.all(
      folders.slice(first, first + PARALLEL_READS).map(async (folder) => {
        for (const { entry, identity } of await listFolder(folder).catch(() => [])) {
          if (identity !== null && typeof entry.path === 'string') existing.set(entry.path, identity);
        }
      }),
    );
  }
  return existing;
}

/**
 * The entries of a folder, names read as bytes, each file with its identity: its real path (as a binary string),
 * the folder's real path and the name, or where a link leads.
 */
async function listFolder(folder: FilePath): Promise<Array<{ entry: FolderEntry; identity: string | null }>> {
  const dirents = await readdir(folder, { withFileTypes: true, encoding: 'buffer' });
  const entries = await Promise.all(
    dirents.map(async (dirent) => {
      const path = childPath(folder, dirent.name);
      const isLink = dirent.isSymbolicLink();
      const kind = isLink ? await stat(path).catch(() => null) : dirent;
      const entry = { name: printablePath(dirent.name), path, source: printablePath(path), isDirectory: kind?.isDirectory() ?? false, isFile: kind?.isFile() ?? false, isLink };
      return { entry, bytes: dirent.name };
    }),
  );
  const realFolder = entries.some(({ entry }) => entry.isFile) ? await realpath(folder, { encoding: 'buffer' }) : null;
  const identified = await Promise.all(
    entries.map(async ({ entry, bytes }) => {
      if (!entry.isFile) return { entry, identity: null };
      const real = entry.isLink ? await realpath(entry.path, { encoding: 'buffer' }) : childPath(realFolder!, bytes);
      return { entry, identity: Buffer.from(real).toString('latin1') };
    }),
  );
  return identified.sort((a, b) => compareStrings(a.entry.name, b.entry.name));
}

/**
 * The path of `name` in `folder`: a string when the name is UTF-8 (and the folder a string), else bytes, which
 * open the file whatever the name's encoding.
 */
function childPath(folder: FilePath, name: Buffer): FilePath {
  const text = name.toString('utf8');
  if (typeof folder === 'string' && Buffer.from(text).equals(name)) return join(folder, text);
  const base = typeof folder === 'string' ? Buffer.from(folder) : folder;
  return Buffer.concat([base, base.at(-1) === SEPARATOR ? Buffer.alloc(0) : Buffer.from(sep), name]);
}
