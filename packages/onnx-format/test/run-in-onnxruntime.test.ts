import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  TensorDataType,
  encodeModel,
  float16Tensor,
  float32Tensor,
  floatAttribute,
  intAttribute,
  tensorAttribute,
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
