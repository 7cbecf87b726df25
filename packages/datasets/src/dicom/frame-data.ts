import dicomParser, { type Element } from 'dicom-parser';
import { RadprobeError, errorMessage } from '@radprobe/core';
import type { DicomFile } from './parse.js';

const PIXEL_DATA = 'x7fe00010';

/** The bytes of one frame of native (uncompressed) pixel data, checked against the size the header implies. */
export function nativeFrameBytes(file: DicomFile, frame: number): Uint8Array {
  const { header, dataSet, source } = file;
  const element = pixelDataElement(file);
  const frameLength = header.rows * header.columns * header.samplesPerPixel * (header.bitsAllocated / 8);
  const start = element.dataOffset + frame * frameLength;
  const available = Math.min(element.length, dataSet.byteArray.length - element.dataOffset);
  if ((frame + 1) * frameLength > available) {
    throw new RadprobeError(
      `${source}: pixel data holds ${available} bytes; frame ${frame + 1} of ${header.frames} needs bytes ${frame * frameLength}..${(frame + 1) * frameLength} ` +
        `(${header.rows} × ${header.columns} × ${header.samplesPerPixel} samples of ${header.bitsAllocated} bits)`,
      { file: source },
    );
  }
  return dataSet.byteArray.subarray(start, start + frameLength);
}

/**
 * The codestream of one frame of encapsulated pixel data (PS3.5 A.4): located by the basic offset table when
 * there is one, else one fragment per frame, else (JPEG family only) by scanning the fragments for the start of
 * each frame's codestream.
 */
export function encapsulatedFrameBytes(file: DicomFile, frame: number): Uint8Array {
  const { header, dataSet, source, syntax } = file;
  const element = pixelDataElement(file);
  const fragments = element.fragments ?? [];
  if (!element.encapsulatedPixelData || fragments.length === 0) {
    throw new RadprobeError(`${source}: ${syntax.name} needs encapsulated pixel data (fragments), found native pixel data`, { file: source });
  }
  try {
    if ((element.basicOffsetTable ?? []).length > 0) return dicomParser.readEncapsulatedImageFrame(dataSet, element, frame);
    if (header.frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length);
    if (fragments.length === header.frames) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frame, 1);
    if (syntax.encoding === 'rle') {
      throw new Error(`${fragments.length} fragments for ${header.frames} frames and no basic offset table (RLE needs one fragment per frame)`);
    }
    const table = dicomParser.createJPEGBasicOffsetTable(dataSet, element);
    return dicomParser.readEncapsulatedImageFrame(dataSet, element, frame, table);
  } catch (error) {
    throw new RadprobeError(`${source}: cannot locate frame ${frame + 1} of ${header.frames} in the encapsulated pixel data (${errorMessage(error)})`, {
      file: source,
      cause: error,
    });
  }
}

function pixelDataElement(file: DicomFile): Element {
  return file.dataSet.elements[PIXEL_DATA];
}
