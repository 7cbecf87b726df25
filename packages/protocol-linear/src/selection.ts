import { RadprobeError, classificationValidationValue, type DatasetView, type ProtocolContext } from '@radprobe/core';
import { trainHeadGrid, type HeadSpec } from './head-grid.js';
import { fitLogistic, fitLogisticPath, logisticLogits, type LogisticModel, type LogisticProblem } from './logreg.js';
import { finalTrainingSplits, type ResolvedLinearOptions } from './options.js';
import { samplesOf, scoresOf, type Samples } from './samples.js';

/** A candidate's VAL metric (null: its logits were not finite). */
export interface Candidate<Setting> {
  setting: Setting;
  value: number | null;
}

/** The outcome of one seed: every candidate on VAL, the chosen one, and its TEST logits after the refit. */
export interface SeedOutcome<Setting> {
  candidates: Array<Candidate<Setting>>;
  chosen: Setting;
  testLogits: Float32Array;
}

/** The best candidate on VAL, the first in grid order among equals. */
function choose<Setting>(candidates: Array<Candidate<Setting>>, what: string): Setting {
  let best: Candidate<Setting> | null = null;
  for (const candidate of candidates) if (candidate.value !== null && (best === null || candidate.value > best.value!)) best = candidate;
  if (!best) throw new RadprobeError(`linear: every ${what} produced non-finite VAL logits (diverged)`);
  return best.setting;
}

interface SeedArgs {
  dataset: DatasetView;
  samples: Samples;
  options: ResolvedLinearOptions;
  seed: number;
  context: ProtocolContext;
}

/**
 * The SGD grid for one seed: every head trained together on TRAIN, scored on VAL, the best chosen; then one fresh
 * head with its settings trained on TRAIN ∪ VAL (or TRAIN alone, `finalTraining`) and scored on TEST. TEST samples are read only after the choice.
 */
export async function runSgdSeed(args: SeedArgs & { heads: HeadSpec[]; table: Parameters<typeof trainHeadGrid>[0]['table'] }): Promise<SeedOutcome<HeadSpec>> {
  const { dataset, samples, options, seed, context, heads, table } = args;
  const train = samplesOf(samples, ['train']);
  const val = samplesOf(samples, ['val']);
  const common = { samples, table, multiclass: dataset.task === 'multiclass', epochs: options.epochs, batchSize: options.batchSize, seed, signal: context.signal, workers: context.trainingWorkers };
  const progress = (label: string) => (epoch: number, epochs: number) => context.progress({ label, done: epoch, total: epochs });
  const grid = await trainHeadGrid({ ...common, train, heads, onEpoch: progress(`grid epochs (seed ${seed}, ${heads.length} heads)`) });
  let valLogits: Float32Array[];
  try {
    valLogits = await grid.logits(val);
  } finally {
    grid.dispose();
  }
  const candidates = heads.map((setting, h) => ({ setting, value: classificationValidationValue(dataset, scoresOf(dataset.task, samples, val, valLogits[h])) }));
  const chosen = choose(candidates, 'head');
  const final = await trainHeadGrid({ ...common, train: samplesOf(samples, finalTrainingSplits(options)), heads: [chosen], onEpoch: progress(`refit epochs (seed ${seed})`) });
  try {
    const [testLogits] = await final.logits(samplesOf(samples, ['test']));
    return { candidates, chosen, testLogits };
  } finally {
    final.dispose();
  }
}

function problemOf(dataset: DatasetView, samples: Samples, rows: readonly number[]): LogisticProblem {
  const { width, outputs } = samples;
  const x = new Float32Array(rows.length * width);
  rows.forEach((s, r) => x.set(samples.data.subarray(s * width, (s + 1) * width), r * width));
  if (dataset.task === 'multiclass') return { x, rows: rows.length, dim: width, outputs, link: 'softmax', labels: Int32Array.from(rows, (s) => samples.labels[s]) };
  const targets = new Float32Array(rows.length * outputs);
  rows.forEach((s, r) => targets.set(samples.targets.subarray(s * outputs, (s + 1) * outputs), r * outputs));
  return { x, rows: rows.length, dim: width, outputs, link: 'sigmoid', targets };
}

/** How the fit of one C went: Newton steps, and whether it stopped on the iteration limit (not converged). */
export interface LogregFit {
  C: number;
  iterations: number;
  converged: boolean;
}

/**
 * Logistic regression for one seed: the C path fitted on TRAIN (each C warm-started from the previous one), each C
 * scored on VAL; the best C refitted from zero on TRAIN ∪ VAL (or TRAIN alone) and scored on TEST. Newton–CG is
 * deterministic, so the seed only moves a carved VAL.
 */
export async function runLogregSeed(args: SeedArgs): Promise<SeedOutcome<{ C: number }> & { path: LogregFit[]; final: LogregFit }> {
  const { dataset, samples, options, context } = args;
  const train = problemOf(dataset, samples, samplesOf(samples, ['train']));
  const valRows = samplesOf(samples, ['val']);
  const valX = problemOf(dataset, samples, valRows).x;
  const fitOf = (c: number, model: LogisticModel): LogregFit => ({ C: c, iterations: model.fit.iterations, converged: model.fit.stop !== 'iterations' });
  const models = await fitLogisticPath(train, options.logregC, options.logregMaxIterations, (i) => {
    context.signal.throwIfAborted();
    context.progress({ label: `C values fitted (seed ${args.seed})`, done: i + 1, total: options.logregC.length });
  });
  const candidates: Array<Candidate<{ C: number }>> = models.map((model, i) => ({
    setting: { C: options.logregC[i] },
    value: classificationValidationValue(dataset, scoresOf(dataset.task, samples, valRows, logisticLogits(model, valX, valRows.length))),
  }));
  const chosen = choose(candidates, 'C');
  const final = await fitLogistic(problemOf(dataset, samples, samplesOf(samples, finalTrainingSplits(options))), chosen.C, options.logregMaxIterations);
  const testRows = samplesOf(samples, ['test']);
  return {
    candidates,
    chosen,
    path: models.map((model, i) => fitOf(options.logregC[i], model)),
    final: fitOf(chosen.C, final),
    testLogits: logisticLogits(final, problemOf(dataset, samples, testRows).x, testRows.length),
  };
}
