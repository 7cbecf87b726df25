import { mkdir, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { RadprobeError } from '@radprobe/core';
import type { NiftiDatatype } from './nifti.js';

/** Datatypes the encoder writes: the reader's, plus RGB (so that readers' refusals of it can be tested). */
export type NiftiWritableDatatype = NiftiDatatype | 'rgb24';

/** A NIfTI file to write, field by field as the format stores them. */
export interface NiftiContent {
  /** Sizes along each dimension (1 to 7 of them). */
  dims: number[];
  datatype: NiftiWritableDatatype;
  /** Stored values, i fastest (`rgb24`: one byte per value, three per voxel). */
  values: ArrayLike<number>;
  version?: 1 | 2;
  littleEndian?: boolean;
  /** `pixdim[0..3]`: qfac and the voxel sizes. */
  pixdim?: [number, number, number, number];
  /** `xyzt_units`: spatial unit code plus time unit code (e.g. 2 = mm). */
  xyztUnits?: number;
  slope?: number;
  intercept?: number;
  qform?: { code: number; quatern: [number, number, number]; offset: [number, number, number] };
  sform?: { code: number; rows: [number[], number[], number[]] };
}

interface WrittenType {
  code: number;
  bytes: number;
  /** A typed array whose bytes, in the host's order, are exactly the stored values. */
  matches?: (values: ArrayLike<number>) => boolean;
}

const TYPES: Record<NiftiWritableDatatype, WrittenType> = {
  uint8: { code: 2, bytes: 1, matches: (values) => values instanceof Uint8Array },
  int8: { code: 256, bytes: 1, matches: (values) => values instanceof Int8Array },
  int16: { code: 4, bytes: 2, matches: (values) => values instanceof Int16Array },
  uint16: { code: 512, bytes: 2, matches: (values) => values instanceof Uint16Array },
  int32: { code: 8, bytes: 4, matches: (values) => values instanceof Int32Array },
  uint32: { code: 768, bytes: 4, matches: (values) => values instanceof Uint32Array },
  float32: { code: 16, bytes: 4, matches: (values) => values instanceof Float32Array },
  float64: { code: 64, bytes: 8, matches: (values) => values instanceof Float64Array },
  int64: { code: 1024, bytes: 8 },
  uint64: { code: 1280, bytes: 8 },
  rgb24: { code: 128, bytes: 3 },
};

const HOST_LITTLE_ENDIAN = endianness() === 'LE';

/** Encodes a single-file NIfTI-1 (`n+1`, data at 352) or NIfTI-2 (`n+2`, data at 544), following the standard's offsets. */
export function encodeNifti(content: NiftiContent): Uint8Array {
  const version = content.version ?? 1;
  const le = content.littleEndian ?? true;
  const type = TYPES[content.datatype];
  const voxels = content.dims.reduce((product, size) => product * size, 1);
  const valuesPerVoxel = content.datatype === 'rgb24' ? 3 : 1;
  if (content.dims.length < 1 || content.dims.length > 7 || content.values.length !== voxels * valuesPerVoxel) {
    throw new RadprobeError(`NIfTI encoder: ${content.values.length} values do not fill dims ${content.dims.join('×')} of ${content.datatype}`);
  }
  const offset = version === 1 ? 352 : 544;
  const valueBytes = content.datatype === 'rgb24' ? 1 : type.bytes;
  const bytes = new Uint8Array(offset + content.values.length * valueBytes);
  const view = new DataView(bytes.buffer);
  const dims = [content.dims.length, ...content.dims, ...new Array(7 - content.dims.length).fill(1)];
  const pixdim = [...(content.pixdim ?? [1, 1, 1, 1]), 0, 0, 0, 0];
  const qform = content.qform ?? { code: 0, quatern: [0, 0, 0], offset: [0, 0, 0] };
  const sform = content.sform ?? { code: 0, rows: [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]] };
  const units = content.xyztUnits ?? 0;
  if (version === 1) {
    view.setInt32(0, 348, le);
    dims.forEach((dim, index) => view.setInt16(40 + index * 2, dim, le));
    view.setInt16(70, type.code, le);
    view.setInt16(72, type.bytes * 8, le);
    pixdim.forEach((value, index) => view.setFloat32(76 + index * 4, value, le));
    view.setFloat32(108, offset, le);
    view.setFloat32(112, content.slope ?? 0, le);
    view.setFloat32(116, content.intercept ?? 0, le);
    view.setUint8(123, units);
    view.setInt16(252, qform.code, le);
    view.setInt16(254, sform.code, le);
    [...qform.quatern, ...qform.offset].forEach((value, index) => view.setFloat32(256 + index * 4, value, le));
    sform.rows.flat().forEach((value, index) => view.setFloat32(280 + index * 4, value, le));
    bytes.set([0x6e, 0x2b, 0x31, 0], 344);
  } else {
    view.setInt32(0, 540, le);
    bytes.set([0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a], 4);
    view.setInt16(12, type.code, le);
    view.setInt16(14, type.bytes * 8, le);
    dims.forEach((dim, index) => view.setBigInt64(16 + index * 8, BigInt(dim), le));
    pixdim.forEach((value, index) => view.setFloat64(104 + index * 8, value, le));
    view.setBigInt64(168, BigInt(offset), le);
    view.setFloat64(176, content.slope ?? 0, le);
    view.setFloat64(184, content.intercept ?? 0, le);
    view.setInt32(344, qform.code, le);
    view.setInt32(348, sform.code, le);
    [...qform.quatern, ...qform.offset].forEach((value, index) => view.setFloat64(352 + index * 8, value, le));
    sform.rows.flat().forEach((value, index) => view.setFloat64(400 + index * 8, value, le));
    view.setInt32(500, units, le);
  }
  const values = content.values;
  // A typed array of the stored type in the file's byte order is copied as it is: label volumes run to 10⁸ voxels.
  if (type.matches?.(values) && (le === HOST_LITTLE_ENDIAN || type.bytes === 1)) {
    const typed = values as unknown as ArrayBufferView;
    bytes.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), offset);
  } else {
    for (let index = 0; index < values.length; index++) writeValue(view, offset + index * valueBytes, content.datatype, values[index], le);
  }
  return bytes;
}

function writeValue(view: DataView, at: number, datatype: NiftiWritableDatatype, value: number, le: boolean): void {
  switch (datatype) {
    case 'uint8': return view.setUint8(at, value);
    case 'int8': return view.setInt8(at, value);
    case 'int16': return view.setInt16(at, value, le);
    case 'uint16': return view.setUint16(at, value, le);
    case 'int32': return view.setInt32(at, value, le);
    case 'uint32': return view.setUint32(at, value, le);
    case 'float32': return view.setFloat32(at, value, le);
    case 'float64': return view.setFloat64(at, value, le);
    case 'int64': return view.setBigInt64(at, BigInt(value), le);
    case 'uint64': return view.setBigUint64(at, BigInt(value), le);
    case 'rgb24': return view.setUint8(at, value);
  }
}

/** Writes `content` to `path`, gzipped when the name ends in `.gz`. */
export async function writeNifti(path: string, content: NiftiContent): Promise<void> {
  const bytes = encodeNifti(content);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, path.endsWith('.gz') ? gzipSync(bytes) : bytes);
}

/** `[n0, n1, n2]` values `f(i, j, k)` in NIfTI order (i fastest). */
export function voxelValues(dims: [number, number, number], f: (i: number, j: number, k: number) => number): number[] {
  const values: number[] = [];
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) values.push(f(i, j, k));
  return values;
}
