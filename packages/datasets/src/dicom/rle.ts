import { RadprobeError } from '@radprobe/core';

const HEADER_LENGTH = 64;
const MAX_SEGMENTS = 15;

/**
 * Decodes one frame of DICOM RLE Lossless (PS3.5 annex G): a 64-byte header (segment count, then up to 15
 * segment offsets), then one PackBits segment per byte of each sample, most significant byte first. Returns the
 * samples plane by plane (one plane per sample of a pixel), whatever the header's planar configuration says,
 * because RLE always stores them so.
 */
export function decodeRle(
  fragment: Uint8Array,
  frame: { pixels: number; samplesPerPixel: number; bytesPerSample: 1 | 2 },
  source: string,
): Uint8Array | Uint16Array {
  const fail = (why: string) => new RadprobeError(`${source}: corrupt RLE pixel data (${why})`, { file: source });
  if (fragment.length < HEADER_LENGTH) throw fail(`frame of ${fragment.length} bytes, shorter than the 64-byte RLE header`);
  const view = new DataView(fragment.buffer, fragment.byteOffset, fragment.byteLength);
  const segments = view.getUint32(0, true);
  const expected = frame.samplesPerPixel * frame.bytesPerSample;
  if (segments !== expected || segments > MAX_SEGMENTS) throw fail(`${segments} segments, expected ${expected}`);
  const output = frame.bytesPerSample === 1 ? new Uint8Array(frame.pixels * frame.samplesPerPixel) : new Uint16Array(frame.pixels * frame.samplesPerPixel);
  const segmentBytes = new Uint8Array(frame.pixels);
  for (let segment = 0; segment < segments; segment++) {
    const start = view.getUint32(4 + segment * 4, true);
    const end = segment + 1 < segments ? view.getUint32(8 + segment * 4, true) : fragment.length;
    if (start < HEADER_LENGTH || end < start || end > fragment.length) throw fail(`segment ${segment + 1} spans bytes ${start}..${end} of ${fragment.length}`);
    unpackBits(fragment.subarray(start, end), segmentBytes, () => fail(`segment ${segment + 1} does not decode to ${frame.pixels} bytes`));
    const sample = Math.floor(segment / frame.bytesPerSample);
    const shift = 8 * (frame.bytesPerSample - 1 - (segment % frame.bytesPerSample));
    const base = sample * frame.pixels;
    for (let pixel = 0; pixel < frame.pixels; pixel++) output[base + pixel] |= segmentBytes[pixel] << shift;
  }
  return output;
}

/** PackBits: header n in 0..127 copies n + 1 literal bytes, -127..-1 repeats the next byte 1 - n times, -128 is a no-op. */
function unpackBits(input: Uint8Array, output: Uint8Array, fail: () => Error): void {
  let read = 0;
  let written = 0;
  while (written < output.length) {
    if (read >= input.length) throw fail();
    const header = (input[read++] << 24) >> 24;
    if (header >= 0) {
      const count = header + 1;
      if (read + count > input.length || written + count > output.length) throw fail();
      output.set(input.subarray(read, read + count), written);
      read += count;
      written += count;
    } else if (header !== -128) {
      const count = 1 - header;
      if (read >= input.length || written + count > output.length) throw fail();
      output.fill(input[read++], written, written + count);
      written += count;
    }
  }
}
