import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Random, type Backbone, type BackboneContext, type ParameterTensor, type TrainableBackbone } from '@radprobe/core';
import { decodeModel, encodeModel, floatsAttribute, type OnnxModel, type OnnxTensor } from '@radprobe/onnx-format';
import {
  canonicalVitParameters,
  dinov2Reference,
  generateVitWeights,
  resolveVitSpec,
  writeDinov2Fixture,
  type VitSpec,
} from '@radprobe/testkit';
import { onnxBackboneFactory } from '../src/onnx-backbone.js';
import { loadOnnxModel, saveOnnxModel } from '../src/onnx-model-file.js';
import { OnnxTrainableVit } from '../src/onnx-trainable-vit.js';

const small = { embedDim: 24, heads: 2, patchSize: 14, posGrid: 4, depth: 2 } as const;

async function fixture(spec: VitSpec): Promise<{ modelPath: string; context: BackboneContext; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'radprobe-trainable-'));
  const modelPath = await writeDinov2Fixture(dir, spec);
  return { modelPath, dir, context: { baseDir: dir, modelStoreDir: join(dir, 'store'), device: 'cpu', log: () => {} } };
}

async function open(modelPath: string, context: BackboneContext): Promise<{ backbone: Backbone; network: TrainableBackbone }> {
  const backbone = await onnxBackboneFactory.create({ model: modelPath, inputSize: 28 }, context);
  const network = await backbone.trainable!();
  expect(network).not.toBeNull();
  return { backbone, network: network! };
}

function pixels(height: number, width: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: 3 * height * width }, () => random.normal());
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i])), 0);
}

function expectSameParameters(actual: ReadonlyMap<string, ParameterTensor>, expected: ReadonlyMap<string, ParameterTensor>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, tensor] of expected) {
    expect(actual.get(name)!.shape, name).toEqual(tensor.shape);
    expect(actual.get(name)!.values, name).toEqual(tensor.values);
  }
}

async function rewriteModel(modelPath: string, change: (model: OnnxModel) => void): Promise<void> {
  const model = decodeModel(await readFile(modelPath), modelPath);
  change(model);
  await writeFile(modelPath, encodeModel(model));
}

function initializerBytes(model: OnnxModel): Map<string, Uint8Array> {
  return new Map(model.graph.initializer.map((tensor: OnnxTensor) => [tensor.name, tensor.rawData!]));
}

