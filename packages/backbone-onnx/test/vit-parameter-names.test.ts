import { describe, expect, it } from 'vitest';
import { encodeModel, floatAttribute, float32Tensor, int64Tensor, intsAttribute, tensorAttribute, decodeModel, type OnnxNode, type OnnxTensor } from '@radprobe/onnx-format';
import { inferVitArchitecture } from '../src/vit-architecture.js';
import { bindParameters } from '../src/vit-bindings.js';
import { canonicalSlot, parameterOfNode, requiredParameters } from '../src/vit-parameter-names.js';

describe('canonical parameter names', () => {
  it('maps Hugging Face names onto Meta names, q, k, v as thirds of the fused qkv', () => {
    expect(canonicalSlot('embeddings.patch_embeddings.projection.weight')).toEqual({ name: 'patch_embed.proj.weight', part: 0, parts: 1 });
    expect(canonicalSlot('embeddings.position_embeddings')).toEqual({ name: 'pos_embed', part: 0, parts: 1 });
    expect(canonicalSlot('encoder.layer.11.attention.attention.key.bias')).toEqual({ name: 'blocks.11.attn.qkv.bias', part: 1, parts: 3 });
    expect(canonicalSlot('encoder.layer.3.attention.output.dense.weight')?.name).toBe('blocks.3.attn.proj.weight');
    expect(canonicalSlot('encoder.layer.3.layer_scale2.lambda1')?.name).toBe('blocks.3.ls2.gamma');
    expect(canonicalSlot('layernorm.bias')?.name).toBe('norm.bias');
  });

  it('keeps Meta names, allows a wrapping module prefix, and ignores parameters outside the ViT', () => {
    expect(canonicalSlot('blocks.0.attn.qkv.weight')).toEqual({ name: 'blocks.0.attn.qkv.weight', part: 0, parts: 1 });
    expect(canonicalSlot('model.blocks.2.ls1.gamma')?.name).toBe('blocks.2.ls1.gamma');
    expect(canonicalSlot('dinov2.embeddings.cls_token')?.name).toBe('cls_token');
    expect(canonicalSlot('mask_token')).toBeNull();
    expect(canonicalSlot('embeddings.mask_token')).toBeNull();
    expect(canonicalSlot('head.weight')).toBeNull();
  });

  it('reads the module path of torch.onnx node names', () => {
    expect(parameterOfNode('/encoder/layer.0/attention/attention/query/MatMul', 'weight')).toBe('encoder.layer.0.attention.attention.query.weight');
    expect(parameterOfNode('/blocks.0/attn/qkv/MatMul', 'weight')).toBe('blocks.0.attn.qkv.weight');
    expect(parameterOfNode('/blocks.1/mlp/fc2/Add', 'bias')).toBe('blocks.1.mlp.fc2.bias');
    expect(parameterOfNode('MatMul_7', 'weight')).toBeNull();
  });

  it('lists the 4 + 14 · depth + 2 parameters every DINOv2 ViT has', () => {
    // patch weight, patch bias, cls, pos; 14 per block; final norm weight and bias: 6 + 14 · 2 = 34.
    expect(requiredParameters(2)).toHaveLength(34);
    expect(requiredParameters(2)).toContain('blocks.1.ls2.gamma');
  });
});

/** A one-block ViT's parameters (D = 4, 2 heads, MLP 8, patch 2, grid 2) with a graph around the attention only. */
function tinyVit(nodes: OnnxNode[], change: { drop?: string[]; shapes?: Record<string, number[]> } = {}) {
  const d = 4;
  const shapes: Record<string, number[]> = {
    'patch_embed.proj.weight': [d, 3, 2, 2], 'patch_embed.proj.bias': [d], cls_token: [1, 1, d], pos_embed: [1, 5, d], 'norm.weight': [d], 'norm.bias': [d],
    'blocks.0.norm1.weight': [d], 'blocks.0.norm1.bias': [d], 'blocks.0.attn.qkv.weight': [3 * d, d], 'blocks.0.attn.qkv.bias': [3 * d],
    'blocks.0.attn.proj.weight': [d, d], 'blocks.0.attn.proj.bias': [d], 'blocks.0.ls1.gamma': [d], 'blocks.0.norm2.weight': [d], 'blocks.0.norm2.bias': [d],
    'blocks.0.mlp.fc1.weight': [8, d], 'blocks.0.mlp.fc1.bias': [8], 'blocks.0.mlp.fc2.weight': [d, 8], 'blocks.0.mlp.fc2.bias': [d], 'blocks.0.ls2.gamma': [d],
  };
  const initializer: OnnxTensor[] = Object.entries({ ...shapes, ...change.shapes })
    .filter(([name]) => !change.drop?.includes(name))
    .map(([name, dims]) => float32Tensor(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1))));
  const model = decodeModel(
    encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], metadataProps: [], graph: { name: 'g', node: nodes, initializer, input: [], output: [], valueInfo: [] } }),
  );
  return { graph: model.graph, bindings: bindParameters(model.graph, 'tiny.onnx') };
}

