/**
 * @radprobe/onnx-format: reads and writes ONNX model files (the onnx.proto subset radprobe needs) with a
 * hand-written protobuf codec, so no native code or protobuf runtime is required.
 */
export { encodeModel } from './encode.js';
export { decodeModel } from './decode.js';
export { readGraphSignature, type GraphSignature } from './signature.js';
export {
  tensorToFloat32,
  tensorToInt64,
  tensorElementCount,
  float32Tensor,
  float16Tensor,
  int64Tensor,
} from './tensor.js';
export { float16BitsToNumber, numberToFloat16Bits, bfloat16BitsToNumber } from './float16.js';
export {
  intAttribute,
  intsAttribute,
  floatAttribute,
  floatsAttribute,
  stringAttribute,
  tensorAttribute,
  findAttribute,
  attributeText,
} from './attributes.js';
export { tensorValueInfo } from './value-info.js';
export { TensorDataType, AttributeType, DataLocation } from './types.js';
export type {
  OnnxModel,
  OnnxGraph,
  OnnxNode,
  OnnxAttribute,
  OnnxTensor,
  OnnxValueInfo,
  OnnxType,
  OnnxTensorType,
  OnnxDimension,
  OnnxOperatorSetId,
  OnnxStringEntry,
} from './types.js';
