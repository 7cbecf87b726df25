import { ProtoWriter } from './wire.js';
import {
  AttributeField,
  DimensionField,
  GraphField,
  ModelField,
  NodeField,
  OperatorSetIdField,
  ShapeField,
  StringEntryField,
  TensorField,
  TensorTypeField,
  TypeField,
  ValueInfoField,
} from './fields.js';
import type {
  OnnxAttribute,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxStringEntry,
  OnnxTensor,
  OnnxType,
  OnnxValueInfo,
} from './types.js';

/** Serialises a model to the bytes of an `.onnx` file. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const writer = new ProtoWriter();
  writer.int64Field(ModelField.irVersion, model.irVersion);
  if (model.producerName !== undefined) writer.stringField(ModelField.producerName, model.producerName);
  if (model.producerVersion !== undefined) writer.stringField(ModelField.producerVersion, model.producerVersion);
  if (model.domain !== undefined) writer.stringField(ModelField.domain, model.domain);
  if (model.modelVersion !== undefined) writer.int64Field(ModelField.modelVersion, model.modelVersion);
  if (model.docString !== undefined) writer.stringField(ModelField.docString, model.docString);
  writer.messageField(ModelField.graph, graphWriter(model.graph));
  for (const opset of model.opsetImport) {
    const entry = new ProtoWriter();
    entry.stringField(OperatorSetIdField.domain, opset.domain);
    entry.int64Field(OperatorSetIdField.version, opset.version);
    writer.messageField(ModelField.opsetImport, entry);
  }
  for (const prop of model.metadataProps) writer.messageField(ModelField.metadataProps, stringEntryWriter(prop));
  return writer.finish();
}

function stringEntryWriter(entry: OnnxStringEntry): ProtoWriter {
  const writer = new ProtoWriter();
  writer.stringField(StringEntryField.key, entry.key);
  writer.stringField(StringEntryField.value, entry.value);
  return writer;
}

function graphWriter(graph: OnnxGraph): ProtoWriter {
  const writer = new ProtoWriter();
  for (const node of graph.node) writer.messageField(GraphField.node, nodeWriter(node));
  writer.stringField(GraphField.name, graph.name);
  for (const tensor of graph.initializer) writer.messageField(GraphField.initializer, tensorWriter(tensor));
  if (graph.docString !== undefined) writer.stringField(GraphField.docString, graph.docString);
  for (const value of graph.input) writer.messageField(GraphField.input, valueInfoWriter(value));
  for (const value of graph.output) writer.messageField(GraphField.output, valueInfoWriter(value));
  for (const value of graph.valueInfo) writer.messageField(GraphField.valueInfo, valueInfoWriter(value));
  return writer;
}

function nodeWriter(node: OnnxNode): ProtoWriter {
  const writer = new ProtoWriter();
  for (const name of node.input) writer.stringField(NodeField.input, name);
  for (const name of node.output) writer.stringField(NodeField.output, name);
  if (node.name !== undefined) writer.stringField(NodeField.name, node.name);
  writer.stringField(NodeField.opType, node.opType);
  for (const attribute of node.attribute) writer.messageField(NodeField.attribute, attributeWriter(attribute));
  if (node.docString !== undefined) writer.stringField(NodeField.docString, node.docString);
  if (node.domain !== undefined) writer.stringField(NodeField.domain, node.domain);
  return writer;
}

function attributeWriter(attribute: OnnxAttribute): ProtoWriter {
  const writer = new ProtoWriter();
  writer.stringField(AttributeField.name, attribute.name);
  if (attribute.f !== undefined) writer.float32Field(AttributeField.f, attribute.f);
  if (attribute.i !== undefined) writer.int64Field(AttributeField.i, attribute.i);
  if (attribute.s !== undefined) writer.bytesField(AttributeField.s, attribute.s);
  if (attribute.t !== undefined) writer.messageField(AttributeField.t, tensorWriter(attribute.t));
  if (attribute.g !== undefined) writer.messageField(AttributeField.g, graphWriter(attribute.g));
  if (attribute.floats !== undefined) writer.packedFloat32Field(AttributeField.floats, attribute.floats);
  if (attribute.ints !== undefined) writer.packedInt64Field(AttributeField.ints, attribute.ints);
  for (const bytes of attribute.strings ?? []) writer.bytesField(AttributeField.strings, bytes);
  for (const tensor of attribute.tensors ?? []) writer.messageField(AttributeField.tensors, tensorWriter(tensor));
  for (const graph of attribute.graphs ?? []) writer.messageField(AttributeField.graphs, graphWriter(graph));
  if (attribute.docString !== undefined) writer.stringField(AttributeField.docString, attribute.docString);
  writer.int64Field(AttributeField.type, attribute.type);
  return writer;
}

function tensorWriter(tensor: OnnxTensor): ProtoWriter {
  const writer = new ProtoWriter();
  writer.packedInt64Field(TensorField.dims, tensor.dims);
  writer.int64Field(TensorField.dataType, tensor.dataType);
  if (tensor.floatData !== undefined) writer.packedFloat32Field(TensorField.floatData, tensor.floatData);
  if (tensor.int32Data !== undefined) writer.packedInt64Field(TensorField.int32Data, tensor.int32Data);
  for (const bytes of tensor.stringData ?? []) writer.bytesField(TensorField.stringData, bytes);
  if (tensor.int64Data !== undefined) writer.packedInt64Field(TensorField.int64Data, tensor.int64Data);
  writer.stringField(TensorField.name, tensor.name);
  if (tensor.rawData !== undefined) writer.bytesField(TensorField.rawData, tensor.rawData);
  if (tensor.doubleData !== undefined) writer.packedFloat64Field(TensorField.doubleData, tensor.doubleData);
  if (tensor.uint64Data !== undefined) {
    // Same varint bits as the unsigned value; the signed view keeps values >= 2^63 out of int64 clamping.
    writer.packedInt64Field(TensorField.uint64Data, Array.from(tensor.uint64Data, (value) => BigInt.asIntN(64, value)));
  }
  if (tensor.docString !== undefined) writer.stringField(TensorField.docString, tensor.docString);
  for (const entry of tensor.externalData ?? []) writer.messageField(TensorField.externalData, stringEntryWriter(entry));
  if (tensor.dataLocation !== undefined) writer.int64Field(TensorField.dataLocation, tensor.dataLocation);
  return writer;
}

function valueInfoWriter(value: OnnxValueInfo): ProtoWriter {
  const writer = new ProtoWriter();
  writer.stringField(ValueInfoField.name, value.name);
  if (value.type !== undefined) writer.messageField(ValueInfoField.type, typeWriter(value.type));
  if (value.docString !== undefined) writer.stringField(ValueInfoField.docString, value.docString);
  return writer;
}

function typeWriter(type: OnnxType): ProtoWriter {
  const writer = new ProtoWriter();
  if (type.tensorType !== undefined) {
    const tensorType = new ProtoWriter();
    tensorType.int64Field(TensorTypeField.elemType, type.tensorType.elemType);
    if (type.tensorType.shape !== undefined) {
      const shape = new ProtoWriter();
      for (const dim of type.tensorType.shape) {
        const dimension = new ProtoWriter();
        if (dim.dimValue !== undefined) dimension.int64Field(DimensionField.dimValue, dim.dimValue);
        if (dim.dimParam !== undefined) dimension.stringField(DimensionField.dimParam, dim.dimParam);
        if (dim.denotation !== undefined) dimension.stringField(DimensionField.denotation, dim.denotation);
        shape.messageField(ShapeField.dim, dimension);
      }
      tensorType.messageField(TensorTypeField.shape, shape);
    }
    writer.messageField(TypeField.tensorType, tensorType);
  }
  if (type.denotation !== undefined) writer.stringField(TypeField.denotation, type.denotation);
  return writer;
}
