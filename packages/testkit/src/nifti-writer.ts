import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';

export type NiftiFixtureDatatype = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'int64' | 'uint64' | 'rgb24';

/** A NIfTI file to write, field by field as the format stores them. */
export interface NiftiFixture {
  dims: number[];
  datatype: NiftiFixtureDatatype;
  /** Stored values, i fastest. */
  values: number[];
  version?: 1 | 2;
  littleEndian?: boolean;
  /** `pixdim[0..3]`: qfac and the voxel sizes. */
  pixdim?: [number, number, number, number];
  slope?: number;
  intercept?: number;
  qform?: { code: number; quatern: [number, number, number]; offset: [number, number, number] };
  sform?: { code: number; rows: [number[], number[], number[]] };
}

const TYPES: Record<NiftiFixtureDatatype, { code: number; bytes: number }> = {
  uint8: { code: 2, bytes: 1 }, int8: { code: 256, bytes: 1 }, int16: { code: 4, bytes: 2 }, uint16: { code: 512, bytes: 2 },
  int32: { code: 8, bytes: 4 }, uint32: { code: 768, bytes: 4 }, float32: { code: 16, bytes: 4 }, float64: { code: 64, bytes: 8 },
  int64: { code: 1024, bytes: 8 }, uint64: { code: 1280, bytes: 8 }, rgb24: { code: 128, bytes: 3 },
};

/** Encodes a single-file NIfTI-1 (`n+1`, data at 352) or NIfTI-2 (`n+2`, data at 544), following the standard's offsets. */
export function encodeNifti(fixture: NiftiFixture): Uint8Array {
  const version = fixture.version ?? 1;
  const le = fixture.littleEndian ?? true;
  const type = TYPES[fixture.datatype];
  const offset = version === 1 ? 352 : 544;
  const bytes = new Uint8Array(offset + fixture.values.length * type.bytes);
  const view = new DataView(bytes.buffer);
  const dims = [fixture.dims.length, ...fixture.dims, ...new Array(7 - fixture.dims.length).fill(1)];
  const pixdim = [...(fixture.pixdim ?? [1, 1, 1, 1]), 0, 0, 0, 0];
  const qform = fixture.qform ?? { code: 0, quatern: [0, 0, 0], offset: [0, 0, 0] };
  const sform = fixture.sform ?? { code: 0, rows: [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]] };
  if (version === 1) {
    view.setInt32(0, 348, le);
    dims.forEach((dim, index) => view.setInt16(40 + index * 2, dim, le));
    view.setInt16(70, type.code, le);
    view.setInt16(72, type.bytes * 8, le);
    pixdim.forEach((value, index) => view.setFloat32(76 + index * 4, value, le));
    view.setFloat32(108, offset, le);
    view.setFloat32(112, fixture.slope ?? 0, le);
    view.setFloat32(116, fixture.intercept ?? 0, le);
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
    view.setFloat64(176, fixture.slope ?? 0, le);
    view.setFloat64(184, fixture.intercept ?? 0, le);
    view.setInt32(344, qform.code, le);
    view.setInt32(348, sform.code, le);
    [...qform.quatern, ...qform.offset].forEach((value, index) => view.setFloat64(352 + index * 8, value, le));
    sform.rows.flat().forEach((value, index) => view.setFloat64(400 + index * 8, value, le));
  }
  fixture.values.forEach((value, index) => writeValue(view, offset + index * type.bytes, fixture.datatype, value, le));
  return bytes;
}

function writeValue(view: DataView, at: number, datatype: NiftiFixtureDatatype, value: number, le: boolean): void {
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

/** Writes the fixture to `path`, gzipped when the name ends in `.gz`. */
export async function writeNifti(path: string, fixture: NiftiFixture): Promise<void> {
  const bytes = encodeNifti(fixture);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, path.endsWith('.gz') ? gzipSync(bytes) : bytes);
}

/** `[n0, n1, n2]` values `f(i, j, k)` in NIfTI order (i fastest). */
export function voxelValues(dims: [number, number, number], f: (i: number, j: number, k: number) => number): number[] {
  const values: number[] = [];
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) values.push(f(i, j, k));
  return values;
}
