import { checkDeclaredSize, RadprobeError, type DecodeLimits } from '@radprobe/core';

/** A numeric array read from a `.npy` file, in C (row-major) order whatever the file's order was. */
export interface NpyArray {
  /** numpy's dtype string as written, e.g. `|u1`, `<f4`. */
  dtype: string;
  shape: number[];
  data: Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

type TypedArrayConstructor = { new (length: number): NpyArray['data']; BYTES_PER_ELEMENT: number };
/** Readers of the element types radprobe accepts, by dtype kind + item size. */
const ELEMENT_TYPES: Record<string, { array: TypedArrayConstructor; read: (view: DataView, offset: number, little: boolean) => number }> = {
  b1: { array: Uint8Array, read: (view, offset) => view.getUint8(offset) },
  u1: { array: Uint8Array, read: (view, offset) => view.getUint8(offset) },
  i1: { array: Int8Array, read: (view, offset) => view.getInt8(offset) },
  u2: { array: Uint16Array, read: (view, offset, little) => view.getUint16(offset, little) },
  i2: { array: Int16Array, read: (view, offset, little) => view.getInt16(offset, little) },
  u4: { array: Uint32Array, read: (view, offset, little) => view.getUint32(offset, little) },
  i4: { array: Int32Array, read: (view, offset, little) => view.getInt32(offset, little) },
  // 64-bit integers become doubles: labels and pixel values are far below 2^53.
  u8: { array: Float64Array, read: (view, offset, little) => Number(view.getBigUint64(offset, little)) },
  i8: { array: Float64Array, read: (view, offset, little) => Number(view.getBigInt64(offset, little)) },
  f4: { array: Float32Array, read: (view, offset, little) => view.getFloat32(offset, little) },
  f8: { array: Float64Array, read: (view, offset, little) => view.getFloat64(offset, little) },
};

/**
 * Parses a `.npy` file (format versions 1–3): the header's `descr` (bool, integer or float, either byte order),
 * `shape` and `fortran_order`. Fortran-ordered data is reordered to C order so that callers index one way. The
 * header's shape × item size is checked against `limits` before the array is allocated.
 */
export function parseNpy(bytes: Uint8Array, source: string, limits: DecodeLimits): NpyArray {
  const fail = (reason: string) => new RadprobeError(`${source}: not a readable .npy array (${reason})`, { file: source });
  if (bytes.length < 10 || !MAGIC.every((byte, index) => bytes[index] === byte)) throw fail('no \\x93NUMPY signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) throw fail(`format version ${major}`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw fail('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw fail(`header without descr, fortran_order or shape: ${header.trim()}`);
  const shape = shapeText.split(',').map((part) => part.trim()).filter((part) => part !== '').map(Number);
  if (shape.some((size) => !Number.isInteger(size) || size < 0)) throw fail(`shape (${shapeText})`);
  const order = descr[0];
  const element = ELEMENT_TYPES[descr.slice(1)];
  if (!element || !'<>|='.includes(order)) throw fail(`dtype "${descr}" is not a bool, integer or float type`);
  const size = Number(descr.slice(2));
  const count = shape.reduce((product, side) => product * side, 1);
  checkDeclaredSize(source, { description: `an array of shape (${shape.join(', ')}) of ${descr}`, bytes: count * size }, limits);
  if (dataStart + count * size > bytes.length) throw fail(`data ends at byte ${bytes.length}, ${count} × ${size} bytes expected after byte ${dataStart}`);
  const little = order !== '>';
  const data = new element.array(count);
  const strides = fortran === 'True' ? fortranStrides(shape) : null;
  for (let index = 0; index < count; index++) {
    const stored = strides === null ? index : storedIndex(index, shape, strides);
    data[index] = element.read(view, dataStart + stored * size, little);
  }
  return { dtype: descr, shape, data };
}

/** Element strides of a Fortran-ordered array: the first axis varies fastest. */
function fortranStrides(shape: number[]): number[] {
  const strides: number[] = [];
  let stride = 1;
  for (const side of shape) {
    strides.push(stride);
    stride *= side;
  }
  return strides;
}

/** Where the element at C-order position `index` sits in Fortran-ordered storage. */
function storedIndex(index: number, shape: number[], strides: number[]): number {
  let stored = 0;
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    stored += (rest % shape[axis]) * strides[axis];
    rest = Math.floor(rest / shape[axis]);
  }
  return stored;
}
