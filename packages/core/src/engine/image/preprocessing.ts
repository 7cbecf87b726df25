import type { Normalization } from '../../contracts/backbone.js';
import type { PreprocessingConfig, PreprocessingPresetName, PreprocessingSteps } from '../../contracts/config.js';
import { RadprobeError } from '../util/errors.js';
import { canonicalJson } from '../util/hash.js';

/** Pipelines of protocols.md (Preprocessing). */
export const PREPROCESSING_PRESETS: Readonly<Record<PreprocessingPresetName, PreprocessingSteps>> = {
  study: { resize: { mode: 'square', size: 224 }, centerCrop: null, scale: 'minmax', normalize: 'backbone', resampling: 'float' },
  'study-knn': { resize: { mode: 'square', size: 256 }, centerCrop: 224, scale: 'minmax', normalize: 'backbone', resampling: 'float' },
  upstream: { resize: { mode: 'shorter-side', size: 256 }, centerCrop: 224, scale: 'range', normalize: 'backbone', resampling: 'float' },
};

/** Preprocessing with every choice made: what `preprocessInto` runs and what keys the feature cache. */
export interface ResolvedPreprocessing {
  resize: { mode: 'square' | 'shorter-side'; size: number };
  centerCrop: number | null;
  scale: 'minmax' | 'range';
  normalize: Normalization;
  resampling: 'float' | 'pil-uint8';
  /** Size of every preprocessed image (multiples of the patch size). */
  outputSize: { height: number; width: number };
  /** Canonical JSON of everything that changes the pixels handed to the backbone; stable across runs. */
  description: string;
  /** What was adjusted, for the results (e.g. a size rounded to the patch grid). */
  notes: string[];
}

/**
 * Names the resampling in the description, so that changing it changes cache keys. The float filter keeps the name
 * it had before `resampling` existed, so that caches written then stay valid.
 */
const INTERPOLATION: Record<ResolvedPreprocessing['resampling'], string> = {
  float: 'bicubic-antialias-keys-a-0.5',
  'pil-uint8': 'pil-uint8-bicubic-antialias-keys-a-0.5-fixed-point-22',
};
const POINTER = '/preprocessing';

/**
 * Resolves a preset name, or a preset (default `study`) with steps overridden, against the backbone: its
 * normalisation for `normalize: 'backbone'`, and output sides rounded to the nearest multiple of its patch size.
 */
export function resolvePreprocessing(
  config: PreprocessingConfig,
  backbone: { patchSize: number; normalization: Normalization },
): ResolvedPreprocessing {
  const steps = preprocessingSteps(config);
  checkSide(steps.resize.size, `${POINTER}/resize/size`);
  if (steps.centerCrop !== null) {
    checkSide(steps.centerCrop, `${POINTER}/centerCrop`);
    if (steps.centerCrop > steps.resize.size) {
      throw new RadprobeError(
        `preprocessing: centerCrop ${steps.centerCrop} is larger than the resized side ${steps.resize.size}`,
        { pointer: `${POINTER}/centerCrop` },
      );
    }
  } else if (steps.resize.mode === 'shorter-side') {
    throw new RadprobeError(
      'preprocessing: resize mode "shorter-side" needs a centerCrop, so that every image has the same size',
      { pointer: `${POINTER}/centerCrop` },
    );
  }
  const notes: string[] = [];
  const resize = { ...steps.resize };
  let centerCrop = steps.centerCrop;
  if (centerCrop === null) {
    const rounded = roundToPatch(resize.size, backbone.patchSize);
    if (rounded !== resize.size) notes.push(roundingNote('resize size', resize.size, rounded, backbone.patchSize));
    resize.size = rounded;
  } else {
    let rounded = roundToPatch(centerCrop, backbone.patchSize);
    if (rounded > resize.size) rounded = Math.max(rounded - backbone.patchSize, backbone.patchSize);
    if (rounded !== centerCrop) notes.push(roundingNote('centre crop', centerCrop, rounded, backbone.patchSize));
    if (rounded > resize.size) {
      notes.push(`preprocessing: resize size ${resize.size} is smaller than one patch; used ${rounded}`);
      resize.size = rounded;
    }
    centerCrop = rounded;
  }
  const side = centerCrop ?? resize.size;
  const normalize = steps.normalize === 'backbone' ? backbone.normalization : steps.normalize;
  const outputSize = { height: side, width: side };
  const { scale, resampling } = steps;
  const description = canonicalJson({ interpolation: INTERPOLATION[resampling], resize, centerCrop, scale, normalize, outputSize });
  return { resize, centerCrop, scale, normalize, resampling, outputSize, description, notes };
}

/** The steps a preprocessing config names (a preset, or a preset with steps overridden), before any backbone adjusts them. */
export function preprocessingSteps(config: PreprocessingConfig): PreprocessingSteps {
  if (typeof config === 'string') return { ...presetSteps(config, POINTER) };
  const { preset = 'study', ...overrides } = config;
  const merged: PreprocessingSteps = { ...presetSteps(preset, `${POINTER}/preset`) };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}

function presetSteps(name: string, pointer: string): PreprocessingSteps {
  const steps = (PREPROCESSING_PRESETS as Record<string, PreprocessingSteps>)[name];
  if (!steps) {
    throw new RadprobeError(`preprocessing: unknown preset "${name}" (known: ${Object.keys(PREPROCESSING_PRESETS).join(', ')})`, { pointer });
  }
  return steps;
}

function checkSide(value: number, pointer: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RadprobeError(`preprocessing: ${pointer} must be a positive integer, got ${JSON.stringify(value)}`, { pointer });
  }
}

/** Nearest multiple of the patch size, at least one patch; a backbone without patches (size 0) takes any side. */
function roundToPatch(side: number, patchSize: number): number {
  if (patchSize <= 0) return side;
  return Math.max(1, Math.round(side / patchSize)) * patchSize;
}

function roundingNote(what: string, from: number, to: number, patchSize: number): string {
  return `preprocessing: ${what} ${from} is not a multiple of the patch size ${patchSize}; used ${to}`;
}
