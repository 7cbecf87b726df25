import { mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RadprobeError } from '@radprobe/core';
import { TensorDataType, decodeModel, encodeModel, float32Tensor, readGraphSignature, tensorValueInfo, type OnnxModel } from '../src/index.js';

/** A model whose weights (1 MiB) lie between its nodes and its inputs, as exporters write them. */
function model(): OnnxModel {
  return {
    irVersion: 3,
    opsetImport: [{ domain: '', version: 11 }],
    metadataProps: [],
    graph: {
      name: 'g',
      node: Array.from({ length: 300 }, (_, index) => ({ opType: 'Identity', name: `n${index}`, input: ['x'], output: [`y${index}`], attribute: [] })),
      initializer: [float32Tensor('w', [512, 512], new Float32Array(512 * 512).fill(0.5)), float32Tensor('b', [2], [1, 2])],
      // IR 3 lists initializers among the inputs; onnxruntime does not feed them.
      input: [tensorValueInfo('pixel_values', TensorDataType.FLOAT, ['batch', 3, 448, 448]), tensorValueInfo('w', TensorDataType.FLOAT, [512, 512])],
      output: [tensorValueInfo('last_hidden_state', TensorDataType.FLOAT, ['batch', 1025, 384]), tensorValueInfo('pooler_output', TensorDataType.FLOAT, ['batch', 384])],
      valueInfo: [],
    },
  };
}

describe('readGraphSignature', () => {
  it('reads the inputs and outputs as decodeModel does, leaving out initializers listed as inputs', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'radprobe-signature-')), 'model.onnx');
    const bytes = encodeModel(model());
    await writeFile(file, bytes);
    const decoded = decodeModel(bytes).graph;
    const signature = await readGraphSignature(file);
    expect(signature.inputs).toEqual([decoded.input[0]]);
    expect(signature.outputs).toEqual(decoded.output);
    expect(signature.inputs[0].type?.tensorType?.shape?.map((dim) => dim.dimValue ?? dim.dimParam)).toEqual(['batch', 3, 448, 448]);
  });

  it('names a file cut short and a file that is no model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radprobe-signature-'));
    const cut = join(dir, 'cut.onnx');
    await writeFile(cut, encodeModel(model()));
    await truncate(cut, 4000);
    await expect(readGraphSignature(cut)).rejects.toThrow(new RegExp(`^${cut}: .*(truncated|runs past)`));
    const text = join(dir, 'notes.onnx');
    await writeFile(text, '');
    await expect(readGraphSignature(text)).rejects.toThrow(RadprobeError);
    await expect(readGraphSignature(text)).rejects.toThrow(`${text}: no graph (ModelProto.graph) in the file; is this an ONNX model?`);
    await expect(readGraphSignature(join(dir, 'absent.onnx'))).rejects.toThrow(/absent\.onnx: cannot read the ONNX model \(ENOENT/);
  });
});
