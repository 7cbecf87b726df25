import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { zipSync } from 'fflate';

/** A C-ordered array for `.npy` fixtures: `|u1` values or `<f4`/`<i8` and so on as numpy names them. */
export interface FixtureArray {
  dtype: '|u1' | '<i8' | '<f4';
  shape: number[];
  values: ArrayLike<number>;
}

/** A `.npy` (format 1.0) as `numpy.save` writes it: header padded with spaces and a newline to 64 bytes. */
export function npyBytes({ dtype, shape, values }: FixtureArray): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const size = Number(dtype.slice(2));
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const start = 10 + header.length;
  for (let index = 0; index < values.length; index++) {
    const at = start + index * size;
    if (dtype === '|u1') view.setUint8(at, values[index]);
    else if (dtype === '<i8') view.setBigInt64(at, BigInt(values[index]), true);
    else view.setFloat32(at, values[index], true);
  }
  return out;
}

/** Writes `arrays` as a `.npz`, deflated like `numpy.savez_compressed` (or stored like `numpy.savez`). */
export async function writeNpz(path: string, arrays: Record<string, FixtureArray>, compressed = true): Promise<void> {
  const entries = Object.fromEntries(Object.entries(arrays).map(([name, array]) => [`${name}.npy`, npyBytes(array)]));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, zipSync(entries, { level: compressed ? 6 : 0 }));
}
