import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '@radprobe/onnx-format';
import { Random } from '@radprobe/core';
import { buildDinov2Onnx, dinov2Reference } from '../src/index.js';
import type { VitSpec } from '../src/index.js';

const D = 32;

function tinySpec(style: 'hf' | 'meta', registers: number): VitSpec {
  return { embedDim: D, depth: 4, heads: 2, patchSize: 14, posGrid: 4, seed: 7, style, registers, exposeBlocks: 3, withPooler: true };
}

function randomPixels(count: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: count }, () => random.normal());
}

function maxAbsDifference(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  for (let index = 0; index < actual.length; index++) max = Math.max(max, Math.abs(actual[index] - expected[index]));
  return max;
}

async function session(spec: VitSpec): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(buildDinov2Onnx(spec));
}

/** Token t of image b in a [B, T, D] tensor. */
function token(data: Float32Array, tokens: number, b: number, t: number): Float32Array {
  return data.subarray((b * tokens + t) * D, (b * tokens + t + 1) * D);
}

describe('buildDinov2Onnx against the JavaScript reference', () => {
  // 56 = posGrid·patch (no interpolation needed); 70×42 makes a 5×3 grid: upsampled in one axis, downsampled in the other.
  const sizes: [number, number][] = [
    [56, 56],
    [70, 42],
  ];
  for (const registers of [0, 4]) {
    for (const [h, w] of sizes) {
      it(`hf style, ${registers} registers, ${h}×${w}: last_hidden_state and pooler_output match within 1e-4`, async () => {
        const spec = tinySpec('hf', registers);
        const model = await session(spec);
        const batch = 2;
        const pixels = randomPixels(batch * 3 * h * w, h + w + registers);
        const outputs = await model.run({ pixel_values: new ort.Tensor('float32', pixels, [batch, 3, h, w]) });
        const reference = dinov2Reference(spec, pixels, batch, h, w);
        const patches = (h / 14) * (w / 14);
        const tokens = 1 + registers + patches;
        const hidden = outputs.last_hidden_state;
        expect(hidden.dims).toEqual([batch, tokens, D]);
        const data = hidden.data as Float32Array;
        const cls = new Float32Array(batch * D);
        const registerTokens = new Float32Array(batch * registers * D);
        const patchTokens = new Float32Array(batch * patches * D);
        for (let b = 0; b < batch; b++) {
          cls.set(token(data, tokens, b, 0), b * D);
          for (let r = 0; r < registers; r++) registerTokens.set(token(data, tokens, b, 1 + r), (b * registers + r) * D);
          for (let n = 0; n < patches; n++) patchTokens.set(token(data, tokens, b, 1 + registers + n), (b * patches + n) * D);
        }
        expect(reference.cls).toHaveLength(1);
        expect(maxAbsDifference(cls, reference.cls[0])).toBeLessThan(1e-4);
        expect(maxAbsDifference(registerTokens, reference.registers[0])).toBeLessThan(1e-4);
        expect(maxAbsDifference(patchTokens, reference.patch[0])).toBeLessThan(1e-4);
        expect(outputs.pooler_output.dims).toEqual([batch, D]);
        expect(maxAbsDifference(outputs.pooler_output.data as Float32Array, cls)).toBe(0);
      });

      it(`meta style, ${registers} registers, ${h}×${w}: every exposed block's patch and CLS tokens match within 1e-4`, async () => {
        const spec = tinySpec('meta', registers);
        const model = await session(spec);
        const batch = 2;
        const pixels = randomPixels(batch * 3 * h * w, 100 + h + w + registers);
        const outputs = await model.run({ input: new ort.Tensor('float32', pixels, [batch, 3, h, w]) });
        const reference = dinov2Reference(spec, pixels, batch, h, w);
        expect(model.outputNames).toHaveLength(6);
        expect(reference.cls).toHaveLength(3);
        model.outputNames.forEach((name, index) => {
          const block = Math.floor(index / 2);
          const output = outputs[name];
          if (index % 2 === 0) {
            expect(output.dims).toEqual([batch, (h / 14) * (w / 14), D]);
            expect(maxAbsDifference(output.data as Float32Array, reference.patch[block])).toBeLessThan(1e-4);
          } else {
            expect(output.dims).toEqual([batch, D]);
            expect(maxAbsDifference(output.data as Float32Array, reference.cls[block])).toBeLessThan(1e-4);
          }
        });
      });
    }
  }
});

