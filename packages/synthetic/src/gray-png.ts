import { PNG } from 'pngjs';

/** Encodes a gray image with values in [0, 1] (row-major) as an 8- or 16-bit grayscale PNG. */
export function encodeGrayPng(pixels: ArrayLike<number>, width: number, height: number, bitDepth: 8 | 16): Buffer {
  const max = bitDepth === 8 ? 255 : 65535;
  const samples = bitDepth === 8 ? new Uint8Array(width * height) : new Uint16Array(width * height);
  for (let index = 0; index < samples.length; index++) samples[index] = Math.round(Math.min(1, Math.max(0, pixels[index])) * max);
  // pngjs reads 16-bit input as native-endian Uint16 samples over the whole buffer, hence a fresh, exact buffer.
  const data = Buffer.from(samples.buffer, 0, samples.byteLength);
  return PNG.sync.write({ width, height, data } as PNG, { colorType: 0, inputColorType: 0, bitDepth, inputHasAlpha: false });
}
