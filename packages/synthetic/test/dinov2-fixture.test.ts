import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDinov2Fixture } from '../src/index.js';

const scratch = await mkdtemp(join(tmpdir(), 'radprobe-fixture-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const base = { embedDim: 16, depth: 2, heads: 2, patchSize: 14, posGrid: 2, seed: 1 };

describe('writeDinov2Fixture', () => {
  it('writes an HF-style repository: config.json, preprocessor_config.json, onnx/model.onnx', async () => {
    const path = await writeDinov2Fixture(scratch, { ...base, style: 'hf', registers: 4 }, 'dinov2-tiny-reg');
    expect(path).toBe(join(scratch, 'dinov2-tiny-reg', 'onnx', 'model.onnx'));
    const config = JSON.parse(await readFile(join(scratch, 'dinov2-tiny-reg', 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'dinov2_with_registers',
      architectures: ['Dinov2WithRegistersModel'],
      hidden_size: 16,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      patch_size: 14,
      image_size: 28,
      num_register_tokens: 4,
      layer_norm_eps: 1e-6,
    });
    const preprocessor = JSON.parse(await readFile(join(scratch, 'dinov2-tiny-reg', 'preprocessor_config.json'), 'utf8'));
    // Crop = posGrid·patch = 28; resize target 28·256/224 = 32.
    expect(preprocessor).toMatchObject({ crop_size: { height: 28, width: 28 }, size: { shortest_edge: 32 }, resample: 3 });
    const session = await ort.InferenceSession.create(path);
    expect(session.outputNames).toEqual(['last_hidden_state']);
  });

  it('writes a lone model.onnx for Meta style, directly in dir without a name', async () => {
    const dir = join(scratch, 'meta');
    const path = await writeDinov2Fixture(dir, { ...base, style: 'meta' });
    expect(path).toBe(join(dir, 'model.onnx'));
    const session = await ort.InferenceSession.create(path);
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toHaveLength(4);
  });
});