describe('buildDinov2Onnx', () => {
  it('gives clearly different CLS tokens for different images', async () => {
    const spec = tinySpec('hf', 0);
    const model = await session(spec);
    const first = randomPixels(3 * 56 * 56, 1);
    const second = randomPixels(3 * 56 * 56, 2);
    const pixels = new Float32Array([...first, ...second]);
    const outputs = await model.run({ pixel_values: new ort.Tensor('float32', pixels, [2, 3, 56, 56]) });
    const pooled = outputs.pooler_output.data as Float32Array;
    const difference = maxAbsDifference(pooled.subarray(0, D), pooled.subarray(D));
    expect(difference).toBeGreaterThan(0.1);
  });

  it('computes the same function in both export styles (weights depend on the architecture and seed only)', async () => {
    const pixels = randomPixels(3 * 56 * 70, 3);
    const hf = await session(tinySpec('hf', 4));
    const meta = await session(tinySpec('meta', 4));
    const hfOut = await hf.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, 56, 70]) });
    const metaOut = await meta.run({ input: new ort.Tensor('float32', pixels, [1, 3, 56, 70]) });
    const lastCls = metaOut[meta.outputNames[5]].data as Float32Array;
    expect(maxAbsDifference(hfOut.pooler_output.data as Float32Array, lastCls)).toBeLessThan(1e-5);
  });

  it("resizes a register model's positions as Meta's reg4 models do: antialiased (opset 18), a = −0.5, by sizes", () => {
    const resizeOf = (spec: VitSpec) => decodeModel(buildDinov2Onnx(spec)).graph.node.find((node) => node.opType === 'Resize')!;
    const attributes = (spec: VitSpec) => Object.fromEntries(resizeOf(spec).attribute.filter((a) => a.i !== undefined || a.f !== undefined).map((a) => [a.name, a.i ?? a.f]));
    expect(decodeModel(buildDinov2Onnx(tinySpec('meta', 4))).opsetImport).toEqual([{ domain: '', version: 18 }]);
    expect(attributes(tinySpec('meta', 4))).toEqual({ cubic_coeff_a: -0.5, exclude_outside: 1, antialias: 1 });
    expect(resizeOf(tinySpec('meta', 4)).input[3]).not.toBe('');
    expect(attributes(tinySpec('meta', 0))).toEqual({ cubic_coeff_a: -0.75, exclude_outside: 0 });
    expect(attributes({ ...tinySpec('meta', 4), positionAntialias: false })).toEqual({ cubic_coeff_a: -0.75, exclude_outside: 0 });
    expect(() => buildDinov2Onnx({ ...tinySpec('meta', 4), positionAntialias: true, positionScaleOffset: 0.1 })).toThrow(/VitSpec\.positionAntialias/);
  });

  it('the reference interpolates as the graph does: without antialiasing it would miss a register model by more than 1e-4', async () => {
    const spec = tinySpec('meta', 4);
    const model = await session(spec);
    const pixels = randomPixels(3 * 42 * 42, 5);
    const outputs = await model.run({ input: new ort.Tensor('float32', pixels, [1, 3, 42, 42]) });
    const cls = outputs[model.outputNames[5]].data as Float32Array;
    expect(maxAbsDifference(cls, dinov2Reference(spec, pixels, 1, 42, 42).cls[2])).toBeLessThan(1e-4);
    expect(maxAbsDifference(cls, dinov2Reference({ ...spec, positionAntialias: false }, pixels, 1, 42, 42).cls[2])).toBeGreaterThan(1e-4);
  });

  it('declares a symbolic [batch, 3, height, width] input, opset 17, and state-dict-named weights', () => {
    const meta = decodeModel(buildDinov2Onnx({ ...tinySpec('meta', 4), positionAntialias: false }));
    expect(meta.opsetImport).toEqual([{ domain: '', version: 17 }]);
    expect(meta.graph.input[0].name).toBe('input');
    expect(meta.graph.input[0].type?.tensorType?.shape).toEqual([{ dimParam: 'batch' }, { dimValue: 3 }, { dimParam: 'height' }, { dimParam: 'width' }]);
    const metaShapes = new Map(meta.graph.initializer.map((tensor) => [tensor.name, tensor.dims]));
    expect(metaShapes.get('patch_embed.proj.weight')).toEqual([D, 3, 14, 14]);
    expect(metaShapes.get('cls_token')).toEqual([1, 1, D]);
    expect(metaShapes.get('register_tokens')).toEqual([1, 4, D]);
    expect(metaShapes.get('pos_embed')).toEqual([1, 17, D]);
    expect(metaShapes.get('blocks.3.attn.qkv.weight')).toEqual([3 * D, D]);
    expect(metaShapes.get('blocks.0.ls1.gamma')).toEqual([D]);
    expect(metaShapes.get('blocks.0.mlp.fc1.weight')).toEqual([4 * D, D]);
    expect(metaShapes.get('norm.weight')).toEqual([D]);
    // Each block: norm1, qkv, proj, ls1, norm2, fc1, fc2, ls2 = 14 tensors; plus 2 patch, cls, registers, pos, 2 norm.
    expect(meta.graph.initializer).toHaveLength(4 * 14 + 7);
    for (const output of meta.graph.output) expect(output.name).toMatch(/^\d+$/);

    const hf = decodeModel(buildDinov2Onnx(tinySpec('hf', 0)));
    expect(hf.graph.input[0].name).toBe('pixel_values');
    expect(hf.graph.output.map((output) => output.name)).toEqual(['last_hidden_state', 'pooler_output']);
    const hfShapes = new Map(hf.graph.initializer.map((tensor) => [tensor.name, tensor.dims]));
    expect(hfShapes.get('embeddings.patch_embeddings.projection.weight')).toEqual([D, 3, 14, 14]);
    expect(hfShapes.get('embeddings.position_embeddings')).toEqual([1, 17, D]);
    expect(hfShapes.get('encoder.layer.2.attention.attention.key.weight')).toEqual([D, D]);
    expect(hfShapes.get('encoder.layer.2.attention.output.dense.bias')).toEqual([D]);
    expect(hfShapes.get('encoder.layer.1.layer_scale2.lambda1')).toEqual([D]);
    expect(hfShapes.get('layernorm.bias')).toEqual([D]);
    expect(hfShapes.has('embeddings.register_tokens')).toBe(false);
  });

  it('is deterministic in the seed', () => {
    const spec = tinySpec('meta', 0);
    expect(Buffer.from(buildDinov2Onnx(spec)).equals(Buffer.from(buildDinov2Onnx(spec)))).toBe(true);
    expect(Buffer.from(buildDinov2Onnx(spec)).equals(Buffer.from(buildDinov2Onnx({ ...spec, seed: 8 })))).toBe(false);
  });

  it('caps exposed blocks at the depth', async () => {
    const model = await session({ ...tinySpec('meta', 0), depth: 2, exposeBlocks: 4 });
    expect(model.outputNames).toHaveLength(4);
  });

  it('rejects specs it cannot build, naming the field', () => {
    expect(() => buildDinov2Onnx({ ...tinySpec('hf', 0), heads: 3 })).toThrow(/VitSpec\.heads: 3 does not divide embedDim 32/);
    expect(() => buildDinov2Onnx({ ...tinySpec('hf', 0), patchSize: 0 })).toThrow(/VitSpec\.patchSize/);
    expect(() => dinov2Reference(tinySpec('hf', 0), new Float32Array(3 * 50 * 56), 1, 50, 56)).toThrow(/50×56 is not a positive multiple of the patch size 14/);
  });
});
