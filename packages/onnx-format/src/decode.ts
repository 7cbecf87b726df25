import { ProtoReader, WireType } from './wire.js';
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
  OnnxDimension,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxOperatorSetId,
  OnnxStringEntry,
  OnnxTensor,
  OnnxTensorType,
  OnnxType,
  OnnxValueInfo,
} from './types.js';

/**
 * Parses the bytes of an `.onnx` file. Fields outside the modelled subset are skipped. Tensor `rawData` are views
 * into `bytes` (no copy), so keep `bytes` unmodified while the model is in use. `source` (a file path) names the
 * file in error messages.
 */
export function decodeModel(bytes: Uint8Array, source = 'ONNX model'): OnnxModel {
  const reader = new ProtoReader(bytes, source, 'ModelProto');
  const model: OnnxModel = {
    irVersion: 0,
    opsetImport: [],
    graph: emptyGraph(),
    metadataProps: [],
  };
  let sawGraph = false;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    switch (field) {
      case ModelField.irVersion:
        reader.expectWireType(wireType, WireType.varint);
        model.irVersion = reader.int64();
        break;
      case ModelField.producerName:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        model.producerName = reader.string();
        break;
      case ModelField.producerVersion:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        model.producerVersion = reader.string();
        break;
      case ModelField.domain:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        model.domain = reader.string();
        break;
      case ModelField.modelVersion:
        reader.expectWireType(wireType, WireType.varint);
        model.modelVersion = reader.int64();
        break;
      case ModelField.docString:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        model.docString = reader.string();
        break;
      case ModelField.graph:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        model.graph = readGraph(reader.message('ModelProto.graph'));
        sawGraph = true;
        break;
      case ModelField.opsetImport:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        model.opsetImport.push(readOperatorSetId(reader.message(`ModelProto.opset_import[${model.opsetImport.length}]`)));
        break;
      case ModelField.metadataProps:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        model.metadataProps.push(readStringEntry(reader.message(`ModelProto.metadata_props[${model.metadataProps.length}]`)));
        break;
      default:
        reader.skip(wireType);
    }
  }
  if (!sawGraph) reader.fail('no graph (ModelProto.graph) in the file; is this an ONNX model?');
  return model;
}

function emptyGraph(): OnnxGraph {
  return { name: '', node: [], initializer: [], input: [], output: [], valueInfo: [] };
}

function readOperatorSetId(reader: ProtoReader): OnnxOperatorSetId {
  const opset: OnnxOperatorSetId = { domain: '', version: 0 };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === OperatorSetIdField.domain && wireType === WireType.lengthDelimited) opset.domain = reader.string();
    else if (field === OperatorSetIdField.version && wireType === WireType.varint) opset.version = reader.int64();
    else reader.skip(wireType);
  }
  return opset;
}

function readStringEntry(reader: ProtoReader): OnnxStringEntry {
  const entry: OnnxStringEntry = { key: '', value: '' };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === StringEntryField.key && wireType === WireType.lengthDelimited) entry.key = reader.string();
    else if (field === StringEntryField.value && wireType === WireType.lengthDelimited) entry.value = reader.string();
    else reader.skip(wireType);
  }
  return entry;
}

function readGraph(reader: ProtoReader): OnnxGraph {
  const graph = emptyGraph();
  const path = reader.path;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (wireType !== WireType.lengthDelimited) {
      reader.skip(wireType);
      continue;
    }
    switch (field) {
      case GraphField.node:
        graph.node.push(readNode(reader.message(`${path}.node[${graph.node.length}]`)));
        break;
      case GraphField.name:
        graph.name = reader.string();
        break;
      case GraphField.initializer:
        graph.initializer.push(readTensor(reader.message(`${path}.initializer[${graph.initializer.length}]`)));
        break;
      case GraphField.docString:
        graph.docString = reader.string();
        break;
      case GraphField.input:
        graph.input.push(readValueInfo(reader.message(`${path}.input[${graph.input.length}]`)));
        break;
      case GraphField.output:
        graph.output.push(readValueInfo(reader.message(`${path}.output[${graph.output.length}]`)));
        break;
      case GraphField.valueInfo:
        graph.valueInfo.push(readValueInfo(reader.message(`${path}.value_info[${graph.valueInfo.length}]`)));
        break;
      default:
        reader.skip(wireType);
    }
  }
  return graph;
}

