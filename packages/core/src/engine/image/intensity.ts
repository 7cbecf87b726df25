import type { JsonSchema } from '../../contracts/json-schema.js';
import type { RawImage } from '../../contracts/dataset.js';
import { RadprobeError } from '../util/errors.js';

/** Values outside `[low, high]` are clamped to the nearer bound (CT: Hounsfield units). */
export interface IntensityWindow {
  low: number;
  high: number;
}

export type CtWindowPreset = 'study' | 'lung' | 'abdomen' | 'bone' | 'brain';

/**
 * Common CT windows. Level/width presets become `[level − width/2, level + width/2]` (the radiology convention;
 * DICOM's own VOI formula shifts the bounds by half a unit, which does not matter for a clamp).
 */
export const CT_WINDOW_PRESETS: Readonly<Record<CtWindowPreset, IntensityWindow>> = {
  /** The study's clamp for BTCV and AMOS. */
  study: { low: -1024, high: 600 },
  /** W1500 / L−600. */
  lung: windowFromLevel(-600, 1500),
  /** W400 / L40. */
  abdomen: windowFromLevel(40, 400),
  /** W1800 / L400. */
  bone: windowFromLevel(400, 1800),
  /** W80 / L40. */
  brain: windowFromLevel(40, 80),
};

/** `[level − width/2, level + width/2]`. */
export function windowFromLevel(level: number, width: number): IntensityWindow {
  return { low: level - width / 2, high: level + width / 2 };
}

/**
 * Per-image percentile clipping of MRI. `clamp`: values below `p_low` become `p_low`, above `p_high` become
 * `p_high`. `zero-low`: the Brain Tumor study's code as written: values above `p_high` become `p_high` and values
 * at or below `p_low` become 0.
 */
export interface PercentileClip {
  low: number;
  high: number;
  mode: 'clamp' | 'zero-low';
}

/** A loader's `window` option: a preset, explicit bounds, a level/width pair, or `none`. */
export type WindowOption = CtWindowPreset | 'none' | IntensityWindow | { level: number; width: number };
/** A loader's `clip` option: `none`, or percentiles (mode defaults to `clamp`). */
export type ClipOption = 'none' | { low: number; high: number; mode?: PercentileClip['mode'] };

/** The intensity steps a loader applies in `open`, in order: the window, then the percentile clip. */
export interface IntensitySteps {
  window: IntensityWindow | null;
  clip: PercentileClip | null;
}

/**
 * Window bounds are in the modality's units: HU span −1024…3071, MR and PET values stay far below a million, so a
 * bound beyond it is a typo.
 */
const intensity: JsonSchema = { type: 'number', minimum: -1e6, maximum: 1e6 };

export const windowOptionSchema: JsonSchema = {
  description: 'CT window: a preset (study = [-1024, 600] HU, lung, abdomen, bone, brain), {low, high}, {level, width}, or "none".',
  anyOf: [
    { enum: ['none', ...Object.keys(CT_WINDOW_PRESETS)] },
    { type: 'object', properties: { low: intensity, high: intensity }, required: ['low', 'high'], additionalProperties: false },
    {
      type: 'object',
      properties: { level: intensity, width: { type: 'number', exclusiveMinimum: 0, maximum: 2e6 } },
      required: ['level', 'width'],
      additionalProperties: false,
    },
  ],
};

export const clipOptionSchema: JsonSchema = {
  description: 'Per-slice percentile clip: "none" or {low, high, mode}; mode clamp = [p_low, p_high], zero-low = > p_high → p_high, ≤ p_low → 0.',
  anyOf: [
    { enum: ['none'] },
    {
      type: 'object',
      properties: {
        low: { type: 'number', minimum: 0, maximum: 100 },
        high: { type: 'number', minimum: 0, maximum: 100 },
        mode: { enum: ['clamp', 'zero-low'], default: 'clamp' },
      },
      required: ['low', 'high'],
      additionalProperties: false,
    },
  ],
};

