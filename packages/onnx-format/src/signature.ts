import { open, type FileHandle } from 'node:fs/promises';
import { RadprobeError, errorMessage } from '@radprobe/core';
import { decodeValueInfo } from './decode.js';
import { GraphProto, ModelProto, TensorProto, WireType, readerOf } from './schema.js';
import type { OnnxValueInfo } from './types.js';

const GRAPH = ModelProto.fields.graph.id;
const GRAPH_INPUT = GraphProto.fields.input.id;
const GRAPH_OUTPUT = GraphProto.fields.output.id;
const GRAPH_INITIALIZER = GraphProto.fields.initializer.id;
const TENSOR_NAME = TensorProto.fields.name.id;

/** A graph's inputs and outputs: what feeding a model and reading it needs, without its weights. */
export interface GraphSignature {
  /** The inputs a caller feeds, in graph order; initializers that older exports also list as inputs are left out. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** Bytes read at a time: the fields of consecutive nodes and initializer headers share a read. */
const WINDOW = 64 * 1024;
/** A tag (≤ 5 bytes) and a length or scalar (≤ 10 bytes) always fit. */
const FIELD_HEAD = 16;

interface FieldSpan {
  field: number;
  wireType: number;
  /** Where a length-delimited payload starts (the field's end for other wire types). */
  start: number;
  end: number;
}

/**
 * Reads an `.onnx` file's graph inputs and outputs without loading the model: only field headers are read on the
 * way, node and weight bytes are skipped by position, so a 1 GB export costs a few hundred small reads. This is
 * what a check before a run (`radprobe validate`) can afford; `decodeModel` reads everything.
 */
export async function readGraphSignature(file: string): Promise<GraphSignature> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new RadprobeError(`${file}: cannot read the ONNX model (${errorMessage(error)})`, { file, cause: error });
  }
  try {
    const fields = new FileFields(handle, file, (await handle.stat()).size);
    let graph: FieldSpan | undefined;
    for await (const span of fields.within(0, fields.size, 'ModelProto')) if (span.field === GRAPH && span.wireType === WireType.lengthDelimited) graph = span;
    if (!graph) throw new RadprobeError(`${file}: no graph (ModelProto.graph) in the file; is this an ONNX model?`, { file });
    const inputs: OnnxValueInfo[] = [];
    const outputs: OnnxValueInfo[] = [];
    const initializers = new Set<string>();
    for await (const span of fields.within(graph.start, graph.end, 'ModelProto.graph')) {
      if (span.wireType !== WireType.lengthDelimited) continue;
      if (span.field === GRAPH_INPUT) inputs.push(await fields.valueInfo(span, `ModelProto.graph.input[${inputs.length}]`));
      else if (span.field === GRAPH_OUTPUT) outputs.push(await fields.valueInfo(span, `ModelProto.graph.output[${outputs.length}]`));
      else if (span.field === GRAPH_INITIALIZER) initializers.add(await fields.tensorName(span));
    }
    return { inputs: inputs.filter((input) => !initializers.has(input.name)), outputs };
  } finally {
    await handle.close();
  }
}

/** Protobuf fields of a file, read through a window of its bytes. */
class FileFields {
  private windowStart = 0;
  private window = new Uint8Array(0);

  constructor(
    private readonly handle: FileHandle,
    private readonly file: string,
    readonly size: number,
  ) {}

  /** The fields between `start` and `end`, in order. */
  async *within(start: number, end: number, path: string): AsyncGenerator<FieldSpan> {
    for (let position = start; position < end; ) {
      const span = await this.fieldAt(position, end, path);
      yield span;
      position = span.end;
    }
  }

  async valueInfo(span: FieldSpan, path: string): Promise<OnnxValueInfo> {
    const bytes = await this.read(span.start, span.end - span.start);
    try {
      return decodeValueInfo(bytes);
    } catch (error) {
      throw new RadprobeError(`${this.file}: ${errorMessage(error)} while reading ${path}: truncated, or not an ONNX model`, { file: this.file, cause: error });
    }
  }

  /** An initializer's name, its data skipped. */
  async tensorName(span: FieldSpan): Promise<string> {
    for await (const field of this.within(span.start, span.end, 'ModelProto.graph.initializer')) {
      if (field.field === TENSOR_NAME && field.wireType === WireType.lengthDelimited) {
        return new TextDecoder().decode(await this.read(field.start, field.end - field.start));
      }
    }
    return '';
  }

  private async fieldAt(position: number, end: number, path: string): Promise<FieldSpan> {
    const head = await this.read(position, Math.min(FIELD_HEAD, end - position));
    const reader = readerOf(head);
    try {
      const key = reader.uint32();
      const field = key >>> 3;
      const wireType = key & 7;
      if (field === 0) throw new Error('invalid field number 0');
      if (wireType === WireType.lengthDelimited) {
        const length = reader.uint32();
        const start = position + reader.pos;
        if (start + length > end) throw new RadprobeError(`${this.file}: a field of ${path} runs past its end at byte ${position}: truncated or not an ONNX model`, { file: this.file });
        return { field, wireType, start, end: start + length };
      }
      // Groups (wire types 3 and 4) are not used by onnx.proto.
      if (wireType === 3 || wireType === 4) throw new Error(`unsupported wire type ${wireType}`);
      reader.skipType(wireType);
      return { field, wireType, start: position + reader.pos, end: position + reader.pos };
    } catch (error) {
      if (error instanceof RadprobeError) throw error;
      throw new RadprobeError(`${this.file}: ${errorMessage(error)} at byte ${position} while reading ${path}: truncated, or not an ONNX model`, { file: this.file, cause: error });
    }
  }

  private async read(position: number, length: number): Promise<Uint8Array> {
    const offset = position - this.windowStart;
    if (offset >= 0 && offset + length <= this.window.length) return this.window.subarray(offset, offset + length);
    const buffer = new Uint8Array(Math.max(length, WINDOW));
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, position);
    if (bytesRead < length) throw new RadprobeError(`${this.file}: the file ends at byte ${position + bytesRead}, inside a field: truncated`, { file: this.file });
    this.windowStart = position;
    this.window = buffer.subarray(0, bytesRead);
    return this.window.subarray(0, length);
  }
}
