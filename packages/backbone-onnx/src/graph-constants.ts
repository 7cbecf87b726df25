import { findAttribute, tensorToFloat32, type OnnxGraph, type OnnxNode, type OnnxTensor } from '@radprobe/onnx-format';

/** Looks up what produces a value (the node writing it, or the initializer of that name) and what reads it. */
export class GraphIndex {
  private readonly producers = new Map<string, OnnxNode>();
  private readonly readers = new Map<string, OnnxNode[]>();
  private readonly initializers: Map<string, OnnxTensor>;

  constructor(graph: OnnxGraph) {
    for (const node of graph.node) {
      for (const output of node.output) this.producers.set(output, node);
      for (const input of node.input) {
        const readers = this.readers.get(input);
        if (readers) readers.push(node);
        else this.readers.set(input, [node]);
      }
    }
    this.initializers = new Map(graph.initializer.map((tensor) => [tensor.name, tensor]));
  }

  producer(value: string): OnnxNode | undefined {
    return this.producers.get(value);
  }

  /** The nodes that take `value` as an input, in graph order. */
  consumers(value: string): OnnxNode[] {
    return this.readers.get(value) ?? [];
  }

  initializer(value: string): OnnxTensor | undefined {
    return this.initializers.get(value);
  }

  /** The values of a constant (an initializer or a Constant node's `value`), or null when it is computed. */
  constant(value: string): number[] | null {
    const initializer = this.initializers.get(value);
    if (initializer) return Array.from(tensorToFloat32(initializer));
    const node = this.producers.get(value);
    if (node?.opType !== 'Constant') return null;
    const attribute = findAttribute(node, 'value');
    if (attribute?.t) return Array.from(tensorToFloat32(attribute.t));
    const ints = findAttribute(node, 'value_ints')?.ints ?? findAttribute(node, 'value_floats')?.floats;
    if (ints) return [...ints];
    const scalar = findAttribute(node, 'value_int')?.i ?? findAttribute(node, 'value_float')?.f;
    return scalar === undefined ? null : [scalar];
  }

  /**
   * The entries of a shape operand as far as they are constant: a constant itself, or a Concat (torch.onnx's
   * dynamic shapes) of constants and computed pieces, each computed piece standing as one NaN entry.
   */
  shapeEntries(value: string): number[] {
    const constant = this.constant(value);
    if (constant) return constant;
    const node = this.producers.get(value);
    if (node?.opType === 'Unsqueeze') return this.constant(node.input[0]) ?? [Number.NaN];
    if (node?.opType !== 'Concat') return [Number.NaN];
    return node.input.flatMap((input) => this.shapeEntries(input));
  }
}
