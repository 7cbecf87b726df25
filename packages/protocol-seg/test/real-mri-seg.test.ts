import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@radprobe/core';
import { msdDataset, readNiftiFile, writeNifti, type NiftiVolume } from '@radprobe/datasets';
import { fetchMricronData } from '@radprobe/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSegEvaluation, trivialBaselines } from './seg-run.js';

/**
 * Issue 5's real-data check: axial slices of the Colin27 T1 MRI (`ch2.nii.gz`) labelled by the AAL atlas grouped into
 * four classes, through the msd loader and the whole seg protocol. The MSD loader splits by volume, so the one head is
 * cut into six interleaved volumes (volume v holds slices Z0 + STRIDE·(v + 6k)): each spans the whole brain, and the
 * by-volume split gives TRAIN 3 / VAL 1 / TEST 2 (Hippocampus's shares of six).
 */
const VOLUMES = 6;
const SLICES_PER_VOLUME = 8;
const Z0 = 10;
const STRIDE = 3;
const CLASSES = ['background', 'left cerebrum', 'right cerebrum', 'cerebellum'];
const TASK = 'Task99_Colin27AAL';

/** AAL 1–90 are cerebral regions, odd on the left and even on the right; 91–116 are the cerebellum and vermis. */
function groupedClass(aal: number): number {
  if (aal === 0) return 0;
  if (aal >= 91) return 3;
  return aal % 2 === 1 ? 1 : 2;
}

/** Slices `Z0 + STRIDE·(volume + VOLUMES·k)` of `source`, as a stack of the same in-plane grid with the matching affine. */
async function writeInterleavedVolume(path: string, source: NiftiVolume, volume: number, value: (stored: number) => number): Promise<void> {
  const [ni, nj] = source.geometry.dims;
  const plane = ni * nj;
  const slices = Array.from({ length: SLICES_PER_VOLUME }, (_, k) => Z0 + STRIDE * (volume + VOLUMES * k));
  const values = slices.flatMap((z) => Array.from(source.voxels.subarray(z * plane, (z + 1) * plane), value));
  const [rowX, rowY, rowZ] = source.geometry.affine;
  const step = STRIDE * VOLUMES;
  // Voxel k of the stack is source voxel z = slices[0] + step·k: scale the k column and move the origin to slices[0].
  const rowAt = (row: number[]) => [row[0], row[1], row[2] * step, row[3] + row[2] * slices[0]];
  await writeNifti(path, {
    dims: [ni, nj, SLICES_PER_VOLUME],
    datatype: 'uint8',
    values,
    pixdim: [1, source.geometry.voxelSizes[0], source.geometry.voxelSizes[1], source.geometry.voxelSizes[2] * step],
    sform: { code: 4, rows: [rowAt(rowX), rowAt(rowY), rowAt(rowZ)] },
  });
}

describe('seg protocol on real MRI: Colin27 ch2 slices with AAL regions grouped into four classes', () => {
  let dir: string;
  beforeAll(async () => {
    const templates = await fetchMricronData();
    dir = await mkdtemp(join(tmpdir(), 'radprobe-seg-mri-'));
    const [ch2, aal] = await Promise.all([readNiftiFile(join(templates, 'ch2.nii.gz')), readNiftiFile(join(templates, 'aal.nii.gz'))]);
    const task = join(dir, TASK);
    for (let volume = 0; volume < VOLUMES; volume++) {
      await writeInterleavedVolume(join(task, 'imagesTr', `colin27_${volume}.nii.gz`), ch2, volume, (stored) => stored);
      await writeInterleavedVolume(join(task, 'labelsTr', `colin27_${volume}.nii.gz`), aal, volume, groupedClass);
    }
    await writeFileAtomic(join(task, 'dataset.json'), JSON.stringify({ name: 'Colin27 AAL', modality: { 0: 'MRI' }, labels: Object.fromEntries(CLASSES.map((name, index) => [String(index), name])) }));
  }, 600_000);

  it('reaches a macro Dice above the TRAIN majority-class map, with per-class Dice for the three regions', async () => {
    const { results } = await runSegEvaluation(dir, {
      side: 112,
      dataset: { kind: 'msd', name: 'colin27', root: TASK },
      protocols: [{ kind: 'seg', name: 'seg-linear', decoders: ['linear'], loss: 'dice+ce', epochs: 60, batchSize: 8, microBatchSize: 8, learningRates: [5e-2, 1e-1], writeMasks: 0 }],
    });
    const [cell] = results.cells;
    expect(cell.status, cell.reason).toBe('completed');
    const [testRow] = cell.result!.rows;
    expect(testRow.split).toBe('test');
    // The baseline is scored at the label maps' own 181×217 grid, the protocol at the 112×112 input.
    const dataset = await msdDataset.create({ root: join(dir, TASK) }, { baseDir: '/', log: () => {} });
    const { majority: baseline } = await trivialBaselines(dataset);
    const slices: Record<string, number> = {};
    for (const item of dataset.items) slices[item.split] = (slices[item.split] ?? 0) + 1;
    // Six volumes of eight slices: TEST 2 and VAL 1 volumes (round(6·80/260), round(6·60/260)), TRAIN the other 3.
    expect(slices).toEqual({ train: 24, val: 8, test: 16 });
    const dice = testRow.metrics.dice;
    console.log(`real MRI Dice: linear ${dice.value.toFixed(3)} (per class ${JSON.stringify(dice.perClass)}), TRAIN-majority baseline ${baseline.toFixed(3)}`);
    expect(Object.keys(dice.perClass!)).toEqual(CLASSES.slice(1));
    expect(dice.ci?.unit).toBe('volume');
    expect(dice.value).toBeGreaterThan(baseline + 0.05);
  }, 120_000);
});
