import { PNG } from 'pngjs';
import type { Normalization } from '../../contracts/backbone.js';
import { RadprobeError } from '../util/errors.js';
import type { PatchPcaImage } from './patch-pca.js';

export interface PcaImageOptions {
  /** Size the patch grid is drawn at: the backbone's input size. */
  size: { height: number; width: number };
  /**
   * The preprocessed backbone input (`[3, height, width]`, normalised with `normalization`), drawn in gray to the
   * left of the components.
   */
  input?: { pixels: Float32Array; normalization: Normalization };
}

/**
 * An 8-bit RGB PNG of one image of the PCA figure: each patch's colour fills its cell of the input (nearest
 * neighbour from the patch grid to `size`), optionally beside the input itself in gray.
 */
export function pcaImagePng(image: PatchPcaImage, options: PcaImageOptions): Uint8Array {
  const { height, width } = options.size;
  const { rows, cols } = image.grid;
  if (!(Number.isInteger(height) && Number.isInteger(width) && height >= rows && width >= cols)) {
    throw new RadprobeError(`PCA image: cannot draw a ${rows} × ${cols} patch grid at ${height} × ${width} pixels`);
  }
  const panels = options.input ? 2 : 1;
  const stride = panels * width;
  const data = Buffer.alloc(height * stride * 3);
  const pcaLeft = options.input ? width : 0;
  for (let y = 0; y < height; y++) {
    const patchRow = Math.floor((y * rows) / height);
    for (let x = 0; x < width; x++) {
      const patch = patchRow * cols + Math.floor((x * cols) / width);
      const at = (y * stride + pcaLeft + x) * 3;
      for (let channel = 0; channel < 3; channel++) data[at + channel] = toByte(image.rgb[patch * 3 + channel]);
    }
  }
  if (options.input) drawGrayInput(options.input, height, width, data, stride);
  return new Uint8Array(PNG.sync.write({ width: stride, height, data } as unknown as PNG, { colorType: 2, inputColorType: 2, inputHasAlpha: false, bitDepth: 8 }));
}

/** The input's intensity, its normalisation undone, averaged over the channels (the same three for a gray scan). */
function drawGrayInput(input: NonNullable<PcaImageOptions['input']>, height: number, width: number, data: Buffer, stride: number): void {
  const plane = height * width;
  if (input.pixels.length !== 3 * plane) {
    throw new RadprobeError(`PCA image: the input has ${input.pixels.length} values, expected [3, ${height}, ${width}]`);
  }
  const { mean, std } = input.normalization;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let channel = 0; channel < 3; channel++) sum += input.pixels[channel * plane + y * width + x] * std[channel] + mean[channel];
      const gray = toByte(sum / 3);
      data.fill(gray, (y * stride + x) * 3, (y * stride + x) * 3 + 3);
    }
  }
}

function toByte(unit: number): number {
  return Math.round(Math.min(1, Math.max(0, unit)) * 255);
}
