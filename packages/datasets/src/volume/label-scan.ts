import type { NiftiVolume } from './nifti.js';
import type { SliceAxis, SliceGrid } from './slicing.js';

/** What one pass over a label volume finds. */
export interface LabelVolumeScan {
  /** Per slice index along the slicing axis of the grid: 1 when the slice has a voxel other than 0. */
  foreground: Uint8Array;
  /** The first voxel (file order) whose value is not a class index in `[0, classCount)`, and the volume's largest value. */
  invalid: { value: number; voxel: [number, number, number]; largest: number } | null;
}

/**
 * Reads every voxel of a label volume once (values scaled by the header's slope and intercept): which slices along
 * `axis` of `grid` have foreground, and whether every value is a class index.
 */
export function scanLabelVolume(volume: NiftiVolume, grid: SliceGrid, axis: SliceAxis, classCount: number): LabelVolumeScan {
  const { dims, scale } = volume.geometry;
  const slope = scale?.slope ?? 1;
  const intercept = scale?.intercept ?? 0;
  const { fileAxis, flip } = grid.axes[axis];
  const foreground = new Uint8Array(grid.dims[axis]);
  const voxels = volume.voxels;
  let invalid: { value: number; voxel: [number, number, number] } | null = null;
  let largest = -Infinity;
  const voxel: [number, number, number] = [0, 0, 0];
  for (let at = 0; at < voxels.length; at++) {
    const value = voxels[at] * slope + intercept;
    if (value > largest) largest = value;
    if (value !== 0) {
      const index = voxel[fileAxis];
      foreground[flip ? dims[fileAxis] - 1 - index : index] = 1;
      if (invalid === null && !(Number.isInteger(value) && value > 0 && value < classCount)) invalid = { value, voxel: [...voxel] };
    }
    if (++voxel[0] === dims[0]) {
      voxel[0] = 0;
      if (++voxel[1] === dims[1]) {
        voxel[1] = 0;
        voxel[2]++;
      }
    }
  }
  return { foreground, invalid: invalid && { ...invalid, largest } };
}
