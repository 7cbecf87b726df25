import { describe, expect, it } from 'vitest';
import { decodeNifti, extractLabelSlice, extractSlice, sliceGrid, type NiftiVolume } from '../src/index.js';
import { evenlySpaced, evenlySpacedSplits } from '../src/spaced-splits.js';
import { VolumeCache } from '../src/volume/volume-cache.js';
import { encodeNifti, voxelValues, type NiftiContent } from '../src/volume/nifti-writer.js';

/** 2×3×4 voxels valued i + 10·j + 100·k, so every slice's numbers say where they came from. */
function coded(extra: Partial<NiftiContent> = {}): NiftiVolume {
  const values = voxelValues([2, 3, 4], (i, j, k) => i + 10 * j + 100 * k);
  return decodeNifti(encodeNifti({ datatype: 'int16', dims: [2, 3, 4], values, ...extra }), 'coded.nii');
}

function rows(slice: { width: number; height: number; values: ArrayLike<number> }): number[][] {
  return Array.from({ length: slice.height }, (_, row) => Array.from(slice.values).slice(row * slice.width, (row + 1) * slice.width));
}

describe('slicing volumes', () => {
  it('file order: rows along the lower remaining axis, columns along the higher (NumPy volume[:, :, k])', () => {
    const volume = coded();
    const grid = sliceGrid(volume.geometry, 'file');
    expect(grid.axisNames).toEqual(['i', 'j', 'k']);
    // k = 1: rows i = 0, 1; columns j = 0, 1, 2.
    expect(rows(extractSlice(volume, grid, 2, 1, 's'))).toEqual([[100, 110, 120], [101, 111, 121]]);
    // i = 1: rows j, columns k.
    expect(rows(extractSlice(volume, grid, 0, 1, 's'))).toEqual([[1, 101, 201, 301], [11, 111, 211, 311], [21, 121, 221, 321]]);
    // j = 2: rows i, columns k.
    expect(rows(extractSlice(volume, grid, 1, 2, 's'))).toEqual([[20, 120, 220, 320], [21, 121, 221, 321]]);
    expect(() => extractSlice(volume, grid, 2, 4, 'coded.nii#k=4')).toThrow(/coded\.nii#k=4: slice 4 is outside 0\.\.3 along axis k/);
  });

  it('RAS: an LPS volume is flipped along its first two axes, and the grid affine moves with it', () => {
    // sform diag(−1, −1, 2) + (10, 20, 30): i runs to the left, j to posterior, k to superior.
    const volume = coded({ sform: { code: 1, rows: [[-1, 0, 0, 10], [0, -1, 0, 20], [0, 0, 2, 30]] } });
    expect(volume.geometry.orientation).toBe('LPS');
    const grid = sliceGrid(volume.geometry, 'RAS');
    expect(grid).toMatchObject({ dims: [2, 3, 4], axisNames: ['x', 'y', 'z'], axes: [{ fileAxis: 0, flip: true }, { fileAxis: 1, flip: true }, { fileAxis: 2, flip: false }] });
    // x = 1 − i, y = 2 − j: world x = −(1 − x) + 10 = x + 9, world y = −(2 − y) + 20 = y + 18.
    expect(grid.affine).toEqual([[1, 0, 0, 9], [0, 1, 0, 18], [0, 0, 2, 30], [0, 0, 0, 1]]);
    // z = 1: row x = 0 is i = 1, column y = 0 is j = 2.
    expect(rows(extractSlice(volume, grid, 2, 1, 's'))).toEqual([[121, 111, 101], [120, 110, 100]]);
  });

  it('RAS: a permuted volume (i → S, j → R, k → A) is transposed so that z walks i', () => {
    const volume = coded({ sform: { code: 1, rows: [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]] } });
    expect(volume.geometry.orientation).toBe('SRA');
    const grid = sliceGrid(volume.geometry, 'RAS');
    expect(grid.dims).toEqual([3, 4, 2]);
    // z = 1 is i = 1: rows x = j, columns y = k.
    expect(rows(extractSlice(volume, grid, 2, 1, 's'))).toEqual([[1, 101, 201, 301], [11, 111, 211, 311], [21, 121, 221, 321]]);
  });

  it('label slices are class indices, and anything else is an error naming the slice', () => {
    const labels = decodeNifti(encodeNifti({ datatype: 'float32', dims: [2, 1, 2], values: [0, 2, 1, 0] }), 'seg.nii');
    const grid = sliceGrid(labels.geometry, 'file');
    const map = extractLabelSlice(labels, grid, 2, 0, 3, 'seg.nii#k=0');
    expect(map).toEqual({ width: 1, height: 2, data: Uint8Array.from([0, 2]) });
    expect(() => extractLabelSlice(labels, grid, 2, 0, 2, 'seg.nii#k=0')).toThrow(/seg\.nii#k=0: label value 2 at pixel 1 is not a class index 0\.\.1/);
    const fractional = decodeNifti(encodeNifti({ datatype: 'float32', dims: [1, 1, 1], values: [0.5] }), 'soft.nii');
    expect(() => extractLabelSlice(fractional, sliceGrid(fractional.geometry, 'file'), 2, 0, 2, 'soft.nii#k=0')).toThrow(/label value 0\.5/);
  });
});

describe('VolumeCache', () => {
  it('decodes a file once for concurrent and repeated requests, and drops the least recently used', async () => {
    const decoded: string[] = [];
    const cache = new VolumeCache(2, async (file) => {
      decoded.push(file);
      return coded();
    });
    await Promise.all([cache.get('a'), cache.get('a'), cache.get('b')]);
    await cache.get('a');
    await cache.get('c'); // evicts b, the least recently used
    await cache.get('a');
    await cache.get('b');
    expect(decoded).toEqual(['a', 'b', 'c', 'b']);
  });

  it('does not keep a failed decode', async () => {
    let calls = 0;
    const cache = new VolumeCache(2, async () => {
      calls++;
      if (calls === 1) throw new Error('disk hiccup');
      return coded();
    });
    await expect(cache.get('a')).rejects.toThrow('disk hiccup');
    await expect(cache.get('a')).resolves.toBeDefined();
    expect(calls).toBe(2);
  });
});

describe('evenly spaced splits', () => {
  it('picks round(i·n/count), rounding halves to even as numpy does', () => {
    // The study's SARS-CoV-2 rule: 70 of 210 at 0, 3, …, 207.
    expect(evenlySpaced(210, 70)).toEqual(Array.from({ length: 70 }, (_, index) => 3 * index));
    // round([0, 3.33, 6.67]) as numpy rounds it.
    expect(evenlySpaced(10, 3)).toEqual([0, 3, 7]);
    expect(() => evenlySpaced(3, 4)).toThrow(/cannot pick 4 evenly spaced of 3/);
  });

  it('TEST over all, VAL over the rest', () => {
    // TEST at 0, 3, 7; VAL at round([0, 3.5]) = [0, 4] (half to even) of the 7 left: units 1 and 6.
    expect(evenlySpacedSplits(10, { test: 3, val: 2 })).toEqual(['test', 'val', 'train', 'test', 'train', 'train', 'val', 'test', 'train', 'train']);
  });
});
