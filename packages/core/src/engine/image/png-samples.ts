/** Layout of unfiltered PNG scanlines (one filter-type byte, then `rowBytes` bytes, per row). */
export interface ScanlineLayout {
  width: number;
  height: number;
  rowBytes: number;
  bitDepth: number;
}

/**
 * Gray, gray + alpha, RGB or RGBA samples at 8 or 16 bits, alpha dropped: `channels` (1 or 3) of every pixel's
 * `samplesPerPixel`, as integers of the file's own scale (16-bit samples are big-endian in the file). Samples without
 * alpha at 8 bits are moved down over the filter bytes inside `scanlines`, which they are returned as a view of:
 * a large radiograph's pixels are then never copied.
 */
export function directSamples(scanlines: Uint8Array, layout: ScanlineLayout, samplesPerPixel: number, channels: number): Uint8Array | Uint16Array {
  const { width, height, rowBytes, bitDepth } = layout;
  const stride = rowBytes + 1;
  if (bitDepth === 8 && samplesPerPixel === channels) {
    for (let row = 0; row < height; row++) scanlines.copyWithin(row * rowBytes, row * stride + 1, (row + 1) * stride);
    return scanlines.subarray(0, height * rowBytes);
  }
  const out = bitDepth === 8 ? new Uint8Array(width * height * channels) : new Uint16Array(width * height * channels);
  const sampleBytes = bitDepth / 8;
  const pixelBytes = samplesPerPixel * sampleBytes;
  let to = 0;
  for (let row = 0; row < height; row++) {
    const rowStart = row * stride + 1;
    const rowEnd = rowStart + width * pixelBytes;
    for (let pixel = rowStart; pixel < rowEnd; pixel += pixelBytes) {
      for (let channel = 0, at = pixel; channel < channels; channel++, at += sampleBytes) {
        out[to++] = sampleBytes === 1 ? scanlines[at] : (scanlines[at] << 8) | scanlines[at + 1];
      }
    }
  }
  return out;
}

/** 1, 2 or 4-bit gray, stretched to 0..255 (sample × 255 / (2^depth − 1)) as every viewer shows it. */
export function packedGraySamples(scanlines: Uint8Array, layout: ScanlineLayout): Uint8Array {
  const { width, height, bitDepth } = layout;
  // A whole factor (255, 85 or 17): the stretched samples are bytes.
  const stretch = 255 / (2 ** bitDepth - 1);
  const out = new Uint8Array(width * height);
  forEachPackedSample(scanlines, layout, (pixel, sample) => {
    out[pixel] = sample * stretch;
  });
  return out;
}

/**
 * Palette images (1, 2, 4 or 8-bit indices) looked up as RGB; alpha from `tRNS` is dropped. Returns null when an
 * index points past the palette, which pngjs reports as corrupt.
 */
export function paletteSamples(scanlines: Uint8Array, layout: ScanlineLayout, palette: Uint8Array): Uint8Array | null {
  const { width, height } = layout;
  const entries = palette.length / 3;
  const out = new Uint8Array(width * height * 3);
  let inPalette = true;
  forEachPackedSample(scanlines, layout, (pixel, index) => {
    if (index >= entries) inPalette = false;
    out[pixel * 3] = palette[index * 3];
    out[pixel * 3 + 1] = palette[index * 3 + 1];
    out[pixel * 3 + 2] = palette[index * 3 + 2];
  });
  return inPalette ? out : null;
}

/** Palette indices (1, 2, 4 or 8 bits) as they are stored; null when an index points past the palette's `entries`. */
export function paletteIndices(scanlines: Uint8Array, layout: ScanlineLayout, entries: number): Uint8Array | null {
  const out = new Uint8Array(layout.width * layout.height);
  let inPalette = true;
  forEachPackedSample(scanlines, layout, (pixel, index) => {
    if (index >= entries) inPalette = false;
    out[pixel] = index;
  });
  return inPalette ? out : null;
}

/** Visits the single-channel samples of 1, 2, 4 or 8 bits, most significant bits first within a byte. */
function forEachPackedSample(scanlines: Uint8Array, layout: ScanlineLayout, visit: (pixel: number, sample: number) => void): void {
  const { width, height, rowBytes, bitDepth } = layout;
  const mask = (1 << bitDepth) - 1;
  for (let row = 0, pixel = 0; row < height; row++) {
    const rowStart = row * (rowBytes + 1) + 1;
    for (let column = 0, bit = 0; column < width; column++, pixel++, bit += bitDepth) {
      visit(pixel, (scanlines[rowStart + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & mask);
    }
  }
}
