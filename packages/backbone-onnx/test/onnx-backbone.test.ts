import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Random, sha256, type Backbone, type BackboneContext, type EmbeddedBatch } from '@radprobe/core';
import { dinov2Reference, writeDinov2Fixture, type VitSpec } from '@radprobe/testkit';
import { InferenceSession } from 'onnxruntime-node';
import { onnxBackboneFactory, type OnnxBackboneOptions } from '../src/onnx-backbone.js';

const small = { embedDim: 24, heads: 2, patchSize: 14, posGrid: 4 } as const;

async function fixture(spec: VitSpec): Promise<{ modelPath: string; context: BackboneContext; messages: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'radprobe-dinov2-'));
  const modelPath = await writeDinov2Fixture(dir, spec);
  const messages: string[] = [];
  return { modelPath, messages, context: { baseDir: dir, modelStoreDir: join(dir, 'store'), device: 'cpu', log: (m) => messages.push(m) } };
}

function pixels(batch: number, height: number, width: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: batch * 3 * height * width }, () => random.normal());
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

async function embedAndCompare(backbone: Backbone, spec: VitSpec, batch: number, height: number, width: number): Promise<EmbeddedBatch> {
  const input = pixels(batch, height, width, 7);
  const embedded = await backbone.embed(input, batch, height, width);
  const reference = dinov2Reference(spec, input, batch, height, width);
  expect(embedded.batchSize).toBe(batch);
  expect(embedded.grid).toEqual({ rows: height / 14, cols: width / 14 });
  expect(embedded.cls).toHaveLength(reference.cls.length);
  embedded.cls.forEach((cls, block) => expect(maxAbsDifference(cls, reference.cls[block])).toBeLessThanOrEqual(1e-4));
  embedded.patch!.forEach((patch, block) => expect(maxAbsDifference(patch, reference.patch[block])).toBeLessThanOrEqual(1e-4));
  return embedded;
}

async function load(options: OnnxBackboneOptions, context: BackboneContext): Promise<Backbone> {
  return onnxBackboneFactory.create(options, context);
}

