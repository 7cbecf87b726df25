import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { externalDataFiles } from '../src/external-data.js';
import { TensorDataType } from '@radprobe/onnx-format';
import { addModel, externalInitializer, identityModel } from './helpers/onnx-models.js';

describe('externalDataFiles', () => {
  it('finds the file an initializer keeps its data in (the one onnxruntime reads)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radprobe-external-'));
    const modelPath = join(dir, 'model.onnx');
    await writeFile(modelPath, addModel(externalInitializer('w', [1], 'model.onnx_data')));
    await writeFile(join(dir, 'model.onnx_data'), Buffer.from(Float32Array.of(2.5).buffer));
    expect(await externalDataFiles(modelPath)).toEqual([join(dir, 'model.onnx_data')]);
    // The hand-built graph is a real model: 1 + 2.5 (read from the external file) = 3.5.
    const session = await InferenceSession.create(modelPath);
    const { y } = await session.run({ x: new Tensor('float32', Float32Array.of(1), [1]) });
    await session.release();
    expect([...(y.data as Float32Array)]).toEqual([3.5]);
  });

  it('finds none in a self-contained model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radprobe-external-'));
    const modelPath = join(dir, 'identity.onnx');
    await writeFile(modelPath, identityModel(TensorDataType.FLOAT, [1]));
    expect(await externalDataFiles(modelPath)).toEqual([]);
  });

  it('names a file that is not protobuf', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radprobe-external-'));
    const modelPath = join(dir, 'broken.onnx');
    // Field 7 (graph) announced with 100 bytes but the file ends after 3.
    await writeFile(modelPath, Uint8Array.of(0x3a, 100, 0));
    await expect(externalDataFiles(modelPath)).rejects.toThrow(`${modelPath} is not a valid ONNX file`);
  });
});
