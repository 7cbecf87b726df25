import {
  RadprobeError,
  Random,
  acrossSeeds,
  formatSetting,
  type DatasetView,
  type MetricValue,
  type Protocol,
  type ProtocolContext,
  type ProtocolResult,
  type ResultRow,
} from '@radprobe/core';
import { innerProtocol, type InnerProtocol } from './inner-protocol.js';
import { fewshotOptionsSchema, resolveFewshotOptions, type FewshotOptions, type ResolvedFewshotOptions, type Shots } from './options.js';
import { imageSubset, patientSubset, perClassSubset, type ShotSubset } from './subsets.js';

type Setting = ResultRow['setting'];
type Unit = Exclude<ResolvedFewshotOptions['unit'], 'auto'>;

/** Each unit's rule: the TRAIN items of one try (a seeded draw when `random`). */
const SUBSET_RULES: Record<Unit, typeof imageSubset> = { patient: patientSubset, image: imageSubset, 'per-class': perClassSubset };

/** What a shots value counts under each unit, for notes and logs. */
const UNIT_MEANING: Record<Unit, string> = { patient: 'patients per class', image: 'images in total', 'per-class': 'images per class' };

const RULE_NOTES: Record<Unit, string> = {
  patient:
    "shots = patients per class: a patient's label set is the intersection of their TRAIN images' labels; per class in order the first patients (sorted ids) holding it, skipping those taken; all their TRAIN images",
  image: 'shots = TRAIN images in total, evenly spaced over TRAIN sorted by id (round(arange(0, N, N/shots)))',
  'per-class':
    "shots = TRAIN images per class (upstream DINOv2's few-shot rule): per class, its TRAIN images sorted by id, evenly spaced (round(arange(0, N, N/shots))); all of a class with fewer",
};

/** `auto`: patients per class where the study used them (multi-label data whose TRAIN items all name a patient). */
function resolveUnit(requested: ResolvedFewshotOptions['unit'], dataset: DatasetView, train: readonly number[]): Unit {
  const withPatients = train.every((index) => dataset.items[index].patient !== undefined);
  if (requested === 'auto') return dataset.task === 'multilabel' && withPatients ? 'patient' : 'image';
  if (requested === 'patient' && dataset.task === 'segmentation') {
    throw new RadprobeError(`few-shot option unit = "patient" needs class labels per image; dataset ${dataset.name} is a segmentation set (use "image")`, { pointer: '/unit' });
  }
  if (requested === 'patient' && !withPatients) {
    throw new RadprobeError(`few-shot option unit = "patient": dataset ${dataset.name} has TRAIN items without a patient`, { pointer: '/unit' });
  }
  if (requested === 'per-class' && (dataset.task === 'multilabel' || dataset.task === 'segmentation')) {
    throw new RadprobeError(`few-shot option unit = "per-class" needs one class per image; dataset ${dataset.name} is a ${dataset.task} set (use "patient" or "image")`, { pointer: '/unit' });
  }
  return requested;
}

/** The same context with another seed, also for the contexts it restricts to. */
function withSeed(context: ProtocolContext, seed: number): ProtocolContext {
  return { ...context, seed, restrict: (items) => withSeed(context.restrict(items), seed) };
}

/**
 * The rows of an inner result that few-shot reports: the TEST rows chosen on VAL where the protocol marks them
 * (`selected`), keyed by the fields that tell them apart (`keys`: seg's decoder), else every TEST row (kNN's one
 * per k), keyed by its whole setting.
 */
function reportedRows(result: ProtocolResult, keys: readonly string[]): Array<{ key: Setting; row: ResultRow }> {
  const test = result.rows.filter((row) => row.split === 'test');
  const chosen = test.filter((row) => row.setting.selected === true);
  const pick = (setting: Setting): Setting => Object.fromEntries(keys.flatMap((key) => (key in setting ? [[key, setting[key]]] : [])));
  return chosen.length ? chosen.map((row) => ({ key: pick(row.setting), row })) : test.map((row) => ({ key: row.setting, row }));
}

/** The TRAIN items of one try: the whole split for "all", else the unit's rule (seeded draw when `random`). */
function subsetFor(shots: Shots, unit: Unit, dataset: DatasetView, train: readonly number[], random: Random | null): ShotSubset {
  if (shots !== 'all') return SUBSET_RULES[unit](dataset, train, shots, random);
  const taken = unit === 'patient' ? new Set(train.map((index) => dataset.items[index].patient)).size : train.length;
  return { items: [...train], taken, shortfalls: [] };
}

interface Try {
  seed: number;
  subset: ShotSubset;
  result: ProtocolResult;
}

function describeTry(unit: Unit, attempt: Try): string {
  const { subset, result } = attempt;
  const chosen = result.rows.filter((row) => row.split === 'test' && row.setting.selected === true);
  const images = `${subset.items.length} image${subset.items.length === 1 ? '' : 's'}`;
  const size = unit === 'patient' ? `${subset.taken} patient${subset.taken === 1 ? '' : 's'}, ${images}` : images;
  const short = subset.shortfalls.map((s) => `${s.className} ${s.found}`).join(', ');
  const setting = chosen.map((row) => formatSetting(Object.fromEntries(Object.entries(row.setting).filter(([key]) => key !== 'selected')))).join(' and ');
  const shortOf = unit === 'patient' ? 'patients' : 'images';
  return `seed ${attempt.seed}: ${size}${short ? ` (fewer ${shortOf} than shots for: ${short})` : ''}${setting ? `, chose ${setting}` : ''}`;
}

