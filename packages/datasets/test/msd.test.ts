import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { msdDataset } from '../src/index.js';
import { contextAt, temporaryFolder, writeText } from './fixtures.js';
import { writeNifti } from '../src/volume/nifti-writer.js';

/** A Decathlon task folder as the MSD tarballs unpack, including the macOS `._` copies they ship. */
async function taskFolder(task: string, labels: Record<string, string>, prefix: string, count: number, modality = 'MRI'): Promise<string> {
  const parent = await temporaryFolder();
  const root = join(parent, task);
  await writeText(join(root, 'dataset.json'), JSON.stringify({ name: task, modality: { 0: modality }, labels, numTraining: count }));
  for (let id = 1; id <= count; id++) {
    const name = `${prefix}_${String(id).padStart(3, '0')}.nii.gz`;
    // 20 voxels 1..20 in one slice (dims 4×5×1), so per-slice percentiles are hand-computable.
    await writeNifti(join(root, 'imagesTr', name), { datatype: 'float32', dims: [4, 5, 1], values: Array.from({ length: 20 }, (_, index) => index + 1) });
    await writeNifti(join(root, 'labelsTr', name), { datatype: 'uint8', dims: [4, 5, 1], values: Array.from({ length: 20 }, (_, index) => index % Object.keys(labels).length) });
    await writeText(join(root, 'imagesTr', `._${name}`), 'AppleDouble');
  }
  return parent;
}

describe('msd', () => {
  it('Hippocampus: classes and modality from dataset.json, proportional split for another volume count, [p5, p95] clip', async () => {
    const parent = await taskFolder('Task04_Hippocampus', { 0: 'background', 1: 'Anterior', 2: 'Posterior' }, 'hippocampus', 10);
    const dataset = await msdDataset.create({ root: parent, task: 'Task04_Hippocampus' }, contextAt('/'));
    expect(dataset).toMatchObject({ task: 'segmentation', classes: ['background', 'Anterior', 'Posterior'], skipped: [] });
    // 10 volumes: TEST round(10·80/260) = 3 at round([0, 3.33, 6.67]) = 0, 3, 7; VAL round(10·60/260) = 2 of the
    // remaining 7 (volumes 2, 3, 5, 6, 7, 9, 10) at round([0, 3.5]) = 0, 4 (half to even) → volumes 2 and 7.
    const byVolume = Object.fromEntries(dataset.items.map((item) => [item.volume!.slice('imagesTr/hippocampus_'.length, -'.nii.gz'.length), item.split]));
    expect(byVolume).toEqual({ '001': 'test', '002': 'val', '003': 'train', '004': 'test', '005': 'train', '006': 'train', '007': 'val', '008': 'test', '009': 'train', '010': 'train' });
    expect(dataset.notes.join('\n')).toMatch(/Task04_Hippocampus has 10 labelled volumes; TEST 3 \/ VAL 2 in proportion/);
    expect(dataset.notes.join('\n')).toMatch(/modality MRI/);
    // Values 1..20: p5 = 1.95, p95 = 19.05 (h = 19·0.05 = 0.95 and 18.05).
    const image = await dataset.open(dataset.items[0]);
    expect(image).toMatchObject({ width: 5, height: 4 });
    expect(image.data[0]).toBeCloseTo(1.95, 5);
    expect(image.data[19]).toBeCloseTo(19.05, 5);
    // Rows i (4), columns j (5): pixel 1 is voxel (i 0, j 1), the 5th stored value.
    expect(image.data[1]).toBe(5);
    expect(await dataset.openMask!(dataset.items[0])).toMatchObject({ width: 5, height: 4 });
  });

  it('Spleen with its published 41 volumes gets the study split TEST 15 / VAL 10; root may be the task folder itself', async () => {
    const parent = await taskFolder('Task09_Spleen', { 0: 'background', 1: 'spleen' }, 'spleen', 41, 'CT');
    const dataset = await msdDataset.create({ root: join(parent, 'Task09_Spleen'), clip: 'none' }, contextAt('/'));
    const volumes = (split: string) => new Set(dataset.items.filter((item) => item.split === split).map((item) => item.volume)).size;
    expect([volumes('test'), volumes('val'), volumes('train')]).toEqual([15, 10, 16]);
    expect(dataset.notes.join('\n')).not.toMatch(/in proportion/);
    expect(Array.from((await dataset.open(dataset.items[0])).data).slice(0, 2)).toEqual([1, 5]);
  });

  it('Heart: picks in proportion and says so', async () => {
    const parent = await taskFolder('Task02_Heart', { 0: 'background', 1: 'left atrium' }, 'la', 20);
    const dataset = await msdDataset.create({ root: join(parent, 'Task02_Heart') }, contextAt('/'));
    // round(20·80/260) = 6, round(20·60/260) = 5.
    expect(dataset.notes.join('\n')).toMatch(/Task02_Heart has 20 labelled volumes; TEST 6 \/ VAL 5 in proportion to Task04_Hippocampus's 80 \/ 60 of 260/);
  });
});
