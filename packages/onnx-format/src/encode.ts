import protobuf from 'protobufjs/light.js';
import { ModelProto, int64Bits, uint64Bits } from './schema.js';
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxType, OnnxValueInfo } from './types.js';

/** A message as protobufjs encodes it: fields by their camelCase names, absent ones undefined. */
type ProtoMessage = Record<string, unknown>;

/**
 * Serialises a model to the bytes of an `.onnx` file. The messages handed to protobufjs share radprobe's field
 * names (camelCase of onnx.proto's); what differs is converted here: int64s (clamped to the int64 range), and a
 * shape's dimensions, which onnx.proto nests in TensorShapeProto.dim. Weights are not copied until protobufjs
 * writes the file's one buffer.
 */
export function encodeModel(model: OnnxModel): Uint8Array {
  return ModelProto.encode(
    {
      ...model,
      irVersion: int64Bits(model.irVersion),
      modelVersion: model.modelVersion === undefined ? undefined : int64Bits(model.modelVersion),
      opsetImport: model.opsetImport.map((opset) => ({ domain: opset.domain, version: int64Bits(opset.version) })),
      graph: graph(model.graph),
    },
    // A plain writer: protobufjs's default in Node writes a Buffer, and the file's bytes are a plain Uint8Array.
    new protobuf.Writer(),
  ).finish();
}

function graph(value: OnnxGraph): ProtoMessage {
  return {
    ...value,
    node: value.node.map(node),
    initializer: value.initializer.map(tensor),
    input: value.input.map(valueInfo),
    output: value.output.map(valueInfo),
    valueInfo: value.valueInfo.map(valueInfo),
  };
}

function node(value: OnnxNode): ProtoMessage {
  return { ...value, attribute: value.attribute.map(attribute) };
}

function attribute(value: OnnxAttribute): ProtoMessage {
  return {
    ...value,
    i: value.i === undefined ? undefined : int64Bits(value.i),
    ints: value.ints?.map(int64Bits),
    t: value.t === undefined ? undefined : tensor(value.t),
    g: value.g === undefined ? undefined : graph(value.g),
    tensors: value.tensors?.map(tensor),
    graphs: value.graphs?.map(graph),
  };
}

function tensor(value: OnnxTensor): ProtoMessage {
  return {
    ...value,
    dims: value.dims.map(int64Bits),
    int64Data: value.int64Data === undefined ? undefined : Array.from(value.int64Data, int64Bits),
    uint64Data: value.uint64Data === undefined ? undefined : Array.from(value.uint64Data, uint64Bits),
  };
}

function valueInfo(value: OnnxValueInfo): ProtoMessage {
  return { ...value, type: value.type === undefined ? undefined : type(value.type) };
}

function type(value: OnnxType): ProtoMessage {
  const tensorType = value.tensorType;
  return {
    ...value,
    tensorType:
      tensorType === undefined
        ? undefined
        : {
            elemType: tensorType.elemType,
            shape: tensorType.shape === undefined ? undefined : { dim: tensorType.shape.map((dim) => ({ ...dim, dimValue: dim.dimValue === undefined ? undefined : int64Bits(dim.dimValue) })) },
          },
  };
}
