import { readFile } from 'node:fs/promises';
import { RadprobeError, decodeImage, errorMessage, sha256File, type RawImage } from '@radprobe/core';
import { decodeDicomFrame } from './dicom/image.js';
import { isDicom, parseDicomFile } from './dicom/parse.js';

/**
 * Decodes an image file recognised by its content, not its name: PNG and JPEG by their signatures, DICOM by
 * `DICM` after the preamble or a bare data set at the start (windowed by its own Window Center / Width when it
 * has one). A multi-frame DICOM file is refused: it holds several images, which the `dicom` dataset kind reads.
 */
export async function openImageFile(path: string): Promise<RawImage> {
  const bytes = await readImageBytes(path);
  if (!isDicom(bytes)) return decodeImage(bytes, path);
  const file = parseDicomFile(bytes, path);
  if (file.header.frames > 1) {
    throw new RadprobeError(`${path}: multi-frame DICOM (${file.header.frames} frames) is several images; read it with the "dicom" dataset kind`, { file: path });
  }
  return decodeDicomFrame(file, 0, { kind: 'header' });
}

/** A file's bytes, or a RadprobeError naming it. */
export async function readImageBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new RadprobeError(`${path}: cannot read (${errorMessage(error)})`, { file: path, cause: error });
  }
}

/** sha256 of a file's bytes, or a RadprobeError naming it. */
export async function hashImageFile(path: string): Promise<string> {
  try {
    return await sha256File(path);
  } catch (error) {
    throw new RadprobeError(`${path}: cannot read (${errorMessage(error)})`, { file: path, cause: error });
  }
}
