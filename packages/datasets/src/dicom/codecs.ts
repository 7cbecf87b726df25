/// <reference path="./codec-modules.d.ts" />
import jpeg from 'jpeg-js';
import { RadprobeError, errorMessage } from '@radprobe/core';
import { jpegJsLimits, parseImageHeader } from '@radprobe/core/engine';
import { encapsulatedFrameBytes, nativeFrameBytes } from './frame-data.js';
import type { DicomFile } from './parse.js';
import { decodeRle } from './rle.js';

/** Integer samples of one frame, as stored (before masking to Bits Stored, sign and rescale). */
export interface FrameSamples {
  samples: Uint8Array | Uint16Array | Int16Array;
  /** One plane per sample of a pixel, rather than the samples of a pixel side by side. */
  planar: boolean;
}


type OpenJpegModule = Awaited<ReturnType<typeof import('@cornerstonejs/codec-openjpeg/decodewasmjs').default>>;
type CharLsModule = Awaited<ReturnType<typeof import('@cornerstonejs/codec-charls/decodewasmjs').default>>;
/** The wasm codecs are loaded on first use only, once per process; OpenJPEG's progress messages are dropped. */
let openJpeg: Promise<OpenJpegModule> | null = null;
let charLs: Promise<CharLsModule> | null = null;

/** Decodes one frame (0-based) of a parsed DICOM file to its stored integer samples. */
export async function decodeFrameSamples(file: DicomFile, frame: number): Promise<FrameSamples> {
  const { header, syntax, source } = file;
  if (syntax.encoding === 'native') {
    const bytes = nativeFrameBytes(file, frame);
    return { samples: nativeSamples(bytes, header.bitsAllocated, syntax.littleEndian), planar: header.planarConfiguration === 1 };
  }
  const codestream = encapsulatedFrameBytes(file, frame);
  try {
    if (syntax.encoding !== 'rle') checkCodestreamSize(file, codestream);
    switch (syntax.encoding) {
      case 'rle':
        return {
          samples: decodeRle(codestream, { pixels: header.rows * header.columns, samplesPerPixel: header.samplesPerPixel, bytesPerSample: header.bitsAllocated === 8 ? 1 : 2 }, source),
          planar: true,
        };
      case 'jpeg-baseline':
        return { samples: decodeJpegBaseline(file, codestream), planar: false };
      case 'jpeg-lossless':
        return { samples: await decodeJpegLossless(file, codestream), planar: false };
      case 'jpeg-ls':
        return await decodeJpegLs(file, codestream);
      case 'jpeg-2000':
        return { samples: await decodeJpeg2000(file, codestream), planar: false };
    }
  } catch (error) {
    if (error instanceof RadprobeError) throw error;
    throw new RadprobeError(`${source}: cannot decode frame ${frame + 1} (${syntax.name}, ${syntax.uid}): ${errorMessage(error)}`, { file: source, cause: error });
  }
}

function nativeSamples(bytes: Uint8Array, bitsAllocated: 8 | 16, littleEndian: boolean): Uint8Array | Uint16Array {
  if (bitsAllocated === 8) return bytes;
  const count = bytes.length / 2;
  if (littleEndian) return new Uint16Array(ownedCopy(bytes).buffer, 0, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Uint16Array(count);
  for (let index = 0; index < count; index++) samples[index] = view.getUint16(index * 2, false);
  return samples;
}

/** jpeg-js hands out RGB (gray repeated three times); YBR_FULL_422 comes back converted to RGB. */
function decodeJpegBaseline(file: DicomFile, codestream: Uint8Array): Uint8Array {
  const { header } = file;
  if (header.bitsAllocated !== 8) throw new Error(`JPEG baseline holds 8-bit samples, the header says Bits Allocated ${header.bitsAllocated}`);
  const image = jpeg.decode(codestream, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, ...jpegJsLimits(file.limits) });
  if (header.samplesPerPixel === 3) return image.data;
  const gray = new Uint8Array(image.width * image.height);
  for (let pixel = 0; pixel < gray.length; pixel++) gray[pixel] = image.data[pixel * 3];
  return gray;
}

