import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { amosDataset } from '../src/index.js';
import { contextAt, temporaryFolder, writeText } from './fixtures.js';
import { voxelValues, writeNifti } from '../src/volume/nifti-writer.js';

const AMOS_LABELS = [
  'background', 'spleen', 'right kidney', 'left kidney', 'gall bladder', 'esophagus', 'liver', 'stomach', 'arota', 'postcava',
  'pancreas', 'right adrenal gland', 'left adrenal gland', 'duodenum', 'bladder', 'prostate/uterus',
];

/** AMOS 2022 as published: dataset.json (labels "0".."15"), imagesTr/labelsTr, imagesVa/labelsVa, amos_NNNN.nii.gz. */
async function amosFolder(training: number[], validation: number[]): Promise<string> {
  const root = await temporaryFolder();
  const labels = Object.fromEntries(AMOS_LABELS.map((name, value) => [String(value), name]));
  await writeText(join(root, 'dataset.json'), JSON.stringify({ name: 'AMOS', modality: { 0: 'CT' }, labels, numTraining: training.length }));
  for (const [folder, ids] of [['Tr', training], ['Va', validation]] as const) {
    for (const id of ids) {
      const name = `amos_${String(id).padStart(4, '0')}.nii.gz`;
      await writeNifti(join(root, `images${folder}`, name), { datatype: 'int16', dims: [2, 1, 2], values: [-3000, 3000, id, 0] });
      await writeNifti(join(root, `labels${folder}`, name), { datatype: 'uint8', dims: [2, 1, 2], values: voxelValues([2, 1, 2], (i, _j, k) => (k === 0 && i === 1 ? 15 : 0)) });
    }
  }
  return root;
}

describe('amos', () => {
  it('official VAL; TEST evenly spaced over the sorted training volumes; classes from dataset.json', async () => {
    const root = await amosFolder([1, 5, 9, 14, 20], [7, 30]);
    const dataset = await amosDataset.create({ root }, contextAt('/'));
    expect(dataset.task).toBe('segmentation');
    expect(dataset.classes).toEqual(AMOS_LABELS);
    const splitOf = Object.fromEntries(dataset.items.map((item) => [item.volume, item.split]));
    // 5 training volumes × 0.2 = 1 TEST volume at position ⌊0·5/1⌋ = 0.
    expect(splitOf).toEqual({
      'imagesTr/amos_0001.nii.gz': 'test', 'imagesTr/amos_0005.nii.gz': 'train', 'imagesTr/amos_0009.nii.gz': 'train',
      'imagesTr/amos_0014.nii.gz': 'train', 'imagesTr/amos_0020.nii.gz': 'train', 'imagesVa/amos_0007.nii.gz': 'val', 'imagesVa/amos_0030.nii.gz': 'val',
    });
    expect(dataset.notes.join('\n')).toMatch(/TEST = 1 of the 5 official training volumes \(evenly spaced/);
    // 2×1×2 volume sliced along k: rows i (2), one column; clamp to [−1024, 600].
    const item = dataset.items.find((candidate) => candidate.id === 'imagesVa/amos_0030.nii.gz#k=0')!;
    expect(Array.from((await dataset.open(item)).data)).toEqual([-1024, 600]);
    expect(await dataset.openMask!(item)).toEqual({ width: 1, height: 2, data: Uint8Array.from([0, 15]) });
  });

  it('testFraction changes the carve-out; a dataset.json without a background label is refused naming the pointer', async () => {
    const root = await amosFolder([1, 2, 3, 4], [5]);
    const half = await amosDataset.create({ root, testFraction: 0.5 }, contextAt('/'));
    // 2 of 4 at ⌊0⌋ = 0 and ⌊4/2⌋ = 2.
    expect([...new Set(half.items.filter((item) => item.split === 'test').map((item) => item.volume))]).toEqual(['imagesTr/amos_0001.nii.gz', 'imagesTr/amos_0003.nii.gz']);
    await writeText(join(root, 'dataset.json'), JSON.stringify({ labels: { 0: 'spleen', 1: 'liver' } }));
    await expect(amosDataset.create({ root }, contextAt('/'))).rejects.toThrow(/dataset\.json: \/labels\/0 is "spleen"; label 0 must be the background/);
    await writeText(join(root, 'dataset.json'), JSON.stringify({ labels: { 0: 'background', 2: 'liver' } }));
    await expect(amosDataset.create({ root }, contextAt('/'))).rejects.toThrow(/\/labels must name every value from 0 up \(1 is missing\)/);
  });
});
