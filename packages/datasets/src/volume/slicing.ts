import { RadprobeError, type LabelMap } from '@radprobe/core';
import { axisDirections, multiplyAffines, type Affine } from './affine.js';
import type { NiftiVolume, VolumeGeometry } from './nifti.js';

/** `file`: slice the voxel grid as stored (the study). `RAS`: first reorient it so that its axes run towards R, A, S. */
export type VolumeOrientation = 'file' | 'RAS';
export type SliceAxis = 0 | 1 | 2;

/** The grid that slices are cut from: the file's voxel grid, or that grid with axes permuted and flipped to RAS. */
export interface SliceGrid {
  orientation: VolumeOrientation;
  /** Voxels along each grid axis. */
  dims: [number, number, number];
  /** For each grid axis: the file's voxel axis it walks, and whether backwards. */
  axes: [GridAxis, GridAxis, GridAxis];
  /** Grid-index-to-world affine (equals the file's for `file`). */
  affine: Affine;
  /** Names of the grid axes in item sources: i, j, k (file) or x, y, z (RAS). */
  axisNames: [string, string, string];
}

export interface GridAxis {
  fileAxis: SliceAxis;
  flip: boolean;
}

/** A 2D slice: row-major `[height, width]`, values scaled by the header's slope and intercept. */
export interface VolumeSlice {
  width: number;
  height: number;
  values: Float32Array;
}

/** The grid to slice `geometry`'s volume in. */
export function sliceGrid(geometry: VolumeGeometry, orientation: VolumeOrientation): SliceGrid {
  if (orientation === 'file') {
    return {
      orientation,
      dims: [...geometry.dims],
      axes: [{ fileAxis: 0, flip: false }, { fileAxis: 1, flip: false }, { fileAxis: 2, flip: false }],
      affine: geometry.affine,
      axisNames: ['i', 'j', 'k'],
    };
  }
  const directions = axisDirections(geometry.affine, geometry.file);
  const axes = [0, 1, 2].map((world) => {
    const fileAxis = directions.findIndex((direction) => direction.world === world) as SliceAxis;
    return { fileAxis, flip: directions[fileAxis].flip };
  }) as [GridAxis, GridAxis, GridAxis];
  // Grid index → file index: file[a] = flip ? n_a − 1 − grid[w] : grid[w].
  const toFile: Affine = [0, 1, 2].map(() => [0, 0, 0, 0]);
  toFile.push([0, 0, 0, 1]);
  axes.forEach(({ fileAxis, flip }, gridAxis) => {
    toFile[fileAxis][gridAxis] = flip ? -1 : 1;
    toFile[fileAxis][3] = flip ? geometry.dims[fileAxis] - 1 : 0;
  });
  return {
    orientation,
    dims: axes.map(({ fileAxis }) => geometry.dims[fileAxis]) as [number, number, number],
    axes,
    affine: multiplyAffines(geometry.affine, toFile),
    axisNames: ['x', 'y', 'z'],
  };
}

/**
 * The slice of the grid at `index` along `axis`. Rows run along the lower of the two other grid axes and columns
 * along the higher, as NumPy's `volume[:, :, k]` of a NIfTI array reads (for axis 2: height = dim 0, width = dim 1).
 */
export function extractSlice(volume: NiftiVolume, grid: SliceGrid, axis: SliceAxis, index: number, source: string): VolumeSlice {
  const { start, rowStride, columnStride, width, height } = sliceLayout(volume.geometry, grid, axis, index, source);
  const values = new Float32Array(width * height);
  const voxels = volume.voxels;
  const slope = volume.geometry.scale?.slope ?? 1;
  const intercept = volume.geometry.scale?.intercept ?? 0;
  for (let row = 0, to = 0; row < height; row++) {
    let at = start + row * rowStride;
    for (let column = 0; column < width; column++, to++, at += columnStride) values[to] = voxels[at] * slope + intercept;
  }
  return { width, height, values };
}

/** The label map of a slice: every value must be a class index in `[0, classCount)`. */
export function extractLabelSlice(volume: NiftiVolume, grid: SliceGrid, axis: SliceAxis, index: number, classCount: number, source: string): LabelMap {
  const { width, height, values } = extractSlice(volume, grid, axis, index, source);
  const data = classCount <= 256 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  for (let at = 0; at < values.length; at++) {
    const value = values[at];
    if (!(Number.isInteger(value) && value >= 0 && value < classCount)) {
      throw new RadprobeError(`${source}: label value ${value} at pixel ${at} is not a class index 0..${classCount - 1}`, { file: volume.geometry.file });
    }
    data[at] = value;
  }
  return { width, height, data };
}

/**
 * Writes a label map into `voxels` (the volume's, file order) at the slice `extractSlice` reads it from: the inverse of
 * `extractSlice`, for writing predictions back onto the volume's grid. The map must have the slice's size.
 */
export function placeSlice(voxels: Uint8Array | Uint16Array, geometry: VolumeGeometry, grid: SliceGrid, axis: SliceAxis, index: number, labels: LabelMap, source: string): void {
  const { start, rowStride, columnStride, width, height } = sliceLayout(geometry, grid, axis, index, source);
  if (labels.width !== width || labels.height !== height || labels.data.length !== width * height) {
    throw new RadprobeError(`${source}: label map of ${labels.data.length} values as ${labels.width}×${labels.height} does not fit the ${width}×${height} slice`, { file: geometry.file });
  }
  for (let row = 0, from = 0; row < height; row++) {
    let at = start + row * rowStride;
    for (let column = 0; column < width; column++, from++, at += columnStride) voxels[at] = labels.data[from];
  }
}

function sliceLayout(geometry: VolumeGeometry, grid: SliceGrid, axis: SliceAxis, index: number, source: string) {
  const count = grid.dims[axis];
  if (!(Number.isInteger(index) && index >= 0 && index < count)) {
    throw new RadprobeError(`${source}: slice ${index} is outside 0..${count - 1} along axis ${grid.axisNames[axis]}`, { file: geometry.file });
  }
  const [n0, n1] = geometry.dims;
  const fileStrides = [1, n0, n0 * n1];
  let base = 0;
  const strides = grid.axes.map(({ fileAxis, flip }) => {
    if (flip) base += (geometry.dims[fileAxis] - 1) * fileStrides[fileAxis];
    return flip ? -fileStrides[fileAxis] : fileStrides[fileAxis];
  });
  const [rowAxis, columnAxis] = ([0, 1, 2] as const).filter((other) => other !== axis);
  return {
    start: base + index * strides[axis],
    rowStride: strides[rowAxis],
    columnStride: strides[columnAxis],
    width: grid.dims[columnAxis],
    height: grid.dims[rowAxis],
  };
}