/** The window an option stands for (null for `none`); bad bounds raise an error naming `pointer`. */
export function resolveWindow(option: WindowOption, pointer: string): IntensityWindow | null {
  if (option === 'none') return null;
  if (typeof option === 'string') {
    const preset = CT_WINDOW_PRESETS[option];
    if (!preset) throw new RadprobeError(`${pointer}: unknown window preset "${option}" (${Object.keys(CT_WINDOW_PRESETS).join(', ')}, none)`, { pointer });
    return preset;
  }
  const window = 'level' in option ? windowFromLevel(option.level, option.width) : { low: option.low, high: option.high };
  if (!(window.low < window.high)) throw new RadprobeError(`${pointer}: window low ${window.low} must be below high ${window.high}`, { pointer });
  return window;
}

/** The percentile clip an option stands for (null for `none`). */
export function resolveClip(option: ClipOption, pointer: string): PercentileClip | null {
  if (option === 'none') return null;
  const { low, high } = option;
  if (!(low >= 0 && high <= 100 && low < high)) {
    throw new RadprobeError(`${pointer}: percentiles must satisfy 0 ≤ low < high ≤ 100 (got ${low}, ${high})`, { pointer });
  }
  return { low, high, mode: option.mode ?? 'clamp' };
}

/**
 * Percentiles of `values` with linear interpolation between order statistics (NumPy's default, "linear", type 7
 * of Hyndman & Fan): for `n` values sorted ascending `x[0..n−1]` and `p` in [0, 100], `h = (n − 1)·p/100` and the
 * result is `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`. NaN values are left out; with none left the result is NaN.
 */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  let n = sorted.length;
  while (n > 0 && Number.isNaN(sorted[n - 1])) n--;
  return ps.map((p) => {
    if (!(p >= 0 && p <= 100)) throw new RadprobeError(`percentile ${p} is outside [0, 100]`);
    if (n === 0) return Number.NaN;
    const h = ((n - 1) * p) / 100;
    const below = Math.floor(h);
    const above = Math.min(below + 1, n - 1);
    return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
  });
}

/** Clamps every value into the window, in place. */
export function applyWindow(data: Float32Array, window: IntensityWindow): void {
  const { low, high } = window;
  for (let at = 0; at < data.length; at++) {
    const value = data[at];
    data[at] = value < low ? low : value > high ? high : value;
  }
}

/** Clips `data` at its own percentiles, in place; returns the bounds `[p_low, p_high]` it used. */
export function applyPercentileClip(data: Float32Array, clip: PercentileClip): IntensityWindow {
  const [low, high] = percentiles(data, [clip.low, clip.high]);
  for (let at = 0; at < data.length; at++) {
    const value = data[at];
    if (value > high) data[at] = high;
    else if (clip.mode === 'zero-low' ? value <= low : value < low) data[at] = clip.mode === 'zero-low' ? 0 : low;
  }
  return { low, high };
}

/**
 * Applies the steps to a decoded image and sets its nominal range to what the values can now span: the window,
 * then the clip's percentile bounds (widened to include 0 for `zero-low`). Float samples are changed in place;
 * integer samples (which cannot hold a clipped bound in between) are first copied to floats.
 */
export function applyIntensitySteps(image: RawImage, steps: IntensitySteps): RawImage {
  if (!steps.window && !steps.clip) return image;
  const data = image.data instanceof Float32Array ? image.data : Float32Array.from(image.data);
  let range = image.range;
  if (steps.window) {
    applyWindow(data, steps.window);
    range = { min: steps.window.low, max: steps.window.high };
  }
  if (steps.clip) {
    const bounds = applyPercentileClip(data, steps.clip);
    range = steps.clip.mode === 'zero-low' ? { min: Math.min(0, bounds.low), max: Math.max(0, bounds.high) } : { min: bounds.low, max: bounds.high };
  }
  return { ...image, data, range };
}

/** Stable text of the steps for cache keys: a changed window or clip gives a different key. */
export function describeIntensitySteps(steps: IntensitySteps): string {
  const window = steps.window ? `window[${steps.window.low},${steps.window.high}]` : 'window:none';
  const clip = steps.clip ? `clip-${steps.clip.mode}[p${steps.clip.low},p${steps.clip.high}]` : 'clip:none';
  return `${window};${clip}`;
}
