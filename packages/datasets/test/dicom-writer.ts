import { deflateRawSync } from 'node:zlib';

/** A data element for the test writer: tag as 0xGGGGEEEE, a VR, and a value in its natural JavaScript form. */
export interface TestElement {
  tag: number;
  vr: string;
  value: string | number | number[] | Uint8Array;
}

export type TestEncoding = 'implicit' | 'explicit' | 'big' | 'deflate';

export const SYNTAX_UIDS: Record<TestEncoding | 'rle' | 'jpeg-baseline', string> = {
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  deflate: '1.2.840.10008.1.2.1.99',
  big: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
  'jpeg-baseline': '1.2.840.10008.1.2.4.50',
};

const LONG_LENGTH_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

/**
 * Writes a DICOM Part 10 file (or, with `preamble: false`, a bare data set): the file meta group in explicit VR
 * LE, then `elements` sorted by tag in the chosen encoding. `fragments` replaces the pixel data by encapsulated
 * pixel data (undefined length, a basic offset table item, then one item per fragment).
 */
export function writeDicom(options: {
  encoding: TestEncoding;
  elements: TestElement[];
  transferSyntax?: string;
  fragments?: Uint8Array[];
  offsetTable?: number[];
  preamble?: boolean;
}): Uint8Array {
  const { encoding } = options;
  const little = encoding !== 'big';
  const explicit = encoding !== 'implicit';
  const body = Buffer.concat(
    [...options.elements].sort((a, b) => a.tag - b.tag).map((element) => encodeElement(element, explicit, little)),
  );
  const pixels = options.fragments ? encapsulated(options.fragments, options.offsetTable ?? []) : Buffer.alloc(0);
  let dataSet = Buffer.concat([body, pixels]);
  if (encoding === 'deflate') dataSet = deflateRawSync(dataSet);
  if (options.preamble === false) return dataSet;
  const syntax = options.transferSyntax ?? SYNTAX_UIDS[encoding];
  const metaElements = Buffer.concat([
    encodeElement({ tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) }, true, true),
    encodeElement({ tag: 0x00020010, vr: 'UI', value: syntax }, true, true),
  ]);
  const groupLength = encodeElement({ tag: 0x00020000, vr: 'UL', value: metaElements.length }, true, true);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), groupLength, metaElements, dataSet]);
}

function encodeElement(element: TestElement, explicit: boolean, little: boolean): Buffer {
  const value = encodeValue(element, little);
  const header: number[] = [];
  const push16 = (n: number) => header.push(...(little ? [n & 0xff, n >> 8] : [n >> 8, n & 0xff]));
  const push32 = (n: number) => {
    const bytes = Buffer.alloc(4);
    if (little) bytes.writeUInt32LE(n >>> 0);
    else bytes.writeUInt32BE(n >>> 0);
    header.push(...bytes);
  };
  push16(element.tag >>> 16);
  push16(element.tag & 0xffff);
  if (!explicit) push32(value.length);
  else if (LONG_LENGTH_VRS.has(element.vr)) {
    header.push(element.vr.charCodeAt(0), element.vr.charCodeAt(1), 0, 0);
    push32(value.length);
  } else {
    header.push(element.vr.charCodeAt(0), element.vr.charCodeAt(1));
    push16(value.length);
  }
  return Buffer.concat([Buffer.from(header), value]);
}

function encodeValue({ vr, value }: TestElement, little: boolean): Buffer {
  if (value instanceof Uint8Array) return padEven(Buffer.from(value), 0);
  if (typeof value === 'string') return padEven(Buffer.from(value, 'latin1'), vr === 'UI' ? 0 : 0x20);
  const values = Array.isArray(value) ? value : [value];
  const size = vr === 'UL' || vr === 'SL' ? 4 : 2;
  const bytes = Buffer.alloc(values.length * size);
  values.forEach((n, index) => {
    const at = index * size;
    if (size === 4) little ? bytes.writeUInt32LE(n, at) : bytes.writeUInt32BE(n, at);
    else if (vr === 'SS') little ? bytes.writeInt16LE(n, at) : bytes.writeInt16BE(n, at);
    else little ? bytes.writeUInt16LE(n & 0xffff, at) : bytes.writeUInt16BE(n & 0xffff, at);
  });
  return bytes;
}

function padEven(bytes: Buffer, pad: number): Buffer {
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from([pad])]);
}