const constant = (output: string, values: number[]): OnnxNode => ({ opType: 'Constant', input: [], output: [output], attribute: [tensorAttribute('value', int64Tensor('', [values.length], values))] });
const layerNorm = (epsilon: number): OnnxNode => ({ opType: 'LayerNormalization', input: ['x', 'blocks.0.norm1.weight', 'blocks.0.norm1.bias'], output: ['y'], attribute: [floatAttribute('epsilon', epsilon)] });

describe('bindParameters', () => {
  it('refuses a parameter found twice, fused and split alike', () => {
    expect(() => tinyVit([], { shapes: { 'encoder.layer.0.attention.attention.query.weight': [4, 4] } })).toThrow(
      "tiny.onnx: parameter blocks.0.attn.qkv.weight is held twice (initializers 'blocks.0.attn.qkv.weight' and 'encoder.layer.0.attention.attention.query.weight')",
    );
    expect(() => tinyVit([], { shapes: { 'model.norm.weight': [4] } })).toThrow("parameter norm.weight is held twice (initializers 'norm.weight' and 'model.norm.weight')");
  });
});

describe('inferVitArchitecture', () => {
  it('takes heads from the attention Reshape (Meta: [B, N, 3, heads, D / heads]) and epsilon from LayerNormalization', () => {
    const { graph, bindings } = tinyVit([constant('shape', [0, 0, 3, 2, 2]), { opType: 'Reshape', input: ['qkv', 'shape'], output: ['r'], attribute: [] }, layerNorm(1e-5)]);
    const architecture = inferVitArchitecture(graph, bindings, 'tiny.onnx', {});
    // D = 4 from the patch weight, 1 block, MLP 8 from fc1, grid √(5 − 1) = 2, patch 2; heads 2 from [.., 2, 2].
    expect(architecture).toEqual({
      embedDim: 4, depth: 1, heads: 2, patchSize: 2, mlpHidden: 8, registerTokens: 0, positionGrid: 2,
      layerNormEpsilon: expect.closeTo(1e-5, 10), positionInterpolation: { mode: 'size' },
    });
  });

  it('prefers config.json heads, falls back to the manifest, and reads a spelled-out layer norm', () => {
    // var = ReduceMean(Pow(x − mean, 2)); var + 1e-6: the epsilon is the Add's constant.
    const spelled: OnnxNode[] = [
      { opType: 'Pow', input: ['centred', 'two'], output: ['squared'], attribute: [] },
      { opType: 'ReduceMean', input: ['squared'], output: ['variance'], attribute: [intsAttribute('axes', [-1])] },
      { opType: 'Constant', input: [], output: ['eps'], attribute: [tensorAttribute('value', float32Tensor('', [], [1e-6]))] },
      { opType: 'Add', input: ['variance', 'eps'], output: ['shifted'], attribute: [] },
    ];
    const { graph, bindings } = tinyVit(spelled);
    expect(inferVitArchitecture(graph, bindings, 'tiny.onnx', { configHeads: 4, manifestHeads: 2 }).heads).toBe(4);
    const fromManifest = inferVitArchitecture(graph, bindings, 'tiny.onnx', { manifestHeads: 2 });
    expect(fromManifest.heads).toBe(2);
    expect(fromManifest.layerNormEpsilon).toBeCloseTo(1e-6, 12);
  });

  it('names the file when heads or epsilon are unknown, or a shape disagrees', () => {
    const { graph, bindings } = tinyVit([layerNorm(1e-6)]);
    expect(() => inferVitArchitecture(graph, bindings, 'tiny.onnx', {})).toThrow(/tiny\.onnx: the number of attention heads is unknown .*give "heads" in the model's manifest/);
    const noNorm = tinyVit([]);
    expect(() => inferVitArchitecture(noNorm.graph, noNorm.bindings, 'tiny.onnx', { manifestHeads: 2 })).toThrow('tiny.onnx: no LayerNormalization');
    const missing = tinyVit([layerNorm(1e-6)], { drop: ['blocks.0.ls2.gamma'] });
    expect(() => inferVitArchitecture(missing.graph, missing.bindings, 'tiny.onnx', { manifestHeads: 2 })).toThrow('tiny.onnx: parameter blocks.0.ls2.gamma is missing');
    const odd = tinyVit([layerNorm(1e-6)], { shapes: { 'blocks.0.mlp.fc2.weight': [4, 7] } });
    expect(() => inferVitArchitecture(odd.graph, odd.bindings, 'tiny.onnx', { manifestHeads: 2 })).toThrow(
      'tiny.onnx: parameter blocks.0.mlp.fc2.weight has shape [4, 7], the architecture implies [4, 8]',
    );
  });
});
