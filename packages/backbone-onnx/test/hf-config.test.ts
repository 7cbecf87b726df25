import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHfModelConfig } from '../src/hf-config.js';

async function repository(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'radprobe-hf-'));
  await mkdir(join(dir, 'onnx'));
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

describe('readHfModelConfig', () => {
  it("reads the hub layout's configs from the folder above onnx/", async () => {
    const dir = await repository({
      'config.json': { hidden_size: 384, num_hidden_layers: 12, num_attention_heads: 6, patch_size: 14, image_size: 518, num_register_tokens: 4 },
      'preprocessor_config.json': { crop_size: { height: 224, width: 224 }, image_mean: [0.5, 0.4, 0.3], image_std: [0.2, 0.2, 0.2] },
    });
    expect(await readHfModelConfig(join(dir, 'onnx', 'model.onnx'))).toEqual({
      files: [join(dir, 'config.json'), join(dir, 'preprocessor_config.json')],
      embedDim: 384,
      depth: 12,
      heads: 6,
      patchSize: 14,
      registerTokens: 4,
      inputSize: { height: 224, width: 224 },
      normalization: { mean: [0.5, 0.4, 0.3], std: [0.2, 0.2, 0.2] },
    });
  });

  it('is empty without configs and names the field of a bad one', async () => {
    const empty = await repository({});
    expect(await readHfModelConfig(join(empty, 'onnx', 'model.onnx'))).toEqual({ files: [] });
    const bad = await repository({ 'config.json': { hidden_size: '384' } });
    await expect(readHfModelConfig(join(bad, 'model.onnx'))).rejects.toThrow(
      `${join(bad, 'config.json')}: /hidden_size must be an integer ≥ 1, found "384"`,
    );
    const halfNormalisation = await repository({ 'preprocessor_config.json': { image_mean: [0, 0, 0] } });
    await expect(readHfModelConfig(join(halfNormalisation, 'model.onnx'))).rejects.toThrow(/image_mean and \/image_std must be given together/);
    const broken = await repository({ 'config.json': '{' });
    await expect(readHfModelConfig(join(broken, 'model.onnx'))).rejects.toThrow(`${join(broken, 'config.json')} is not valid JSON`);
  });

  it('accepts a square crop size given as a number', async () => {
    const dir = await repository({ 'preprocessor_config.json': { crop_size: 448 } });
    expect((await readHfModelConfig(join(dir, 'model.onnx'))).inputSize).toEqual({ height: 448, width: 448 });
  });
});
