import protobuf from 'protobufjs/light.js';
import { ONNX_PROTO_JSON } from './onnx-schema.js';

/** ONNX's message types, from onnx.proto itself (see onnx-schema.ts): protobufjs decodes and encodes with them. */
const onnx = protobuf.Root.fromJSON(ONNX_PROTO_JSON);
export const ModelProto = onnx.lookupType('onnx.ModelProto');
export const GraphProto = onnx.lookupType('onnx.GraphProto');
export const TensorProto = onnx.lookupType('onnx.TensorProto');
export const ValueInfoProto = onnx.lookupType('onnx.ValueInfoProto');

/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/). */
export const WireType = { varint: 0, lengthDelimited: 2 } as const;

/**
 * A reader over plain Uint8Array views: protobufjs's `Reader.create` picks a Buffer reader for Node Buffers, whose
 * bytes fields come back as Buffers; this keeps `rawData` and friends plain `Uint8Array` views into `bytes`.
 */
export function readerOf(bytes: Uint8Array): protobuf.Reader {
  return new protobuf.Reader(bytes instanceof Buffer ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) : bytes);
}

/** How protobufjs hands over an int64: a `Long` (low and high 32 bits) where the long package is present, else a number. */
export type Int64 = number | { low: number; high: number };

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

export function int64ToBigInt(value: Int64, unsigned = false): bigint {
  if (typeof value === 'number') return BigInt(value);
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return unsigned ? bits : BigInt.asIntN(64, bits);
}

/** An int64 as a number: exact within ±2^53, which covers every shape and attribute in practice. */
export function int64ToNumber(value: Int64): number {
  return typeof value === 'number' ? value : Number(int64ToBigInt(value));
}

/**
 * An int64 for protobufjs's writer, as low and high 32 bits. Numbers beyond the int64 range (a rounded INT64_MAX,
 * say) are clamped to it: protobufjs would wrap them around to the other sign.
 */
export function int64Bits(value: number | bigint): { low: number; high: number } {
  let big = typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
  if (big > INT64_MAX) big = INT64_MAX;
  if (big < INT64_MIN) big = INT64_MIN;
  const bits = BigInt.asUintN(64, big);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0 };
}

/** The bits of a uint64 (0 … 2^64 − 1) for protobufjs's writer. */
export function uint64Bits(value: bigint): { low: number; high: number } {
  const bits = BigInt.asUintN(64, value);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0 };
}
