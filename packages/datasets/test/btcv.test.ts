import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTCV_CLASSES, btcvDataset, isVolumeDataset } from '../src/index.js';
import { contextAt, temporaryFolder, writeText } from './fixtures.js';
import { voxelValues, writeNifti } from '../src/volume/nifti-writer.js';

const DIMS: [number, number, number] = [2, 2, 3];

/** BTCV as the UNETR/MONAI preparation lays it out: imagesTr/img000N.nii.gz ↔ labelsTr/label000N.nii.gz. */
async function btcvFolder(count = 4): Promise<string> {
  const root = await temporaryFolder();
  for (let volume = 1; volume <= count; volume++) {
    const name = String(volume).padStart(4, '0');
    // HU −2000 at (0, 0), 1000 at (1, 1), 10·volume elsewhere: the clamp to [−1024, 600] shows on both ends.
    const image = voxelValues(DIMS, (i, j) => (i === 0 && j === 0 ? -2000 : i === 1 && j === 1 ? 1000 : 10 * volume));
    // Organ `volume` at (0, 1) of slice k = 1 only.
    const label = voxelValues(DIMS, (i, j, k) => (k === 1 && i === 0 && j === 1 ? volume : 0));
    await writeNifti(join(root, 'imagesTr', `img${name}.nii.gz`), { datatype: 'int16', dims: DIMS, values: image });
    await writeNifti(join(root, 'labelsTr', `label${name}.nii.gz`), { datatype: 'uint8', dims: DIMS, values: label });
  }
  return root;
}