/** One row per reported inner setting: every metric all tries have, as mean ± std over tries; the first try's curves. */
function mergeTries(shots: Shots, unit: Unit, tries: Try[], keys: readonly string[]): ResultRow[] {
  const perTry = tries.map((attempt) => reportedRows(attempt.result, keys));
  return perTry[0].map(({ key }) => {
    const rows = perTry.map((entries, t) => {
      const match = entries.find((entry) => JSON.stringify(entry.key) === JSON.stringify(key));
      if (!match) throw new RadprobeError(`few-shot: try with seed ${tries[t].seed} reported no TEST row for ${formatSetting(key)}`);
      return match.row;
    });
    const names = Object.keys(rows[0].metrics).filter((name) => rows.every((row) => row.metrics[name]));
    const seeds = tries.map((attempt) => attempt.seed);
    const metrics: Record<string, MetricValue> = Object.fromEntries(names.map((name) => [name, acrossSeeds(seeds, rows.map((row) => row.metrics[name]))]));
    // The curves and confusion matrix are the first try's (the metrics average the tries).
    const classification = rows[0].classification;
    return { setting: { shots, unit, ...key }, split: 'test' as const, metrics, ...(classification ? { classification } : {}) };
  });
}

async function runFewshot(options: ResolvedFewshotOptions, context: ProtocolContext): Promise<ProtocolResult> {
  const { dataset } = context;
  const inner: InnerProtocol = innerProtocol(options.protocol, (kind) => context.protocol(kind));
  if (!inner.protocol.tasks.includes(dataset.task)) throw new RadprobeError(`few-shot: ${inner.protocol.title} does not evaluate ${dataset.task} tasks`, { pointer: '/protocol/kind' });
  const indicesOf = (split: string) => dataset.items.flatMap((item, index) => (item.split === split ? [index] : []));
  const [train, val, test] = [indicesOf('train'), indicesOf('val'), indicesOf('test')];
  if (train.length === 0 || test.length === 0) throw new RadprobeError(`few-shot: dataset ${dataset.name} needs TRAIN and TEST items, has ${train.length} and ${test.length}`);
  if (inner.valUse === 'choose' && val.length === 0) {
    throw new RadprobeError(
      `few-shot with ${inner.protocol.title}: dataset ${dataset.name} has no VAL split; the wrapped protocol would carve it out of the few-shot training set. Give the dataset a VAL split.`,
    );
  }
  const unit = resolveUnit(options.unit, dataset, train);
  const kept = inner.valUse === 'choose' ? [...val, ...test] : test;

  const rows: ResultRow[] = [];
  const notes: string[] = [];
  const innerNotes = new Set<string>();
  const skipped = new Map<string, ProtocolResult['skipped'][number]>();
  let primaryMetric: string | null = null;
  for (const shots of options.shots) {
    // "all" draws nothing, so another try would differ only in training noise: it runs once.
    const tryCount = shots === 'all' ? 1 : options.nTries;
    const tries: Try[] = [];
    for (let t = 0; t < tryCount; t++) {
      context.signal.throwIfAborted();
      const seed = context.seed + t;
      const random = t === 0 ? null : new Random(seed);
      const subset = subsetFor(shots, unit, dataset, train, random);
      if (subset.items.length === 0) break;
      context.log(`shots ${shots} (${UNIT_MEANING[unit]}), try ${t + 1}/${tryCount}: ${subset.items.length} TRAIN items`);
      const result = await inner.protocol.run(inner.options, withSeed(context.restrict([...subset.items, ...kept]), seed));
      primaryMetric ??= result.primaryMetric;
      result.notes.forEach((note) => innerNotes.add(note));
      for (const entry of result.skipped) skipped.set(JSON.stringify(entry), entry);
      tries.push({ seed, subset, result });
    }
    if (tries.length < tryCount) {
      skipped.set(`shots:${shots}`, { setting: { shots, unit }, reason: `no TRAIN patient's label set (the intersection over their images) holds any class` });
      continue;
    }
    rows.push(...mergeTries(shots, unit, tries, inner.selectedRowKeys));
    notes.push(`shots ${shots}: ${tries.map((attempt) => describeTry(unit, attempt)).join('; ')}.`);
  }

  if (primaryMetric === null) throw new RadprobeError(`few-shot: no shots value could run on dataset ${dataset.name} (${[...skipped.values()].map((entry) => entry.reason).join('; ')})`);
  const rule = RULE_NOTES[unit];
  const valRule =
    inner.valUse === 'choose'
      ? `VAL (${val.length} items) kept whole to choose settings; the choice is retrained on the few-shot TRAIN set alone, never with VAL`
      : `VAL left out: ${inner.protocol.title} would otherwise train on it`;
  notes.unshift(
    `Few-shot ${inner.protocol.title}: ${rule}. Try 0 is that deterministic subset${options.nTries > 2 ? `; tries 1..${options.nTries - 1} draw at random with seed = config seed + try` : options.nTries === 2 ? '; try 1 draws at random with seed = config seed + 1' : ''}; values are mean ± std over tries. ${valRule}; TEST (${test.length} items) kept whole.`,
  );
  return { primaryMetric, rows, notes: [...notes, ...innerNotes], skipped: [...skipped.values()] };
}

export const fewshotProtocol: Protocol<FewshotOptions> = {
  kind: 'fewshot',
  title: 'Few-shot',
  optionsSchema: fewshotOptionsSchema,
  tasks: ['multiclass', 'binary', 'multilabel', 'segmentation'],
  featureNeeds(options, backbone, protocols) {
    const inner = innerProtocol(resolveFewshotOptions(options).protocol, protocols);
    return inner.protocol.featureNeeds(inner.options, backbone, protocols);
  },
  async run(options, context) {
    return runFewshot(resolveFewshotOptions(options), context);
  },
};
