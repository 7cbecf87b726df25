/**
 * The subset of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) that radprobe reads and
 * writes. Field names follow the proto in camelCase; int64 scalars are numbers (exact within ±2^53, which covers
 * every shape and attribute in practice), int64 tensor payloads are BigInt64Array.
 */

/** TensorProto.DataType. */
export const TensorDataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;
export type TensorDataType = (typeof TensorDataType)[keyof typeof TensorDataType];

/** AttributeProto.AttributeType. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const;
export type AttributeType = (typeof AttributeType)[keyof typeof AttributeType];

/** TensorProto.DataLocation. */
export const DataLocation = { DEFAULT: 0, EXTERNAL: 1 } as const;

export interface OnnxStringEntry {
  key: string;
  value: string;
}

export interface OnnxOperatorSetId {
  /** '' (or absent in the file) is the default ONNX domain 'ai.onnx'. */
  domain: string;
  version: number;
}

export interface OnnxModel {
  irVersion: number;
  opsetImport: OnnxOperatorSetId[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph: OnnxGraph;
  metadataProps: OnnxStringEntry[];
}

export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
  docString?: string;
}

export interface OnnxNode {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute: OnnxAttribute[];
  docString?: string;
}

export interface OnnxAttribute {
  name: string;
  type: AttributeType;
  f?: number;
  i?: number;
  /** Raw bytes, as in the proto (usually UTF-8 text). */
  s?: Uint8Array;
  t?: OnnxTensor;
  g?: OnnxGraph;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: OnnxTensor[];
  graphs?: OnnxGraph[];
  docString?: string;
}

export interface OnnxTensor {
  name: string;
  dataType: TensorDataType | number;
  dims: number[];
  floatData?: Float32Array;
  /** Also holds FLOAT16/BFLOAT16 bit patterns and small integer types, one per element. */
  int32Data?: Int32Array;
  int64Data?: BigInt64Array;
  doubleData?: Float64Array;
  uint64Data?: BigUint64Array;
  stringData?: Uint8Array[];
  /** Little-endian element bytes; when present it is the tensor's content. */
  rawData?: Uint8Array;
  externalData?: OnnxStringEntry[];
  dataLocation?: number;
  docString?: string;
}

export interface OnnxDimension {
  dimValue?: number;
  dimParam?: string;
  denotation?: string;
}

export interface OnnxTensorType {
  elemType: TensorDataType | number;
  /** Absent: rank unknown. */
  shape?: OnnxDimension[];
}

/** TypeProto; kinds other than tensors (sequences, maps, ...) decode with no `tensorType`. */
export interface OnnxType {
  tensorType?: OnnxTensorType;
  denotation?: string;
}

export interface OnnxValueInfo {
  name: string;
  type?: OnnxType;
  docString?: string;
}
