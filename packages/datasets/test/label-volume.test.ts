import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { RadprobeError, type EncodedFile } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { btcvDataset, decodeNifti, encodeLabelVolumeFile, readNiftiGeometry, sliceGrid, type NiftiVolume, type SliceAxis, type VolumeDataset, type VolumeOrientation } from '../src/index.js';
import { voxelValues, writeNifti, type NiftiContent } from '../src/volume/nifti-writer.js';
import { contextAt, temporaryFolder } from './fixtures.js';

const DIMS: [number, number, number] = [3, 4, 5];
/**
 * i runs towards P (world y, backwards), j towards S (world z), k towards L (world x, backwards): orientation PSL.
 * The RAS grid is therefore x = k reversed, y = i reversed, z = j (dims 5, 3, 4).
 */
const SFORM: [number[], number[], number[]] = [[0, 0, -2, 10], [-1, 0, 0, 20], [0, 3, 0, -5]];
const RAS_AXES = [{ fileAxis: 2, flip: true }, { fileAxis: 0, flip: true }, { fileAxis: 1, flip: false }] as const;
/** Transform fields of both files, with a qfac of −1, float32-rounded quaternion values and units mm + s (2 + 8). */
const TRANSFORM: Partial<NiftiContent> = {
  pixdim: [-1, 1, 3, 2],
  xyztUnits: 10,
  qform: { code: 1, quatern: [0.1, 0.2, 0.3], offset: [10.5, 20.25, -5.125] },
  sform: { code: 2, rows: SFORM },
};
/** A class (of BTCV's 14) at every voxel, different between neighbours along each axis. */
const truth = (i: number, j: number, k: number) => (1 + i + 3 * j + 5 * k) % 14;

async function btcvVolume(options: { axis: SliceAxis; orientation: VolumeOrientation }): Promise<VolumeDataset> {
  const root = await temporaryFolder();
  await writeNifti(join(root, 'imagesTr', 'img0001.nii.gz'), { datatype: 'int16', dims: DIMS, values: voxelValues(DIMS, (i, j, k) => i + j + k), ...TRANSFORM });
  await writeNifti(join(root, 'labelsTr', 'label0001.nii.gz'), { datatype: 'uint8', dims: DIMS, values: voxelValues(DIMS, truth), ...TRANSFORM });
  return (await btcvDataset.create({ root, ...options }, contextAt('/'))) as VolumeDataset;
}

function decoded(file: EncodedFile): NiftiVolume {
  return decodeNifti(gunzipSync(file.data), file.name);
}

const VOLUME = 'imagesTr/img0001.nii.gz';

