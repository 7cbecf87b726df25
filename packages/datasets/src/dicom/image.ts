import { DEFAULT_DECODE_LIMITS, RadprobeError, type DecodeLimits, type RawImage } from '@radprobe/core';
import { applyWindow, resolveWindow, windowFromLevel, type IntensityWindow, type WindowOption } from '@radprobe/core/engine';
import { decodeFrameSamples, type FrameSamples } from './codecs.js';
import { parseDicomFile, type DicomFile, type DicomHeader } from './parse.js';

/** A DICOM loader's `window` option: the file's own Window Center / Width, or any window of core's intensity module. */
export type DicomWindowOption = 'header' | WindowOption;

/** The window a resolved option applies: `header` defers to each file, `fixed` is the same for every file. */
export type DicomWindow = { kind: 'header' } | { kind: 'fixed'; window: IntensityWindow | null };

/** Colour encodings a codec turns into RGB on decoding; native RGB needs none. */
const COLOUR_PHOTOMETRICS: Record<string, readonly string[]> = {
  RGB: ['native', 'rle', 'jpeg-baseline', 'jpeg-lossless', 'jpeg-ls', 'jpeg-2000'],
  YBR_FULL: ['jpeg-baseline'],
  YBR_FULL_422: ['jpeg-baseline'],
  YBR_RCT: ['jpeg-2000'],
  YBR_ICT: ['jpeg-2000'],
};

/** Checks a `window` option once (bad bounds and unknown presets are named at `pointer`). */
export function resolveDicomWindow(option: DicomWindowOption, pointer: string): DicomWindow {
  return option === 'header' ? { kind: 'header' } : { kind: 'fixed', window: resolveWindow(option, pointer) };
}

/** The window applied to one file: its header's first Window Center / Width under `header` (none if absent). */
export function windowFor(header: DicomHeader, window: DicomWindow): IntensityWindow | null {
  if (window.kind === 'fixed') return window.window;
  return header.window ? windowFromLevel(header.window.center, header.window.width) : null;
}

/** Reads and decodes frame `frame` (0-based) of a DICOM file's bytes, within `limits`. */
export async function decodeDicom(bytes: Uint8Array, source: string, frame: number, window: DicomWindow, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<RawImage> {
  return decodeDicomFrame(parseDicomFile(bytes, source, limits), frame, window);
}

/**
 * One frame in modality units: stored values masked to Bits Stored and sign-extended, then the modality LUT
 * (`stored × slope + intercept`: Hounsfield units for CT), then the window (a clamp, whose bounds become the
 * range), then MONOCHROME1 flipped within the range so that bright means dense as in MONOCHROME2. Without a
 * window the range is what Bits Stored can hold, rescaled. Colour frames are RGB with range 0..2^BitsStored − 1.
 */
export async function decodeDicomFrame(file: DicomFile, frame: number, window: DicomWindow): Promise<RawImage> {
  const { header, source, syntax } = file;
  if (!Number.isInteger(frame) || frame < 0 || frame >= header.frames) {
    throw new RadprobeError(`${source}: frame ${frame} does not exist (the file has ${header.frames})`, { file: source });
  }
  if (header.samplesPerPixel === 3 && !COLOUR_PHOTOMETRICS[header.photometric]?.includes(syntax.encoding)) {
    throw new RadprobeError(`${source}: unsupported DICOM image: Photometric Interpretation ${header.photometric} with ${syntax.name}`, { file: source });
  }
  const decoded = await decodeFrameSamples(file, frame);
  return header.samplesPerPixel === 1 ? grayImage(header, decoded, windowFor(header, window)) : colourImage(header, decoded);
}

function grayImage(header: DicomHeader, decoded: FrameSamples, window: IntensityWindow | null): RawImage {
  const { rows, columns, bitsStored, signed, rescaleSlope, rescaleIntercept } = header;
  const count = rows * columns;
  const data = new Float32Array(count);
  const mask = 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  const samples = decoded.samples;
  for (let pixel = 0; pixel < count; pixel++) {
    let stored = samples[pixel] & mask;
    if (signed && stored >= signBit) stored -= 2 * signBit;
    data[pixel] = stored * rescaleSlope + rescaleIntercept;
  }
  const lowest = signed ? -signBit : 0;
  const highest = signed ? signBit - 1 : mask;
  const ends = [lowest * rescaleSlope + rescaleIntercept, highest * rescaleSlope + rescaleIntercept];
  let range = { min: Math.min(...ends), max: Math.max(...ends) };
  if (window) {
    applyWindow(data, window);
    range = { min: window.low, max: window.high };
  }
  if (header.photometric === 'MONOCHROME1') {
    const sum = range.min + range.max;
    for (let pixel = 0; pixel < count; pixel++) data[pixel] = sum - data[pixel];
  }
  return { width: columns, height: rows, channels: 1, data, range };
}

function colourImage(header: DicomHeader, decoded: FrameSamples): RawImage {
  const { rows, columns, bitsStored } = header;
  const count = rows * columns;
  const data = new Float32Array(count * 3);
  const mask = 2 ** bitsStored - 1;
  const samples = decoded.samples;
  for (let pixel = 0; pixel < count; pixel++) {
    for (let sample = 0; sample < 3; sample++) {
      data[pixel * 3 + sample] = samples[decoded.planar ? sample * count + pixel : pixel * 3 + sample] & mask;
    }
  }
  return { width: columns, height: rows, channels: 3, data, range: { min: 0, max: mask } };
}
