import { join } from 'node:path';
import type { ArtifactFile, ResultArtifact } from '../../contracts/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { RadprobeError } from '../util/errors.js';

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;
const KEPT_BYTE = /[A-Za-z0-9._-]/;

type CellNames = { backbone: string; dataset: string; protocol: string };

/**
 * A folder name made of an entry name, collision-free and reversible (`decodeURIComponent` gives the name back):
 * each UTF-8 byte outside letters, digits, `.`, `_`, `-` becomes `%XX`, the escape character `%` included, and so
 * does a leading dot (no hidden folder, no `.` or `..`) and a trailing one (Windows drops it).
 */
function folderSegment(name: string): string {
  let segment = '';
  for (const byte of new TextEncoder().encode(name)) {
    const char = String.fromCharCode(byte);
    segment += byte < 0x80 && KEPT_BYTE.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return segment.replace(/^\./, '%2E').replace(/\.$/, '%2E');
}

/** `artifacts/<backbone>/<dataset>/<protocol>`, each segment encoded by `folderSegment`. */
function artifactFolder(cell: CellNames): string[] {
  return ['artifacts', folderSegment(cell.backbone), folderSegment(cell.dataset), folderSegment(cell.protocol)];
}

/**
 * Refuses entry names whose artifact folders would be one on a case-insensitive file system (macOS, Windows), so
 * that no cell ever writes over another's files. Names are unique within each list and `folderSegment` is
 * one-to-one, so only case can make two folders one.
 */
export function checkArtifactFolders(names: { backbones: string[]; datasets: string[]; protocols: string[] }): void {
  const parents = { backbones: ['artifacts'], datasets: ['artifacts', '<backbone>'], protocols: ['artifacts', '<backbone>', '<dataset>'] };
  for (const list of ['backbones', 'datasets', 'protocols'] as const) {
    const seen = new Map<string, string>();
    for (const name of names[list]) {
      const folded = folderSegment(name).toLowerCase();
      const other = seen.get(folded);
      if (other !== undefined) {
        const shared = [...parents[list], folded].join('/');
        throw new RadprobeError(
          `${list} "${other}" and "${name}" would share the artifact folder ${shared} on a case-insensitive file system (macOS, Windows): ` +
            'give them names that differ in more than case',
          { pointer: `/${list}` },
        );
      }
      seen.set(folded, name);
    }
  }
}

/** Checks the names of a protocol's artifacts: file names, unique within the cell. */
export function checkArtifactNames(artifacts: readonly ResultArtifact[]): void {
  const seen = new Set<string>();
  for (const artifact of artifacts) {
    if (!SAFE_NAME.test(artifact.name) || artifact.name === '.' || artifact.name === '..') {
      throw new RadprobeError(`artifact name "${artifact.name}" may contain only letters, digits, ".", "_" and "-"`);
    }
    if (seen.has(artifact.name)) throw new RadprobeError(`two artifacts are named "${artifact.name}"`);
    seen.add(artifact.name);
  }
}

/**
 * Writes a cell's artifacts (names checked by `checkArtifactNames`) under `<outputDir>/artifacts/<backbone>/<dataset>/<protocol>/`
 * and returns where, relative to `outputDir` (the folder of results.json).
 */
export async function writeArtifacts(outputDir: string, cell: CellNames, artifacts: readonly ResultArtifact[]): Promise<ArtifactFile[]> {
  const folder = artifactFolder(cell);
  const files: ArtifactFile[] = [];
  for (const artifact of artifacts) {
    await writeFileAtomic(join(outputDir, ...folder, artifact.name), artifact.data);
    files.push({ name: artifact.name, mediaType: artifact.mediaType, file: [...folder, artifact.name].join('/') });
  }
  return files;
}
