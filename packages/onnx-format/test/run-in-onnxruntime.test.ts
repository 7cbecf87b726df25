import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  TensorDataType,
  decodeModel,
  encodeModel,
  findAttribute,
  float16Tensor,
  float32Tensor,
  floatAttribute,
  intAttribute,
  tensorAttribute,
  tensorToFloat32,
  tensorValueInfo,
} from '../src/index.js';
import type { OnnxModel } from '../src/index.js';

/**
 * y = LeakyRelu_{alpha=0.5}( (x·W + b) · 2 + Cast(c16) ), exercising raw_data, float_data, a float16 initializer,
 * a tensor attribute (Constant), int and float attributes and a symbolic batch dimension.
 */
function smallModel(): OnnxModel {
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'radprobe-test',
    metadataProps: [{ key: 'purpose', value: 'test' }],
    graph: {
      name: 'small',
      node: [
        { opType: 'MatMul', input: ['x', 'W'], output: ['xw'], attribute: [] },
        { opType: 'Add', input: ['xw', 'b'], output: ['affine'], attribute: [] },
        {
          opType: 'Constant',
          input: [],
          output: ['two'],
          attribute: [tensorAttribute('value', float32Tensor('', [], [2]))],
        },
        { opType: 'Mul', input: ['affine', 'two'], output: ['doubled'], attribute: [] },
        {
          opType: 'Cast',
          input: ['c16'],
          output: ['c32'],
          attribute: [intAttribute('to', TensorDataType.FLOAT)],
        },
        { opType: 'Add', input: ['doubled', 'c32'], output: ['shifted'], attribute: [] },
        { opType: 'LeakyRelu', name: 'leaky', input: ['shifted'], output: ['y'], attribute: [floatAttribute('alpha', 0.5)] },
      ],
      initializer: [
        float32Tensor('W', [3, 2], [1, 0, 0, 1, 1, 1]),
        { name: 'b', dataType: TensorDataType.FLOAT, dims: [2], floatData: Float32Array.of(0.5, -0.5) },
        float16Tensor('c16', [2], [0.25, -2]),
      ],
      input: [tensorValueInfo('x', TensorDataType.FLOAT, ['batch', 3])],
      output: [tensorValueInfo('y', TensorDataType.FLOAT, ['batch', 2])],
      valueInfo: [],
    },
  };
}

describe('encodeModel output in onnxruntime-node', () => {
  it('loads and computes the hand-derived result', async () => {
    const session = await ort.InferenceSession.create(encodeModel(smallModel()));
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
    const x = new ort.Tensor('float32', Float32Array.of(1, 2, 3, -1, 0, 1), [2, 3]);
    const { y } = await session.run({ x });
    // x·W = [[1+3, 2+3], [-1+1, 0+1]] = [[4, 5], [0, 1]]; + b = [[4.5, 4.5], [0.5, 0.5]]; ·2 = [[9, 9], [1, 1]];
    // + [0.25, -2] = [[9.25, 7], [1.25, -1]]; LeakyRelu(0.5) halves only the negative entry.
    expect(y.dims).toEqual([2, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([9.25, 7, 1.25, -0.5]);
  });
});

describe('decodeModel on bytes written by onnxruntime (C++ protobuf)', () => {
  it('reads the graph, attributes and weights back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'onnx-format-'));
    try {
      const path = join(dir, 'resaved.onnx');
      await ort.InferenceSession.create(encodeModel(smallModel()), {
        graphOptimizationLevel: 'disabled',
        optimizedModelFilePath: path,
      });
      const model = decodeModel(await readFile(path), path);
      expect(model.producerName).toBe('radprobe-test');
      expect(model.opsetImport).toContainEqual({ domain: '', version: 17 });
      // onnxruntime turns Constant nodes into initializers when it loads a graph.
      expect(model.graph.node.map((node) => node.opType)).toEqual(['MatMul', 'Add', 'Mul', 'Cast', 'Add', 'LeakyRelu']);
      const leaky = model.graph.node[5];
      expect(leaky.name).toBe('leaky');
      expect(findAttribute(leaky, 'alpha')?.f).toBe(0.5);
      expect(findAttribute(model.graph.node[3], 'to')?.i).toBe(TensorDataType.FLOAT);
      expect(model.graph.input[0].type?.tensorType?.shape).toEqual([{ dimParam: 'batch' }, { dimValue: 3 }]);
      const weights = new Map(model.graph.initializer.map((tensor) => [tensor.name, tensor]));
      expect(weights.get('W')?.dims).toEqual([3, 2]);
      expect(Array.from(tensorToFloat32(weights.get('W')!))).toEqual([1, 0, 0, 1, 1, 1]);
      expect(Array.from(tensorToFloat32(weights.get('b')!))).toEqual([0.5, -0.5]);
      expect(Array.from(tensorToFloat32(weights.get('c16')!))).toEqual([0.25, -2]);
      expect(Array.from(tensorToFloat32(weights.get('two')!))).toEqual([2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
