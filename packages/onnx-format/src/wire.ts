import { RadprobeError } from '@radprobe/core';

/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/). */
export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

const TWO_POW_32 = 4294967296;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Appends protobuf fields. Length-delimited payloads (raw tensor bytes, nested messages) are kept as references
 * and copied once by `finish`, so writing a model with ~100 MB of weights costs one copy, not one per nesting level.
 */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private pending: number[] = [];
  private pendingLength = 0;
  private committedLength = 0;

  get length(): number {
    return this.committedLength + this.pendingLength;
  }

  /** An unsigned varint from a non-negative safe integer. */
  varint(value: number): void {
    if (value < TWO_POW_32) {
      let rest = value >>> 0;
      while (rest >= 0x80) {
        this.pushByte((rest & 0x7f) | 0x80);
        rest >>>= 7;
      }
      this.pushByte(rest);
      return;
    }
    this.varint64(BigInt(value));
  }

  /** A two's-complement int64 varint; numbers beyond the int64 range (rounded INT64_MAX, say) are clamped to it. */
  int64(value: number | bigint): void {
    let big = typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
    if (big > INT64_MAX) big = INT64_MAX;
    if (big < INT64_MIN) big = INT64_MIN;
    if (big >= 0n && big < BigInt(TWO_POW_32)) {
      this.varint(Number(big));
      return;
    }
    this.varint64(BigInt.asUintN(64, big));
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  int64Field(field: number, value: number | bigint): void {
    this.tag(field, WireType.varint);
    this.int64(value);
  }

  float32Field(field: number, value: number): void {
    this.tag(field, WireType.fixed32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    for (const byte of bytes) this.pushByte(byte);
  }

  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, WireType.lengthDelimited);
    this.varint(bytes.length);
    this.appendBytes(bytes);
  }

  stringField(field: number, text: string): void {
    this.bytesField(field, new TextEncoder().encode(text));
  }

  messageField(field: number, message: ProtoWriter): void {
    this.tag(field, WireType.lengthDelimited);
    this.varint(message.length);
    this.commitPending();
    for (const part of message.finishParts()) this.parts.push(part);
    this.committedLength += message.length;
  }

  /** Packed repeated int64 (one length-delimited field holding the varints). */
  packedInt64Field(field: number, values: ArrayLike<number | bigint>): void {
    if (values.length === 0) return;
    const packed = new ProtoWriter();
    for (let index = 0; index < values.length; index++) packed.int64(values[index]);
    this.messageField(field, packed);
  }

  /** Packed repeated float (little-endian IEEE 754 single). */
  packedFloat32Field(field: number, values: ArrayLike<number>): void {
    if (values.length === 0) return;
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let index = 0; index < values.length; index++) view.setFloat32(index * 4, values[index], true);
    this.bytesField(field, bytes);
  }

  /** Packed repeated double. */
  packedFloat64Field(field: number, values: ArrayLike<number>): void {
    if (values.length === 0) return;
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    for (let index = 0; index < values.length; index++) view.setFloat64(index * 8, values[index], true);
    this.bytesField(field, bytes);
  }

  finish(): Uint8Array {
    const parts = this.finishParts();
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private finishParts(): Uint8Array[] {
    this.commitPending();
    return this.parts;
  }

  private varint64(value: bigint): void {
    let rest = value;
    while (rest >= 0x80n) {
      this.pushByte(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.pushByte(Number(rest));
  }

  private pushByte(byte: number): void {
    this.pending.push(byte);
    this.pendingLength++;
  }

  private appendBytes(bytes: Uint8Array): void {
    // Small payloads are batched with the surrounding scalars to avoid many tiny parts.
    if (bytes.length < 64) {
      for (const byte of bytes) this.pushByte(byte);
      return;
    }
    this.commitPending();
    this.parts.push(bytes);
    this.committedLength += bytes.length;
  }

  private commitPending(): void {
    if (this.pendingLength === 0) return;
    this.parts.push(Uint8Array.from(this.pending));
    this.committedLength += this.pendingLength;
    this.pending = [];
    this.pendingLength = 0;
  }
}

/** Reads protobuf fields from a byte range; errors name the source and the message path being read. */
export class ProtoReader {
  position: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
    readonly path: string,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.position = start;
  }

  get done(): boolean {
    return this.position >= this.end;
  }

  fail(problem: string): never {
    throw new RadprobeError(`${this.source}: ${problem} at byte ${this.position} while reading ${this.path}`, {
      file: this.source,
    });
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wireType: number } {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0) this.fail('invalid field number 0');
    return { field, wireType: key % 8 };
  }

  /** An unsigned varint as a number (exact below 2^53; used for lengths, enums, tags). */
  varint(): number {
    let low = 0;
    let high = 0;
    let shift = 0;
    for (let count = 0; count < 10; count++) {
      if (this.position >= this.end) this.fail('truncated varint');
      const byte = this.bytes[this.position++];
      if (shift < 28) low |= (byte & 0x7f) << shift;
      else if (shift === 28) {
        low |= (byte & 0x0f) << 28;
        high |= (byte & 0x7f) >>> 4;
      } else high |= (byte & 0x7f) << (shift - 32);
      if (byte < 0x80) return (high >>> 0) * TWO_POW_32 + (low >>> 0);
      shift += 7;
    }
    this.fail('varint longer than 10 bytes');
  }

  /** A two's-complement int64 varint as a number (exact within ±2^53). */
  int64(): number {
    return Number(this.int64Big());
  }

  int64Big(): bigint {
    let value = 0n;
    let shift = 0n;
    for (let count = 0; count < 10; count++) {
      if (this.position >= this.end) this.fail('truncated varint');
      const byte = this.bytes[this.position++];
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, value);
      shift += 7n;
    }
    this.fail('varint longer than 10 bytes');
  }

  float32(): number {
    return this.view(4).getFloat32(0, true);
  }

  float64(): number {
    return this.view(8).getFloat64(0, true);
  }

  /** A length-delimited payload as a view into the source bytes (no copy). */
  bytesValue(): Uint8Array {
    const length = this.varint();
    if (this.position + length > this.end) this.fail(`length ${length} runs past the end of the message`);
    const value = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return value;
  }

  string(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytesValue());
  }

  /** A reader over a nested message's bytes. */
  message(path: string): ProtoReader {
    const length = this.varint();
    if (this.position + length > this.end) this.fail(`length ${length} runs past the end of the message`);
    const nested = new ProtoReader(this.bytes, this.source, path, this.position, this.position + length);
    this.position += length;
    return nested;
  }

  /**
   * Appends the values of a repeated scalar field to `into`, whether the writer packed them (one length-delimited
   * run) or not (one value per tag): proto3 parsers must accept both.
   */
  repeated<T>(wireType: number, scalarWireType: number, readOne: (reader: ProtoReader) => T, into: T[]): void {
    if (wireType === WireType.lengthDelimited) {
      const packed = this.message(this.path);
      while (!packed.done) into.push(readOne(packed));
      return;
    }
    if (wireType !== scalarWireType) this.fail(`unexpected wire type ${wireType}`);
    into.push(readOne(this));
  }

  /** Skips a field this codec does not model, so newer files with extra fields still load. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.varint:
        this.varint();
        return;
      case WireType.fixed64:
        this.advance(8);
        return;
      case WireType.lengthDelimited:
        this.advance(this.varint());
        return;
      case WireType.fixed32:
        this.advance(4);
        return;
      case WireType.startGroup:
        for (;;) {
          const { wireType: inner } = this.tag();
          if (inner === WireType.endGroup) return;
          this.skip(inner);
        }
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }

  expectWireType(actual: number, expected: number): void {
    if (actual !== expected) this.fail(`wire type ${actual} where ${expected} was expected`);
  }

  private advance(count: number): void {
    if (this.position + count > this.end) this.fail('field runs past the end of the message');
    this.position += count;
  }

  private view(count: number): DataView {
    if (this.position + count > this.end) this.fail('truncated fixed-width value');
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.position, count);
    this.position += count;
    return view;
  }
}
