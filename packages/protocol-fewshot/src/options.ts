import { RadprobeError, type JsonSchema } from '@radprobe/core';

/** Protocol kinds few-shot can wrap. */
export const WRAPPABLE_KINDS = ['linear', 'knn', 'seg'] as const;
export type WrappableKind = (typeof WRAPPABLE_KINDS)[number];

/** A shots value: patients per class, images in total or images per class (by the unit), or the whole TRAIN split. */
export type Shots = number | 'all';

/**
 * How shots are counted: patients per class (NIH-style data), images in total (the study's rule otherwise), or images
 * per class (upstream DINOv2's few-shot kNN); `auto` picks the study's rule.
 */
export type ShotUnit = 'auto' | 'patient' | 'image' | 'per-class';

export const SHOT_UNITS: readonly ShotUnit[] = ['auto', 'patient', 'image', 'per-class'];

/** The `fewshot` protocol entry's options, as written in a config. */
export interface FewshotOptions {
  /** The wrapped protocol's entry: its kind and its options. */
  protocol: { kind: string } & Record<string, unknown>;
  shots?: Shots[];
  nTries?: number;
  unit?: ShotUnit;
}

export interface ResolvedFewshotOptions {
  protocol: { kind: string } & Record<string, unknown>;
  shots: Shots[];
  nTries: number;
  unit: ShotUnit;
}

export const DEFAULT_SHOTS: Shots[] = [1, 2, 4, 8, 16, 'all'];

export const fewshotOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Few-shot options',
  type: 'object',
  additionalProperties: false,
  required: ['protocol'],
  properties: {
    kind: { const: 'fewshot' },
    name: { type: 'string', description: 'Name of this protocol entry in results (defaults to the kind).' },
    protocol: {
      type: 'object',
      required: ['kind'],
      description: "The wrapped protocol's entry: its kind and any of its options (checked against that protocol's own schema when the run starts).",
      properties: { kind: { enum: [...WRAPPABLE_KINDS], description: 'linear, knn or seg.' } },
    },
    shots: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      // More than any dataset's TRAIN split (NIH has 112,120 images) is "all" written as a number.
      items: { anyOf: [{ type: 'integer', minimum: 1, maximum: 1_000_000 }, { const: 'all' }] },
      default: DEFAULT_SHOTS,
      description:
        'Training set sizes, one result row each: patients per class (unit patient), images in total (unit image) or images per class (unit per-class); "all" = the whole TRAIN split.',
    },
    nTries: {
      type: 'integer',
      minimum: 1,
      // Each try is a whole run of the wrapped protocol per shots value; the study used 5.
      maximum: 100,
      default: 1,
      description: "Draws per shots value: try 0 is the study's deterministic subset, try t ≥ 1 a random draw with seed = config seed + t. Reported as mean ± std over tries.",
    },
    unit: {
      enum: [...SHOT_UNITS],
      enumDescriptions: [
        "The study's rule: patient for multi-label data whose TRAIN items all have a patient, else image.",
        'shots patients per class, by label intersection (NIH-style data).',
        'shots images in total, evenly spaced over the TRAIN split sorted by id.',
        "shots images of each class (single-label data), as upstream DINOv2's few-shot kNN draws them.",
      ],
      default: 'auto',
      description: 'What shots counts: patients per class, images in total, or images per class; auto: the study\'s rule.',
    },
  },
};

/** Options with defaults filled in, checked; a bad value names its JSON pointer within the entry. */
export function resolveFewshotOptions(options: FewshotOptions): ResolvedFewshotOptions {
  const { protocol } = options;
  if (!protocol || typeof protocol !== 'object' || Array.isArray(protocol)) {
    throw new RadprobeError(`few-shot option protocol must be a protocol entry such as { "kind": "linear" } (one of ${WRAPPABLE_KINDS.join(', ')})`, { pointer: '/protocol' });
  }
  const shots = options.shots ?? DEFAULT_SHOTS;
  if (!Array.isArray(shots) || shots.length === 0) throw new RadprobeError('few-shot option shots must be a non-empty list', { pointer: '/shots' });
  shots.forEach((value, i) => {
    if (value !== 'all' && !(Number.isInteger(value) && value >= 1)) throw new RadprobeError(`few-shot option shots[${i}] = ${String(value)} must be a positive integer or "all"`, { pointer: `/shots/${i}` });
    if (shots.indexOf(value) !== i) throw new RadprobeError(`few-shot option shots lists ${String(value)} twice`, { pointer: `/shots/${i}` });
  });
  const nTries = options.nTries ?? 1;
  if (!Number.isInteger(nTries) || nTries < 1) throw new RadprobeError(`few-shot option nTries = ${String(nTries)} must be a positive integer`, { pointer: '/nTries' });
  const unit = options.unit ?? 'auto';
  if (!SHOT_UNITS.includes(unit)) throw new RadprobeError(`few-shot option unit = ${String(unit)} must be one of ${SHOT_UNITS.map((name) => `"${name}"`).join(', ')}`, { pointer: '/unit' });
  return { protocol, shots, nTries, unit };
}
