import { execFile } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Downloads Debian's `mricron-data` with apt and unpacks it into a fresh temporary folder; returns the folder holding
 * its templates (`ch2.nii.gz`, the Colin27 T1 MRI, and `aal.nii.gz` + `aal.nii.txt`, the 116-region AAL atlas on the
 * same MNI grid). Real files nobody on the team made, fetched at test time so they are never committed.
 */
export async function fetchMricronData(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'radprobe-mricron-'));
  const download = () => run('apt-get', ['download', 'mricron-data'], { cwd: folder, timeout: 120_000 });
  try {
    try {
      await download();
    } catch {
      // A fresh machine has no package lists yet; refresh them once and retry.
      await run('apt-get', ['update'], { timeout: 300_000 });
      await download();
    }
  } catch (error) {
    throw new Error(
      `fetchMricronData: could not fetch Debian's mricron-data with "apt-get download mricron-data" (needs apt, a Debian/Ubuntu ` +
        `package source and root for "apt-get update"): ${(error as Error).message}`,
    );
  }
  const deb = (await readdir(folder)).find((name) => name.endsWith('.deb'));
  if (!deb) throw new Error(`fetchMricronData: apt-get download left no .deb in ${folder}`);
  await run('dpkg', ['-x', join(folder, deb), join(folder, 'root')]);
  return join(folder, 'root/usr/share/mricron/templates');
}
