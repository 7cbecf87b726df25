// What a TEST row's diagnostics (ResultRow.classification: per-class curves with AUROC intervals; for single-label
// tasks the confusion matrix and per-class sensitivity/specificity/PPV intervals) add to the row's own metrics with
// their intervals, measured in the same run on random scores: a multi-label set of NIH's 14 classes and a 3-class
// set, 1,000 bootstrap resamples by patient. Run `npm run build` first, then `node bench/diagnostics.mjs [--items N]`.
import { Random, classificationDiagnostics, classificationTestValues, resamplingGroups } from '@radprobe/core';
import { measure } from './measure.mjs';

const itemsArg = process.argv.indexOf('--items');
const ITEMS = itemsArg > 0 ? Number(process.argv[itemsArg + 1]) : 5_000;
const bootstrap = { samples: 1_000, confidence: 0.95, seed: 0 };
const random = new Random(1);
// Two images per patient on average, as resampling by patient makes the groups matter.
const groups = resamplingGroups(Array.from({ length: ITEMS }, (_, i) => ({ id: `i${i}`, split: 'test', label: 0, source: `s${i}`, patient: `p${i >> 1}` })));

function scenario(name, dataset, outputs, truth) {
  const logits = Float32Array.from({ length: ITEMS * outputs }, () => random.normal());
  return { name, dataset, scores: { outputs, logits, truth } };
}

const classes14 = Array.from({ length: 14 }, (_, c) => `class${c}`);
const scenarios = [
  scenario('multi-label, 14 classes', { task: 'multilabel', classes: classes14 }, 14, { targets: Uint8Array.from({ length: ITEMS * 14 }, () => (random.next() < 0.1 ? 1 : 0)) }),
  scenario('multiclass, 3 classes', { task: 'multiclass', classes: ['a', 'b', 'c'] }, 3, { labels: Int32Array.from({ length: ITEMS }, () => Math.floor(random.next() * 3)) }),
];

console.log(`${ITEMS} TEST items, ${bootstrap.samples} resamples by patient`);
for (const { name, dataset, scores } of scenarios) {
  const metrics = await measure(`${name}: metrics with intervals (baseline)`, async () => classificationTestValues(dataset, scores, groups, bootstrap, []));
  const diagnostics = await measure(`${name}: diagnostics`, async () => classificationDiagnostics(dataset, scores, groups, bootstrap));
  console.log(`${name}: diagnostics / metrics = ${(diagnostics.seconds / metrics.seconds).toFixed(2)}; the row's JSON grows by ${(JSON.stringify(diagnostics.result).length / 1024).toFixed(0)} KiB`);
}
