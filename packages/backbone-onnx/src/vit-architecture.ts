import { attributeText, findAttribute, type OnnxGraph, type OnnxNode } from '@radprobe/onnx-format';
import { RadprobeError, type PositionInterpolation, type VitArchitecture } from '@radprobe/core';
import type { FoldedPositions } from './folded-positions.js';
import { GraphIndex } from './graph-constants.js';
import type { ParameterBinding } from './vit-bindings.js';
import { requiredParameters } from './vit-parameter-names.js';

/** What files beside the model say about the architecture, where they say it. */
export interface ArchitectureHints {
  /** `num_attention_heads` of config.json. */
  configHeads?: number;
  /** `heads` of the radprobe manifest. */
  manifestHeads?: number;
}

/** Meta's DINOv2 passes `scale_factor = (grid + 0.1) / trainedGrid` to the positional interpolation. */
const META_INTERPOLATE_OFFSET = 0.1;

function dims(bindings: Map<string, ParameterBinding>, name: string, file: string): number[] {
  const binding = bindings.get(name);
  if (!binding) {
    throw new RadprobeError(`${file}: parameter ${name} is missing (found under neither Meta's nor Hugging Face's names, nor as a MatMul weight)`, { file });
  }
  return binding.shape;
}

function depthOf(bindings: Map<string, ParameterBinding>): number {
  let depth = 0;
  for (const name of bindings.keys()) {
    const match = /^blocks\.(\d+)\./.exec(name);
    if (match) depth = Math.max(depth, Number(match[1]) + 1);
  }
  return depth;
}

/**
 * Heads are not in the weights: `reshape(B, N, 3, heads, D / heads)` (Meta) or `view(..., heads, D / heads)` (HF)
 * leaves them in the shape operands of the attention's Reshape nodes. A dynamic-batch torch export computes
 * `C // heads` from the input's shape, so in Meta's fused-qkv Reshape only the entry after the 3 is constant.
 * The most common such count wins.
 */
