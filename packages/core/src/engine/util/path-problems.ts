import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readlink, rm, stat } from 'node:fs/promises';
import { dirname, parse, resolve, sep } from 'node:path';
import { RadprobeError } from './errors.js';

/** A folder the config names, for messages: its key and the file that sets it. */
export interface ConfiguredFolder {
  /** The config key (`output`, `cache`). */
  key: string;
  /** The config file. */
  file?: string;
}

/** Whether `error` is a failed file-system call (it has an errno code such as `ENOSPC`), not a bug or a user error. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return error instanceof Error && !(error instanceof RadprobeError) && typeof code === 'string' && code.startsWith('E');
}

/**
 * One line saying why `path` (a folder the config names, or one inside it) cannot be used, and what to do: the
 * file or dangling link in the way, the missing permission, the full disk. `error` is what the failed call threw.
 */
export async function folderError(error: NodeJS.ErrnoException, path: string, folder: ConfiguredFolder): Promise<RadprobeError> {
  const { problem, fix } = await describe(error, path);
  return new RadprobeError(`${path}: ${problem}; ${fix}, or set "${folder.key}" in the config to another folder`, {
    file: folder.file,
    pointer: `/${folder.key}`,
    cause: error,
  });
}

/**
 * Makes sure `dir` exists and takes new files, by creating and removing a probe file in it, so that a run finds out
 * before any work rather than after embedding every image. Throws `folderError`'s one line.
 */
export async function assertWritableFolder(dir: string, folder: ConfiguredFolder): Promise<void> {
  const probe = resolve(dir, `.radprobe-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await (await open(probe, 'wx')).close();
    await rm(probe);
  } catch (error) {
    await rm(probe, { force: true }).catch(() => undefined);
    if (!isFileSystemError(error)) throw error;
    throw await folderError(error, dir, folder);
  }
}

async function describe(error: NodeJS.ErrnoException, path: string): Promise<{ problem: string; fix: string }> {
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
      return { problem: 'permission denied', fix: 'make it writable' };
    case 'EROFS':
      return { problem: 'the file system is read-only', fix: 'use a writable disk' };
    case 'ENOSPC':
      return { problem: 'no space left on the device', fix: 'free space on its disk' };
    case 'EDQUOT':
      return { problem: 'the disk quota is exceeded', fix: 'free space within your quota' };
    default:
      return (await obstacleOn(path)) ?? { problem: error.message, fix: 'fix the path' };
  }
}

/**
 * The first thing on the way to `path` that is not a folder: a file, or a symbolic link whose target does not
 * exist (what `mkdir` reports only as ENOTDIR, ENOENT or EEXIST).
 */
async function obstacleOn(path: string): Promise<{ problem: string; fix: string } | null> {
  const absolute = resolve(path);
  const { root } = parse(absolute);
  const steps = absolute.slice(root.length).split(sep).filter(Boolean);
  for (let count = 1; count <= steps.length; count++) {
    const step = root + steps.slice(0, count).join(sep);
    // The path itself is named at the start of the message already.
    const subject = step === absolute ? 'it' : step;
    const entry = await lstat(step).catch(() => null);
    if (!entry) return null;
    if (entry.isSymbolicLink()) {
      const target = await readlink(step);
      const reached = await stat(step).catch(() => null);
      if (!reached) {
        const problem = `${subject} is a symbolic link to ${target}, which does not exist`;
        return { problem, fix: `create ${resolve(dirname(step), target)} or remove the link` };
      }
      if (!reached.isDirectory()) return { problem: `${subject} is a link to a file, not to a folder`, fix: 'remove the link' };
    } else if (!entry.isDirectory()) {
      return { problem: `${subject} is a file, not a folder`, fix: 'move the file away' };
    }
  }
  return null;
}
