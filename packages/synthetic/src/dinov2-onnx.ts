import {
  TensorDataType,
  encodeModel,
  floatAttribute,
  intAttribute,
  intsAttribute,
  stringAttribute,
  tensorValueInfo,
} from '@radprobe/onnx-format';
import type { OnnxValueInfo } from '@radprobe/onnx-format';
import { OnnxGraphBuilder } from './onnx-graph-builder.js';
import { hfParameterNames, metaParameterNames } from './vit-names.js';
import type { BlockParameterNames, VitParameterNames } from './vit-names.js';
import { resolveVitSpec } from './vit-spec.js';
import type { ResolvedVitSpec, VitSpec } from './vit-spec.js';
import { generateVitWeights } from './vit-weights.js';
import type { VitBlockWeights, VitWeights } from './vit-weights.js';

const LAYER_NORM_EPSILON = 1e-6;
/** Slice's "to the end" bound: Slice clamps any end past the axis length. */
const TO_END = Number.MAX_SAFE_INTEGER;

/**
 * The bytes of an ONNX file (opset 17; 18 for an antialiased positional Resize) holding a ViT with DINOv2's
 * architecture, exported in the chosen style.
 * Weights are float32 initializers under the style's state-dict names (PyTorch layouts, Linear weights [out, in]).
 */
export function buildDinov2Onnx(spec: VitSpec): Uint8Array {
  const resolved = resolveVitSpec(spec);
  const weights = generateVitWeights(resolved);
  const names = resolved.style === 'meta' ? metaParameterNames : hfParameterNames;
  const graph = new OnnxGraphBuilder();
  const inputName = resolved.style === 'meta' ? 'input' : 'pixel_values';

  let tokens = embed(graph, resolved, weights, names, inputName);
  const blockOutputs: string[] = [];
  for (let block = 0; block < resolved.depth; block++) {
    tokens = transformerBlock(graph, resolved, weights.blocks[block], names.block(block), block, tokens);
    blockOutputs.push(tokens);
  }
  graph.weight(names.normWeight, [resolved.embedDim], weights.normWeight);
  graph.weight(names.normBias, [resolved.embedDim], weights.normBias);

  const outputs =
    resolved.style === 'meta'
      ? metaOutputs(graph, resolved, names, blockOutputs)
      : hfOutputs(graph, resolved, names, blockOutputs[resolved.depth - 1]);

  return encodeModel({
    irVersion: 8,
    // Resize's antialias attribute came with opset 18.
    opsetImport: [{ domain: '', version: resolved.positionAntialias ? 18 : 17 }],
    producerName: 'pytorch',
    producerVersion: '2.1.0',
    metadataProps: [],
    graph: {
      name: 'main_graph',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [tensorValueInfo(inputName, TensorDataType.FLOAT, ['batch', 3, 'height', 'width'])],
      output: outputs,
      valueInfo: [],
    },
  });
}

