import { readFile } from 'node:fs/promises';
import { checkDeclaredSize, decodeImage, errorMessage, RadprobeError, type DecodeLimits, type LabelMap, type RawImage } from '@radprobe/core';

/** A mask image file and the class its foreground pixels (value above half the image's range) stand for. */
export interface MaskLayer {
  path: string;
  classIndex: number;
}

/**
 * A label map painted from binary mask images, later layers over earlier ones. Every mask must have the size
 * of `size` (the item's image, as its header declares it: checked against `limits` first), else the error names
 * the mask and both sizes.
 */
export async function labelMapFromMasks(layers: readonly MaskLayer[], size: { width: number; height: number }, image: string, limits: DecodeLimits): Promise<LabelMap> {
  checkDeclaredSize(image, { description: `a ${size.width}×${size.height} image`, pixels: size.width * size.height }, limits);
  const data = new Uint8Array(size.width * size.height);
  for (const { path, classIndex } of layers) {
    const mask = await decodeMask(path, limits);
    if (mask.width !== size.width || mask.height !== size.height) {
      throw new RadprobeError(`${path}: mask is ${mask.width}×${mask.height} but its image ${image} is ${size.width}×${size.height}`, { file: path });
    }
    const threshold = (mask.range?.max ?? 255) / 2;
    for (let pixel = 0, at = 0; pixel < data.length; pixel++, at += mask.channels) if (mask.data[at] > threshold) data[pixel] = classIndex;
  }
  return { width: size.width, height: size.height, data };
}

async function decodeMask(path: string, limits: DecodeLimits): Promise<RawImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new RadprobeError(`${path}: cannot read the mask (${errorMessage(error)})`, { file: path, cause: error });
  }
  return decodeImage(bytes, path, limits);
}