function headsFromGraph(index: GraphIndex, graph: OnnxGraph, embedDim: number): number | null {
  const counts = new Map<number, number>();
  for (const node of graph.node) {
    if (node.opType !== 'Reshape' || node.input.length < 2) continue;
    const entries = index.shapeEntries(node.input[1]);
    if (entries.length < 4) continue;
    const [heads, headDim] = entries.slice(-2);
    if (!Number.isInteger(heads) || heads < 2 || embedDim % heads !== 0) continue;
    const fusedQkv = entries.length >= 5 && entries[entries.length - 3] === 3;
    if (Number.isInteger(headDim) ? heads * headDim !== embedDim : !fusedQkv) continue;
    counts.set(heads, (counts.get(heads) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  return best ? best[0] : null;
}

/**
 * LayerNormalization's `epsilon` (default 1e-5 per the ONNX spec); a graph from an opset before 17 spells the
 * norm out, and the epsilon is the constant added to the variance (`ReduceMean(Pow(x - mean, 2)) + eps`).
 */
function layerNormEpsilon(index: GraphIndex, graph: OnnxGraph, file: string): number {
  const norm = graph.node.find((node) => node.opType === 'LayerNormalization');
  if (norm) return findAttribute(norm, 'epsilon')?.f ?? 1e-5;
  for (const node of graph.node) {
    if (node.opType !== 'Add') continue;
    const variance = node.input.map((input) => index.producer(input)).find((producer) => producer?.opType === 'ReduceMean');
    if (!variance || index.producer(variance.input[0])?.opType !== 'Pow') continue;
    const epsilon = node.input.map((input) => index.constant(input)).find((values) => values?.length === 1);
    if (epsilon) return epsilon[0];
  }
  throw new RadprobeError(`${file}: no LayerNormalization (nor a spelled-out layer norm) found to read the layer-norm epsilon from`, { file });
}

/** Keys' coefficient of PyTorch's bicubic interpolation, and of its antialiased one (Pillow's). */
const CUBIC_A = -0.75;
const ANTIALIASED_CUBIC_A = -0.5;

/**
 * Explicit sizes on the positional Resize are `interpolate(size=...)`; scales are Meta's `scale_factor` with its
 * 0.1 offset; `antialias=1` (opset 18) is `interpolate(size=..., antialias=True)`, as register models compute it
 * and onnxscript ≥ 0.7.0 exports it. A graph without a cubic Resize was exported at the trained grid, where no
 * interpolation happens either way; `size` then describes it. A Resize computing anything else is refused: the
 * network trained from the file would not be the one the file runs.
 */
function positionInterpolation(graph: OnnxGraph, folded: FoldedPositions | null, file: string): PositionInterpolation {
  if (folded && folded.resize === null) return { mode: 'fixed' };
  const resize =
    folded?.resize ??
    graph.node.find((node) => {
      const mode = findAttribute(node, 'mode');
      return node.opType === 'Resize' && mode !== undefined && attributeText(mode) === 'cubic';
    });
  if (!resize) return { mode: 'size' };
  const hasScales = (resize.input[2] ?? '') !== '' && (resize.input[3] ?? '') === '';
  const antialias = findAttribute(resize, 'antialias')?.i === 1;
  const coefficient = findAttribute(resize, 'cubic_coeff_a')?.f ?? CUBIC_A;
  const excludeOutside = findAttribute(resize, 'exclude_outside')?.i === 1;
  if (!antialias && coefficient === CUBIC_A && !excludeOutside) {
    return hasScales ? { mode: 'scale', offset: META_INTERPOLATE_OFFSET } : { mode: 'size' };
  }
  if (antialias && coefficient === ANTIALIASED_CUBIC_A && excludeOutside && !hasScales) return { mode: 'size', antialias: true };
  throw new RadprobeError(
    `${file}: the positional Resize${describeResize(resize, hasScales, antialias, coefficient, excludeOutside)} is not a bicubic interpolation ` +
      `PyTorch computes: interpolate(mode="bicubic") is cubic_coeff_a ${CUBIC_A}, exclude_outside 0; with antialias=True it is antialias 1, ` +
      `cubic_coeff_a ${ANTIALIASED_CUBIC_A}, exclude_outside 1, by sizes (onnxscript before 0.7.0 wrote ${CUBIC_A} there); re-export the model`,
    { file },
  );
}

function describeResize(resize: OnnxNode, hasScales: boolean, antialias: boolean, coefficient: number, excludeOutside: boolean): string {
  const name = resize.name ? ` '${resize.name}'` : '';
  const flag = (value: boolean) => (value ? 1 : 0);
  return `${name} (antialias ${flag(antialias)}, cubic_coeff_a ${coefficient}, exclude_outside ${flag(excludeOutside)}, by ${hasScales ? 'scales' : 'sizes'})`;
}

function expectedShapes(architecture: VitArchitecture): Map<string, number[]> {
  const { embedDim: d, mlpHidden: hidden, patchSize: p, positionGrid: g, registerTokens: r, depth } = architecture;
  const shapes = new Map<string, number[]>([
    ['patch_embed.proj.weight', [d, 3, p, p]],
    ['patch_embed.proj.bias', [d]],
    ['cls_token', [1, 1, d]],
    ['pos_embed', [1, 1 + g * g, d]],
    ['norm.weight', [d]],
    ['norm.bias', [d]],
  ]);
  if (r > 0) shapes.set('register_tokens', [1, r, d]);
  const perBlock: Record<string, number[]> = {
    'norm1.weight': [d], 'norm1.bias': [d], 'attn.qkv.weight': [3 * d, d], 'attn.qkv.bias': [3 * d], 'attn.proj.weight': [d, d],
    'attn.proj.bias': [d], 'ls1.gamma': [d], 'norm2.weight': [d], 'norm2.bias': [d], 'mlp.fc1.weight': [hidden, d],
    'mlp.fc1.bias': [hidden], 'mlp.fc2.weight': [d, hidden], 'mlp.fc2.bias': [d], 'ls2.gamma': [d],
  };
  for (let block = 0; block < depth; block++) {
    for (const [name, shape] of Object.entries(perBlock)) shapes.set(`blocks.${block}.${name}`, shape);
  }
  return shapes;
}

const elements = (shape: readonly number[]) => shape.reduce((product, side) => product * side, 1);

/**
 * The ViT's architecture from its parameters' shapes and its graph, after checking that every parameter of a
 * DINOv2 ViT is present with the shape the architecture implies (tokens may be stored flatter, e.g. `[1, D]`).
 * `folded` is where `pos_embed` was found when constant folding took its name away.
 */
export function inferVitArchitecture(
  graph: OnnxGraph,
  bindings: Map<string, ParameterBinding>,
  file: string,
  hints: ArchitectureHints,
  folded: FoldedPositions | null = null,
): VitArchitecture {
  const depth = depthOf(bindings);
  for (const name of requiredParameters(depth)) dims(bindings, name, file);
  const patch = dims(bindings, 'patch_embed.proj.weight', file);
  const embedDim = patch[0];
  const positions = elements(dims(bindings, 'pos_embed', file)) / embedDim - 1;
  const positionGrid = Math.round(Math.sqrt(positions));
  if (positionGrid * positionGrid !== positions) {
    throw new RadprobeError(`${file}: pos_embed holds ${positions} patch positions, not a square grid`, { file });
  }
  const registers = bindings.get('register_tokens');
  const index = new GraphIndex(graph);
  const heads = hints.configHeads ?? headsFromGraph(index, graph, embedDim) ?? hints.manifestHeads;
  if (heads === undefined || heads === null) {
    throw new RadprobeError(
      `${file}: the number of attention heads is unknown (no config.json num_attention_heads, no attention Reshape in the graph); give "heads" in the model's manifest`,
      { file },
    );
  }
  if (embedDim % heads !== 0) throw new RadprobeError(`${file}: ${heads} attention heads do not divide the width ${embedDim}`, { file });
  const architecture: VitArchitecture = {
    embedDim,
    depth,
    heads,
    patchSize: patch[2],
    mlpHidden: dims(bindings, 'blocks.0.mlp.fc1.weight', file)[0],
    registerTokens: registers ? elements(registers.shape) / embedDim : 0,
    positionGrid,
    layerNormEpsilon: layerNormEpsilon(index, graph, file),
    positionInterpolation: positionInterpolation(graph, folded, file),
  };
  for (const [name, expected] of expectedShapes(architecture)) {
    const actual = bindings.get(name)!.shape;
    const isToken = name === 'cls_token' || name === 'register_tokens' || name === 'pos_embed';
    const agrees = isToken ? elements(actual) === elements(expected) : actual.join() === expected.join();
    if (!agrees) throw new RadprobeError(`${file}: parameter ${name} has shape [${actual.join(', ')}], the architecture implies [${expected.join(', ')}]`, { file });
  }
  return architecture;
}
