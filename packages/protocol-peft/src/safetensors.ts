import { RadprobeError, type ParameterTensor } from '@radprobe/core';

/** The header is padded with spaces to a multiple of this, as the reference implementation does, so data is aligned. */
const HEADER_ALIGNMENT = 8;

/**
 * A safetensors file of float32 tensors: an 8-byte little-endian header length, a JSON header giving each
 * tensor's `dtype` (`F32`), `shape` and `data_offsets` (`[begin, end)` bytes after the header) plus string
 * `__metadata__`, then the little-endian data, tensors in name order.
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, ParameterTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const { shape, values } = tensors.get(name)!;
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== values.length) throw new RadprobeError(`safetensors: tensor ${name} has ${values.length} values for shape [${shape.join(', ')}]`);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const name of names) {
    for (const value of tensors.get(name)!.values) {
      view.setFloat32(at, value, true);
      at += 4;
    }
  }
  return bytes;
}
