import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackboneContext } from '@radprobe/core';
import { onnxBackboneFactory } from '../src/onnx-backbone.js';
import { TensorDataType } from '@radprobe/onnx-format';
import { identityModel } from './helpers/onnx-models.js';

async function context(): Promise<BackboneContext & { messages: string[] }> {
  const baseDir = await mkdtemp(join(tmpdir(), 'radprobe-onnx-'));
  const messages: string[] = [];
  return { baseDir, modelStoreDir: join(baseDir, 'store'), device: 'cpu', log: (m) => messages.push(m), messages };
}

describe('onnx backbone: files it cannot use', () => {
  it('names the input of a model that does not take images', async () => {
    const ctx = await context();
    await writeFile(join(ctx.baseDir, 'ids.onnx'), identityModel(TensorDataType.INT64, ['batch', 'tokens']));
    await expect(onnxBackboneFactory.create({ model: 'ids.onnx' }, ctx)).rejects.toThrow(
      `${join(ctx.baseDir, 'ids.onnx')}: the first input must be a float32 image tensor [B, 3, H, W], but it is "x" (int64 [batch, tokens])`,
    );
  });

  it('says which outputs it found when it cannot tell tokens apart', async () => {
    const ctx = await context();
    await writeFile(join(ctx.baseDir, 'image.onnx'), identityModel(TensorDataType.FLOAT, ['batch', 3, 'height', 'width']));
    await expect(onnxBackboneFactory.create({ model: 'image.onnx' }, ctx)).rejects.toThrow(
      /image\.onnx: cannot tell which outputs are which tokens\. Outputs: "y" \(float32 \[batch, 3, height, width\]\)/,
    );
  });

  it('names a missing file', async () => {
    const ctx = await context();
    await expect(onnxBackboneFactory.create({ model: 'absent.onnx' }, ctx)).rejects.toThrow(
      `Model file ${join(ctx.baseDir, 'absent.onnx')} does not exist`,
    );
  });

  it('names a corrupt file', async () => {
    const ctx = await context();
    const file = join(ctx.baseDir, 'corrupt.onnx');
    await writeFile(file, randomBytes(4096));
    await expect(onnxBackboneFactory.create({ model: 'corrupt.onnx' }, ctx)).rejects.toThrow(`Cannot load ${file} with onnxruntime`);
  });

  it('names the manifest and pointer of a bad manifest', async () => {
    const ctx = await context();
    const model = join(ctx.baseDir, 'image.onnx');
    await writeFile(model, identityModel(TensorDataType.FLOAT, ['batch', 3, 'height', 'width']));
    await writeFile(`${model}.radprobe.json`, JSON.stringify({ outputs: { tokens: ['y'] }, registerTokens: -1 }));
    await expect(onnxBackboneFactory.create({ model: 'image.onnx' }, ctx)).rejects.toThrow(
      `Invalid ONNX manifest ${model}.radprobe.json: /registerTokens: must be >= 0`,
    );
  });
});
