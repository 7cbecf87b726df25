import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { createGunzip } from 'node:zlib';
import { NIFTI1, NIFTI2, readHeader } from 'nifti-reader-js';
import { checkDeclaredSize, DEFAULT_DECODE_LIMITS, errorMessage, RadprobeError, type DecodeLimits } from '@radprobe/core';
import { affineFromHeader, axisDirections, orientationCode, type Affine, type AffineSource, type TransformFields } from './affine.js';

export type VoxelArray = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** Where a volume's voxels sit in the world, and how they are stored: what a writer of predictions needs. */
export interface VolumeGeometry {
  file: string;
  niftiVersion: 1 | 2;
  /** Voxels along the three axes, in file order (i, j, k). */
  dims: [number, number, number];
  /** `|pixdim[1..3]|` (mm when the header's units say so). */
  voxelSizes: [number, number, number];
  /** Voxel-to-world (RAS+ mm) affine: sform, else qform, else the voxel sizes (see `affineFromHeader`). */
  affine: Affine;
  affineSource: AffineSource;
  qformCode: number;
  sformCode: number;
  /** The header's transform fields as stored: a file on the same grid (a label volume) copies them unchanged. */
  transform: TransformFields;
  /** `xyzt_units`: the spatial and time unit codes (e.g. 2 = mm, plus 8 = s). */
  xyztUnits: number;
  /** Direction each voxel axis increases towards, e.g. `RAS` or `LPS`. */
  orientation: string;
  datatype: NiftiDatatype;
  littleEndian: boolean;
  /** `value = stored · slope + intercept`, when the header sets a slope other than 0 (and not exactly 1 and 0). */
  scale: { slope: number; intercept: number } | null;
}

/** A decoded volume: voxels as stored, i fastest then j then k (`voxels[i + nᵢ·(j + nⱼ·k)]`); `scale` not yet applied. */
export interface NiftiVolume {
  geometry: VolumeGeometry;
  voxels: VoxelArray;
}

export type NiftiDatatype = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'int64' | 'uint64';

interface StoredType {
  name: NiftiDatatype;
  bytes: number;
  array(length: number): VoxelArray | BigInt64Array | BigUint64Array;
}

/** NIfTI datatype codes this reader decodes; 64-bit integers come back as float64 (exact up to 2⁵³). */
const DATATYPES: ReadonlyMap<number, StoredType> = new Map<number, StoredType>([
  [2, { name: 'uint8', bytes: 1, array: (length: number) => new Uint8Array(length) }],
  [256, { name: 'int8', bytes: 1, array: (length: number) => new Int8Array(length) }],
  [4, { name: 'int16', bytes: 2, array: (length: number) => new Int16Array(length) }],
  [512, { name: 'uint16', bytes: 2, array: (length: number) => new Uint16Array(length) }],
  [8, { name: 'int32', bytes: 4, array: (length: number) => new Int32Array(length) }],
  [768, { name: 'uint32', bytes: 4, array: (length: number) => new Uint32Array(length) }],
  [16, { name: 'float32', bytes: 4, array: (length: number) => new Float32Array(length) }],
  [64, { name: 'float64', bytes: 8, array: (length: number) => new Float64Array(length) }],
  [1024, { name: 'int64', bytes: 8, array: (length: number) => new BigInt64Array(length) }],
  [1280, { name: 'uint64', bytes: 8, array: (length: number) => new BigUint64Array(length) }],
]);

const HEADER_SIZES = { 1: 348, 2: 540 } as const;
const HOST_LITTLE_ENDIAN = endianness() === 'LE';
/** Inflated bytes per step of a `.nii.gz`: large steps, as a volume is hundreds of MiB. */
const GUNZIP_CHUNK = 1 << 20;

/**
 * Reads and decodes a `.nii` or `.nii.gz` file (gzip recognised by its signature, not its name). The header is read
 * first and its dims × bitpix checked against `limits`; then only as many bytes as the header and voxels need are
 * read (inflated): whatever a stream holds beyond them is never expanded.
 */
