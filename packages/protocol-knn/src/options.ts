import { RadprobeError, type JsonSchema } from '@radprobe/core';

/** The `knn` protocol entry's options, as written in a config. */
export interface KnnOptions {
  k?: number[];
  temperature?: number;
  smoothing?: number;
}

export type ResolvedKnnOptions = Required<KnnOptions>;

export const DEFAULT_KNN_OPTIONS: ResolvedKnnOptions = { k: [10, 20, 100, 200], temperature: 0.07, smoothing: 1 };

export const knnOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'kNN protocol options',
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { const: 'knn' },
    name: { type: 'string', description: 'Name of this protocol entry in results (defaults to the kind).' },
    k: {
      type: 'array',
      description:
        'Neighbour counts, one result row each. Multi-class: votes of the k nearest TRAIN features, weighted by a softmax over the largest k (upstream DINOv2). Multi-label: ML-kNN with k neighbours. Values above the training set size are capped.',
      // Top-k keeps k similarities per TEST item (NIH: 25,596 × k); upstream's largest k is 200.
      items: { type: 'integer', minimum: 1, maximum: 1000 },
      minItems: 1,
      uniqueItems: true,
      default: DEFAULT_KNN_OPTIONS.k,
    },
    temperature: {
      type: 'number',
      exclusiveMinimum: 0,
      // Similarities lie in [-1, 1]: beyond 100 every neighbour weighs the same.
      maximum: 100,
      description: 'Multi-class vote: neighbour weights are softmax(similarity / temperature) (upstream 0.07).',
      default: DEFAULT_KNN_OPTIONS.temperature,
    },
    smoothing: {
      type: 'number',
      exclusiveMinimum: 0,
      // Counts are of at most k ≤ 1000 neighbours: a larger s flattens every likelihood into the prior.
      maximum: 1000,
      description: 'Multi-label ML-kNN: Laplace smoothing s of the prior and neighbour-count likelihoods (Zhang & Zhou use 1).',
      default: DEFAULT_KNN_OPTIONS.smoothing,
    },
  },
};

/** Options with defaults filled in, checked; a bad value names its JSON pointer within the entry. */
export function resolveKnnOptions(options: KnnOptions): ResolvedKnnOptions {
  const resolved = { ...DEFAULT_KNN_OPTIONS, ...options };
  if (!Array.isArray(resolved.k) || resolved.k.length === 0) {
    throw new RadprobeError('kNN option k must be a non-empty list of neighbour counts', { pointer: '/k' });
  }
  resolved.k.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 1) throw new RadprobeError(`kNN option k[${i}] = ${k} must be a positive integer`, { pointer: `/k/${i}` });
    if (resolved.k.indexOf(k) !== i) throw new RadprobeError(`kNN option k lists ${k} twice`, { pointer: `/k/${i}` });
  });
  for (const key of ['temperature', 'smoothing'] as const) {
    const value = resolved[key];
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
      throw new RadprobeError(`kNN option ${key} = ${value} must be a positive number`, { pointer: `/${key}` });
    }
  }
  return resolved;
}
