import { RadprobeError } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import {
  AttributeType,
  TensorDataType,
  attributeText,
  decodeModel,
  encodeModel,
  findAttribute,
  float16Tensor,
  float32Tensor,
  int64Tensor,
  intsAttribute,
  stringAttribute,
  tensorToFloat32,
  tensorToInt64,
  tensorValueInfo,
} from '../src/index.js';
import type { OnnxModel } from '../src/index.js';

const INT64_MAX = 2n ** 63n - 1n;

function model(): OnnxModel {
  return {
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
    producerName: 'radprobe',
    producerVersion: '0.1.0',
    modelVersion: 3,
    metadataProps: [{ key: 'k', value: 'v' }],
    graph: {
      name: 'g',
      node: [
        {
          opType: 'Resize',
          name: 'resize',
          input: ['x', '', '', 'sizes'],
          output: ['y'],
          attribute: [stringAttribute('mode', 'cubic'), intsAttribute('axes', [-1, 2, 0])],
        },
      ],
      initializer: [
        float32Tensor('w', [2, 2], [1.5, -2, 0, 3.25]),
        float16Tensor('h', [3], [1, -2, 0.333251953125]),
        int64Tensor('sizes', [3], [-1n, INT64_MAX, 7n]),
      ],
      input: [tensorValueInfo('x', TensorDataType.FLOAT, ['batch', 3, 'height', 'width'])],
      output: [tensorValueInfo('y', TensorDataType.FLOAT16, [])],
      valueInfo: [],
    },
  };
}