function readNode(reader: ProtoReader): OnnxNode {
  const node: OnnxNode = { input: [], output: [], opType: '', attribute: [] };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (wireType !== WireType.lengthDelimited) {
      reader.skip(wireType);
      continue;
    }
    switch (field) {
      case NodeField.input:
        node.input.push(reader.string());
        break;
      case NodeField.output:
        node.output.push(reader.string());
        break;
      case NodeField.name:
        node.name = reader.string();
        break;
      case NodeField.opType:
        node.opType = reader.string();
        break;
      case NodeField.attribute:
        node.attribute.push(readAttribute(reader.message(`${reader.path}.attribute[${node.attribute.length}]`)));
        break;
      case NodeField.docString:
        node.docString = reader.string();
        break;
      case NodeField.domain:
        node.domain = reader.string();
        break;
      default:
        reader.skip(wireType);
    }
  }
  return node;
}

function readAttribute(reader: ProtoReader): OnnxAttribute {
  const attribute: OnnxAttribute = { name: '', type: 0 };
  const path = reader.path;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    switch (field) {
      case AttributeField.name:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        attribute.name = reader.string();
        break;
      case AttributeField.type:
        reader.expectWireType(wireType, WireType.varint);
        attribute.type = reader.int64() as OnnxAttribute['type'];
        break;
      case AttributeField.f:
        reader.expectWireType(wireType, WireType.fixed32);
        attribute.f = reader.float32();
        break;
      case AttributeField.i:
        reader.expectWireType(wireType, WireType.varint);
        attribute.i = reader.int64();
        break;
      case AttributeField.s:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        attribute.s = reader.bytesValue();
        break;
      case AttributeField.t:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        attribute.t = readTensor(reader.message(`${path}.t`));
        break;
      case AttributeField.g:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        attribute.g = readGraph(reader.message(`${path}.g`));
        break;
      case AttributeField.floats:
        reader.repeated(wireType, WireType.fixed32, (r) => r.float32(), (attribute.floats ??= []));
        break;
      case AttributeField.ints:
        reader.repeated(wireType, WireType.varint, (r) => r.int64(), (attribute.ints ??= []));
        break;
      case AttributeField.strings:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        (attribute.strings ??= []).push(reader.bytesValue());
        break;
      case AttributeField.tensors:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        (attribute.tensors ??= []).push(readTensor(reader.message(`${path}.tensors[${attribute.tensors?.length ?? 0}]`)));
        break;
      case AttributeField.graphs:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        (attribute.graphs ??= []).push(readGraph(reader.message(`${path}.graphs[${attribute.graphs?.length ?? 0}]`)));
        break;
      case AttributeField.docString:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        attribute.docString = reader.string();
        break;
      default:
        reader.skip(wireType);
    }
  }
  return attribute;
}

