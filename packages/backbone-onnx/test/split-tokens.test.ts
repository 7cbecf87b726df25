import { describe, expect, it } from 'vitest';
import { collectTokens, splitSequence } from '../src/split-tokens.js';

describe('splitSequence', () => {
  it('drops the registers and keeps CLS and patch tokens per image', () => {
    // B = 2, 1 CLS + 1 register + 2 patches (1×2 grid), D = 2: value = 100·b + 10·token + d.
    const data = Float32Array.from({ length: 2 * 4 * 2 }, (_, i) => 100 * Math.floor(i / 8) + 10 * Math.floor((i % 8) / 2) + (i % 2));
    const { cls, patch } = splitSequence(
      { data, dims: [2, 4, 2] },
      { batchSize: 2, rows: 1, cols: 2, embedDim: 2, registerTokens: 1 },
      'seq',
      'm.onnx',
    );
    expect([...cls]).toEqual([0, 1, 100, 101]);
    expect([...patch]).toEqual([20, 21, 30, 31, 120, 121, 130, 131]);
  });

  it('names the output when its shape is wrong', () => {
    const geometry = { batchSize: 1, rows: 1, cols: 1, embedDim: 2, registerTokens: 0 };
    expect(() => splitSequence({ data: new Float32Array(6), dims: [1, 3, 2] }, geometry, 'seq', 'm.onnx')).toThrow(
      'm.onnx: output "seq" has shape [1, 3, 2], expected [1, 2, 2]',
    );
  });

  it('passes non-finite values through, for the engine to judge image by image', () => {
    const geometry = { batchSize: 2, rows: 1, cols: 1, embedDim: 1, registerTokens: 0 };
    const { cls, patch } = splitSequence({ data: Float32Array.of(1, 2, NaN, -Infinity), dims: [2, 2, 1] }, geometry, 'seq', 'm.onnx');
    expect([...cls]).toEqual([1, NaN]);
    expect([...patch]).toEqual([2, -Infinity]);
  });
});

describe('collectTokens', () => {
  it('hands Meta-style pairs through per block after checking them', () => {
    const geometry = { batchSize: 1, rows: 1, cols: 2, embedDim: 1, registerTokens: 0 };
    const outputs = {
      p0: { data: Float32Array.of(1, 2), dims: [1, 2, 1] },
      c0: { data: Float32Array.of(3), dims: [1, 1] },
      p1: { data: Float32Array.of(4, 5), dims: [1, 2, 1] },
      c1: { data: Float32Array.of(6), dims: [1, 1] },
    };
    const batch = collectTokens({ kind: 'pairs', cls: ['c0', 'c1'], patch: ['p0', 'p1'] }, outputs, geometry, 'm.onnx');
    expect(batch.grid).toEqual({ rows: 1, cols: 2 });
    expect(batch.cls.map((a) => [...a])).toEqual([[3], [6]]);
    expect(batch.patch!.map((a) => [...a])).toEqual([[1, 2], [4, 5]]);
    const misshapen = { ...outputs, c1: { data: Float32Array.of(6, 7), dims: [1, 2] } };
    expect(() => collectTokens({ kind: 'pairs', cls: ['c0', 'c1'], patch: ['p0', 'p1'] }, misshapen, geometry, 'm.onnx')).toThrow(
      'm.onnx: output "c1" has shape [1, 2], expected [1, 1]',
    );
  });
});