/** Patch embedding, CLS token, bicubically interpolated positional embedding, registers: [B, 1 + R + N, D]. */
function embed(
  graph: OnnxGraphBuilder,
  spec: ResolvedVitSpec,
  weights: VitWeights,
  names: VitParameterNames,
  inputName: string,
): string {
  const { embedDim: d, patchSize: p, posGrid: g } = spec;
  const scope = 'embeddings';
  const patchWeight = graph.weight(names.patchWeight, [d, 3, p, p], weights.patchWeight);
  const patchBias = graph.weight(names.patchBias, [d], weights.patchBias);
  const conv = graph.op(scope, 'Conv', [inputName, patchWeight, patchBias], [
    intsAttribute('kernel_shape', [p, p]),
    intsAttribute('strides', [p, p]),
  ]);
  const convShape = graph.op(scope, 'Shape', [conv]);
  const shapeEntries = (start: number, end: number) =>
    graph.op(scope, 'Slice', [convShape, graph.int64(scope, [start]), graph.int64(scope, [end]), graph.int64(scope, [0])]);
  const gridSize = shapeEntries(2, 4);
  const batchSize = shapeEntries(0, 1);
  const patchTokens = tokensFromChannels(graph, scope, conv, d);

  const posEmbed = graph.weight(names.posEmbed, [1, 1 + g * g, d], weights.posEmbed);
  const axis1 = graph.int64(scope, [1]);
  const clsPos = graph.op(scope, 'Slice', [posEmbed, graph.int64(scope, [0]), graph.int64(scope, [1]), axis1]);
  const patchPos = graph.op(scope, 'Slice', [posEmbed, graph.int64(scope, [1]), graph.int64(scope, [TO_END]), axis1]);
  const patchPosRows = graph.op(scope, 'Reshape', [patchPos, graph.int64(scope, [1, g, g, d])]);
  const patchPosGrid = graph.op(scope, 'Transpose', [patchPosRows], [intsAttribute('perm', [0, 3, 1, 2])]);
  // PyTorch's antialiased bicubic as onnxscript (≥ 0.7.0) exports it: a = −0.5, taps outside the grid dropped.
  const antialias = spec.positionAntialias ? [intAttribute('antialias', 1)] : [];
  const resizedPos = graph.op(scope, 'Resize', [patchPosGrid, '', ...positionResizeTarget(graph, spec, scope, gridSize)], [
    stringAttribute('mode', 'cubic'),
    floatAttribute('cubic_coeff_a', spec.positionAntialias ? -0.5 : -0.75),
    stringAttribute('coordinate_transformation_mode', 'half_pixel'),
    intAttribute('exclude_outside', spec.positionAntialias ? 1 : 0),
    ...antialias,
  ]);
  const positionedPatches = graph.op(scope, 'Add', [patchTokens, tokensFromChannels(graph, scope, resizedPos, d)]);

  const perImage = graph.op(scope, 'Concat', [batchSize, graph.int64(scope, [1, 1])], [intAttribute('axis', 0)]);
  const clsToken = graph.weight(names.clsToken, [1, 1, d], weights.clsToken);
  const cls = graph.op(scope, 'Expand', [graph.op(scope, 'Add', [clsToken, clsPos]), perImage]);
  const sequence = [cls];
  if (spec.registers > 0) {
    // Registers go between CLS and the patches and carry no positional embedding (DINOv2 with registers).
    const registers = graph.weight(names.registerTokens, [1, spec.registers, d], weights.registerTokens);
    sequence.push(graph.op(scope, 'Expand', [registers, perImage]));
  }
  sequence.push(positionedPatches);
  return graph.op(scope, 'Concat', sequence, [intAttribute('axis', 1)]);
}

/**
 * The `scales` and `sizes` inputs of the positional Resize. half_pixel with explicit sizes is PyTorch's
 * interpolate(size=..., mode="bicubic", align_corners=False); with scales (grid + offset) / posGrid it is Meta's
 * interpolate(scale_factor=...), whose sampling positions follow the scale, not the size.
 */
function positionResizeTarget(graph: OnnxGraphBuilder, spec: ResolvedVitSpec, scope: string, gridSize: string): [string, string] {
  if (spec.positionScaleOffset === null) {
    return ['', graph.op(scope, 'Concat', [graph.int64(scope, [1, spec.embedDim]), gridSize], [intAttribute('axis', 0)])];
  }
  const toFloat = (input: string) => graph.op(scope, 'Cast', [input], [intAttribute('to', TensorDataType.FLOAT)]);
  const offsetGrid = graph.op(scope, 'Add', [toFloat(gridSize), graph.float(scope, spec.positionScaleOffset)]);
  const gridScales = graph.op(scope, 'Div', [offsetGrid, graph.float(scope, spec.posGrid)]);
  return [graph.op(scope, 'Concat', [toFloat(graph.int64(scope, [1, 1])), gridScales], [intAttribute('axis', 0)]), ''];
}

/** [B, D, h, w] feature map → [B, h·w, D] tokens, row-major over the grid. */
function tokensFromChannels(graph: OnnxGraphBuilder, scope: string, map: string, d: number): string {
  const flat = graph.op(scope, 'Reshape', [map, graph.int64(scope, [0, d, -1])]);
  return graph.op(scope, 'Transpose', [flat], [intsAttribute('perm', [0, 2, 1])]);
}