function readTensor(reader: ProtoReader): OnnxTensor {
  const tensor: OnnxTensor = { name: '', dataType: 0, dims: [] };
  const floats: number[] = [];
  const int32s: number[] = [];
  const int64s: bigint[] = [];
  const doubles: number[] = [];
  const uint64s: bigint[] = [];
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    switch (field) {
      case TensorField.dims:
        reader.repeated(wireType, WireType.varint, (r) => r.int64(), tensor.dims);
        break;
      case TensorField.dataType:
        reader.expectWireType(wireType, WireType.varint);
        tensor.dataType = reader.int64();
        break;
      case TensorField.floatData:
        reader.repeated(wireType, WireType.fixed32, (r) => r.float32(), floats);
        break;
      case TensorField.int32Data:
        reader.repeated(wireType, WireType.varint, (r) => r.int64(), int32s);
        break;
      case TensorField.stringData:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        (tensor.stringData ??= []).push(reader.bytesValue());
        break;
      case TensorField.int64Data:
        reader.repeated(wireType, WireType.varint, (r) => r.int64Big(), int64s);
        break;
      case TensorField.name:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        tensor.name = reader.string();
        break;
      case TensorField.rawData:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        tensor.rawData = reader.bytesValue();
        break;
      case TensorField.doubleData:
        reader.repeated(wireType, WireType.fixed64, (r) => r.float64(), doubles);
        break;
      case TensorField.uint64Data:
        reader.repeated(wireType, WireType.varint, (r) => BigInt.asUintN(64, r.int64Big()), uint64s);
        break;
      case TensorField.docString:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        tensor.docString = reader.string();
        break;
      case TensorField.externalData:
        reader.expectWireType(wireType, WireType.lengthDelimited);
        (tensor.externalData ??= []).push(readStringEntry(reader.message(`${reader.path}.external_data`)));
        break;
      case TensorField.dataLocation:
        reader.expectWireType(wireType, WireType.varint);
        tensor.dataLocation = reader.int64();
        break;
      default:
        reader.skip(wireType);
    }
  }
  if (floats.length > 0) tensor.floatData = Float32Array.from(floats);
  if (int32s.length > 0) tensor.int32Data = Int32Array.from(int32s);
  if (int64s.length > 0) tensor.int64Data = BigInt64Array.from(int64s);
  if (doubles.length > 0) tensor.doubleData = Float64Array.from(doubles);
  if (uint64s.length > 0) tensor.uint64Data = BigUint64Array.from(uint64s);
  return tensor;
}

export function readValueInfo(reader: ProtoReader): OnnxValueInfo {
  const value: OnnxValueInfo = { name: '' };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === ValueInfoField.name && wireType === WireType.lengthDelimited) value.name = reader.string();
    else if (field === ValueInfoField.type && wireType === WireType.lengthDelimited) {
      value.type = readType(reader.message(`${reader.path}.type`));
    } else if (field === ValueInfoField.docString && wireType === WireType.lengthDelimited) {
      value.docString = reader.string();
    } else reader.skip(wireType);
  }
  return value;
}

function readType(reader: ProtoReader): OnnxType {
  const type: OnnxType = {};
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === TypeField.tensorType && wireType === WireType.lengthDelimited) {
      type.tensorType = readTensorType(reader.message(`${reader.path}.tensor_type`));
    } else if (field === TypeField.denotation && wireType === WireType.lengthDelimited) {
      type.denotation = reader.string();
    } else reader.skip(wireType);
  }
  return type;
}

function readTensorType(reader: ProtoReader): OnnxTensorType {
  const tensorType: OnnxTensorType = { elemType: 0 };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === TensorTypeField.elemType && wireType === WireType.varint) tensorType.elemType = reader.int64();
    else if (field === TensorTypeField.shape && wireType === WireType.lengthDelimited) {
      tensorType.shape = readShape(reader.message(`${reader.path}.shape`));
    } else reader.skip(wireType);
  }
  return tensorType;
}

function readShape(reader: ProtoReader): OnnxDimension[] {
  const dims: OnnxDimension[] = [];
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === ShapeField.dim && wireType === WireType.lengthDelimited) {
      dims.push(readDimension(reader.message(`${reader.path}.dim[${dims.length}]`)));
    } else reader.skip(wireType);
  }
  return dims;
}

function readDimension(reader: ProtoReader): OnnxDimension {
  const dim: OnnxDimension = {};
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === DimensionField.dimValue && wireType === WireType.varint) dim.dimValue = reader.int64();
    else if (field === DimensionField.dimParam && wireType === WireType.lengthDelimited) dim.dimParam = reader.string();
    else if (field === DimensionField.denotation && wireType === WireType.lengthDelimited) dim.denotation = reader.string();
    else reader.skip(wireType);
  }
  return dim;
}
