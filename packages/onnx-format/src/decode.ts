import { RadprobeError, errorMessage } from '@radprobe/core';
import { ModelProto, ValueInfoProto, int64ToBigInt, int64ToNumber, readerOf, type Int64 } from './schema.js';
import type {
  OnnxAttribute,
  OnnxDimension,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxOperatorSetId,
  OnnxStringEntry,
  OnnxTensor,
  OnnxType,
  OnnxValueInfo,
} from './types.js';

/**
 * A message as protobufjs decodes it: repeated fields are own arrays, a singular field is an own property only when
 * the file holds it (absent ones read the schema default from the prototype).
 */
type Decoded = Record<string, any>;

const has = (message: Decoded, field: string): boolean => Object.prototype.hasOwnProperty.call(message, field);

/**
 * Parses the bytes of an `.onnx` file with ONNX's own schema. Fields radprobe does not model are dropped. Tensor
 * `rawData` are views into `bytes` (no copy), so keep `bytes` unmodified while the model is in use. `source` (a file
 * path) names the file in error messages.
 */
export function decodeModel(bytes: Uint8Array, source = 'ONNX model'): OnnxModel {
  let message: Decoded;
  try {
    message = ModelProto.decode(readerOf(bytes)) as Decoded;
  } catch (error) {
    throw new RadprobeError(`${source}: ${errorMessage(error)} while reading ModelProto: truncated, or not an ONNX model`, { file: source, cause: error });
  }
  if (!has(message, 'graph')) {
    throw new RadprobeError(`${source}: no graph (ModelProto.graph) in the file; is this an ONNX model?`, { file: source });
  }
  const model: OnnxModel = {
    irVersion: int64ToNumber(message.irVersion),
    opsetImport: message.opsetImport.map(operatorSetId),
    graph: graph(message.graph),
    metadataProps: message.metadataProps.map(stringEntry),
  };
  if (has(message, 'producerName')) model.producerName = message.producerName;
  if (has(message, 'producerVersion')) model.producerVersion = message.producerVersion;
  if (has(message, 'domain')) model.domain = message.domain;
  if (has(message, 'modelVersion')) model.modelVersion = int64ToNumber(message.modelVersion);
  if (has(message, 'docString')) model.docString = message.docString;
  return model;
}

/** Reads one ValueInfoProto's bytes (a graph input or output). */
export function decodeValueInfo(bytes: Uint8Array): OnnxValueInfo {
  return valueInfo(ValueInfoProto.decode(readerOf(bytes)) as Decoded);
}

function operatorSetId(message: Decoded): OnnxOperatorSetId {
  return { domain: message.domain, version: int64ToNumber(message.version) };
}

function stringEntry(message: Decoded): OnnxStringEntry {
  return { key: message.key, value: message.value };
}

function graph(message: Decoded): OnnxGraph {
  const out: OnnxGraph = {
    name: message.name,
    node: message.node.map(node),
    initializer: message.initializer.map(tensor),
    input: message.input.map(valueInfo),
    output: message.output.map(valueInfo),
    valueInfo: message.valueInfo.map(valueInfo),
  };
  if (has(message, 'docString')) out.docString = message.docString;
  return out;
}

function node(message: Decoded): OnnxNode {
  const out: OnnxNode = { input: message.input, output: message.output, opType: message.opType, attribute: message.attribute.map(attribute) };
  if (has(message, 'name')) out.name = message.name;
  if (has(message, 'docString')) out.docString = message.docString;
  if (has(message, 'domain')) out.domain = message.domain;
  return out;
}

function attribute(message: Decoded): OnnxAttribute {
  const out: OnnxAttribute = { name: message.name, type: message.type };
  if (has(message, 'f')) out.f = message.f;
  if (has(message, 'i')) out.i = int64ToNumber(message.i);
  if (has(message, 's')) out.s = message.s;
  if (has(message, 't')) out.t = tensor(message.t);
  if (has(message, 'g')) out.g = graph(message.g);
  if (message.floats.length > 0) out.floats = message.floats;
  if (message.ints.length > 0) out.ints = message.ints.map(int64ToNumber);
  if (message.strings.length > 0) out.strings = message.strings;
  if (message.tensors.length > 0) out.tensors = message.tensors.map(tensor);
  if (message.graphs.length > 0) out.graphs = message.graphs.map(graph);
  if (has(message, 'docString')) out.docString = message.docString;
  return out;
}

function tensor(message: Decoded): OnnxTensor {
  const out: OnnxTensor = { name: message.name, dataType: message.dataType, dims: message.dims.map(int64ToNumber) };
  if (message.floatData.length > 0) out.floatData = Float32Array.from(message.floatData);
  if (message.int32Data.length > 0) out.int32Data = Int32Array.from(message.int32Data);
  if (message.int64Data.length > 0) out.int64Data = BigInt64Array.from(message.int64Data, (value: Int64) => int64ToBigInt(value));
  if (message.doubleData.length > 0) out.doubleData = Float64Array.from(message.doubleData);
  if (message.uint64Data.length > 0) out.uint64Data = BigUint64Array.from(message.uint64Data, (value: Int64) => int64ToBigInt(value, true));
  if (message.stringData.length > 0) out.stringData = message.stringData;
  if (has(message, 'rawData')) out.rawData = message.rawData;
  if (message.externalData.length > 0) out.externalData = message.externalData.map(stringEntry);
  if (has(message, 'dataLocation')) out.dataLocation = message.dataLocation;
  if (has(message, 'docString')) out.docString = message.docString;
  return out;
}

function valueInfo(message: Decoded): OnnxValueInfo {
  const out: OnnxValueInfo = { name: message.name };
  if (has(message, 'type')) out.type = type(message.type);
  if (has(message, 'docString')) out.docString = message.docString;
  return out;
}

/** TypeProto; kinds other than tensors (sequences, maps, ...) come back with no `tensorType`. */
function type(message: Decoded): OnnxType {
  const out: OnnxType = {};
  if (has(message, 'tensorType')) {
    const tensorType = message.tensorType;
    out.tensorType = { elemType: tensorType.elemType };
    if (has(tensorType, 'shape')) out.tensorType.shape = tensorType.shape.dim.map(dimension);
  }
  if (has(message, 'denotation')) out.denotation = message.denotation;
  return out;
}

function dimension(message: Decoded): OnnxDimension {
  const out: OnnxDimension = {};
  if (has(message, 'dimValue')) out.dimValue = int64ToNumber(message.dimValue);
  if (has(message, 'dimParam')) out.dimParam = message.dimParam;
  if (has(message, 'denotation')) out.denotation = message.denotation;
  return out;
}