describe('btcv', () => {
  it('slices every volume along the last axis; every second volume (sorted) is reported as TEST', async () => {
    const root = await btcvFolder();
    const dataset = await btcvDataset.create({ root }, contextAt('/'));
    expect(dataset).toMatchObject({ name: 'btcv', task: 'segmentation', skipped: [] });
    expect(dataset.classes).toEqual([...BTCV_CLASSES]);
    expect(dataset.classes).toHaveLength(14);
    expect(dataset.items.slice(0, 4)).toEqual([
      { id: 'imagesTr/img0001.nii.gz#k=0', split: 'train', volume: 'imagesTr/img0001.nii.gz', source: join(root, 'imagesTr/img0001.nii.gz#k=0') },
      { id: 'imagesTr/img0001.nii.gz#k=1', split: 'train', volume: 'imagesTr/img0001.nii.gz', source: join(root, 'imagesTr/img0001.nii.gz#k=1') },
      { id: 'imagesTr/img0001.nii.gz#k=2', split: 'train', volume: 'imagesTr/img0001.nii.gz', source: join(root, 'imagesTr/img0001.nii.gz#k=2') },
      { id: 'imagesTr/img0002.nii.gz#k=0', split: 'test', volume: 'imagesTr/img0002.nii.gz', source: join(root, 'imagesTr/img0002.nii.gz#k=0') },
    ]);
    const splitOf = Object.fromEntries(dataset.items.map((item) => [item.volume, item.split]));
    expect(splitOf).toEqual({
      'imagesTr/img0001.nii.gz': 'train', 'imagesTr/img0002.nii.gz': 'test', 'imagesTr/img0003.nii.gz': 'train', 'imagesTr/img0004.nii.gz': 'test',
    });
    expect(dataset.notes.join('\n')).toMatch(/reported here as TEST \(VAL-as-test\)/);
    expect(dataset.notes.join('\n')).toMatch(/TRAIN 6 \/ VAL 0 \/ TEST 6 slices of 4 volumes/);
  });

  it('clamps to [−1024, 600] HU by default and gives label maps of the slice size', async () => {
    const root = await btcvFolder(2);
    const dataset = await btcvDataset.create({ root }, contextAt('/'));
    const item = dataset.items.find((candidate) => candidate.id === 'imagesTr/img0002.nii.gz#k=1')!;
    // Rows i, columns j: (0,0) −2000 → −1024; (0,1) 20; (1,0) 20; (1,1) 1000 → 600.
    const image = await dataset.open(item);
    expect(image).toMatchObject({ width: 2, height: 2, channels: 1, range: { min: -1024, max: 600 } });
    expect(Array.from(image.data)).toEqual([-1024, 20, 20, 600]);
    expect(await dataset.openMask!(item)).toEqual({ width: 2, height: 2, data: Uint8Array.from([0, 2, 0, 0]) });
    const raw = await btcvDataset.create({ root, window: 'none' }, contextAt('/'));
    expect(Array.from((await raw.open(item)).data)).toEqual([-2000, 20, 20, 1000]);
  });

  it('keys content by file, slice, orientation and intensity settings', async () => {
    const root = await btcvFolder(2);
    const study = await btcvDataset.create({ root }, contextAt('/'));
    const again = await btcvDataset.create({ root }, contextAt('/'));
    const lung = await btcvDataset.create({ root, window: 'lung' }, contextAt('/'));
    const ras = await btcvDataset.create({ root, orientation: 'RAS' }, contextAt('/'));
    const [first, second] = study.items;
    const key = await study.contentKey(first);
    expect(await again.contentKey(first)).toBe(key);
    expect(await study.contentKey(second)).not.toBe(key);
    expect(await lung.contentKey(first)).not.toBe(key);
    // The fixture has no transform, so RAS slices carry x/y/z names and a different key.
    expect(await ras.contentKey(ras.items[0])).not.toBe(key);
  });

  it('keeps only slices with foreground on request, and exposes the geometry of each slice', async () => {
    const root = await btcvFolder(2);
    const dataset = await btcvDataset.create({ root, slices: 'foreground' }, contextAt('/'));
    expect(dataset.items.map((item) => item.id)).toEqual(['imagesTr/img0001.nii.gz#k=1', 'imagesTr/img0002.nii.gz#k=1']);
    expect(isVolumeDataset(dataset)).toBe(true);
    if (!isVolumeDataset(dataset)) return;
    const geometry = await dataset.geometry(dataset.items[0]);
    expect(geometry).toMatchObject({ axis: 2, index: 1, volume: { dims: DIMS, affineSource: 'pixdim' }, grid: { orientation: 'file' } });
  });

  it('reports a missing label map, and refuses image and label maps on different grids naming both files', async () => {
    const root = await btcvFolder(3);
    await rm(join(root, 'labelsTr', 'label0003.nii.gz'));
    const skipping = await btcvDataset.create({ root, onBadItem: 'skip' }, contextAt('/'));
    expect(skipping.skipped).toEqual([{ source: join(root, 'imagesTr/img0003.nii.gz'), reason: `no label map ${join(root, 'labelsTr/label0003.nii.gz')}` }]);
    await writeNifti(join(root, 'labelsTr', 'label0003.nii.gz'), { datatype: 'uint8', dims: [2, 2, 4], values: new Array(16).fill(0) });
    await writeText(join(root, 'imagesTr', 'README.txt'), 'notes');
    await expect(btcvDataset.create({ root }, contextAt('/'))).rejects.toThrow(
      new RegExp(`2 bad items .*first: ${join(root, 'imagesTr/README.txt')}: not a NIfTI file`),
    );
    const skipped = (await btcvDataset.create({ root, onBadItem: 'skip' }, contextAt('/'))).skipped;
    expect(skipped[1]).toEqual({
      source: join(root, 'imagesTr/img0003.nii.gz'),
      reason: `image and label map ${join(root, 'labelsTr/label0003.nii.gz')} are on different grids: dims 2×2×3 vs 2×2×4`,
    });
  });

  it('refuses a label map whose values are not BTCV classes, naming the file, the value and where it is (a dataset error, whatever onBadItem)', async () => {
    const root = await btcvFolder(2);
    // An atlas under the BTCV layout: region codes far above BTCV's 13 organs, the largest 9170.
    const atlas = voxelValues(DIMS, (i, j, k) => (k === 2 && i === 1 && j === 0 ? 9170 : k === 1 && i === 0 && j === 1 ? 2001 : 0));
    await writeNifti(join(root, 'labelsTr', 'label0002.nii.gz'), { datatype: 'int16', dims: DIMS, values: atlas });
    const label = join(root, 'labelsTr/label0002.nii.gz');
    for (const onBadItem of ['fail', 'skip'] as const) {
      await expect(btcvDataset.create({ root, onBadItem }, contextAt('/'))).rejects.toThrow(
        `dataset "btcv": ${label}: label value 2001 at voxel (0, 1, 1) is not one of the 14 classes of btcv (0 background … 13 left adrenal gland); the largest value is 9170`,
      );
    }
    // The same with only slices that have foreground, which reads the label maps anyway.
    await expect(btcvDataset.create({ root, slices: 'foreground' }, contextAt('/'))).rejects.toThrow(`${label}: label value 2001`);
    // Fractional labels are not class indices either.
    await writeNifti(join(root, 'labelsTr', 'label0002.nii.gz'), { datatype: 'float32', dims: DIMS, values: voxelValues(DIMS, (i) => (i === 1 ? 0.5 : 0)) });
    await expect(btcvDataset.create({ root }, contextAt('/'))).rejects.toThrow(`${label}: label value 0.5 at voxel (1, 0, 0) is not one of the 14 classes`);
  });
});
