import type { DecodeLimits } from '../../contracts/config.js';
import type { JsonSchema } from '../../contracts/json-schema.js';
import { RadprobeError } from '../util/errors.js';

/**
 * Large enough for real radiology with room to spare: a 3,000 × 3,000 radiograph is 9 megapixels, a 4,096 × 5,625
 * mammogram 23; a 512 × 512 × 1,000 CT of 16-bit voxels is 500 MiB (1,000 MiB as float32). A file declaring more
 * is far likelier a corrupt header or a decompression bomb than an image.
 */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = { maxMegapixels: 200, maxDecodedMiB: 2048 };

/**
 * The most a config may allow: a 2D image becomes float32 samples (8 GB for 2,000 megapixels of gray), and one
 * file's data must fit in one Node buffer (4 GiB, with room for a PNG's filter bytes).
 */
const MAXIMUM: Readonly<DecodeLimits> = { maxMegapixels: 2000, maxDecodedMiB: 4000 };

export const decodeLimitsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  default: { ...DEFAULT_DECODE_LIMITS },
  description: 'Caps on the size a file declares in its header, checked before it is decoded: a larger file is a bad item.',
  properties: {
    maxMegapixels: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: MAXIMUM.maxMegapixels,
      default: DEFAULT_DECODE_LIMITS.maxMegapixels,
      description: 'Pixels of one 2D image, frame or slice, in millions.',
    },
    maxDecodedMiB: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: MAXIMUM.maxDecodedMiB,
      default: DEFAULT_DECODE_LIMITS.maxDecodedMiB,
      description: "A file's pixel or voxel data uncompressed, all frames or slices together, in MiB.",
    },
  },
};

/** What a file's header declares, before anything is inflated or allocated. Formats say what they know. */
export interface DeclaredSize {
  /** What the header says, with its article, e.g. `a 45000×45000 PNG, 1 sample(s) of 8 bits per pixel`. */
  description: string;
  /** Pixels of the largest 2D image, frame or slice the file holds. */
  pixels?: number;
  /** The declared data uncompressed, at the file's own sample size. */
  bytes?: number;
}

const MEGA = 1e6;
const MIB = 2 ** 20;

/**
 * Throws a RadprobeError naming `source`, the declared size, the cap it exceeds and the setting that raises it,
 * when the declared size is empty or above `limits`. Decoders call it with the header's numbers before they
 * inflate or allocate anything, so that a bomb costs no more than reading its header.
 */
export function checkDeclaredSize(source: string, declared: DeclaredSize, limits: DecodeLimits): void {
  const { description, pixels, bytes } = declared;
  if (pixels === 0 || bytes === 0) throw new RadprobeError(`${source}: the header declares ${description}: an image without pixels`, { file: source });
  if (pixels !== undefined && pixels > limits.maxMegapixels * MEGA) {
    throw tooLarge(source, `${description} (${pixelCount(pixels)})`, `${limits.maxMegapixels} megapixels per image`, 'maxMegapixels');
  }
  if (bytes !== undefined && bytes > limits.maxDecodedMiB * MIB) {
    throw tooLarge(source, `${description} (${byteCount(bytes)} uncompressed)`, `${limits.maxDecodedMiB} MiB`, 'maxDecodedMiB');
  }
}

function tooLarge(source: string, declared: string, cap: string, setting: keyof DecodeLimits): RadprobeError {
  return new RadprobeError(
    `${source}: the header declares ${declared}, above the decode limit of ${cap}; ` +
      `if the file is genuine, raise "decodeLimits.${setting}" in the config (at most ${MAXIMUM[setting]})`,
    { file: source, pointer: `/decodeLimits/${setting}` },
  );
}

function pixelCount(pixels: number): string {
  return pixels < MEGA ? `${pixels} pixels` : `${Math.round(pixels / MEGA)} megapixels`;
}

function byteCount(bytes: number): string {
  return bytes < 2 ** 30 ? `${Math.round(bytes / MIB)} MiB` : `${+(bytes / 2 ** 30).toFixed(1)} GiB`;
}