/** Pre-norm block: x + ls1·Attn(LN1(x)), then + ls2·MLP(LN2(x)). */
function transformerBlock(
  graph: OnnxGraphBuilder,
  spec: ResolvedVitSpec,
  weights: VitBlockWeights,
  names: BlockParameterNames,
  index: number,
  input: string,
): string {
  const d = spec.embedDim;
  const scope = `blocks.${index}`;
  const vector = (name: string, values: Float32Array) => graph.weight(name, [values.length], values);
  const dense = (x: string, weightName: string, biasName: string, weight: Float32Array, bias: Float32Array) =>
    linear(graph, spec, scope, x, { weight: weightName, bias: biasName }, weight, bias);

  const norm1 = [vector(names.norm1Weight, weights.norm1Weight), vector(names.norm1Bias, weights.norm1Bias)];
  const normed1 = layerNorm(graph, scope, input, norm1[0], norm1[1]);
  const [query, key, value] = attentionHeads(graph, spec, weights, names, scope, normed1);
  const keyT = graph.op(scope, 'Transpose', [key], [intsAttribute('perm', [0, 1, 3, 2])]);
  const logits = graph.op(scope, 'MatMul', [query, keyT]);
  const scores = graph.op(scope, 'Mul', [logits, graph.float(scope, 1 / Math.sqrt(spec.headDim))]);
  const attention = graph.op(scope, 'Softmax', [scores], [intAttribute('axis', -1)]);
  const context = graph.op(scope, 'MatMul', [attention, value]);
  const tokenMajor = graph.op(scope, 'Transpose', [context], [intsAttribute('perm', [0, 2, 1, 3])]);
  const merged = graph.op(scope, 'Reshape', [tokenMajor, graph.int64(scope, [0, 0, d])]);
  const projected = dense(merged, names.projWeight, names.projBias, weights.projWeight, weights.projBias);
  const scaled1 = graph.op(scope, 'Mul', [projected, vector(names.layerScale1, weights.layerScale1)]);
  const afterAttention = graph.op(scope, 'Add', [input, scaled1]);

  const norm2 = [vector(names.norm2Weight, weights.norm2Weight), vector(names.norm2Bias, weights.norm2Bias)];
  const normed2 = layerNorm(graph, scope, afterAttention, norm2[0], norm2[1]);
  const hidden = dense(normed2, names.fc1Weight, names.fc1Bias, weights.fc1Weight, weights.fc1Bias);
  const mlp = dense(exactGelu(graph, scope, hidden), names.fc2Weight, names.fc2Bias, weights.fc2Weight, weights.fc2Bias);
  const scaled2 = graph.op(scope, 'Mul', [mlp, vector(names.layerScale2, weights.layerScale2)]);
  return graph.op(scope, 'Add', [afterAttention, scaled2]);
}

/** Per-head query, key, value [B, heads, T, d_head] from the fused qkv Linear (Meta) or three Linears (HF). */
function attentionHeads(
  graph: OnnxGraphBuilder,
  spec: ResolvedVitSpec,
  weights: VitBlockWeights,
  names: BlockParameterNames,
  scope: string,
  normed: string,
): string[] {
  const { embedDim: d, heads, headDim } = spec;
  if ('fused' in names.attention) {
    const qkv = linear(graph, spec, scope, normed, names.attention.fused, weights.qkvWeight, weights.qkvBias);
    const split = graph.op(scope, 'Reshape', [qkv, graph.int64(scope, [0, 0, 3, heads, headDim])]);
    const perHead = graph.op(scope, 'Transpose', [split], [intsAttribute('perm', [2, 0, 3, 1, 4])]);
    return [0, 1, 2].map((part) => {
      const index = graph.int64(scope, [part], true);
      return graph.op(scope, 'Gather', [perHead, index], [intAttribute('axis', 0)]);
    });
  }
  return names.attention.split.map((projection, part) => {
    const weight = weights.qkvWeight.subarray(part * d * d, (part + 1) * d * d);
    const projected = linear(graph, spec, scope, normed, projection, weight, weights.qkvBias.subarray(part * d, (part + 1) * d));
    const split = graph.op(scope, 'Reshape', [projected, graph.int64(scope, [0, 0, heads, headDim])]);
    return graph.op(scope, 'Transpose', [split], [intsAttribute('perm', [0, 2, 1, 3])]);
  });
}

function layerNorm(
  graph: OnnxGraphBuilder,
  scope: string,
  input: string,
  weight: string,
  bias: string,
  output?: string,
): string {
  return graph.op(
    scope,
    'LayerNormalization',
    [input, weight, bias],
    [intAttribute('axis', -1), floatAttribute('epsilon', LAYER_NORM_EPSILON)],
    output,
  );
}

/**
 * x·Wᵀ + b, W given in PyTorch's [out, in] layout. Stored under its state-dict name behind a Transpose, or (with
 * `torchLinears`) as torch.onnx stores it: W transposed to [in, out] under an unnamed initializer, the MatMul and
 * Add named after the module.
 */
