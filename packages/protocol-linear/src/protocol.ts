import {
  RadprobeError,
  carveValidation,
  classificationDiagnostics,
  classificationPrimaryMetric,
  classificationTestValues,
  computeBackend,
  resamplingGroups,
  testRowAcrossSeeds,
  type ClassificationDiagnostics,
  type MetricValue,
  type Protocol,
  type ProtocolContext,
  type ProtocolResult,
  type ResultRow,
} from '@radprobe/core';
import type { HeadSpec } from './head-grid.js';
import { linearOptionsSchema, resolveLinearOptions, type InputSetting, type LinearOptions, type ResolvedLinearOptions } from './options.js';
import { buildSamples, readInputTable, samplesOf, scoresOf, type InputTable } from './samples.js';
import { runLogregSeed, runSgdSeed, type SeedOutcome } from './selection.js';

type Setting = Record<string, string | number | boolean>;

/** The input settings the cache can serve; the others go to `skipped` with the reason. */
function runnableInputs(options: ResolvedLinearOptions, context: ProtocolContext, skipped: ProtocolResult['skipped']): InputSetting[] {
  const { features, backbone } = context;
  return options.inputs.filter((input) => {
    const setting = { blocks: input.blocks, avgpool: input.avgpool };
    if (input.blocks > features.clsBlocks) {
      skipped.push({ setting, reason: `needs the CLS tokens of the last ${input.blocks} blocks; ${backbone.description} exposes ${features.clsBlocks}` });
      return false;
    }
    if (input.avgpool && !backbone.hasPatchTokens) {
      skipped.push({ setting, reason: `needs the mean patch token; ${backbone.description} has no patch tokens` });
      return false;
    }
    return true;
  });
}

function headSetting(head: HeadSpec): Setting {
  return { blocks: head.setting.blocks, avgpool: head.setting.avgpool, lr: head.learningRate };
}

