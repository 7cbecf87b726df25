import { RadprobeError } from '@radprobe/core';
import { bfloat16BitsToNumber, float16BitsToNumber, numberToFloat16Bits } from './float16.js';
import { DataLocation, TensorDataType } from './types.js';
import type { OnnxTensor } from './types.js';

type Element = number | bigint;

interface RawLayout {
  bytes: number;
  read(view: DataView, offset: number): Element;
}

/** How each element type is laid out in little-endian `raw_data`. */
const rawLayouts: Partial<Record<number, RawLayout>> = {
  [TensorDataType.FLOAT]: { bytes: 4, read: (view, offset) => view.getFloat32(offset, true) },
  [TensorDataType.FLOAT16]: { bytes: 2, read: (view, offset) => float16BitsToNumber(view.getUint16(offset, true)) },
  [TensorDataType.BFLOAT16]: { bytes: 2, read: (view, offset) => bfloat16BitsToNumber(view.getUint16(offset, true)) },
  [TensorDataType.DOUBLE]: { bytes: 8, read: (view, offset) => view.getFloat64(offset, true) },
  [TensorDataType.INT8]: { bytes: 1, read: (view, offset) => view.getInt8(offset) },
  [TensorDataType.UINT8]: { bytes: 1, read: (view, offset) => view.getUint8(offset) },
  [TensorDataType.BOOL]: { bytes: 1, read: (view, offset) => view.getUint8(offset) },
  [TensorDataType.INT16]: { bytes: 2, read: (view, offset) => view.getInt16(offset, true) },
  [TensorDataType.UINT16]: { bytes: 2, read: (view, offset) => view.getUint16(offset, true) },
  [TensorDataType.INT32]: { bytes: 4, read: (view, offset) => view.getInt32(offset, true) },
  [TensorDataType.UINT32]: { bytes: 4, read: (view, offset) => view.getUint32(offset, true) },
  [TensorDataType.INT64]: { bytes: 8, read: (view, offset) => view.getBigInt64(offset, true) },
  [TensorDataType.UINT64]: { bytes: 8, read: (view, offset) => view.getBigUint64(offset, true) },
};

const integerTypes = new Set<number>([
  TensorDataType.INT8,
  TensorDataType.UINT8,
  TensorDataType.BOOL,
  TensorDataType.INT16,
  TensorDataType.UINT16,
  TensorDataType.INT32,
  TensorDataType.UINT32,
  TensorDataType.INT64,
  TensorDataType.UINT64,
]);

/** Number of elements the tensor's dims describe (1 for a scalar). */
export function tensorElementCount(tensor: OnnxTensor): number {
  return tensor.dims.reduce((product, dim) => product * dim, 1);
}

/**
 * The tensor's values as float32, whichever field holds them (`raw_data`, `float_data`, `int32_data` holding
 * float16 bit patterns, ...). Integer tensors convert too.
 */
export function tensorToFloat32(tensor: OnnxTensor): Float32Array {
  const count = tensorElementCount(tensor);
  const element = elementReader(tensor, count);
  const out = new Float32Array(count);
  for (let index = 0; index < count; index++) out[index] = Number(element(index));
  return out;
}

/** The values of an integer tensor (shape constants, indices) as int64. */
export function tensorToInt64(tensor: OnnxTensor): BigInt64Array {
  if (!integerTypes.has(tensor.dataType)) {
    throw new RadprobeError(`tensor '${tensor.name}' has data_type ${tensor.dataType}, not an integer type`);
  }
  const count = tensorElementCount(tensor);
  const element = elementReader(tensor, count);
  const out = new BigInt64Array(count);
  for (let index = 0; index < count; index++) out[index] = BigInt.asIntN(64, BigInt(element(index)));
  return out;
}

/** A FLOAT tensor stored as `raw_data` (compact and fast to write, as exporters do for weights). */
export function float32Tensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  const raw = rawBytes(name, dims, values.length, 4);
  const view = new DataView(raw.buffer);
  for (let index = 0; index < values.length; index++) view.setFloat32(index * 4, values[index], true);
  return { name, dataType: TensorDataType.FLOAT, dims: [...dims], rawData: raw };
}

