import { join } from 'node:path';
import { RadprobeError } from '@radprobe/core';
import type { BadItems } from '../bad-items.js';
import type { FolderScan } from '../listing.js';

const NIFTI_SUFFIXES = ['.nii.gz', '.nii'];

/** A labelled volume found on disk, before it gets a split. */
export interface FoundVolume {
  /** The image's path relative to the root, e.g. `imagesTr/img0001.nii.gz`. */
  id: string;
  image: string;
  label: string;
}

/**
 * Pairs the NIfTI files of `<root>/<images>` with their label maps in `<root>/<labels>`: the same file name, or
 * `labelName(name)` where a publisher renames (BTCV: `img0001` → `label0001`). Hidden files (macOS `._*` copies
 * in the Decathlon archives) are ignored; other non-NIfTI files, images without a label map and label maps without
 * an image are bad items. Sorted by file name.
 */
export async function pairVolumes(
  root: string,
  folders: { images: string; labels: string },
  bad: BadItems,
  scan: FolderScan,
  labelName: (imageName: string) => string = (name) => name,
): Promise<FoundVolume[]> {
  const images = await niftiFiles(root, folders.images, bad, scan, true);
  const labels = new Set(await niftiFiles(root, folders.labels, bad, scan, false));
  const volumes: FoundVolume[] = [];
  const used = new Set<string>();
  for (const name of images) {
    const image = join(root, folders.images, name);
    const labelFile = labelName(name);
    if (!labels.has(labelFile)) {
      bad.add(image, `no label map ${join(root, folders.labels, labelFile)}`);
      continue;
    }
    used.add(labelFile);
    volumes.push({ id: `${folders.images}/${name}`, image, label: join(root, folders.labels, labelFile) });
  }
  for (const name of labels) if (!used.has(name)) bad.add(join(root, folders.labels, name), `label map without an image in ${join(root, folders.images)}`);
  return volumes;
}

async function niftiFiles(root: string, folder: string, bad: BadItems, scan: FolderScan, required: boolean): Promise<string[]> {
  const path = join(root, folder);
  const entries = await scan.entries(path).catch((error: unknown) => {
    throw new RadprobeError(`option "root": ${root} has no readable ${folder}/ folder`, { file: path, pointer: '/root', cause: error });
  });
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isFile && NIFTI_SUFFIXES.some((suffix) => entry.name.endsWith(suffix))) names.push(entry.name);
    else bad.add(entry.source, `not a NIfTI file (${NIFTI_SUFFIXES.join(', ')})`);
  }
  if (required && names.length === 0) throw new RadprobeError(`option "root": ${path} holds no NIfTI volumes`, { file: path, pointer: '/root' });
  return names;
}
