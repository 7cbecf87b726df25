import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A MATLAB variable for the fixture writer: its MATLAB shape and column-major values. */
export interface MatVariable {
  type: 'int16' | 'uint16' | 'double';
  shape: number[];
  values: number[];
}

const USER_BLOCK = 512;
const UNDEFINED = 0xffffffffffffffffn;

/**
 * Writes a MATLAB v7.3-style MAT-file: a 512-byte user block with MATLAB's text header, then HDF5 with a version 0
 * superblock, one group holding the variables (link, link info and group info messages in version 1 object headers) and contiguous datasets
 * whose dimensions are MATLAB's reversed, as MATLAB stores them. Enough of HDF5 for jsfive and h5py to read.
 */
export async function writeMatV73(path: string, group: string, variables: Record<string, MatVariable>): Promise<void> {
  const chunks: Uint8Array[] = [];
  let size = USER_BLOCK + 136;
  // Addresses count from the superblock, the file's base address.
  const place = (bytes: Uint8Array) => {
    const address = size - USER_BLOCK;
    chunks.push(bytes);
    size += bytes.length;
    return address;
  };
  const links: Array<[string, number]> = [];
  for (const [name, variable] of Object.entries(variables)) {
    const data = place(payload(variable));
    const messages = [dataspace([...variable.shape].reverse()), datatype(variable.type), fillValue(), layout(data, variable.values.length * byteSize(variable.type))];
    links.push([name, place(objectHeader(messages))]);
  }
  const groupHeader = place(objectHeader([...groupMessages(), ...links.map(([name, address]) => link(name, address))]));
  const root = place(objectHeader([...groupMessages(), link(group, groupHeader)]));

  const file = new Uint8Array(size);
  const header = new TextEncoder().encode('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .');
  file.fill(0x20, 0, 116);
  file.set(header, 0);
  file.set([0x00, 0x02, 0x49, 0x4d], 124);
  const view = new DataView(file.buffer);
  const superblock = USER_BLOCK;
  file.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], superblock);
  file.set([0, 0, 0, 0, 0, 8, 8, 0], superblock + 8);
  view.setUint16(superblock + 16, 4, true);
  view.setUint16(superblock + 18, 16, true);
  view.setBigUint64(superblock + 24, BigInt(USER_BLOCK), true);
  view.setBigUint64(superblock + 32, UNDEFINED, true);
  view.setBigUint64(superblock + 40, BigInt(size), true);
  view.setBigUint64(superblock + 48, UNDEFINED, true);
  // Root group symbol table entry: link name offset, object header address, cache type 0, reserved, scratch.
  view.setBigUint64(superblock + 56, 0n, true);
  view.setBigUint64(superblock + 64, BigInt(root), true);
  let offset = USER_BLOCK + 136;
  for (const chunk of chunks) {
    file.set(chunk, offset);
    offset += chunk.length;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, file);
}

function byteSize(type: MatVariable['type']): number {
  return type === 'double' ? 8 : 2;
}

function payload({ type, values }: MatVariable): Uint8Array {
  const bytes = new Uint8Array(values.length * byteSize(type));
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => {
    if (type === 'double') view.setFloat64(index * 8, value, true);
    else if (type === 'int16') view.setInt16(index * 2, value, true);
    else view.setUint16(index * 2, value, true);
  });
  return bytes;
}

/** A header message: type, size, flags, reserved, then the body padded to 8 bytes. */
function message(type: number, body: Uint8Array): Uint8Array {
  const padded = Math.ceil(body.length / 8) * 8;
  const bytes = new Uint8Array(8 + padded);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, type, true);
  view.setUint16(2, padded, true);
  bytes.set(body, 8);
  return bytes;
}

function objectHeader(messages: Uint8Array[]): Uint8Array {
  const body = messages.reduce((total, part) => total + part.length, 0);
  const bytes = new Uint8Array(16 + body);
  const view = new DataView(bytes.buffer);
  bytes[0] = 1;
  view.setUint16(2, messages.length, true);
  view.setUint32(4, 1, true);
  view.setUint32(8, body, true);
  let offset = 16;
  for (const part of messages) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

function dataspace(dims: number[]): Uint8Array {
  const body = new Uint8Array(8 + 8 * dims.length);
  const view = new DataView(body.buffer);
  body[0] = 1;
  body[1] = dims.length;
  dims.forEach((dim, index) => view.setBigUint64(8 + 8 * index, BigInt(dim), true));
  return message(0x0001, body);
}

function datatype(type: MatVariable['type']): Uint8Array {
  const body = new Uint8Array(type === 'double' ? 20 : 12);
  const view = new DataView(body.buffer);
  if (type === 'double') {
    // Version 1, class 1 (floating point); little-endian, implied mantissa MSB; sign at bit 63.
    body.set([0x11, 0x20, 63, 0]);
    view.setUint32(4, 8, true);
    view.setUint16(10, 64, true);
    body.set([52, 11, 0, 52], 12);
    view.setUint32(16, 1023, true);
  } else {
    // Version 1, class 0 (fixed point); little-endian, signed for int16.
    body.set([0x10, type === 'int16' ? 0x08 : 0x00, 0, 0]);
    view.setUint32(4, 2, true);
    view.setUint16(10, 16, true);
  }
  return message(0x0003, body);
}

/** A "new style" group's link info (no dense storage: both addresses undefined) and group info messages. */
function groupMessages(): Uint8Array[] {
  const linkInfo = new Uint8Array(18);
  const view = new DataView(linkInfo.buffer);
  view.setBigUint64(2, UNDEFINED, true);
  view.setBigUint64(10, UNDEFINED, true);
  return [message(0x0002, linkInfo), message(0x000a, new Uint8Array(2))];
}

/** Fill value message version 2: allocated early, written on allocation, no fill value defined. */
function fillValue(): Uint8Array {
  return message(0x0005, new Uint8Array([2, 1, 0, 0]));
}

function layout(address: number, length: number): Uint8Array {
  const body = new Uint8Array(18);
  const view = new DataView(body.buffer);
  body.set([3, 1]);
  view.setBigUint64(2, BigInt(address), true);
  view.setBigUint64(10, BigInt(length), true);
  return message(0x0008, body);
}

function link(name: string, address: number): Uint8Array {
  const encoded = new TextEncoder().encode(name);
  const body = new Uint8Array(3 + encoded.length + 8);
  body.set([1, 0, encoded.length]);
  body.set(encoded, 3);
  new DataView(body.buffer).setBigUint64(3 + encoded.length, BigInt(address), true);
  return message(0x0006, body);
}
