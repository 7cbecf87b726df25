import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '../../contracts/json-schema.js';
import { createAjv } from '../config/ajv.js';
import { RadprobeError } from '../util/errors.js';
import type { ForegroundSide } from './patch-pca.js';

/** One image of the figure, as written. */
export interface PcaManifestImage {
  backbone: string;
  dataset: string;
  /** The dataset item's id. */
  item: string;
  /** The PNG, relative to the folder of pca.json, with `/` separators. */
  file: string;
  /** Where the item comes from (the dataset's `source`: a file path, optionally with `#slice`). */
  source: string;
}

/** How one (backbone, dataset) pair's patches split and how much variance the shown components carry. */
export interface PcaManifestPair {
  backbone: string;
  dataset: string;
  patches: number;
  foregroundPatches: number;
  /** The side of the first component taken as foreground, and the cut on it (see `patchPca`). */
  side: 'positive' | 'negative';
  cut: number;
  /** Shares of variance of the first three components over all patches. */
  allPatches: number[];
  /** Shares of variance of the three colour components over the foreground patches. */
  foreground: number[];
}

/** `pca.json`: the images of the PCA figure and how they were made. */
export interface PcaManifest {
  /** Principal components shown as red, green, blue. */
  components: 3;
  /** Share of the foreground side's extreme first-component value a patch exceeds to count as foreground. */
  threshold: number;
  foreground: ForegroundSide;
  images: PcaManifestImage[];
  explainedVariance: PcaManifestPair[];
  /** Pairs that have no figure, and why (e.g. a CNN without patch tokens). */
  skipped: Array<{ backbone: string; dataset: string; reason: string }>;
}

const shares = { type: 'array', minItems: 3, maxItems: 3, items: { type: 'number', minimum: 0, maximum: 1 } };
const names = { backbone: { type: 'string', minLength: 1 }, dataset: { type: 'string', minLength: 1 } };

/** JSON Schema of `pca.json`. */
export const pcaManifestSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'radprobe PCA of patch features',
  type: 'object',
  additionalProperties: false,
  required: ['components', 'threshold', 'foreground', 'images', 'explainedVariance', 'skipped'],
  properties: {
    components: { const: 3 },
    threshold: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    foreground: { enum: ['auto', 'positive', 'negative'] },
    images: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['backbone', 'dataset', 'item', 'file', 'source'],
        properties: { ...names, item: { type: 'string', minLength: 1 }, file: { type: 'string', pattern: '^[A-Za-z0-9._-]+\\.png$' }, source: { type: 'string' } },
      },
    },
    explainedVariance: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['backbone', 'dataset', 'patches', 'foregroundPatches', 'side', 'cut', 'allPatches', 'foreground'],
        properties: {
          ...names,
          patches: { type: 'integer', minimum: 1 },
          foregroundPatches: { type: 'integer', minimum: 1 },
          side: { enum: ['positive', 'negative'] },
          cut: { type: 'number', minimum: 0 },
          allPatches: shares,
          foreground: shares,
        },
      },
    },
    skipped: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['backbone', 'dataset', 'reason'], properties: { ...names, reason: { type: 'string' } } },
    },
  },
};

let validator: ValidateFunction | undefined;

/** Checks a parsed `pca.json`; the error names the file and the first offending JSON pointer. */
export function assertValidPcaManifest(manifest: unknown, file: string): asserts manifest is PcaManifest {
  validator ??= createAjv().compile(pcaManifestSchema);
  if (validator(manifest)) return;
  const first = validator.errors?.[0];
  throw new RadprobeError(`${file}: not a valid PCA manifest: ${first?.instancePath || '(root)'} ${first?.message ?? ''}`.trim(), { file, pointer: first?.instancePath ?? '' });
}
