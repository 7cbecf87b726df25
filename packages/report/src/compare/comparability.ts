import { RadprobeError, errorMessage, type DatasetSummary, type PreprocessingConfig } from '@radprobe/core';
import { preprocessingSteps } from '@radprobe/core/engine';
import type { Difference } from './differences.js';
import type { LoadedRun } from './load-runs.js';

/** Facts of a dataset that two runs must share for their numbers on it to be compared. */
function datasetFacts(run: LoadedRun, dataset: DatasetSummary): Array<[field: string, value: string]> {
  const steps = runPreprocessing(run);
  const facts: Array<[string, string]> = [
    ['task', dataset.task],
    ['classes', JSON.stringify(dataset.classes)],
    ['counts.train', String(dataset.counts.train)],
    ['counts.val', String(dataset.counts.val)],
    ['counts.test', String(dataset.counts.test)],
    ['patients', String(dataset.patients)],
    ['image size', String(steps.centerCrop ?? steps.resize.size)],
    ['preprocessing.resize', `${steps.resize.mode} ${steps.resize.size}`],
    ['preprocessing.centerCrop', String(steps.centerCrop)],
    ['preprocessing.scale', steps.scale],
    ['preprocessing.resampling', steps.resampling],
    ['preprocessing.normalize', typeof steps.normalize === 'string' ? steps.normalize : JSON.stringify(steps.normalize)],
  ];
  if (dataset.splitHash !== undefined) facts.push(['splitHash', dataset.splitHash]);
  return facts;
}

function runPreprocessing(run: LoadedRun): ReturnType<typeof preprocessingSteps> {
  try {
    return preprocessingSteps(run.results.config.preprocessing as PreprocessingConfig);
  } catch (error) {
    throw new RadprobeError(`${run.dir}/results.json /config/preprocessing: ${errorMessage(error)}`, { pointer: '/config/preprocessing' });
  }
}

/**
 * What makes the runs' numbers on a dataset incomparable: each run that has a dataset is checked against the first
 * run that has a dataset of that name (splits: task, classes, item counts per split, patients and, where both runs
 * recorded it, the split fingerprint; image size and preprocessing steps).
 */
export function datasetDifferences(runs: readonly LoadedRun[]): Difference[] {
  const first = new Map<string, { run: LoadedRun; dataset: DatasetSummary }>();
  const differences: Difference[] = [];
  for (const run of runs) {
    for (const dataset of run.results.datasets) {
      const reference = first.get(dataset.name);
      if (!reference) {
        first.set(dataset.name, { run, dataset });
        continue;
      }
      const theirs = new Map(datasetFacts(reference.run, reference.dataset));
      for (const [field, value] of datasetFacts(run, dataset)) {
        // A run written before split fingerprints existed has none to compare.
        const before = theirs.get(field);
        if (before === undefined || before === value) continue;
        differences.push({ subject: `dataset "${dataset.name}"`, field, first: { run: reference.run.dir, value: before }, second: { run: run.dir, value } });
      }
    }
  }
  return differences;
}
