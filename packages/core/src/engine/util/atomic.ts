import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

/**
 * Writes a file so that readers (and a run killed at any instant) see either the old content or the whole new
 * content, never a part: write a temporary file beside the target, flush it to disk, then rename over.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * The name of the file a `writeFileAtomic` temporary was for (`.<name>.<pid>.<12 hex>.tmp`, left behind only by a
 * killed process), or null for any other name.
 */
export function atomicTemporaryTarget(name: string): string | null {
  return /^\.(.+)\.\d+\.[0-9a-f]{12}\.tmp$/.exec(name)?.[1] ?? null;
}
