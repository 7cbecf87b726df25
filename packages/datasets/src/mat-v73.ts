/// <reference path="./jsfive.d.ts" />
import { Dataset, File } from 'jsfive';
import { checkDeclaredSize, RadprobeError, type DecodeLimits } from '@radprobe/core';

/** A numeric MATLAB array: its MATLAB shape (rows first) and values in MATLAB's column-major order. */
export interface MatArray {
  shape: number[];
  values: ArrayLike<number>;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Opens a MATLAB v7.3 MAT-file (HDF5 behind a 512-byte user block) with jsfive and reads numeric variables by
 * path (`cjdata/image`). HDF5 lists MATLAB's dimensions in reverse, so shapes are reversed back here. A variable's
 * dimensions × type size are checked against `limits` before its values are read (and its chunks inflated); a
 * two-dimensional variable is an image, whose pixels are checked too.
 */
export function openMatV73(bytes: Uint8Array, source: string, limits: DecodeLimits): (path: string) => MatArray {
  const file = new File(fromSuperblock(bytes, source), source);
  return (path) => {
    let found: unknown;
    try {
      found = file.get(path);
    } catch (error) {
      throw new RadprobeError(`${source}: cannot read variable ${path} (${String(error)})`, { file: source });
    }
    if (!(found instanceof Dataset)) throw new RadprobeError(`${source}: no numeric variable ${path}`, { file: source });
    if (typeof found.dtype !== 'string' || !/^[<>]?[iuf]\d$/.test(found.dtype)) {
      throw new RadprobeError(`${source}: variable ${path} is not numeric (HDF5 type ${JSON.stringify(found.dtype)})`, { file: source });
    }
    const shape = [...found.shape].reverse();
    const elements = shape.reduce((product, side) => product * side, 1);
    const description = `a ${shape.join('×')} ${found.dtype} variable ${path}`;
    checkDeclaredSize(source, { description, pixels: shape.length === 2 ? elements : undefined, bytes: elements * Number(found.dtype.slice(-1)) }, limits);
    return { shape, values: found.value };
  };
}

/**
 * jsfive looks for the HDF5 superblock at byte 0 only, while MATLAB writes it after a 512-byte user block
 * (HDF5 allows 0, 512, 1024, 2048, …). Addresses in the file count from the superblock (its base address), so
 * the bytes from the superblock on are a valid HDF5 file by themselves.
 */
function fromSuperblock(bytes: Uint8Array, source: string): ArrayBuffer {
  for (let at = 0; at + SIGNATURE.length <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((byte, index) => bytes[at + index] === byte)) return new Uint8Array(bytes.subarray(at)).buffer;
  }
  throw new RadprobeError(`${source}: not a MATLAB v7.3 (HDF5) file: no HDF5 signature at byte 0, 512, 1024, …`, { file: source });
}
