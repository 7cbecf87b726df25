import type { MetricValue } from '../../contracts/index.js';

/**
 * One metric over several seeds' runs: `value` is the mean, `seeds` every value with the sample std and each
 * seed's interval, per-class values are means (null where any seed's is). A single seed keeps its interval.
 */
export function acrossSeeds(seeds: readonly number[], runs: ReadonlyArray<MetricValue>): MetricValue {
  const values = runs.map((run) => run.value);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  const merged: MetricValue = { value: mean, seeds: { seeds: [...seeds], values, mean, std, intervals: runs.map((run) => run.ci ?? null) } };
  if (runs.length === 1 && runs[0].ci) merged.ci = runs[0].ci;
  const first = runs[0];
  if (first.perClass) {
    merged.perClass = Object.fromEntries(
      Object.keys(first.perClass).map((name) => {
        const perSeed = runs.map((run) => run.perClass?.[name] ?? null);
        return [name, perSeed.includes(null) ? null : (perSeed as number[]).reduce((a, b) => a + b, 0) / perSeed.length];
      }),
    );
    merged.excludedClasses = first.excludedClasses;
  }
  return merged;
}

/**
 * The setting a TEST row reports for several seeds' selections: each key's value where the seeds agree, else the
 * per-seed values joined in seed order; marked `selected`.
 */
export function selectedAcrossSeeds(choices: ReadonlyArray<Record<string, string | number | boolean>>): Record<string, string | number | boolean> {
  const merged: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(choices[0])) {
    const values = choices.map((choice) => choice[key]);
    merged[key] = values.every((v) => v === values[0]) ? values[0] : values.join(' | ');
  }
  return { ...merged, selected: true };
}