/** Protobuf bytes written by hand, so the decoder is checked against the wire format, not against our encoder. */
function bytes(...parts: (number | string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') out.push(...new TextEncoder().encode(part));
    else if (typeof part === 'number') out.push(part);
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

function float32Bytes(value: number): number[] {
  return Array.from(new Uint8Array(Float32Array.of(value).buffer));
}

describe('decodeModel', () => {
  it('reads back what encodeModel wrote', () => {
    const original = model();
    const decoded = decodeModel(encodeModel(original));
    expect(decoded.irVersion).toBe(8);
    expect(decoded.opsetImport).toEqual(original.opsetImport);
    expect(decoded.producerName).toBe('radprobe');
    expect(decoded.producerVersion).toBe('0.1.0');
    expect(decoded.modelVersion).toBe(3);
    expect(decoded.metadataProps).toEqual([{ key: 'k', value: 'v' }]);
    expect(decoded.graph.name).toBe('g');
    expect(decoded.graph.input).toEqual(original.graph.input);
    expect(decoded.graph.output).toEqual(original.graph.output);
    const [node] = decoded.graph.node;
    expect(node.opType).toBe('Resize');
    expect(node.name).toBe('resize');
    expect(node.input).toEqual(['x', '', '', 'sizes']);
    expect(attributeText(findAttribute(node, 'mode')!)).toBe('cubic');
    expect(findAttribute(node, 'axes')).toEqual({ name: 'axes', type: AttributeType.INTS, ints: [-1, 2, 0] });
    const [w, h, sizes] = decoded.graph.initializer;
    expect(w.dims).toEqual([2, 2]);
    expect(Array.from(tensorToFloat32(w))).toEqual([1.5, -2, 0, 3.25]);
    // 0.333251953125 = 0x3555 is exactly representable in float16.
    expect(h.dataType).toBe(TensorDataType.FLOAT16);
    expect(Array.from(tensorToFloat32(h))).toEqual([1, -2, 0.333251953125]);
    expect(Array.from(tensorToInt64(sizes))).toEqual([-1n, INT64_MAX, 7n]);
  });

  it('writes a plain Uint8Array, and reads raw_data out of a Node Buffer as plain views into it, not copies', () => {
    const encoded = encodeModel(model());
    expect(encoded.constructor).toBe(Uint8Array);
    const file = Buffer.from(encoded);
    const [w] = decodeModel(file).graph.initializer;
    expect(w.rawData?.constructor).toBe(Uint8Array);
    expect(w.rawData?.buffer).toBe(file.buffer);
  });

  it('writes int64 attributes as two\'s complement and clamps numbers past the int64 range', () => {
    // Number(INT64_MAX) rounds up to 2^63, which is outside int64: it is written as INT64_MAX and reads back as the
    // same rounded number; -2^40 needs the 10-byte sign-extended varint.
    const withInts = model();
    withInts.graph.node[0].attribute = [intsAttribute('ends', [2 ** 63, -(2 ** 40), -(2 ** 70)])];
    const [attribute] = decodeModel(encodeModel(withInts)).graph.node[0].attribute;
    expect(attribute.ints).toEqual([2 ** 63, -(2 ** 40), -(2 ** 63)]);
  });

  it('reads unpacked repeated scalars and skips unknown fields of every wire type', () => {
    const tensor = bytes(
      [0x08, 2], // dims: 2 (unpacked, field 1 varint)
      [0x08, 3], // dims: 3
      [0x10, 1], // data_type FLOAT
      ...[1, 2, 3, 4, 5, -6].map((value) => [0x25, ...float32Bytes(value)]), // float_data, field 4 fixed32, unpacked
      [0x42, 1],
      'w', // name
    );
    const graph = bytes([0x2a, tensor.length], Array.from(tensor), [0x12, 1], 'g');
    const file = bytes(
      [0x08, 7], // ir_version 7
      [0x98, 0x06, 0x01], // field 99, varint
      [0xa1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8], // field 100, fixed64
      [0xad, 0x06, 1, 2, 3, 4], // field 101, fixed32
      [0xb2, 0x06, 2],
      'ab', // field 102, length-delimited
      [0x3a, graph.length],
      Array.from(graph),
    );
    const decoded = decodeModel(file);
    expect(decoded.irVersion).toBe(7);
    expect(decoded.graph.name).toBe('g');
    const [w] = decoded.graph.initializer;
    expect(w.name).toBe('w');
    expect(w.dims).toEqual([2, 3]);
    expect(Array.from(tensorToFloat32(w))).toEqual([1, 2, 3, 4, 5, -6]);
  });

  it('reads float16 bit patterns kept in int32_data', () => {
    // 0x3c00 = 1, 0xc000 = -2, 0x7bff = 65504 (largest half), 0x0001 = 2^-24 (smallest subnormal).
    const decoded = decodeModel(
      encodeModel({
        ...model(),
        graph: {
          ...model().graph,
          initializer: [
            { name: 'h', dataType: TensorDataType.FLOAT16, dims: [4], int32Data: Int32Array.of(0x3c00, 0xc000, 0x7bff, 1) },
          ],
        },
      }),
    );
    expect(Array.from(tensorToFloat32(decoded.graph.initializer[0]))).toEqual([1, -2, 65504, 2 ** -24]);
  });

  it('names the file when the bytes are truncated', () => {
    const encoded = encodeModel(model());
    const cut = encoded.subarray(0, encoded.length - 5);
    expect(() => decodeModel(cut, '/models/cut.onnx')).toThrow(RadprobeError);
    expect(() => decodeModel(cut, '/models/cut.onnx')).toThrow(/\/models\/cut\.onnx: .* while reading ModelProto/);
  });

  it('rejects bytes without a graph', () => {
    expect(() => decodeModel(bytes([0x08, 7]), 'x.onnx')).toThrow(/x\.onnx: no graph/);
  });

  it('refuses tensors whose data length disagrees with their dims', () => {
    const tensor = { ...float32Tensor('w', [2], [1, 2]), dims: [3] };
    expect(() => tensorToFloat32(tensor)).toThrow(/tensor 'w': raw_data has 8 bytes, dims \[3\] need 12/);
  });

  it('refuses external data with the location named', () => {
    const tensor = {
      name: 'big',
      dataType: TensorDataType.FLOAT,
      dims: [1],
      dataLocation: 1,
      externalData: [{ key: 'location', value: 'weights.bin' }],
    };
    expect(() => tensorToFloat32(tensor)).toThrow(/tensor 'big' keeps its data in an external file \('weights\.bin'\)/);
  });
});
