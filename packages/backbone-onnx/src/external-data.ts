import { open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { RadprobeError } from '@radprobe/core';

// Protobuf field numbers from onnx.proto: ModelProto.graph, GraphProto.initializer, TensorProto.external_data,
// StringStringEntryProto.key / .value.
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_EXTERNAL_DATA = 13;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;
const WINDOW = 1 << 16;

/** Reads a file through a sliding window, so that walking headers costs few reads while payloads are skipped. */
class WindowedReader {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly file: string,
  ) {}

  private async byteAt(position: number): Promise<number> {
    if (position < this.windowStart || position >= this.windowStart + this.window.length) {
      const buffer = Buffer.alloc(WINDOW);
      const { bytesRead } = await this.handle.read(buffer, 0, WINDOW, position);
      if (bytesRead === 0) throw this.truncated();
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = position;
    }
    return this.window[position - this.windowStart];
  }

  truncated(): RadprobeError {
    return new RadprobeError(`${this.file} is not a valid ONNX file (truncated or corrupt protobuf)`, { file: this.file });
  }

  /** Reads a varint at `position`: its value and the position after it. */
  async varint(position: number): Promise<[number, number]> {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = await this.byteAt(position + i);
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return [value, position + i + 1];
    }
    throw this.truncated();
  }

  async text(position: number, length: number): Promise<string> {
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(bytes, 0, length, position);
    if (bytesRead !== length) throw this.truncated();
    return bytes.toString('utf8');
  }

  /** Visits the fields of the message in `[start, end)`; length-delimited fields get their payload's range. */
  async fields(start: number, end: number, visit: (field: number, from: number, to: number) => Promise<void>): Promise<void> {
    let position = start;
    while (position < end) {
      const [key, afterKey] = await this.varint(position);
      const field = Math.floor(key / 8);
      const wire = key % 8;
      if (wire === WIRE_VARINT) position = (await this.varint(afterKey))[1];
      else if (wire === WIRE_FIXED64) position = afterKey + 8;
      else if (wire === WIRE_FIXED32) position = afterKey + 4;
      else if (wire === WIRE_LENGTH) {
        const [length, payload] = await this.varint(afterKey);
        position = payload + length;
        if (position > end) throw this.truncated();
        await visit(field, payload, position);
      } else throw this.truncated();
    }
    if (position !== end) throw this.truncated();
  }
}

/**
 * The external-data files an ONNX model's initializers point to (absolute paths, in first-use order): a model
 * over 2 GB keeps its weights there, so they belong in its content hash. Walks the protobuf headers only.
 */
export async function externalDataFiles(modelPath: string): Promise<string[]> {
  const handle = await open(modelPath, 'r');
  try {
    const { size } = await handle.stat();
    const reader = new WindowedReader(handle, modelPath);
    const locations = new Set<string>();
    await reader.fields(0, size, async (field, from, to) => {
      if (field !== MODEL_GRAPH) return;
      await reader.fields(from, to, async (graphField, tensorFrom, tensorTo) => {
        if (graphField !== GRAPH_INITIALIZER) return;
        await reader.fields(tensorFrom, tensorTo, async (tensorField, entryFrom, entryTo) => {
          if (tensorField !== TENSOR_EXTERNAL_DATA) return;
          let key = '';
          let value = '';
          await reader.fields(entryFrom, entryTo, async (entryField, textFrom, textTo) => {
            if (entryField === ENTRY_KEY) key = await reader.text(textFrom, textTo - textFrom);
            if (entryField === ENTRY_VALUE) value = await reader.text(textFrom, textTo - textFrom);
          });
          if (key === 'location') locations.add(resolve(dirname(modelPath), value));
        });
      });
    });
    return [...locations];
  } finally {
    await handle.close();
  }
}
