import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@radprobe/core';
import { readNiftiFile, readNiftiGeometry, voxelValues, writeNifti, type NiftiContent } from '@radprobe/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSegEvaluation } from './seg-run.js';

const TASK = 'Task98_Blob';
const VOLUMES = 6;
const DIMS: [number, number, number] = [24, 30, 6];
/** qfac −1 and an sform that reverses i: the artifact must copy both exactly for viewers to overlay it. */
const TRANSFORM: Partial<NiftiContent> = {
  pixdim: [-1, 0.8, 0.7, 2.5],
  xyztUnits: 2,
  qform: { code: 1, quatern: [0, 0, 1], offset: [12, -40, 7.5] },
  sform: { code: 1, rows: [[-0.8, 0, 0, 12], [0, 0.7, 0, -40], [0, 0, 2.5, 7.5]] },
};

/** An off-centre ellipse (class 1) in every slice, shifted a little per volume and slice, so a misplaced slice would miss it. */
function inBlob(volume: number, i: number, j: number, k: number): boolean {
  const ci = 8 + (volume % 3);
  const cj = 19 + ((volume + k) % 3);
  return ((i - ci) / 6) ** 2 + ((j - cj) / 8) ** 2 <= 1;
}

describe('seg protocol on a volume dataset: predicted label volumes as NIfTI on the scan geometry', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'radprobe-seg-volume-'));
    const task = join(dir, TASK);
    for (let volume = 0; volume < VOLUMES; volume++) {
      const name = `scan_${String(volume + 1).padStart(3, '0')}.nii.gz`;
      // Bright blob on a darker, gently varying background (deterministic).
      const image = voxelValues(DIMS, (i, j, k) => (inBlob(volume, i, j, k) ? 800 : 200) + ((i * 7 + j * 13 + k * 5 + volume) % 11) * 10);
      await writeNifti(join(task, 'imagesTr', name), { datatype: 'int16', dims: DIMS, values: image, ...TRANSFORM });
      await writeNifti(join(task, 'labelsTr', name), { datatype: 'uint8', dims: DIMS, values: voxelValues(DIMS, (i, j, k) => (inBlob(volume, i, j, k) ? 1 : 0)), ...TRANSFORM });
    }
    await writeFileAtomic(join(task, 'dataset.json'), JSON.stringify({ name: 'Blob', modality: { 0: 'MRI' }, labels: { 0: 'background', 1: 'blob' } }));
  });

  it('writes the first TEST scan per decoder as a NIfTI with the image header transform, its foreground on the true blob', async () => {
    const { results, outputDir } = await runSegEvaluation(dir, {
      side: 56,
      dataset: { kind: 'msd', name: 'blob', root: TASK },
      protocols: [{ kind: 'seg', name: 'seg', decoders: ['linear'], loss: 'dice+ce', epochs: 40, batchSize: 6, microBatchSize: 6, learningRates: [1e-1], writeMasks: 1 }],
    });
    const [cell] = results.cells;
    expect(cell.status, cell.reason).toBe('completed');
    // Six volumes: TEST round(6·80/260) = 2 evenly spaced from the first (scans 1 and 4); the first TEST scan is written.
    const volumes = cell.artifacts!.filter((artifact) => artifact.mediaType === 'application/gzip');
    expect(volumes.map((artifact) => artifact.name)).toEqual(['linear-imagesTr_scan_001-pred.nii.gz']);
    expect(cell.artifacts!.filter((artifact) => artifact.mediaType === 'image/png')).toHaveLength(1);
    expect(cell.result!.notes.join('\n')).toMatch(/Predicted label volumes: the first 1 TEST scans per decoder as NIfTI/);

    const predicted = await readNiftiFile(join(outputDir, volumes[0].file));
    const image = await readNiftiGeometry(join(dir, TASK, 'imagesTr', 'scan_001.nii.gz'));
    expect(predicted.geometry).toMatchObject({ niftiVersion: 1, dims: DIMS, datatype: 'uint8', transform: image.transform, xyztUnits: 2, affine: image.affine });
    expect(image.transform.pixdim[0]).toBe(-1);

    const truth = voxelValues(DIMS, (i, j, k) => (inBlob(0, i, j, k) ? 1 : 0));
    let both = 0;
    let predictedCount = 0;
    let truthCount = 0;
    predicted.voxels.forEach((value, at) => {
      expect(value === 0 || value === 1).toBe(true);
      predictedCount += value;
      truthCount += truth[at];
      both += value * truth[at];
    });
    const dice = (2 * both) / (predictedCount + truthCount);
    console.log(`predicted volume: ${predictedCount} foreground voxels, truth ${truthCount}, overlap Dice ${dice.toFixed(3)}`);
    expect(dice).toBeGreaterThan(0.6);
  }, 120_000);
});