/** A FLOAT16 tensor stored as `raw_data`, values rounded to nearest even. */
export function float16Tensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  const raw = rawBytes(name, dims, values.length, 2);
  const view = new DataView(raw.buffer);
  for (let index = 0; index < values.length; index++) view.setUint16(index * 2, numberToFloat16Bits(values[index]), true);
  return { name, dataType: TensorDataType.FLOAT16, dims: [...dims], rawData: raw };
}

/** An INT64 tensor stored as `raw_data`. */
export function int64Tensor(name: string, dims: number[], values: ArrayLike<number | bigint>): OnnxTensor {
  const raw = rawBytes(name, dims, values.length, 8);
  const view = new DataView(raw.buffer);
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    view.setBigInt64(index * 8, typeof value === 'bigint' ? value : BigInt(value), true);
  }
  return { name, dataType: TensorDataType.INT64, dims: [...dims], rawData: raw };
}

function rawBytes(name: string, dims: number[], length: number, bytesPerElement: number): Uint8Array {
  const expected = dims.reduce((product, dim) => product * dim, 1);
  if (expected !== length) {
    throw new RadprobeError(`tensor '${name}': dims [${dims.join(', ')}] need ${expected} values, got ${length}`);
  }
  return new Uint8Array(length * bytesPerElement);
}

function elementReader(tensor: OnnxTensor, count: number): (index: number) => Element {
  const where = `tensor '${tensor.name}'`;
  if (tensor.dataLocation === DataLocation.EXTERNAL || (tensor.externalData?.length ?? 0) > 0) {
    const location = tensor.externalData?.find((entry) => entry.key === 'location')?.value ?? 'unknown';
    throw new RadprobeError(
      `${where} keeps its data in an external file ('${location}'); radprobe reads only self-contained ONNX files`,
    );
  }
  if (count === 0) return () => 0;
  if (tensor.rawData !== undefined) {
    const layout = rawLayouts[tensor.dataType];
    if (layout === undefined) throw new RadprobeError(`${where}: data_type ${tensor.dataType} is not supported`);
    if (tensor.rawData.length !== count * layout.bytes) {
      throw new RadprobeError(
        `${where}: raw_data has ${tensor.rawData.length} bytes, dims [${tensor.dims.join(', ')}] need ${count * layout.bytes}`,
      );
    }
    const view = new DataView(tensor.rawData.buffer, tensor.rawData.byteOffset, tensor.rawData.byteLength);
    return (index) => layout.read(view, index * layout.bytes);
  }
  const values = typedFieldValues(tensor);
  if (values === undefined) throw new RadprobeError(`${where}: data_type ${tensor.dataType} is not supported`);
  if (values.length !== count) {
    throw new RadprobeError(`${where}: holds ${values.length} values, dims [${tensor.dims.join(', ')}] need ${count}`);
  }
  if (tensor.dataType === TensorDataType.FLOAT16) return (index) => float16BitsToNumber(Number(values[index]));
  if (tensor.dataType === TensorDataType.BFLOAT16) return (index) => bfloat16BitsToNumber(Number(values[index]));
  return (index) => values[index];
}

/** The typed field onnx.proto assigns to each data type when `raw_data` is absent. */
function typedFieldValues(tensor: OnnxTensor): ArrayLike<Element> | undefined {
  const empty: Element[] = [];
  switch (tensor.dataType) {
    case TensorDataType.FLOAT:
      return tensor.floatData ?? empty;
    case TensorDataType.DOUBLE:
      return tensor.doubleData ?? empty;
    case TensorDataType.INT64:
      return tensor.int64Data ?? empty;
    case TensorDataType.UINT32:
    case TensorDataType.UINT64:
      return tensor.uint64Data ?? empty;
    case TensorDataType.INT32:
    case TensorDataType.INT16:
    case TensorDataType.INT8:
    case TensorDataType.UINT16:
    case TensorDataType.UINT8:
    case TensorDataType.BOOL:
    case TensorDataType.FLOAT16:
    case TensorDataType.BFLOAT16:
      return tensor.int32Data ?? empty;
    default:
      return undefined;
  }
}
