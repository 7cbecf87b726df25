import type { OnnxDimension, OnnxValueInfo, TensorDataType } from './types.js';

/**
 * A tensor-typed graph input or output. Each dim is a fixed size (number) or a symbolic name (string), the way
 * exporters mark dynamic axes such as `batch`.
 */
export function tensorValueInfo(name: string, elemType: TensorDataType, dims: (number | string)[]): OnnxValueInfo {
  const shape: OnnxDimension[] = dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim }));
  return { name, type: { tensorType: { elemType, shape } } };
}
