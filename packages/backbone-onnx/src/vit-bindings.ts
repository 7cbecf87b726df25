import type { OnnxGraph, OnnxTensor } from '@radprobe/onnx-format';
import { RadprobeError } from '@radprobe/core';
import { canonicalSlot, parameterOfNode } from './vit-parameter-names.js';

/** One initializer holding (part of) a canonical parameter. */
export interface InitializerPart {
  initializer: string;
  /** Stored as torch.onnx stores a Linear weight it feeds to MatMul: `[in, out]`, the transpose of PyTorch's. */
  transposed: boolean;
  /** First row (along the canonical tensor's first axis) this part fills. */
  rowOffset: number;
  /** Its shape in PyTorch's layout (`[rows, ...]`). */
  shape: number[];
}

/** Where a canonical parameter lives in the file. */
export interface ParameterBinding {
  name: string;
  /** PyTorch layout, e.g. `[3D, D]` for the fused qkv. */
  shape: number[];
  parts: InitializerPart[];
}

interface Candidate {
  stateDictName: string;
  transposed: boolean;
}

/**
 * The state-dict name of each initializer: its own name when it is one, else (torch.onnx's unnamed
 * `onnx::MatMul_123` Linear weights, stored `[in, out]`, and unnamed biases) the module path of the MatMul or Add
 * node it feeds.
 */
function stateDictNames(graph: OnnxGraph): Map<string, Candidate> {
  const names = new Map<string, Candidate>();
  const initializers = new Map(graph.initializer.map((tensor) => [tensor.name, tensor]));
  for (const tensor of graph.initializer) {
    if (canonicalSlot(tensor.name)) names.set(tensor.name, { stateDictName: tensor.name, transposed: false });
  }
  for (const node of graph.node) {
    if (!node.name) continue;
    const isMatMul = node.opType === 'MatMul';
    if (!isMatMul && node.opType !== 'Add') continue;
    for (const input of node.input) {
      const tensor = initializers.get(input);
      if (!tensor || names.has(input)) continue;
      if (isMatMul ? tensor.dims.length !== 2 || input !== node.input[1] : tensor.dims.length !== 1) continue;
      const stateDictName = parameterOfNode(node.name, isMatMul ? 'weight' : 'bias');
      if (stateDictName && canonicalSlot(stateDictName)) names.set(input, { stateDictName, transposed: isMatMul });
    }
  }
  return names;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Finds every canonical parameter among the graph's initializers, in either naming and either Linear layout;
 * HF's q, k, v become one binding of three parts. Checks that parts agree in shape and that no parameter is
 * found twice. `file` names the model in errors.
 */
export function bindParameters(graph: OnnxGraph, file: string): Map<string, ParameterBinding> {
  const tensors = new Map<string, OnnxTensor>(graph.initializer.map((tensor) => [tensor.name, tensor]));
  const pieces = new Map<string, { parts: number; found: Map<number, { initializer: string; transposed: boolean; shape: number[] }> }>();
  for (const [initializer, { stateDictName, transposed }] of stateDictNames(graph)) {
    const slot = canonicalSlot(stateDictName)!;
    const dims = tensors.get(initializer)!.dims;
    const shape = transposed ? [dims[1], dims[0]] : [...dims];
    const entry = pieces.get(slot.name) ?? { parts: slot.parts, found: new Map() };
    pieces.set(slot.name, entry);
    const previous = entry.found.get(slot.part) ?? (entry.parts !== slot.parts ? entry.found.values().next().value : undefined);
    if (previous) {
      throw new RadprobeError(`${file}: parameter ${slot.name} is held twice (initializers '${previous.initializer}' and '${initializer}')`, { file });
    }
    entry.found.set(slot.part, { initializer, transposed, shape });
  }
  const bindings = new Map<string, ParameterBinding>();
  for (const [name, { parts, found }] of pieces) {
    const ordered = Array.from({ length: parts }, (_, part) => {
      const piece = found.get(part);
      if (!piece) throw new RadprobeError(`${file}: parameter ${name} is incomplete: part ${'qkv'[part] ?? part} of the attention's q, k, v is missing`, { file });
      return piece;
    });
    const first = ordered[0].shape;
    const mismatch = ordered.find((piece) => shapeText(piece.shape.slice(1)) !== shapeText(first.slice(1)) || piece.shape[0] !== first[0]);
    if (mismatch) {
      throw new RadprobeError(`${file}: the q, k, v parts of ${name} differ in shape (${shapeText(first)} and ${shapeText(mismatch.shape)})`, { file });
    }
    bindings.set(name, {
      name,
      shape: [first[0] * parts, ...first.slice(1)],
      parts: ordered.map((piece, part) => ({ ...piece, rowOffset: part * first[0] })),
    });
  }
  return bindings;
}