describe('OnnxBackbone.trainable().weights()', () => {
  const layouts: Array<[string, Partial<VitSpec>]> = [
    ['Meta names', { style: 'meta' }],
    ['Meta names with registers', { style: 'meta', registers: 4 }],
    ['HF names (split q, k, v)', { style: 'hf' }],
    ['HF names with registers', { style: 'hf', registers: 4 }],
    ['a torch export of HF (unnamed transposed MatMul weights)', { style: 'hf', torchLinears: true }],
    ['a torch export of Meta with registers', { style: 'meta', registers: 4, torchLinears: true }],
  ];
  it.each(layouts)('reads %s as the generated weights under Meta names', async (_, variant) => {
    const spec = { ...small, seed: 11, ...variant } as VitSpec;
    const { modelPath, context } = await fixture(spec);
    const { backbone, network } = await open(modelPath, context);
    const weights = await network.weights();
    expectSameParameters(weights.parameters, canonicalVitParameters(spec));
    expect(weights.architecture).toEqual({
      embedDim: 24,
      depth: 2,
      heads: 2,
      patchSize: 14,
      mlpHidden: 96,
      registerTokens: variant.registers ?? 0,
      positionGrid: 4,
      layerNormEpsilon: expect.closeTo(1e-6, 12),
      // The testkit's register fixtures interpolate their positions as Meta's reg4 models do.
      positionInterpolation: variant.registers ? { mode: 'size', antialias: true } : { mode: 'size' },
    });
    // A fresh copy each call: the caller may change it.
    weights.parameters.get('norm.bias')!.values[0] = 99;
    expect((await network.weights()).parameters.get('norm.bias')!.values[0]).not.toBe(99);
    await backbone.dispose();
  });

  it('runs a torch-layout export to the same features as the named one', async () => {
    const spec: VitSpec = { ...small, seed: 12, style: 'hf', registers: 4 };
    const named = await fixture(spec);
    const torch = await fixture({ ...spec, torchLinears: true });
    const input = pixels(28, 42, 3);
    const a = await onnxBackboneFactory.create({ model: named.modelPath }, named.context);
    const b = await onnxBackboneFactory.create({ model: torch.modelPath }, torch.context);
    const [first, second] = [await a.embed(input, 1, 28, 42), await b.embed(input, 1, 28, 42)];
    expect(maxAbsDifference(first.cls[0], second.cls[0])).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDifference(first.patch![0], second.patch![0])).toBeLessThanOrEqual(1e-5);
    await a.dispose();
    await b.dispose();
  });

  it('reads heads from the attention Reshape when config.json lacks them, and scale interpolation from Resize scales', async () => {
    const spec: VitSpec = { ...small, heads: 3, seed: 13, style: 'hf' };
    const { modelPath, context, dir } = await fixture(spec);
    await writeFile(join(dir, 'config.json'), JSON.stringify({ hidden_size: 24, patch_size: 14 }));
    // Meta's interpolate(scale_factor=...) exports the positional Resize with scales instead of sizes.
    await rewriteModel(modelPath, (model) => {
      const resize = model.graph.node.find((node) => node.opType === 'Resize')!;
      const scales = `${resize.name}_scales`;
      model.graph.node.unshift({ name: scales, opType: 'Constant', input: [], output: [scales], attribute: [floatsAttribute('value_floats', [1, 1, 1.5, 1.5])] });
      resize.input = [resize.input[0], '', scales];
    });
    const network = await OnnxTrainableVit.open(modelPath, {});
    const { architecture } = await network!.weights();
    expect(architecture.heads).toBe(3);
    expect(architecture.positionInterpolation).toEqual({ mode: 'scale', offset: 0.1 });
  });

  it("refuses a positional Resize PyTorch never computes (onnxscript before 0.7.0 exported antialias=True with Keys' a = −0.75)", async () => {
    const spec: VitSpec = { ...small, seed: 16, style: 'meta', registers: 4 };
    const { modelPath } = await fixture(spec);
    expect((await (await OnnxTrainableVit.open(modelPath, {}))!.weights()).architecture.positionInterpolation).toEqual({ mode: 'size', antialias: true });
    await rewriteModel(modelPath, (model) => {
      const resize = model.graph.node.find((node) => node.opType === 'Resize')!;
      resize.attribute.find((attribute) => attribute.name === 'cubic_coeff_a')!.f = -0.75;
    });
    await expect(OnnxTrainableVit.open(modelPath, {})).rejects.toThrow(
      `${modelPath}: the positional Resize '/embeddings/Resize_25' (antialias 1, cubic_coeff_a -0.75, exclude_outside 1, by sizes) is not a bicubic interpolation PyTorch computes`,
    );
  });

  it('names the file and the parameter that is missing, and hands out no network for a file without a ViT', async () => {
    const spec: VitSpec = { ...small, seed: 14, style: 'hf' };
    const { modelPath, context } = await fixture(spec);
    const { backbone } = await open(modelPath, context);
    await rewriteModel(modelPath, (model) => {
      model.graph.initializer = model.graph.initializer.filter((tensor) => tensor.name !== 'encoder.layer.1.mlp.fc2.bias');
    });
    await expect(OnnxTrainableVit.open(modelPath, {})).rejects.toThrow(`${modelPath}: parameter blocks.1.mlp.fc2.bias is missing`);
    await rewriteModel(modelPath, (model) => {
      model.graph.initializer = model.graph.initializer.filter((tensor) => tensor.name !== 'encoder.layer.0.attention.attention.value.weight');
    });
    await expect(OnnxTrainableVit.open(modelPath, {})).rejects.toThrow(/blocks\.0\.attn\.qkv\.weight is incomplete: part v/);
    const other = await fixture({ ...spec, seed: 15 });
    await rewriteModel(other.modelPath, (model) => {
      model.graph.initializer = model.graph.initializer.filter((tensor) => !tensor.name.startsWith('embeddings.patch_embeddings'));
    });
    expect(await OnnxTrainableVit.open(other.modelPath, {})).toBeNull();
    await backbone.dispose();
  });
});

