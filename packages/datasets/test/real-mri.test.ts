import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fetchMricronData } from '@radprobe/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { btcvDataset, extractSlice, msdDataset, readNiftiFile, readNiftiGeometry, sliceGrid, writeNifti, type NiftiVolume } from '../src/index.js';
import { contextAt, temporaryFolder, writeText } from './fixtures.js';

/** `mricron-data`'s templates folder: ch2.nii.gz (Colin27 T1 MRI) and aal.nii.gz (the AAL atlas), fetched with apt. */
let templates: string;

/** The NIfTI-1 header fields, read straight from the inflated bytes at the standard's offsets (little-endian file). */
async function headerByHand(file: string) {
  const bytes = gunzipSync(await readFile(file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, 352);
  const floats = (at: number, count: number) => Array.from({ length: count }, (_, index) => view.getFloat32(at + index * 4, true));
  return {
    sizeofHdr: view.getInt32(0, true),
    dims: Array.from({ length: 8 }, (_, index) => view.getInt16(40 + index * 2, true)),
    datatype: view.getInt16(70, true),
    pixdim: floats(76, 8),
    voxOffset: view.getFloat32(108, true),
    slope: view.getFloat32(112, true),
    qformCode: view.getInt16(252, true),
    sformCode: view.getInt16(254, true),
    srow: [floats(280, 4), floats(296, 4), floats(312, 4)],
    magic: new TextDecoder().decode(bytes.subarray(344, 347)),
    voxels: bytes.subarray(view.getFloat32(108, true)),
  };
}

function range(volume: NiftiVolume): { min: number; max: number; distinct: number } {
  let min = Infinity;
  let max = -Infinity;
  const seen = new Set<number>();
  for (const value of volume.voxels) {
    if (value < min) min = value;
    if (value > max) max = value;
    seen.add(value);
  }
  return { min, max, distinct: seen.size };
}

describe('real MRI: Colin27 ch2 and the AAL atlas from mricron-data', () => {
  beforeAll(async () => {
    templates = await fetchMricronData();
  }, 600_000);

  it('reads the geometry the header holds (checked against a hand parse of the 348-byte header)', async () => {
    for (const name of ['ch2.nii.gz', 'aal.nii.gz']) {
      const file = join(templates, name);
      const hand = await headerByHand(file);
      expect(hand).toMatchObject({ sizeofHdr: 348, magic: 'n+1', datatype: 2, voxOffset: 352, qformCode: 0, sformCode: 4 });
      expect(hand.dims.slice(0, 4)).toEqual([3, 181, 217, 181]);
      const geometry = await readNiftiGeometry(file);
      expect(geometry).toMatchObject({ niftiVersion: 1, datatype: 'uint8', littleEndian: true, affineSource: 'sform', sformCode: 4, orientation: 'RAS', scale: null });
      expect(geometry.dims).toEqual(hand.dims.slice(1, 4));
      expect(geometry.voxelSizes).toEqual(hand.pixdim.slice(1, 4));
      expect(geometry.voxelSizes).toEqual([1, 1, 1]);
      expect(geometry.affine).toEqual([...hand.srow, [0, 0, 0, 1]]);
      // MNI 1 mm grid: voxel (0, 0, 0) at (−90, −125, −71) mm.
      expect(geometry.affine).toEqual([[1, 0, 0, -90], [0, 1, 0, -125], [0, 0, 1, -71], [0, 0, 0, 1]]);
    }
  });

  it('decodes the voxels byte for byte, with the value ranges of a T1 image and a 116-region label map', async () => {
    const ch2 = await readNiftiFile(join(templates, 'ch2.nii.gz'));
    const aal = await readNiftiFile(join(templates, 'aal.nii.gz'));
    expect(Buffer.from(ch2.voxels.buffer).equals((await headerByHand(join(templates, 'ch2.nii.gz'))).voxels)).toBe(true);
    expect(Buffer.from(aal.voxels.buffer).equals((await headerByHand(join(templates, 'aal.nii.gz'))).voxels)).toBe(true);
    // Ranges as NumPy reports them for these files: ch2 0..254 (249 distinct values); aal 0..116, all 117 present.
    expect(range(ch2)).toEqual({ min: 0, max: 254, distinct: 249 });
    expect(range(aal)).toEqual({ min: 0, max: 116, distinct: 117 });
    const names = (await readFile(join(templates, 'aal.nii.txt'), 'utf8')).split(/\r?\n/).filter((line) => line.trim() !== '');
    expect(names).toHaveLength(116);
    expect(names[0]).toMatch(/^1 Precentral_L\b/);
  });

  it('slices image and label map identically: the same grid, labels only inside the head', async () => {
    const ch2 = await readNiftiFile(join(templates, 'ch2.nii.gz'));
    const aal = await readNiftiFile(join(templates, 'aal.nii.gz'));
    const image = extractSlice(ch2, sliceGrid(ch2.geometry, 'file'), 2, 90, 'ch2#k=90');
    const labels = extractSlice(aal, sliceGrid(aal.geometry, 'file'), 2, 90, 'aal#k=90');
    // NumPy on the files: volume[:, :, 90] is 181×217; ch2 sums to 2,326,396 over 28,360 non-zero voxels, aal has
    // 13,116 labelled voxels summing to 549,782; ch2 at (90, 108, 90) is 33.
    expect([image.height, image.width, labels.height, labels.width]).toEqual([181, 217, 181, 217]);
    const sum = (values: Float32Array) => values.reduce((total, value) => total + value, 0);
    const nonZero = (values: Float32Array) => values.filter((value) => value !== 0).length;
    expect([sum(image.values), nonZero(image.values), sum(labels.values), nonZero(labels.values)]).toEqual([2326396, 28360, 549782, 13116]);
    expect(image.values[90 * 217 + 108]).toBe(33);
    expect(labels.values.every((label, pixel) => label === 0 || image.values[pixel] > 0)).toBe(true);
  });

  it('becomes aligned segmentation items through the Decathlon layout, in file order and reoriented to RAS', async () => {
    const root = join(await temporaryFolder(), 'Task99_AAL');
    await mkdir(join(root, 'imagesTr'), { recursive: true });
    await mkdir(join(root, 'labelsTr'), { recursive: true });
    await symlink(join(templates, 'ch2.nii.gz'), join(root, 'imagesTr', 'colin27.nii.gz'));
    await symlink(join(templates, 'aal.nii.gz'), join(root, 'labelsTr', 'colin27.nii.gz'));
    const regions = (await readFile(join(templates, 'aal.nii.txt'), 'utf8')).split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => line.split(/\s+/));
    const labels = Object.fromEntries([['0', 'background'], ...regions.map(([value, name]) => [value, name])]);
    await writeText(join(root, 'dataset.json'), JSON.stringify({ name: 'AAL', modality: { 0: 'MRI' }, labels }));
    for (const orientation of ['file', 'RAS'] as const) {
      const dataset = await msdDataset.create({ root, orientation, clip: 'none' }, contextAt('/'));
      expect(dataset.classes).toHaveLength(117);
      expect(dataset.items).toHaveLength(181);
      const item = dataset.items[90];
      expect(item.volume).toBe('imagesTr/colin27.nii.gz');
      const [image, mask] = [await dataset.open(item), await dataset.openMask!(item)];
      expect([image.width, image.height]).toEqual([mask.width, mask.height]);
      // The grid is already RAS, so both orientations cut the same slice.
      expect(Array.from(mask.data).reduce((total, value) => total + value, 0)).toBe(549782);
      expect(Array.from(mask.data).every((label, pixel) => label === 0 || image.data[pixel] > 0)).toBe(true);
    }
  });

  it('refuses the AAL atlas under the BTCV layout: its region codes are not BTCV classes (issue 13)', async () => {
    const root = await temporaryFolder();
    await mkdir(join(root, 'imagesTr'), { recursive: true });
    await mkdir(join(root, 'labelsTr'), { recursive: true });
    await symlink(join(templates, 'ch2.nii.gz'), join(root, 'imagesTr', 'img0001.nii.gz'));
    // AAL as SPM ships it: region codes 2001 … 9170 (aal.nii.txt's third column) where mricron numbers 1 … 116.
    const aal = await readNiftiFile(join(templates, 'aal.nii.gz'));
    const codes = [0, ...(await readFile(join(templates, 'aal.nii.txt'), 'utf8')).split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => Number(line.split(/\s+/)[2]))];
    expect(codes.at(-1)).toBe(9170);
    const label = join(root, 'labelsTr', 'label0001.nii.gz');
    const rows = aal.geometry.affine.slice(0, 3) as [number[], number[], number[]];
    await writeNifti(label, { datatype: 'int16', dims: aal.geometry.dims, values: Int16Array.from(aal.voxels, (value) => codes[value]), sform: { code: 4, rows } });
    const refusal = new RegExp(`^dataset "btcv": ${label}: label value \\d+ at voxel \\(\\d+, \\d+, \\d+\\) is not one of the 14 classes of btcv \\(0 background … 13 left adrenal gland\\); the largest value is 9170$`);
    await expect(btcvDataset.create({ root, onBadItem: 'skip' }, contextAt('/'))).rejects.toThrow(refusal);
    // mricron's own numbering is refused the same way.
    await writeNifti(label, { datatype: 'uint8', dims: aal.geometry.dims, values: aal.voxels, sform: { code: 4, rows } });
    await expect(btcvDataset.create({ root }, contextAt('/'))).rejects.toThrow(/is not one of the 14 classes of btcv .*; the largest value is 116$/);
  });
});
