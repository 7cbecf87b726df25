import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { RadprobeError, type EncodedFile, type LabelMap } from '@radprobe/core';
import type { VolumeGeometry } from './nifti.js';
import { encodeNifti } from './nifti-writer.js';
import { placeSlice, type SliceAxis, type SliceGrid } from './slicing.js';

const gzipAsync = promisify(gzip);

/** A label map of one slice of the volume, the slice's size, with where it comes from for messages. */
export interface LabelSlice {
  index: number;
  labels: LabelMap;
  source: string;
}

/**
 * A gzipped NIfTI label volume on the image's grid: its dims and its transform fields copied as stored (qform and
 * sform codes, quaternion, offsets, pixdim with qfac, srow, units), so that viewers overlay it on the image. The
 * slices go back where `extractSlice` cut them from; voxels of slices not given are 0. uint8 up to 256 classes,
 * else uint16; the image's NIfTI version, so that NIfTI-2's float64 fields stay exact.
 */
export async function encodeLabelVolumeFile(parts: {
  volume: string;
  geometry: VolumeGeometry;
  grid: SliceGrid;
  axis: SliceAxis;
  classCount: number;
  slices: readonly LabelSlice[];
}): Promise<EncodedFile> {
  const { geometry, grid, axis, classCount } = parts;
  const [n0, n1, n2] = geometry.dims;
  const wide = classCount > 256;
  const voxels = wide ? new Uint16Array(n0 * n1 * n2) : new Uint8Array(n0 * n1 * n2);
  const placed = new Set<number>();
  for (const { index, labels, source } of parts.slices) {
    if (placed.has(index)) throw new RadprobeError(`${source}: volume ${parts.volume} is given slice ${index} twice`, { file: geometry.file });
    placed.add(index);
    const outside = labels.data.findIndex((value) => value >= classCount);
    if (outside >= 0) {
      throw new RadprobeError(`${source}: label ${labels.data[outside]} at pixel ${outside} is not a class index 0..${classCount - 1}`, { file: geometry.file });
    }
    placeSlice(voxels, geometry, grid, axis, index, labels, source);
  }
  const { transform } = geometry;
  const bytes = encodeNifti({
    version: geometry.niftiVersion,
    dims: [n0, n1, n2],
    datatype: wide ? 'uint16' : 'uint8',
    values: voxels,
    pixdim: transform.pixdim,
    xyztUnits: geometry.xyztUnits,
    qform: { code: transform.qformCode, quatern: transform.quatern, offset: transform.qoffset },
    sform: { code: transform.sformCode, rows: transform.srow },
  });
  return { name: labelVolumeName(parts.volume), mediaType: 'application/gzip', data: await gzipAsync(bytes) };
}

/** A file name for the volume's labels: its id without the NIfTI suffix, other characters than letters, digits, `.`, `_`, `-` as `_`. */
export function labelVolumeName(volume: string): string {
  return `${volume.replace(/\.nii(\.gz)?$/i, '').replace(/[^A-Za-z0-9._-]/g, '_')}.nii.gz`;
}
