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

type Setting = Record<string, string | number | boolean>;

/**
 * The TEST row of a protocol run once per seed, each seed choosing its setting on VAL: every metric over the seeds
 * (`acrossSeeds` when `spread`, else the single run's), the setting with each key's value where the seeds agree
 * and the per-seed values joined in seed order where they do not (marked `selected`), and a note naming each
 * seed's choice when they differ.
 */
export function testRowAcrossSeeds(
  seeds: readonly number[],
  runs: ReadonlyArray<Record<string, MetricValue>>,
  choices: readonly Setting[],
  spread: boolean,
): { setting: Setting; metrics: Record<string, MetricValue>; note: string | null } {
  const metrics: Record<string, MetricValue> = {};
  for (const name of Object.keys(runs[0])) {
    const perSeed = runs.map((run) => run[name]);
    metrics[name] = spread ? acrossSeeds(seeds, perSeed) : perSeed[0];
  }
  const setting: Setting = {};
  for (const key of Object.keys(choices[0])) {
    const values = choices.map((choice) => choice[key]);
    setting[key] = values.every((v) => v === values[0]) ? values[0] : values.join(' | ');
  }
  const differ = new Set(choices.map((choice) => JSON.stringify(choice))).size > 1;
  const note = differ ? `Seeds chose different settings on VAL: ${seeds.map((seed, i) => `seed ${seed}: ${JSON.stringify(choices[i])}`).join('; ')}.` : null;
  return { setting: { ...setting, selected: true }, metrics, note };
}