export async function readNiftiFile(file: string, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<NiftiVolume> {
  const { voxelOffset, voxelBytes } = await readCheckedHeader(file, limits);
  return decodeNifti(await readContent(file, voxelOffset + voxelBytes, 'voxels'), file);
}

/**
 * The geometry of a `.nii` / `.nii.gz` file from its header alone (a `.nii.gz` is inflated only as far as the
 * header), once the size it declares is within `limits`.
 */
export async function readNiftiGeometry(file: string, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<VolumeGeometry> {
  return (await readCheckedHeader(file, limits)).geometry;
}

async function readCheckedHeader(file: string, limits: DecodeLimits): Promise<{ geometry: VolumeGeometry; voxelOffset: number; voxelBytes: number }> {
  const { geometry, voxelOffset, type } = parseHeader(await readContent(file, HEADER_SIZES[2], 'header'), file);
  const [i, j, k] = geometry.dims;
  const voxelBytes = i * j * k * type.bytes;
  // What is read is the header and extensions up to vox_offset, then the voxels: a vox_offset far out counts too.
  const description = `a ${geometry.dims.join('×')} NIfTI volume of ${geometry.datatype}`;
  checkDeclaredSize(file, { description, pixels: Math.max(i * j, i * k, j * k), bytes: voxelOffset + voxelBytes }, limits);
  return { geometry, voxelOffset, voxelBytes };
}

/** Decodes an uncompressed NIfTI-1 or NIfTI-2 single file (`n+1` / `n+2`). */
export function decodeNifti(bytes: Uint8Array, file: string): NiftiVolume {
  const { geometry, voxelOffset, type } = parseHeader(bytes, file);
  const count = geometry.dims[0] * geometry.dims[1] * geometry.dims[2];
  const byteCount = count * type.bytes;
  if (voxelOffset + byteCount > bytes.length) {
    throw new RadprobeError(
      `${file}: truncated NIfTI: ${geometry.dims.join('×')} ${geometry.datatype} voxels need ${byteCount} bytes from offset ${voxelOffset}, the file has ${Math.max(0, bytes.length - voxelOffset)}`,
      { file },
    );
  }
  const stored = type.array(count);
  const raw = new Uint8Array(stored.buffer);
  raw.set(bytes.subarray(voxelOffset, voxelOffset + byteCount));
  if (geometry.littleEndian !== HOST_LITTLE_ENDIAN && type.bytes > 1) swapBytes(raw, type.bytes);
  const voxels = stored instanceof BigInt64Array || stored instanceof BigUint64Array ? Float64Array.from(stored as ArrayLike<bigint>, (value) => Number(value)) : stored;
  return { geometry, voxels };
}

function parseHeader(bytes: Uint8Array, file: string): { geometry: VolumeGeometry; voxelOffset: number; type: StoredType } {
  const version = headerVersion(bytes, file);
  const size = HEADER_SIZES[version];
  // Exactly the header: the reader then leaves extensions alone, which a partial read may have cut.
  const headerBytes = new Uint8Array(bytes.subarray(0, size)).buffer;
  let header: NIFTI1 | NIFTI2;
  try {
    header = readHeader(headerBytes);
  } catch (error) {
    throw new RadprobeError(`${file}: not a single-file NIfTI-${version} (.nii) header: ${errorMessage(error)}`, { file, cause: error });
  }
  const type = DATATYPES.get(header.datatypeCode);
  if (!type) {
    throw new RadprobeError(`${file}: NIfTI datatype ${header.datatypeCode} (${header.getDatatypeCodeString(header.datatypeCode)}) is not supported (supported: ${[...DATATYPES.values()].map(({ name }) => name).join(', ')})`, { file });
  }
  const dims = spatialDims(header.dims, file);
  const view = new DataView(headerBytes);
  const srow = [0, 1, 2].map((row) =>
    [0, 1, 2, 3].map((column) =>
      version === 1 ? view.getFloat32(280 + (row * 4 + column) * 4, header.littleEndian) : view.getFloat64(400 + (row * 4 + column) * 8, header.littleEndian),
    ),
  ) as [number[], number[], number[]];
  const pixdim = [header.pixDims[0], header.pixDims[1], header.pixDims[2], header.pixDims[3]] as [number, number, number, number];
  const transform: TransformFields = {
    qformCode: header.qform_code,
    sformCode: header.sform_code,
    pixdim,
    quatern: [header.quatern_b, header.quatern_c, header.quatern_d],
    qoffset: [header.qoffset_x, header.qoffset_y, header.qoffset_z],
    srow,
  };
  const { affine, source } = affineFromHeader(transform);
  const slope = header.scl_slope;
  const intercept = Number.isFinite(header.scl_inter) ? header.scl_inter : 0;
  const scaled = Number.isFinite(slope) && slope !== 0 && !(slope === 1 && intercept === 0);
  const voxelOffset = Math.round(header.vox_offset);
  if (voxelOffset < size) throw new RadprobeError(`${file}: vox_offset ${header.vox_offset} lies inside the ${size}-byte header`, { file });
  const geometry: VolumeGeometry = {
    file,
    niftiVersion: version,
    dims,
    voxelSizes: [Math.abs(pixdim[1]), Math.abs(pixdim[2]), Math.abs(pixdim[3])],
    affine,
    affineSource: source,
    qformCode: header.qform_code,
    sformCode: header.sform_code,
    transform,
    xyztUnits: header.xyzt_units,
    orientation: orientationCode(axisDirections(affine, file)),
    datatype: type.name,
    littleEndian: header.littleEndian,
    scale: scaled ? { slope, intercept } : null,
  };
  return { geometry, voxelOffset, type };
}

/** NIfTI-1 or -2, from `sizeof_hdr` (348 or 540) read in either byte order. */
function headerVersion(bytes: Uint8Array, file: string): 1 | 2 {
  if (bytes.length >= 4) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
    for (const littleEndian of [true, false]) {
      const size = view.getInt32(0, littleEndian);
      if (size === HEADER_SIZES[1] && bytes.length >= HEADER_SIZES[1]) return 1;
      if (size === HEADER_SIZES[2] && bytes.length >= HEADER_SIZES[2]) return 2;
    }
  }
  throw new RadprobeError(`${file}: not a NIfTI file (sizeof_hdr is neither 348 nor 540, or the file is shorter than its header)`, { file });
}

/** The three spatial sizes; a 2D image is one slice thick. Volumes with more than one time point or component are refused. */
function spatialDims(dims: number[], file: string): [number, number, number] {
  const rank = dims[0];
  if (!(rank >= 1 && rank <= 7)) throw new RadprobeError(`${file}: dim[0] = ${rank} is not a rank between 1 and 7`, { file });
  const sizes = dims.slice(1, rank + 1);
  if (sizes.some((size) => !(Number.isInteger(size) && size >= 1))) throw new RadprobeError(`${file}: dims ${sizes.join('×')} must all be positive`, { file });
  if (sizes.slice(3).some((size) => size > 1)) {
    throw new RadprobeError(`${file}: a ${sizes.join('×')} volume has more than one frame or component; only 3D volumes are read`, { file });
  }
  return [sizes[0], sizes[1] ?? 1, sizes[2] ?? 1];
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function swapBytes(raw: Uint8Array, width: number): void {
  for (let at = 0; at < raw.length; at += width) {
    for (let low = at, high = at + width - 1; low < high; low++, high--) {
      const byte = raw[low];
      raw[low] = raw[high];
      raw[high] = byte;
    }
  }
}

/**
 * The first `length` bytes of the file's content (fewer when it ends sooner), inflating a gzip stream only as far
 * as that: a stream that goes on (a bomb behind a small header) is never expanded. A gzip stream that breaks off
 * is a RadprobeError saying so; `what` says what other read errors were reading.
 */
async function readContent(file: string, length: number, what: 'header' | 'voxels'): Promise<Uint8Array> {
  const content = Buffer.allocUnsafe(length);
  let filled = 0;
  try {
    const handle = await open(file, 'r');
    let gzip: boolean;
    try {
      const signature = Buffer.alloc(2);
      await handle.read(signature, 0, 2, 0);
      gzip = isGzip(signature);
      while (!gzip && filled < length) {
        const { bytesRead } = await handle.read(content, filled, length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } finally {
      await handle.close();
    }
    if (!gzip) return content.subarray(0, filled);
    const input = createReadStream(file);
    const inflate = createGunzip({ chunkSize: GUNZIP_CHUNK });
    try {
      for await (const chunk of input.pipe(inflate) as AsyncIterable<Buffer>) {
        filled += chunk.copy(content, filled);
        if (filled >= length) break;
      }
    } finally {
      input.destroy();
      inflate.destroy();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
      throw new RadprobeError(`${file}: truncated .nii.gz (the gzip stream breaks off before the end of the data)`, { file, cause: error });
    }
    throw new RadprobeError(`${file}: cannot read NIfTI ${what} (${errorMessage(error)})`, { file, cause: error });
  }
  return content.subarray(0, filled);
}