async function decodeJpegLossless(file: DicomFile, codestream: Uint8Array): Promise<Uint8Array | Uint16Array> {
  const { Decoder } = await import('jpeg-lossless-decoder-js');
  const decoder = new Decoder();
  const copy = ownedCopy(codestream);
  return decoder.decode(copy.buffer, 0, copy.length, file.header.bitsAllocated / 8);
}

async function decodeJpegLs(file: DicomFile, codestream: Uint8Array): Promise<FrameSamples> {
  charLs ??= import('@cornerstonejs/codec-charls/decodewasmjs').then((module) => module.default({ print: ignoreMessage }));
  const decoder = new (await charLs).JpegLSDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const interleave = decoder.getInterleaveMode();
    if (info.componentCount > 1 && interleave === 1) throw new Error('line-interleaved colour JPEG-LS is not supported');
    return { samples: copySamples(decoder.getDecodedBuffer(), info.bitsPerSample > 8, false), planar: info.componentCount > 1 && interleave === 0 };
  } finally {
    decoder.delete();
  }
}

async function decodeJpeg2000(file: DicomFile, codestream: Uint8Array): Promise<Uint8Array | Uint16Array | Int16Array> {
  openJpeg ??= import('@cornerstonejs/codec-openjpeg/decodewasmjs').then((module) => module.default({ print: ignoreMessage }));
  const decoder = new (await openJpeg).J2KDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return copySamples(decoder.getDecodedBuffer(), info.bitsPerSample > 8, info.isSigned === true);
  } finally {
    decoder.delete();
  }
}

function ignoreMessage(): void {}

/** Copies a codec's output out of wasm memory (the next decode reuses it). */
function copySamples(bytes: Uint8Array, wide: boolean, signed: boolean): Uint8Array | Uint16Array | Int16Array {
  const copy = ownedCopy(bytes);
  if (!wide) return copy;
  return signed ? new Int16Array(copy.buffer, 0, copy.length / 2) : new Uint16Array(copy.buffer, 0, copy.length / 2);
}

/**
 * A copy with its own ArrayBuffer, aligned for 16-bit views: `Buffer#slice` (what `readFile` hands out) shares
 * memory, so it cannot serve as one.
 */
function ownedCopy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

/**
 * The frame a codestream declares (JPEG's or JPEG-LS's start of frame, JPEG 2000's SIZ marker) must be the one the
 * header declares, which was checked against the decode limits: checked before the codec allocates anything, so
 * a codestream cannot ask for more than the header did.
 */
function checkCodestreamSize(file: DicomFile, codestream: Uint8Array): void {
  const { header } = file;
  const declared = codestreamFrame(codestream);
  if (!declared) throw new Error('the codestream has no frame header (start of frame, or JPEG 2000 SIZ marker)');
  const { width, height } = declared;
  // jpeg-js hands out RGB whatever the components, and gray is read from the first: only their size must agree.
  const components = file.syntax.encoding === 'jpeg-baseline' ? header.samplesPerPixel : declared.components;
  if (width !== header.columns || height !== header.rows || components !== header.samplesPerPixel) {
    throw new Error(
      `the codestream holds ${width} × ${height} pixels with ${components} component(s); the header says ${header.columns} × ${header.rows} with ${header.samplesPerPixel}`,
    );
  }
}

/** SOC then SIZ (ISO 15444-1 A.5.1): Xsiz, Ysiz, XOsiz, YOsiz at bytes 8, 12, 16, 20, Csiz at 40. */
function codestreamFrame(codestream: Uint8Array): { width: number; height: number; components: number } | null {
  const view = new DataView(codestream.buffer, codestream.byteOffset, codestream.byteLength);
  if (codestream.length >= 42 && view.getUint32(0) === 0xff4fff51) {
    return { width: view.getUint32(8) - view.getUint32(16), height: view.getUint32(12) - view.getUint32(20), components: view.getUint16(40) };
  }
  const jpegFrame = parseImageHeader(codestream);
  return jpegFrame && { width: jpegFrame.width, height: jpegFrame.height, components: jpegFrame.channels };
}
