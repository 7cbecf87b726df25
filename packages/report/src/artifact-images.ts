import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { RadprobeError, errorMessage, type RunResults } from '@radprobe/core';

/** At most this many images per cell are embedded: the report shows "a few", the rest stay on disk. */
export const IMAGES_PER_CELL = 4;
/** An image larger than this stays on disk (named in the report), so that report.html stays small. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** One artifact image for the page: its bytes as a data: URL, or why it is not shown. */
export type ArtifactImage = { dataUrl: string } | { problem: string };

/** By artifact `file` (relative to the run folder, as in results.json). */
export type ArtifactImages = ReadonlyMap<string, ArtifactImage>;

/** The PNG artifacts of a cell that the report embeds: the first IMAGES_PER_CELL of them. */
export function embeddedArtifacts<T extends { mediaType: string }>(artifacts: readonly T[] | undefined): T[] {
  return (artifacts ?? []).filter((artifact) => artifact.mediaType === 'image/png').slice(0, IMAGES_PER_CELL);
}

/**
 * The path of `file` (relative, `/`-separated) inside `dir`, refusing one that would lead outside it; `where` names
 * the file and pointer that held it, `folder` what `dir` is, for the message.
 */
export function pathInside(dir: string, file: string, where: { name: string; pointer: string; folder: string }): string {
  const path = join(dir, ...file.split('/'));
  const inside = relative(dir, path);
  if (isAbsolute(file) || file.includes('\\') || inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    throw new RadprobeError(`${where.name} ${where.pointer} = ${JSON.stringify(file)} must be a path inside the ${where.folder}`, { pointer: where.pointer });
  }
  return path;
}

/** A PNG file as a data: URL, or why it cannot be shown (missing, unreadable, too large, not a PNG). */
export async function readPngImage(path: string): Promise<ArtifactImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return { problem: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing from the run folder' : `cannot be read (${errorMessage(error)})` };
  }
  if (bytes.length > MAX_IMAGE_BYTES) return { problem: `is ${bytes.length} bytes, over the ${MAX_IMAGE_BYTES} the report embeds` };
  if (bytes.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((byte, i) => bytes[i] !== byte)) return { problem: 'is not a PNG file' };
  return { dataUrl: `data:image/png;base64,${bytes.toString('base64')}` };
}

/**
 * Reads the PNG artifacts the report shows (the first few of each completed cell) from the run folder `dir`, so
 * that report.html carries them inline and stays one offline file. A missing or unreadable file becomes a
 * `problem` the page names instead of the image; a `file` that leads outside `dir` is an error.
 */
export async function readArtifactImages(dir: string, results: RunResults): Promise<ArtifactImages> {
  const images = new Map<string, ArtifactImage>();
  for (const [c, cell] of results.cells.entries()) {
    if (cell.status !== 'completed') continue;
    for (const artifact of embeddedArtifacts(cell.artifacts)) {
      const a = cell.artifacts!.indexOf(artifact);
      images.set(artifact.file, await readPngImage(pathInside(dir, artifact.file, { name: 'results.json', pointer: `/cells/${c}/artifacts/${a}/file`, folder: 'run folder' })));
    }
  }
  return images;
}
