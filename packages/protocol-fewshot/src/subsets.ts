import { RadprobeError, evenlySpaced, type DatasetItem, type DatasetView, type Random } from '@radprobe/core';

/** A few-shot training set: dataset item indices (ascending) and what was short of the request. */
export interface ShotSubset {
  items: number[];
  /** Patients taken (patient rule) or images taken (image and per-class rules). */
  taken: number;
  /** Classes with fewer than `shots` patients (patient rule) or TRAIN images (per-class rule). */
  shortfalls: Array<{ className: string; found: number }>;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The classes an item carries: its positive labels (multi-label) or its one class. */
function classesOf(item: DatasetItem, dataset: DatasetView): number[] {
  if (dataset.task === 'multilabel') {
    const labels = item.labels;
    if (!labels || labels.length !== dataset.classes.length) {
      throw new RadprobeError(`few-shot: item ${item.id} (${item.source}) of dataset ${dataset.name} needs labels as ${dataset.classes.length} values of 0 or 1`);
    }
    return labels.flatMap((value, c) => (value === 1 ? [c] : []));
  }
  if (item.label === undefined || !Number.isInteger(item.label) || item.label < 0 || item.label >= dataset.classes.length) {
    throw new RadprobeError(`few-shot: item ${item.id} (${item.source}) of dataset ${dataset.name} has label ${item.label}, not a class index in [0, ${dataset.classes.length})`);
  }
  return [item.label];
}

/**
 * The study's patient rule: a patient's label set is the intersection of the label sets of all their TRAIN
 * images; for each class in order, the first `shots` patients (in `patients` order: sorted ids, or a seeded
 * shuffle of them for random tries) whose label set holds the class are taken, skipping patients already taken;
 * every TRAIN image of a taken patient is included.
 */
export function patientSubset(dataset: DatasetView, train: readonly number[], shots: number, random: Random | null): ShotSubset {
  const imagesOf = new Map<string, number[]>();
  for (const index of train) {
    const patient = dataset.items[index].patient;
    if (patient === undefined) throw new RadprobeError(`few-shot: unit patient needs a patient on every TRAIN item; ${dataset.items[index].id} (${dataset.items[index].source}) has none`);
    imagesOf.set(patient, [...(imagesOf.get(patient) ?? []), index]);
  }
  const labelSet = new Map<string, Set<number>>();
  for (const [patient, images] of imagesOf) {
    const [first, ...rest] = images.map((index) => classesOf(dataset.items[index], dataset));
    labelSet.set(patient, new Set(first.filter((c) => rest.every((classes) => classes.includes(c)))));
  }
  const sorted = [...imagesOf.keys()].sort(byCodePoint);
  const order = random ? random.shuffle(sorted) : sorted;
  const taken = new Set<string>();
  const shortfalls: ShotSubset['shortfalls'] = [];
  dataset.classes.forEach((className, c) => {
    let found = 0;
    for (const patient of order) {
      if (found === shots) break;
      if (taken.has(patient) || !labelSet.get(patient)!.has(c)) continue;
      taken.add(patient);
      found++;
    }
    if (found < shots) shortfalls.push({ className, found });
  });
  const items = [...taken].flatMap((patient) => imagesOf.get(patient)!).sort((a, b) => a - b);
  return { items, taken: taken.size, shortfalls };
}

/**
 * The study's image rule: `shots` TRAIN images evenly spaced over the TRAIN split sorted by item id
 * (`round(arange(0, N, N / shots))`, numpy rounding), or `shots` drawn at random for random tries; all of TRAIN
 * when it has no more than `shots` images.
 */
export function imageSubset(dataset: DatasetView, train: readonly number[], shots: number, random: Random | null): ShotSubset {
  const picked = pick(sortedById(dataset, train), shots, random);
  return { items: picked.sort((a, b) => a - b), taken: picked.length, shortfalls: [] };
}

/**
 * Upstream DINOv2's few-shot rule (`dinov2/eval/knn.py`, `filter_train`): `shots` TRAIN images of each class, for
 * single-label data. Per class in order, its TRAIN images sorted by item id, evenly spaced as in the image rule, or
 * the first `shots` of a seeded shuffle for random tries (one generator through the classes in order, as upstream
 * draws `randperm` per class from one seeded generator); a class with fewer images gives all of them.
 */
export function perClassSubset(dataset: DatasetView, train: readonly number[], shots: number, random: Random | null): ShotSubset {
  const ofClass = dataset.classes.map(() => [] as number[]);
  for (const index of train) ofClass[classesOf(dataset.items[index], dataset)[0]].push(index);
  const items: number[] = [];
  const shortfalls: ShotSubset['shortfalls'] = [];
  dataset.classes.forEach((className, c) => {
    const picked = pick(sortedById(dataset, ofClass[c]), shots, random);
    if (picked.length < shots) shortfalls.push({ className, found: picked.length });
    items.push(...picked);
  });
  return { items: items.sort((a, b) => a - b), taken: items.length, shortfalls };
}

function sortedById(dataset: DatasetView, indices: readonly number[]): number[] {
  return [...indices].sort((a, b) => byCodePoint(dataset.items[a].id, dataset.items[b].id));
}

/** `shots` of `sorted` (all when there are no more): evenly spaced, or the first of a seeded shuffle. */
function pick(sorted: number[], shots: number, random: Random | null): number[] {
  const count = Math.min(shots, sorted.length);
  return random ? random.shuffle(sorted).slice(0, count) : evenlySpaced(sorted.length, count).map((position) => sorted[position]);
}
