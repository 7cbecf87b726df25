import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { RadprobeError } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { decodeNifti, extractSlice, readNiftiFile, readNiftiGeometry, sliceGrid } from '../src/index.js';
import { temporaryFolder } from './fixtures.js';
import { encodeNifti, writeNifti, type NiftiWritableDatatype } from '../src/volume/nifti-writer.js';

/** Six voxels (2×3×1) per datatype, spanning its sign and, for floats, fractions. */
const SAMPLES: Record<Exclude<NiftiWritableDatatype, 'rgb24'>, number[]> = {
  uint8: [0, 1, 127, 128, 200, 255],
  int8: [-128, -1, 0, 1, 64, 127],
  int16: [-32768, -1024, -1, 0, 600, 32767],
  uint16: [0, 1, 1000, 32768, 40000, 65535],
  int32: [-2147483648, -70000, -1, 0, 70000, 2147483647],
  uint32: [0, 1, 70000, 2147483648, 3000000000, 4294967295],
  float32: [-1024.5, -0.25, 0, 0.5, 3.75, 1e6],
  float64: [-1e300, -0.1, 0, 0.1, Math.PI, 1e300],
  int64: [-(2 ** 53), -5, 0, 5, 2 ** 40, 2 ** 53],
  uint64: [0, 1, 5, 2 ** 32, 2 ** 40, 2 ** 53],
};

