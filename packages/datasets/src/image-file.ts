import { readFile } from 'node:fs/promises';
import { DEFAULT_DECODE_LIMITS, RadprobeError, decodeImage, errorMessage, printablePath, sha256File, type DecodeLimits, type RawImage } from '@radprobe/core';
import { decodeDicomFrame } from './dicom/image.js';
import { isDicom, parseDicomFile } from './dicom/parse.js';
import type { FilePath } from './listing.js';

/**
 * Decodes an image file recognised by its content, not its name: PNG and JPEG by their signatures, DICOM by
 * `DICM` after the preamble or a bare data set at the start (windowed by its own Window Center / Width when it
 * has one). A multi-frame DICOM file is refused: it holds several images, which the `dicom` dataset kind reads.
 * The size its header declares is checked against `limits` first.
 */
export async function openImageFile(path: FilePath, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<RawImage> {
  const source = printablePath(path);
  const bytes = await readImageBytes(path);
  if (!isDicom(bytes)) return decodeImage(bytes, source, limits);
  const file = parseDicomFile(bytes, source, limits);
  if (file.header.frames > 1) {
    throw new RadprobeError(`${source}: multi-frame DICOM (${file.header.frames} frames) is several images; read it with the "dicom" dataset kind`, { file: source });
  }
  return decodeDicomFrame(file, 0, { kind: 'header' });
}

/** A file's bytes, or a RadprobeError naming it. */
export async function readImageBytes(path: FilePath): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new RadprobeError(`${printablePath(path)}: cannot read (${errorMessage(error)})`, { file: printablePath(path), cause: error });
  }
}

/** sha256 of a file's bytes, or a RadprobeError naming it. */
export async function hashImageFile(path: FilePath): Promise<string> {
  try {
    return await sha256File(path);
  } catch (error) {
    throw new RadprobeError(`${printablePath(path)}: cannot read (${errorMessage(error)})`, { file: printablePath(path), cause: error });
  }
}