describe('volume datasets: encodeLabelVolume', () => {
  for (const orientation of ['file', 'RAS'] as const) {
    for (const axis of [0, 1, 2] as const) {
      it(`puts slices along ${orientation} axis ${axis} back where they were cut, on the image's exact header transform`, async () => {
        const dataset = await btcvVolume({ axis, orientation });
        const omitted = Math.floor(dataset.items.length / 2);
        const slices = [];
        for (const [position, item] of dataset.items.entries()) if (position !== omitted) slices.push({ item, labels: await dataset.openMask(item) });
        const file = await dataset.encodeLabelVolume(VOLUME, slices);
        expect(file).toMatchObject({ name: 'imagesTr_img0001.nii.gz', mediaType: 'application/gzip' });
        const written = decoded(file);
        const image = await readNiftiGeometry((await dataset.geometry(dataset.items[0])).volume.file);
        expect(written.geometry).toMatchObject({ niftiVersion: 1, dims: DIMS, datatype: 'uint8', transform: image.transform, xyztUnits: 10, affine: image.affine, orientation: 'PSL' });
        expect(image.transform).toMatchObject({ qformCode: 1, sformCode: 2, pixdim: [-1, 1, 3, 2], srow: SFORM });
        // The omitted slice, located in file coordinates from the grid axis it was cut along (hand-derived above).
        const { fileAxis, flip } = orientation === 'file' ? { fileAxis: axis, flip: false } : RAS_AXES[axis];
        const omittedFileIndex = flip ? DIMS[fileAxis] - 1 - omitted : omitted;
        const expected = voxelValues(DIMS, (i, j, k) => ([i, j, k][fileAxis] === omittedFileIndex ? 0 : truth(i, j, k)));
        expect([...written.voxels]).toEqual(expected);
      });
    }
  }

  it('maps a pixel of an axial slice to its voxel: file grid directly, RAS grid through the flips', async () => {
    const file = await btcvVolume({ axis: 2, orientation: 'file' });
    // File axis 2, slice k = 1: rows run along i (3), columns along j (4); pixel (row 2, column 1) is voxel (2, 1, 1) = 2 + 3·(1 + 4·1) = 17.
    const fileMap = { width: 4, height: 3, data: new Uint8Array(12) };
    fileMap.data[2 * 4 + 1] = 7;
    const fileVoxels = decoded(await file.encodeLabelVolume(VOLUME, [{ item: file.items[1], labels: fileMap }])).voxels;
    expect([...fileVoxels.keys()].filter((at) => fileVoxels[at] !== 0)).toEqual([17]);
    expect(fileVoxels[17]).toBe(7);

    const ras = await btcvVolume({ axis: 2, orientation: 'RAS' });
    // RAS z = j: slice z = 1 has rows along x (5) and columns along y (3). Pixel (0, 0) is x = 0 → k = 4, y = 0 → i = 2, so voxel 2 + 3·(1 + 4·4) = 53.
    const rasMap = { width: 3, height: 5, data: new Uint8Array(15) };
    rasMap.data[0] = 9;
    const rasVoxels = decoded(await ras.encodeLabelVolume(VOLUME, [{ item: ras.items[1], labels: rasMap }])).voxels;
    expect([...rasVoxels.keys()].filter((at) => rasVoxels[at] !== 0)).toEqual([53]);
    expect(rasVoxels[53]).toBe(9);
  });

  it('names what is wrong: an unknown volume, a slice of another volume, a class out of range, a map of the wrong size, a slice given twice', async () => {
    const dataset = await btcvVolume({ axis: 2, orientation: 'file' });
    const item = dataset.items[0];
    const map = (width: number, height: number, value = 0) => ({ width, height, data: new Uint8Array(width * height).fill(value) });
    await expect(dataset.encodeLabelVolume('imagesTr/img0009.nii.gz', [])).rejects.toThrow(/dataset "btcv": no volume "imagesTr\/img0009\.nii\.gz"/);
    await expect(dataset.encodeLabelVolume(VOLUME, [{ item: { ...item, id: 'imagesTr/other.nii.gz#k=0' }, labels: map(4, 3) }])).rejects.toThrow(RadprobeError);
    await expect(dataset.encodeLabelVolume(VOLUME, [{ item, labels: map(4, 3, 14) }])).rejects.toThrow(/img0001\.nii\.gz#k=0: label 14 at pixel 0 is not a class index 0\.\.13/);
    await expect(dataset.encodeLabelVolume(VOLUME, [{ item, labels: map(3, 4) }])).rejects.toThrow(/#k=0: label map of 12 values as 3×4 does not fit the 4×3 slice/);
    await expect(dataset.encodeLabelVolume(VOLUME, [{ item, labels: map(4, 3) }, { item, labels: map(4, 3) }])).rejects.toThrow(/is given slice 0 twice/);
  });
});

describe('encodeLabelVolumeFile', () => {
  it('writes uint16 above 256 classes and keeps a NIfTI-2 image\'s float64 transform exactly', async () => {
    const root = await temporaryFolder();
    const path = join(root, 'wide.nii');
    // 0.1 and −7.3 are not float32 values: a NIfTI-1 copy would round them.
    const srow: [number[], number[], number[]] = [[0.1, 0, 0, -7.3], [0, 0.1, 0, 0], [0, 0, 0.1, 0]];
    await writeNifti(path, { version: 2, datatype: 'float32', dims: [2, 2, 1], values: [0, 0, 0, 0], pixdim: [1, 0.1, 0.1, 0.1], sform: { code: 1, rows: srow } });
    const geometry = await readNiftiGeometry(path);
    const file = await encodeLabelVolumeFile({
      volume: 'cases/wide scan.nii',
      geometry,
      grid: sliceGrid(geometry, 'file'),
      axis: 2,
      classCount: 300,
      slices: [{ index: 0, labels: { width: 2, height: 2, data: Uint16Array.from([0, 299, 256, 1]) }, source: 'wide.nii#k=0' }],
    });
    expect(file.name).toBe('cases_wide_scan.nii.gz');
    const written = decoded(file);
    expect(written.geometry).toMatchObject({ niftiVersion: 2, datatype: 'uint16', dims: [2, 2, 1] });
    expect(written.geometry.transform.srow).toEqual(srow);
    // File axis 2: rows along i, columns along j, so pixel (row r, column c) is voxel r + 2c.
    expect([...written.voxels]).toEqual([0, 256, 299, 1]);
  });
});
