import { join } from 'node:path';
import type { ArtifactFile, ResultArtifact } from '../../contracts/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { RadprobeError } from '../util/errors.js';

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

/** A folder name made of an entry name: anything outside letters, digits, `.`, `_`, `-` becomes `_`. */
function folderName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '.' || safe === '..' ? '_' : safe;
}

/**
 * Writes a cell's artifacts under `<outputDir>/artifacts/<backbone>/<dataset>/<protocol>/` and returns where, relative
 * to `outputDir` (the folder of results.json).
 */
export async function writeArtifacts(outputDir: string, cell: { backbone: string; dataset: string; protocol: string }, artifacts: readonly ResultArtifact[]): Promise<ArtifactFile[]> {
  const folder = ['artifacts', cell.backbone, cell.dataset, cell.protocol].map(folderName);
  const seen = new Set<string>();
  const files: ArtifactFile[] = [];
  for (const artifact of artifacts) {
    if (!SAFE_NAME.test(artifact.name) || artifact.name === '.' || artifact.name === '..') {
      throw new RadprobeError(`protocol ${cell.protocol}: artifact name "${artifact.name}" may contain only letters, digits, ".", "_" and "-"`);
    }
    if (seen.has(artifact.name)) throw new RadprobeError(`protocol ${cell.protocol}: two artifacts are named "${artifact.name}"`);
    seen.add(artifact.name);
    const file = [...folder, artifact.name].join('/');
    await writeFileAtomic(join(outputDir, ...folder, artifact.name), artifact.data);
    files.push({ name: artifact.name, mediaType: artifact.mediaType, file });
  }
  return files;
}