function linear(
  graph: OnnxGraphBuilder,
  spec: ResolvedVitSpec,
  scope: string,
  input: string,
  names: { weight: string; bias: string },
  weight: Float32Array,
  bias: Float32Array,
): string {
  const outputs = bias.length;
  const inputs = weight.length / outputs;
  const biasName = graph.weight(names.bias, [outputs], bias);
  if (!spec.torchLinears) {
    const stored = graph.weight(names.weight, [outputs, inputs], weight);
    const transposed = graph.op(scope, 'Transpose', [stored], [intsAttribute('perm', [1, 0])]);
    return graph.op(scope, 'Add', [graph.op(scope, 'MatMul', [input, transposed]), biasName]);
  }
  const inputMajor = new Float32Array(weight.length);
  for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) inputMajor[i * outputs + o] = weight[o * inputs + i];
  const stored = graph.weight(`onnx::MatMul_${1000 + graph.initializers.length}`, [inputs, outputs], inputMajor);
  const module = torchModulePath(names.weight);
  return graph.moduleOp(module, 'Add', [graph.moduleOp(module, 'MatMul', [input, stored]), biasName]);
}

/**
 * The scope torch.onnx gives a parameter's module: `encoder.layer.0.mlp.fc1.weight` → `/encoder/layer.0/mlp/fc1`
 * (a ModuleList index stays joined to its list's name).
 */
function torchModulePath(parameterName: string): string {
  const segments = parameterName.split('.').slice(0, -1);
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}.${segment}` : `${path}/${segment}`), '');
}

/** GELU with erf, as nn.GELU() (opset 17 has no Gelu op): 0.5·x·(1 + erf(x/√2)). */
function exactGelu(graph: OnnxGraphBuilder, scope: string, input: string): string {
  const erf = graph.op(scope, 'Erf', [graph.op(scope, 'Div', [input, graph.float(scope, Math.SQRT2)])]);
  const onePlus = graph.op(scope, 'Add', [erf, graph.float(scope, 1)]);
  return graph.op(scope, 'Mul', [graph.op(scope, 'Mul', [input, onePlus]), graph.float(scope, 0.5)]);
}

function finalNorm(
  graph: OnnxGraphBuilder,
  names: VitParameterNames,
  input: string,
  scope: string,
  output?: string,
): string {
  return layerNorm(graph, scope, input, names.normWeight, names.normBias, output);
}

/** last_hidden_state [B, 1 + R + N, D] and optionally pooler_output [B, D]. */
function hfOutputs(
  graph: OnnxGraphBuilder,
  spec: ResolvedVitSpec,
  names: VitParameterNames,
  last: string,
): OnnxValueInfo[] {
  const normed = finalNorm(graph, names, last, 'layernorm', 'last_hidden_state');
  const outputs = [tensorValueInfo(normed, TensorDataType.FLOAT, ['batch', 'sequence_length', spec.embedDim])];
  if (spec.withPooler) {
    const first = graph.int64('pooler', [0], true);
    const pooled = graph.op('pooler', 'Gather', [normed, first], [intAttribute('axis', 1)], 'pooler_output');
    outputs.push(tensorValueInfo(pooled, TensorDataType.FLOAT, ['batch', spec.embedDim]));
  }
  return outputs;
}

/**
 * get_intermediate_layers(x, n, return_class_token=True, norm=True): per exposed block, in block order, the
 * final-normed patch tokens [B, N, D] then the CLS token [B, D], under numeric names as torch.onnx gives outputs
 * it was not told to name.
 */
function metaOutputs(
  graph: OnnxGraphBuilder,
  spec: ResolvedVitSpec,
  names: VitParameterNames,
  blockOutputs: string[],
): OnnxValueInfo[] {
  const outputs: OnnxValueInfo[] = [];
  for (const block of spec.exposedBlocks) {
    const scope = `intermediate.${block}`;
    const normed = finalNorm(graph, names, blockOutputs[block], scope);
    const patchStart = graph.int64(scope, [1 + spec.registers]);
    const patchesName = String(graph.nodes.length + 1000);
    const patchEnd = graph.int64(scope, [TO_END]);
    const patches = graph.op(scope, 'Slice', [normed, patchStart, patchEnd, graph.int64(scope, [1])], [], patchesName);
    const clsName = String(graph.nodes.length + 1000);
    const cls = graph.op(scope, 'Gather', [normed, graph.int64(scope, [0], true)], [intAttribute('axis', 1)], clsName);
    outputs.push(tensorValueInfo(patches, TensorDataType.FLOAT, ['batch', 'tokens', spec.embedDim]));
    outputs.push(tensorValueInfo(cls, TensorDataType.FLOAT, ['batch', spec.embedDim]));
  }
  return outputs;
}
