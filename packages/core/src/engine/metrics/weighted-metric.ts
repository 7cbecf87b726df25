/**
 * A metric that can be evaluated with each test item counted a given number of times. The bootstrap resamples by
 * weights (how often each item was drawn) instead of by copying data, so a metric prepares whatever is expensive
 * (sorting, argmax) once and each resample costs one pass.
 */
export interface WeightedMetric {
  /**
   * The metric with item `i` counted `weights[i]` times (every item once when `weights` is null); null where it is
   * undefined under those weights (e.g. AUROC of a class whose positives were all left out).
   */
  evaluate(weights: Float64Array | null): number | null;
  /** Why `evaluate(weights)` is null, for a reader (`no positives of Effusion`); asked only when it is. */
  undefinedReason?(weights: Float64Array): string;
}

/** A macro average over classes, with the per-class values and the classes it had to leave out. */
export interface ClassAveragedMetric extends WeightedMetric {
  perClass: Record<string, number | null>;
  excludedClasses: Array<{ name: string; reason: string }>;
}
