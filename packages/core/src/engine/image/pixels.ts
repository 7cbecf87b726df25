import type { ImageSamples } from '../../contracts/dataset.js';

/** Pixels as a decoder hands them over, before alpha is dropped and gray is detected. */
export interface DecodedPixels {
  width: number;
  height: number;
  /** Interleaved samples, `samplesPerPixel` per pixel: gray, RGB, or RGBA (alpha ignored). */
  samples: ImageSamples;
  samplesPerPixel: 1 | 3 | 4;
  /** Nominal maximum of a sample (255 or 65535). */
  max: number;
}
