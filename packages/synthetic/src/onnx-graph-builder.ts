import { float32Tensor, int64Tensor, tensorAttribute } from '@radprobe/onnx-format';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from '@radprobe/onnx-format';

/**
 * Accumulates nodes and weight initializers. Intermediate tensors are named `/<scope>/<Op>_<n>_output_0`, the way
 * torch.onnx names them; small constants become Constant nodes so that the initializers are exactly the weights.
 */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];

  /** A single-output node; `output` overrides the generated output name. */
  op(scope: string, opType: string, inputs: string[], attributes: OnnxAttribute[] = [], output?: string): string {
    const name = `/${scope}/${opType}_${this.nodes.length}`;
    const outputName = output ?? `${name}_output_0`;
    this.nodes.push({ name, opType, input: inputs, output: [outputName], attribute: attributes });
    return outputName;
  }

  /**
   * A node named after the module it belongs to, as torch.onnx names the ops of a leaf module
   * (`/encoder/layer.0/mlp/fc1/MatMul`); `modulePath` is that name's scope, `/encoder/layer.0/mlp/fc1`.
   */
  moduleOp(modulePath: string, opType: string, inputs: string[]): string {
    const name = `${modulePath}/${opType}`;
    this.nodes.push({ name, opType, input: inputs, output: [`${name}_output_0`], attribute: [] });
    return `${name}_output_0`;
  }

  /** A float32 weight initializer under its state-dict name. */
  weight(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push(float32Tensor(name, dims, values));
    return name;
  }

  /** An int64 constant: a 1-D tensor, or a scalar when `scalar` is set (e.g. a Gather index that drops the axis). */
  int64(scope: string, values: number[], scalar = false): string {
    const dims = scalar ? [] : [values.length];
    return this.op(scope, 'Constant', [], [tensorAttribute('value', int64Tensor('', dims, values))]);
  }

  /** A float32 scalar constant. */
  float(scope: string, value: number): string {
    return this.op(scope, 'Constant', [], [tensorAttribute('value', float32Tensor('', [], [value]))]);
  }
}