describe('NIfTI decoding', () => {
  for (const version of [1, 2] as const) {
    for (const littleEndian of [true, false]) {
      for (const [datatype, values] of Object.entries(SAMPLES) as Array<[Exclude<NiftiWritableDatatype, 'rgb24'>, number[]]>) {
        it(`NIfTI-${version} ${littleEndian ? 'little' : 'big'}-endian ${datatype}: values, dims and datatype as written`, () => {
          const bytes = encodeNifti({ version, littleEndian, datatype, dims: [2, 3, 1], values, pixdim: [1, 0.5, 0.75, 2.5] });
          const volume = decodeNifti(bytes, 'v.nii');
          expect(volume.geometry).toMatchObject({ niftiVersion: version, littleEndian, datatype, dims: [2, 3, 1], voxelSizes: [0.5, 0.75, 2.5], scale: null });
          expect(Array.from(volume.voxels)).toEqual(datatype === 'float32' ? values.map(Math.fround) : values);
        });
      }
    }
  }

  it('applies scl_slope and scl_inter when the slope is not 0, and ignores them when it is', () => {
    // Stored −1024, 0, 100 with slope 2, intercept −1000: 2·(−1024) − 1000 = −3048, −1000, −800.
    const scaled = decodeNifti(encodeNifti({ datatype: 'int16', dims: [3, 1, 1], values: [-1024, 0, 100], slope: 2, intercept: -1000 }), 's.nii');
    expect(scaled.geometry.scale).toEqual({ slope: 2, intercept: -1000 });
    expect(Array.from(extractSlice(scaled, sliceGrid(scaled.geometry, 'file'), 2, 0, 's.nii#k=0').values)).toEqual([-3048, -1000, -800]);
    const unscaled = decodeNifti(encodeNifti({ datatype: 'int16', dims: [3, 1, 1], values: [-1024, 0, 100], slope: 0, intercept: 50 }), 'u.nii');
    expect(unscaled.geometry.scale).toBeNull();
    expect(Array.from(extractSlice(unscaled, sliceGrid(unscaled.geometry, 'file'), 2, 0, 'u.nii#k=0').values)).toEqual([-1024, 0, 100]);
  });

  it('affine: sform when sform_code > 0, else qform, else the voxel sizes', () => {
    const dims = [1, 1, 1];
    const qform = { code: 1, quatern: [0, 0, 1] as [number, number, number], offset: [10, 20, 30] as [number, number, number] };
    const sform = { code: 2, rows: [[0, 0, 3, -5], [1, 0, 0, 6], [0, 2, 0, 7]] as [number[], number[], number[]] };
    const both = decodeNifti(encodeNifti({ datatype: 'uint8', dims, values: [0], pixdim: [1, 2, 3, 4], qform, sform }), 'both.nii').geometry;
    expect(both).toMatchObject({ affineSource: 'sform', qformCode: 1, sformCode: 2, orientation: 'ASR' });
    expect(both.affine).toEqual([[0, 0, 3, -5], [1, 0, 0, 6], [0, 2, 0, 7], [0, 0, 0, 1]]);
    // Quaternion (b, c, d) = (0, 0, 1), a = 0: 180° about z, R = diag(−1, −1, 1); columns scaled by pixdim 2, 3, 4.
    const q = decodeNifti(encodeNifti({ datatype: 'uint8', dims, values: [0], pixdim: [1, 2, 3, 4], qform }), 'q.nii').geometry;
    expect(q).toMatchObject({ affineSource: 'qform', orientation: 'LPS' });
    expect(q.affine).toEqual([[-2, 0, 0, 10], [0, -3, 0, 20], [0, 0, 4, 30], [0, 0, 0, 1]]);
    // qfac = pixdim[0] = −1 negates the third column.
    const flipped = decodeNifti(encodeNifti({ datatype: 'uint8', dims, values: [0], pixdim: [-1, 2, 3, 4], qform }), 'f.nii').geometry;
    expect(flipped.affine[2]).toEqual([0, 0, -4, 30]);
    expect(flipped.orientation).toBe('LPI');
    // (b, c, d) = (1, 0, 0): 180° about x, R = diag(1, −1, −1); NIfTI-2 stores the same fields as float64.
    const x = decodeNifti(encodeNifti({ version: 2, datatype: 'uint8', dims, values: [0], pixdim: [1, 1, 1, 1], qform: { ...qform, quatern: [1, 0, 0] } }), 'x.nii').geometry;
    expect(x.affine.slice(0, 3).map((row) => row.slice(0, 3))).toEqual([[1, 0, 0], [0, -1, 0], [0, 0, -1]]);
    const none = decodeNifti(encodeNifti({ datatype: 'uint8', dims, values: [0], pixdim: [1, 2, 3, 4] }), 'n.nii').geometry;
    expect(none).toMatchObject({ affineSource: 'pixdim', orientation: 'RAS', affine: [[2, 0, 0, 0], [0, 3, 0, 0], [0, 0, 4, 0], [0, 0, 0, 1]] });
  });

  it('reads .nii.gz files whole, and their geometry from the header alone', async () => {
    const folder = await temporaryFolder();
    const path = join(folder, 'ct.nii.gz');
    const values = Array.from({ length: 40 * 30 * 20 }, (_, index) => (index % 4000) - 1024);
    await writeNifti(path, { datatype: 'int16', dims: [40, 30, 20], values, pixdim: [1, 0.8, 0.8, 2.5], sform: { code: 1, rows: [[-0.8, 0, 0, 100], [0, -0.8, 0, 120], [0, 0, 2.5, -300]] } });
    const volume = await readNiftiFile(path);
    expect(volume.voxels).toHaveLength(24000);
    expect(volume.voxels[23999]).toBe(values[23999]);
    const geometry = await readNiftiGeometry(path);
    expect(geometry).toEqual(volume.geometry);
    expect(geometry).toMatchObject({ dims: [40, 30, 20], orientation: 'LPS', file: path });
    expect(geometry.voxelSizes.map((size) => +size.toFixed(6))).toEqual([0.8, 0.8, 2.5]);
  });

  it('refuses what it cannot read with errors naming the file', async () => {
    const good = encodeNifti({ datatype: 'int16', dims: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, 8] });
    expect(() => decodeNifti(good.subarray(0, good.length - 1), 'cut.nii')).toThrow(/cut\.nii: truncated NIfTI: 2×2×2 int16 voxels need 16 bytes from offset 352, the file has 15/);
    expect(() => decodeNifti(encodeNifti({ datatype: 'rgb24', dims: [1, 1, 1], values: [0, 0, 0] }), 'rgb.nii')).toThrow(/rgb\.nii: NIfTI datatype 128 .* is not supported/);
    expect(() => decodeNifti(encodeNifti({ datatype: 'uint8', dims: [1, 1, 1, 2], values: [0, 1] }), 'fmri.nii')).toThrow(/fmri\.nii: a 1×1×1×2 volume has more than one frame/);
    expect(() => decodeNifti(new TextEncoder().encode('hello, not a volume'), 'text.nii')).toThrow(RadprobeError);
    const folder = await temporaryFolder();
    const corrupt = join(folder, 'corrupt.nii.gz');
    await writeFile(corrupt, gzipSync(good).subarray(0, 20));
    await expect(readNiftiFile(corrupt)).rejects.toThrow(/corrupt\.nii\.gz: truncated \.nii\.gz \(the gzip stream breaks off before the end of the data\)$/);
    await expect(readNiftiFile(join(folder, 'missing.nii'))).rejects.toThrow(/missing\.nii: cannot read NIfTI/);
  });
});
