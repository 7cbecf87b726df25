import type { DatasetItem } from '../../contracts/dataset.js';
import type { ConfidenceInterval, MetricValue } from '../../contracts/results.js';
import { RadprobeError } from '../util/errors.js';
import { Random } from '../util/random.js';
import type { ClassAveragedMetric, WeightedMetric } from './weighted-metric.js';

/** Which items are resampled together, as dense group ids `0..count-1` per item. */
export interface ResamplingGroups {
  /** Group id of each item, in item order. */
  groups: Int32Array;
  count: number;
  unit: ConfidenceInterval['unit'];
}

/** How many resamples, at which confidence, from which seed. */
export interface BootstrapOptions {
  samples: number;
  confidence: number;
  seed: number;
}

export interface BootstrapResult {
  /** Null when every resample was skipped. */
  ci: ConfidenceInterval | null;
  /** Resamples under which the metric was undefined (e.g. a class lost all its positives), left out of the interval. */
  skipped: number;
  /** Why they were, most frequent first: `no positives of Effusion (441)`; empty when none was skipped. */
  skipReasons: string[];
}

/**
 * The share of resamples that must define the metric for its interval to describe the metric's uncertainty; below
 * it, the interval comes from the resamples that happened to keep every class, and is marked unreliable.
 */
export const RELIABLE_RESAMPLE_SHARE = 0.9;

/**
 * Groups for the bootstrap: by patient where any item names one, else by volume where any names one, else each
 * item alone. An item lacking the chosen key falls back to its volume, then to itself, so it is never merged
 * with unrelated items.
 */
export function resamplingGroups(items: readonly DatasetItem[]): ResamplingGroups {
  const unit: ConfidenceInterval['unit'] = items.some((item) => item.patient !== undefined)
    ? 'patient'
    : items.some((item) => item.volume !== undefined)
      ? 'volume'
      : 'item';
  const ids = new Map<string, number>();
  const groups = new Int32Array(items.length);
  items.forEach((item, i) => {
    const key =
      unit === 'patient' && item.patient !== undefined
        ? `patient:${item.patient}`
        : unit !== 'item' && item.volume !== undefined
          ? `volume:${item.volume}`
          : `item:${i}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    groups[i] = id;
  });
  return { groups, count: ids.size, unit };
}

function checkOptions(options: BootstrapOptions): void {
  if (!Number.isInteger(options.samples) || options.samples < 1) {
    throw new RadprobeError(`bootstrap samples must be a positive integer, got ${options.samples}`, { pointer: '/bootstrap/samples' });
  }
  if (!(options.confidence > 0 && options.confidence < 1)) {
    throw new RadprobeError(`bootstrap confidence must lie strictly between 0 and 1, got ${options.confidence}`, { pointer: '/bootstrap/confidence' });
  }
}

/** Linear-interpolation quantile of ascending `sorted` (numpy's default, "type 7"). */
function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/**
 * Percentile bootstrap interval of a metric. Each resample draws `groups.count` groups with replacement (seeded,
 * so the same seed gives the same interval) and weights every item by how often its group was drawn, so a
 * patient's items always enter a resample together. The interval is the `(1 − confidence)/2` and
 * `(1 + confidence)/2` quantiles of the defined resample values.
 */
export function bootstrapInterval(metric: WeightedMetric, groups: ResamplingGroups, options: BootstrapOptions): BootstrapResult {
  checkOptions(options);
  if (groups.count === 0) throw new RadprobeError('bootstrap: no items to resample');
  const random = new Random(options.seed);
  const draws = new Float64Array(groups.count);
  const weights = new Float64Array(groups.groups.length);
  const values = new Float64Array(options.samples);
  let defined = 0;
  const reasons = new Map<string, number>();
  for (let s = 0; s < options.samples; s++) {
    draws.fill(0);
    for (let g = 0; g < groups.count; g++) draws[random.int(groups.count)]++;
    for (let i = 0; i < weights.length; i++) weights[i] = draws[groups.groups[i]];
    const value = metric.evaluate(weights);
    if (value !== null) {
      values[defined++] = value;
      continue;
    }
    const reason = metric.undefinedReason?.(weights) ?? 'metric undefined';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const skipped = options.samples - defined;
  const skipReasons = [...reasons].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([reason, count]) => `${reason} (${count})`);
  if (defined === 0) return { ci: null, skipped, skipReasons };
  const sorted = values.subarray(0, defined).sort();
  const tail = (1 - options.confidence) / 2;
  const ci: ConfidenceInterval = {
    low: quantile(sorted, tail),
    high: quantile(sorted, 1 - tail),
    confidence: options.confidence,
    samples: options.samples,
    unit: groups.unit,
    defined,
  };
  if (defined < RELIABLE_RESAMPLE_SHARE * options.samples) {
    ci.unreliable = `built from ${defined} of ${options.samples} resamples; the others had ${skipReasons.join(', ')}`;
  }
  return { ci, skipped, skipReasons };
}

/**
 * A metric's value on all items with its bootstrap interval, and, for class averages, the per-class values and
 * excluded classes: what a protocol puts in a result row, and, when resamples were left out, a note saying how many
 * and why. Throws when the metric is undefined on all items.
 */
export function metricValue(
  metric: WeightedMetric | ClassAveragedMetric,
  groups: ResamplingGroups,
  options: BootstrapOptions,
): { value: MetricValue; skipped: number; skippedNote: string | null } {
  const point = metric.evaluate(null);
  if (point === null) throw new RadprobeError('metric is undefined on these items (e.g. a single class present)');
  const { ci, skipped, skipReasons } = bootstrapInterval(metric, groups, options);
  const value: MetricValue = { value: point };
  if (ci !== null) value.ci = ci;
  if ('perClass' in metric) {
    value.perClass = metric.perClass;
    value.excludedClasses = metric.excludedClasses;
  }
  const skippedNote = skipped > 0 ? `${skipped} of ${options.samples} bootstrap resamples left out of the interval: ${skipReasons.join(', ')}${value.ci?.unreliable ? '; the interval is unreliable' : ''}.` : null;
  return { value, skipped, skippedNote };
}