async function runLinear(options: ResolvedLinearOptions, context: ProtocolContext): Promise<ProtocolResult> {
  const { dataset } = context;
  const notes: string[] = [];
  const skipped: ProtocolResult['skipped'] = [];
  const inputs = runnableInputs(options, context, skipped);
  if (inputs.length === 0) throw new RadprobeError(`linear: no input setting can run on these features (${skipped.map((s) => s.reason).join('; ')})`);
  const table: InputTable = await readInputTable(context.features, inputs);
  const primary = classificationPrimaryMetric(dataset.task);
  const seeds = options.seeds ?? [context.seed];
  const hasVal = dataset.items.some((item) => item.split === 'val');
  const heads: HeadSpec[] = inputs.flatMap((setting) => options.learningRates.map((learningRate) => ({ setting, learningRate })));
  context.log(
    `${options.method === 'sgd' ? `${heads.length} linear heads` : `logistic regression over ${options.logregC.length} C values`} on ${table.rows} items of width ${table.width}, ${seeds.length} seed(s), on ${(await computeBackend()).name}`,
  );

  const valRows: ResultRow[] = [];
  const finalWarnings = new Set<string>();
  const choices: Setting[] = [];
  const testRuns: Array<Record<string, MetricValue>> = [];
  let classification: ClassificationDiagnostics | null = null;
  let volumes = 0;
  for (const seed of seeds) {
    const carved = hasVal ? null : carveValidation(dataset.items, options.valFraction, seed);
    if (carved) notes.push(carved.note);
    const samples = buildSamples(table, dataset, (item) => (carved ? carved.splits[item] : dataset.items[item].split));
    volumes = samples.volumes;
    for (const split of ['train', 'val', 'test'] as const) {
      if (samplesOf(samples, [split]).length === 0) throw new RadprobeError(`linear: dataset ${dataset.name} has no ${split.toUpperCase()} samples${split === 'val' && carved ? ' after carving' : ''}`);
    }
    const args = { dataset, samples, options, seed, context };
    let outcome: SeedOutcome<Setting>;
    let unconverged: { C: number[]; final: boolean } = { C: [], final: false };
    if (options.method === 'sgd') {
      const result = await runSgdSeed({ ...args, heads, table });
      outcome = { candidates: result.candidates.map((c) => ({ setting: headSetting(c.setting), value: c.value })), chosen: headSetting(result.chosen), testLogits: result.testLogits };
    } else {
      const result = await runLogregSeed(args);
      outcome = result;
      unconverged = { C: result.path.filter((fit) => !fit.converged).map((fit) => fit.C), final: !result.final.converged };
      notes.push(
        `seed ${seed}: Newton steps per C: ${result.path.map((fit) => fit.iterations).join(', ')}; refit at C = ${cText(result.final.C)}: ${result.final.iterations} (limit ${options.logregMaxIterations}).`,
      );
      const limited = [...unconverged.C.map((c) => `C = ${cText(c)} on TRAIN`), ...(unconverged.final ? [`the refit at C = ${cText(result.final.C)}`] : [])];
      if (limited.length) notes.push(`seed ${seed}: not converged, stopped on the iteration limit of ${newtonSteps(options.logregMaxIterations)}: ${limited.join(', ')}; their rows are marked (raise logregMaxIterations).`);
    }
    if (unconverged.final) finalWarnings.add(notConverged(options.logregMaxIterations));
    for (const candidate of outcome.candidates) {
      if (candidate.value === null) skipped.push({ setting: { ...candidate.setting, seed }, reason: 'diverged on TRAIN: non-finite VAL logits' });
      else {
        const warnings = 'C' in candidate.setting && unconverged.C.includes(candidate.setting.C as number) ? { warnings: [notConverged(options.logregMaxIterations)] } : {};
        valRows.push({ setting: { ...candidate.setting, seed }, split: 'val', metrics: { [primary]: { value: candidate.value } }, ...warnings });
      }
    }
    choices.push(outcome.chosen);
    const bootstrap = { ...context.bootstrap, seed };
    const testRows = samplesOf(samples, ['test']);
    const groups = resamplingGroups(testRows.map((s) => samples.representatives[s]));
    const testScores = scoresOf(dataset.task, samples, testRows, outcome.testLogits);
    testRuns.push(classificationTestValues(dataset, testScores, groups, bootstrap, notes));
    // The first seed's scores stand for the row's curves and confusion matrix (the metrics average the seeds).
    classification ??= classificationDiagnostics(dataset, testScores, groups, bootstrap);
  }

  const merged = testRowAcrossSeeds(seeds, testRuns, choices, Boolean(options.seeds));
  if (merged.note) notes.push(merged.note);
  const finalOn = options.finalTraining === 'train' ? 'TRAIN alone (VAL only chooses)' : 'TRAIN ∪ VAL';
  notes.push(
    options.method === 'sgd'
      ? `Linear probe: ${heads.length} heads trained together on TRAIN (SGD momentum 0.9, cosine to 0 per iteration, batch ${options.batchSize} capped at the TRAIN size, ${options.epochs} epochs, weights N(0, 0.01²)), the best by VAL ${primary} retrained fresh on ${finalOn} and reported on TEST. TEST never takes part in the choice.`
      : `Logistic regression: L2 (C · Σ loss + ½‖W‖², bias unpenalised), Newton–CG to the minimum (the C path warm-started, as upstream), on the last block's CLS token; C chosen by VAL ${primary} from ${options.logregC.length} values, refitted on ${finalOn} and reported on TEST.${dataset.task === 'multilabel' ? ' Multi-label: one-vs-rest.' : ''}`,
  );
  if (volumes > 0) notes.push(`3D: the linear inputs of a scan's slices are averaged into one sample (${volumes} scans); a scan is positive for a class when any of its slices is.`);
  const testRow: ResultRow = {
    setting: merged.setting,
    split: 'test',
    metrics: merged.metrics,
    ...(finalWarnings.size ? { warnings: [...finalWarnings] } : {}),
    ...(classification ? { classification } : {}),
  };
  return { primaryMetric: primary, rows: [testRow, ...valRows], notes, skipped };
}

/** A C of the path as the settings show it (four significant digits). */
const cText = (c: number) => String(Number(c.toPrecision(4)));

const newtonSteps = (count: number) => `${count} Newton step${count === 1 ? '' : 's'}`;

function notConverged(limit: number): string {
  return `not converged: the fit stopped on its iteration limit (${newtonSteps(limit)})`;
}

export const linearProtocol: Protocol<LinearOptions> = {
  kind: 'linear',
  title: 'Linear probe',
  titleFor: (options) => (options.method === 'logreg' ? 'Logistic regression' : 'Linear probe'),
  optionsSchema: linearOptionsSchema,
  tasks: ['multiclass', 'binary', 'multilabel'],
  featureNeeds(options, backbone) {
    const { inputs } = resolveLinearOptions(options);
    return {
      clsBlocks: Math.max(...inputs.map((input) => input.blocks)),
      patchMean: backbone.hasPatchTokens && inputs.some((input) => input.avgpool),
      patchBlocks: 0,
    };
  },
  async run(options, context) {
    return runLinear(resolveLinearOptions(options), context);
  },
};