describe('onnx backbone on DINOv2 exports', () => {
  it('loads a Hugging Face export with pooler_output and matches the reference', async () => {
    const spec: VitSpec = { ...small, depth: 2, seed: 1, style: 'hf', withPooler: true };
    const { modelPath, context, messages } = await fixture(spec);
    const backbone = await load({ model: modelPath }, context);
    expect(backbone.info).toMatchObject({
      description: `${modelPath} (onnx, HF style)`,
      patchSize: 14,
      embedDim: 24,
      totalBlocks: 2,
      exposedBlocks: [1],
      registerTokens: 0,
      dynamicInputSize: true,
      hasPatchTokens: true,
      executionProvider: 'onnxruntime CPUExecutionProvider',
      weightsHash: sha256(await readFile(modelPath)),
    });
    expect(messages.join('\n')).toMatch(/: read config\.json, preprocessor_config\.json; inferred: Hugging Face style/);
    // Two batches: the first also checks pooler_output against token 0.
    await embedAndCompare(backbone, spec, 2, 28, 42);
    const second = await embedAndCompare(backbone, spec, 1, 42, 28);
    expect(second.patch![0]).toHaveLength(1 * 6 * 24);
    await backbone.dispose();
  });

  it('drops the 4 register tokens of a with-registers export', async () => {
    const spec: VitSpec = { ...small, depth: 2, seed: 2, style: 'hf', registers: 4 };
    const { modelPath, context } = await fixture(spec);
    const backbone = await load({ model: modelPath }, context);
    expect(backbone.info.registerTokens).toBe(4);
    const embedded = await embedAndCompare(backbone, spec, 2, 28, 28);
    expect(embedded.patch![0]).toHaveLength(2 * 4 * 24);
    await backbone.dispose();
  });

  it('infers the register count from a probe run when config.json does not give it', async () => {
    const spec: VitSpec = { ...small, depth: 1, seed: 3, style: 'hf', registers: 4 };
    const { modelPath, context, messages } = await fixture(spec);
    await writeFile(join(dirname(modelPath), 'config.json'), JSON.stringify({ hidden_size: 24, patch_size: 14 }));
    const backbone = await load({ model: modelPath, inputSize: 28 }, context);
    expect(backbone.info.registerTokens).toBe(4);
    expect(backbone.info.exposedBlocks).toEqual([-1]);
    expect(messages.join('\n')).toContain('4 register tokens (from a probe run: 9 tokens)');
    await embedAndCompare(backbone, spec, 1, 28, 28);
    await backbone.dispose();
  });

  it('loads a Meta-style export exposing the last 4 blocks', async () => {
    const spec: VitSpec = { ...small, depth: 5, seed: 4, style: 'meta', exposeBlocks: 4 };
    const { modelPath, context, messages } = await fixture(spec);
    const backbone = await load({ model: modelPath, inputSize: 28 }, context);
    expect(backbone.info).toMatchObject({ totalBlocks: null, exposedBlocks: [-4, -3, -2, -1], registerTokens: 0, embedDim: 24 });
    expect(messages.join('\n')).toMatch(/Meta style: 4 block\(s\)/);
    const embedded = await embedAndCompare(backbone, spec, 2, 28, 42);
    expect(embedded.cls).toHaveLength(4);
    await backbone.dispose();
  });

  it('follows a manifest that names the outputs and blocks', async () => {
    const spec: VitSpec = { ...small, depth: 5, seed: 5, style: 'meta', exposeBlocks: 4 };
    const { modelPath, context } = await fixture(spec);
    const session = await InferenceSession.create(modelPath);
    const names = [...session.outputNames];
    await session.release();
    // Outputs come as (patch, CLS) per block; name only the last block's pair.
    const manifest = { outputs: { cls: [names[7]], patch: [names[6]] }, blocks: [4], depth: 5, inputSize: { height: 42, width: 42 } };
    await writeFile(join(dirname(modelPath), 'radprobe.json'), JSON.stringify(manifest));
    const backbone = await load({ model: modelPath }, context);
    expect(backbone.info).toMatchObject({ description: `${modelPath} (onnx, manifest)`, totalBlocks: 5, exposedBlocks: [4], inputSize: { height: 42, width: 42 } });
    const input = pixels(1, 42, 42, 9);
    const embedded = await backbone.embed(input, 1, 42, 42);
    const reference = dinov2Reference(spec, input, 1, 42, 42);
    expect(maxAbsDifference(embedded.cls[0], reference.cls[3])).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDifference(embedded.patch![0], reference.patch[3])).toBeLessThanOrEqual(1e-4);
    await backbone.dispose();
  });

  it('reads a tokens output named by a manifest given as an option', async () => {
    const spec: VitSpec = { ...small, depth: 1, seed: 6, style: 'hf', registers: 4 };
    const { modelPath, context } = await fixture(spec);
    await writeFile(join(context.baseDir, 'layout.json'), JSON.stringify({ outputs: { tokens: ['last_hidden_state'] }, registerTokens: 4, depth: 1 }));
    const backbone = await load({ model: modelPath, manifest: 'layout.json' }, context);
    expect(backbone.info).toMatchObject({ registerTokens: 4, exposedBlocks: [0] });
    await embedAndCompare(backbone, spec, 1, 28, 28);
    await backbone.dispose();
  });

  it.each(['model.radprobe.json', 'model.onnx.json', 'model.json'])(
    'warns once, naming both files, that a manifest-like %s beside model.onnx is not read because of its name',
    async (name) => {
      const spec: VitSpec = { ...small, depth: 2, seed: 8, style: 'meta' };
      const { modelPath, context, messages } = await fixture(spec);
      const misnamed = join(dirname(modelPath), name);
      await writeFile(misnamed, JSON.stringify({ depth: 2, heads: 2 }));
      const backbone = await load({ model: modelPath }, context);
      // Not read: the depth it gives stays unknown.
      expect(backbone.info.totalBlocks).toBeNull();
      await backbone.dispose();
      await (await load({ model: modelPath }, context)).dispose();
      expect(messages.filter((message) => message.includes(misnamed))).toEqual([
        `Warning: ${misnamed} looks like a manifest of ${modelPath} but is not read: its name is not one radprobe looks for ` +
          '(model.onnx.radprobe.json, else radprobe.json, beside the model, or the backbone\'s "manifest" option); rename it to model.onnx.radprobe.json',
      ]);
    },
  );

  it('reads model.onnx.radprobe.json, and says nothing of JSON beside the model that is no manifest (a run config, another tool\'s model.json)', async () => {
    const spec: VitSpec = { ...small, depth: 2, seed: 8, style: 'meta' };
    const { modelPath, context, messages } = await fixture(spec);
    const folder = dirname(modelPath);
    await writeFile(join(folder, 'model.onnx.radprobe.json'), JSON.stringify({ depth: 2 }));
    await writeFile(join(folder, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: {} }));
    await writeFile(join(folder, 'model.radprobe.json'), JSON.stringify({ backbones: [{ kind: 'onnx', model: 'model.onnx' }], depth: 2 }));
    const backbone = await load({ model: modelPath }, context);
    expect(backbone.info.totalBlocks).toBe(2);
    expect(messages.filter((message) => message.startsWith('Warning'))).toEqual([]);
    await backbone.dispose();
  });

  it('leaves NaN to the image it came from, and rejects sizes off the patch grid', async () => {
    const spec: VitSpec = { ...small, depth: 1, seed: 7, style: 'hf' };
    const { modelPath, context } = await fixture(spec);
    const backbone = await load({ model: modelPath }, context);
    const input = pixels(2, 28, 28, 1);
    input[5] = Number.NaN;
    // Images do not mix in a ViT: the NaN pixel of image 0 spoils its tokens only, which the engine then skips or reports.
    const { cls } = await backbone.embed(input, 2, 28, 28);
    const dim = backbone.info.embedDim;
    expect(cls[0].subarray(0, dim).every(Number.isNaN)).toBe(true);
    expect(cls[0].subarray(dim).every(Number.isFinite)).toBe(true);
    await expect(backbone.embed(pixels(1, 28, 30, 1), 1, 28, 30)).rejects.toThrow(/28×30 is not a multiple of the patch size 14/);
    await backbone.dispose();
  });
});