/** Encapsulated pixel data (PS3.5 A.4), always little endian. */
function encapsulated(fragments: Uint8Array[], offsetTable: number[]): Buffer {
  const item = (bytes: Uint8Array) => {
    const header = Buffer.alloc(8);
    header.writeUInt16LE(0xfffe, 0);
    header.writeUInt16LE(0xe000, 2);
    header.writeUInt32LE(bytes.length, 4);
    return Buffer.concat([header, bytes]);
  };
  const table = Buffer.alloc(offsetTable.length * 4);
  offsetTable.forEach((offset, index) => table.writeUInt32LE(offset, index * 4));
  const start = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const end = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  return Buffer.concat([start, item(table), ...fragments.map((fragment) => item(padEven(Buffer.from(fragment), 0))), end]);
}

/** Pixel-module elements of a `rows`×`columns` image. */
export function imageElements(image: {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  bitsStored?: number;
  signed?: boolean;
  samplesPerPixel?: 1 | 3;
  photometric?: string;
  planar?: 0 | 1;
  frames?: number;
}): TestElement[] {
  const samples = image.samplesPerPixel ?? 1;
  const elements: TestElement[] = [
    { tag: 0x00280002, vr: 'US', value: samples },
    { tag: 0x00280004, vr: 'CS', value: image.photometric ?? (samples === 3 ? 'RGB' : 'MONOCHROME2') },
    { tag: 0x00280010, vr: 'US', value: image.rows },
    { tag: 0x00280011, vr: 'US', value: image.columns },
    { tag: 0x00280100, vr: 'US', value: image.bitsAllocated },
    { tag: 0x00280101, vr: 'US', value: image.bitsStored ?? image.bitsAllocated },
    { tag: 0x00280102, vr: 'US', value: (image.bitsStored ?? image.bitsAllocated) - 1 },
    { tag: 0x00280103, vr: 'US', value: image.signed ? 1 : 0 },
  ];
  if (samples === 3) elements.push({ tag: 0x00280006, vr: 'US', value: image.planar ?? 0 });
  if (image.frames !== undefined) elements.push({ tag: 0x00280008, vr: 'IS', value: String(image.frames) });
  return elements;
}

/** Native pixel data of 16-bit samples in the file's byte order (two's complement for negatives). */
export function pixelData16(values: number[], little = true): TestElement {
  const bytes = Buffer.alloc(values.length * 2);
  values.forEach((value, index) => (little ? bytes.writeUInt16LE(value & 0xffff, index * 2) : bytes.writeUInt16BE(value & 0xffff, index * 2)));
  return { tag: 0x7fe00010, vr: 'OW', value: bytes };
}

export function pixelData8(values: number[]): TestElement {
  return { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array(values) };
}

/**
 * RLE Lossless frame (PS3.5 annex G) of `planes` (one per sample, `bytesPerSample` bytes each, most significant
 * segment first). Runs of 3 or more equal bytes become replicate runs, the rest literal runs, so both kinds of
 * PackBits header occur.
 */
export function encodeRle(planes: number[][], bytesPerSample: 1 | 2): Uint8Array {
  const segments: Buffer[] = [];
  for (const plane of planes) {
    for (let byte = bytesPerSample - 1; byte >= 0; byte--) segments.push(packBits(plane.map((value) => (value >> (8 * byte)) & 0xff)));
  }
  const header = Buffer.alloc(64);
  header.writeUInt32LE(segments.length, 0);
  let offset = 64;
  segments.forEach((segment, index) => {
    header.writeUInt32LE(offset, 4 + index * 4);
    offset += segment.length;
  });
  return Buffer.concat([header, ...segments]);
}

function packBits(bytes: number[]): Buffer {
  const out: number[] = [];
  let index = 0;
  while (index < bytes.length) {
    let run = 1;
    while (index + run < bytes.length && bytes[index + run] === bytes[index] && run < 128) run++;
    if (run >= 3) {
      out.push((1 - run) & 0xff, bytes[index]);
      index += run;
      continue;
    }
    const start = index;
    while (index < bytes.length && index - start < 128 && !(bytes[index] === bytes[index + 1] && bytes[index] === bytes[index + 2])) index++;
    out.push(index - start - 1, ...bytes.slice(start, index));
  }
  return Buffer.from(out);
}
