import type { JsonSchema } from '@radprobe/core';

export type Distance = 'cosine' | 'euclidean';

/** The `kind: "centroid"` entry's options, as written in a config. */
export interface CentroidOptions {
  distances?: Distance[];
  valFraction?: number;
}

export const CENTROID_DEFAULTS: Required<CentroidOptions> = { distances: ['cosine', 'euclidean'], valFraction: 0.1 };

/**
 * `kind` and `name` are the engine's. The config is validated against this schema (with its defaults filled in)
 * before `run` is called, so `run` receives checked options.
 */
export const centroidOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    distances: {
      type: 'array',
      items: { enum: ['cosine', 'euclidean'] },
      minItems: 1,
      uniqueItems: true,
      default: CENTROID_DEFAULTS.distances,
      description: 'Distances tried, one VAL row each; the best on VAL is reported on TEST.',
    },
    valFraction: {
      type: 'number',
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      default: CENTROID_DEFAULTS.valFraction,
      description: 'Share of TRAIN patients carved into VAL when the dataset has no VAL split.',
    },
  },
};