describe('OnnxBackbone.trainable().writeWeights()', () => {
  const variants: Array<[string, Partial<VitSpec>]> = [
    ['Meta names with registers', { style: 'meta', registers: 4 }],
    ['HF split q, k, v', { style: 'hf' }],
    ['a torch export of HF with registers', { style: 'hf', registers: 4, torchLinears: true }],
  ];
  it.each(variants)('writes changed weights back into %s, leaving the others byte-identical', async (_, variant) => {
    const spec = { ...small, seed: 21, ...variant } as VitSpec;
    const { modelPath, context, dir } = await fixture(spec);
    const { backbone, network } = await open(modelPath, context);
    // The same change applied to the generated weights (for the reference) and to the canonical map (to write).
    const changed = generateVitWeights(resolveVitSpec(spec));
    changed.blocks[1].qkvWeight[24 * 24 * 2 + 5] += 0.5; // a value row of the fused qkv: v of HF's split
    changed.blocks[0].fc1Weight[7] -= 0.3;
    changed.normBias[3] += 0.25;
    const parameters = canonicalVitParameters(spec, changed);
    const output = join(dir, 'tuned', 'model.onnx');
    await network.writeWeights(parameters, output);
    await backbone.dispose();

    const tuned = await onnxBackboneFactory.create({ model: output, inputSize: 28 }, context);
    const input = pixels(28, 28, 5);
    const embedded = await tuned.embed(input, 1, 28, 28);
    const reference = dinov2Reference(spec, input, 1, 28, 28, changed);
    const last = reference.cls.length - 1;
    expect(maxAbsDifference(embedded.cls[embedded.cls.length - 1], reference.cls[last])).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDifference(embedded.patch![embedded.patch!.length - 1], reference.patch[last])).toBeLessThanOrEqual(1e-4);
    const original = dinov2Reference(spec, input, 1, 28, 28);
    expect(maxAbsDifference(original.cls[last], reference.cls[last])).toBeGreaterThan(1e-3);
    expectSameParameters((await (await tuned.trainable!())!.weights()).parameters, parameters);
    await tuned.dispose();

    const before = initializerBytes(decodeModel(await readFile(modelPath)));
    const after = initializerBytes(decodeModel(await readFile(output)));
    const differing = [...before].filter(([name, bytes]) => !Buffer.from(bytes).equals(Buffer.from(after.get(name)!))).map(([name]) => name);
    // Exactly the initializers holding a changed value: v of block 1 (or the fused qkv), fc1 of block 0, the final norm's bias.
    expect(differing).toHaveLength(3);
    expect(differing).toContain(variant.style === 'meta' ? 'norm.bias' : 'layernorm.bias');
  });

  it('refuses parameters that do not fit the file', async () => {
    const spec: VitSpec = { ...small, seed: 22, style: 'meta' };
    const { modelPath, context, dir } = await fixture(spec);
    const { backbone, network } = await open(modelPath, context);
    const parameters = new Map(canonicalVitParameters(spec));
    const output = join(dir, 'out.onnx');
    parameters.set('blocks.0.ls1.gamma', { shape: [25], values: new Float32Array(25) });
    await expect(network.writeWeights(parameters, output)).rejects.toThrow(`writeWeights(${output}): parameter blocks.0.ls1.gamma has shape [25] and 25 values, ${modelPath} holds [24]`);
    parameters.delete('blocks.0.ls1.gamma');
    await expect(network.writeWeights(parameters, output)).rejects.toThrow('parameter blocks.0.ls1.gamma is missing');
    parameters.set('blocks.0.ls1.gamma', canonicalVitParameters(spec).get('blocks.0.ls1.gamma')!);
    parameters.set('head.weight', { shape: [1], values: new Float32Array(1) });
    await expect(network.writeWeights(parameters, output)).rejects.toThrow(`${modelPath} has no parameter head.weight`);
    await backbone.dispose();
  });

  it('reads weights kept in an external-data file and writes them back outside the graph', async () => {
    const spec: VitSpec = { ...small, seed: 23, style: 'hf' };
    const { modelPath, context, dir } = await fixture(spec);
    const loaded = await loadOnnxModel(modelPath);
    const external = join(dir, 'external', 'model.onnx');
    await saveOnnxModel(loaded.model, new Set(loaded.model.graph.initializer.map((tensor) => tensor.name)), external);
    const { backbone, network } = await open(external, context);
    const weights = await network.weights();
    expectSameParameters(weights.parameters, canonicalVitParameters(spec));
    const changed = generateVitWeights(resolveVitSpec(spec));
    changed.blocks[1].fc2Bias[0] += 1;
    const output = join(dir, 'external-tuned', 'model.onnx');
    await network.writeWeights(canonicalVitParameters(spec, changed), output);
    await backbone.dispose();
    const written = decodeModel(await readFile(output));
    expect(written.graph.initializer.every((tensor) => tensor.externalData?.[0]?.value === 'model.onnx.data')).toBe(true);
    const tuned = await onnxBackboneFactory.create({ model: output }, context);
    const input = pixels(28, 28, 6);
    const reference = dinov2Reference(spec, input, 1, 28, 28, changed);
    expect(maxAbsDifference((await tuned.embed(input, 1, 28, 28)).cls[0], reference.cls[0])).toBeLessThanOrEqual(1e-4);
    await tuned.dispose();
  });
});
