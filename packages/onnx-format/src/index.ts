/**
 * @radprobe/onnx-format: reads and writes ONNX model files with protobufjs and ONNX's own onnx.proto (no native
 * code), as plain objects and typed arrays: the part of the schema radprobe uses, int64 payloads as BigInt64Array,
 * weights as views into the file's bytes.
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
