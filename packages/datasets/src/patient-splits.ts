import { RadprobeError, rankByHash, type DatasetItem, type Split } from '@radprobe/core';
import { SPLIT_ORDER } from './split-names.js';

/** The grouping unit that a split must not cut: the patient where known, else the volume (scan) the item is a slice of, else the item itself. */
export function groupOf(item: Pick<DatasetItem, 'id' | 'patient' | 'volume'>): string {
  if (item.patient !== undefined) return `patient:${item.patient}`;
  return item.volume === undefined ? `item:${item.id}` : `volume:${item.volume}`;
}

/**
 * Assigns whole groups to splits in core's fixed pseudo-random order (`rankByHash`, which neither the file order
 * nor the naming scheme of the ids can bias): the first `round(test·n)` to TEST, the next `round(val·n)` to VAL,
 * the rest to TRAIN.
 */
export function carveSplits(groups: Iterable<string>, fractions: { val: number; test: number }): Map<string, Split> {
  const ordered = rankByHash(groups);
  const test = Math.round(fractions.test * ordered.length);
  const val = Math.round(fractions.val * ordered.length);
  const splits = new Map<string, Split>();
  ordered.forEach((group, index) => splits.set(group, index < test ? 'test' : index < test + val ? 'val' : 'train'));
  return splits;
}

/**
 * Throws when a patient has items in two splits, naming the patient, both splits and an item of each. `allowed`
 * lists a pair of splits that may share patients (NIH's official TRAIN and VAL do).
 */
export function checkPatientLeakage(items: readonly DatasetItem[], dataset: string, allowed?: [Split, Split]): void {
  checkGroupLeakage(items, dataset, 'patient', allowed);
}

/**
 * Throws when the slices of one volume (scan) are in two splits, naming the volume, both splits and a slice of each.
 * `volumeWord` is what the dataset calls a volume in the message (a DICOM series is named as such).
 */
export function checkVolumeLeakage(items: readonly DatasetItem[], dataset: string, volumeWord = 'volume'): void {
  checkGroupLeakage(items, dataset, 'volume', undefined, volumeWord);
}

function checkGroupLeakage(items: readonly DatasetItem[], dataset: string, group: 'patient' | 'volume', allowed?: [Split, Split], groupWord: string = group): void {
  const seen = new Map<string, DatasetItem>();
  for (const item of items) {
    const key = item[group];
    if (key === undefined) continue;
    const first = seen.get(key);
    if (!first) seen.set(key, item);
    else if (first.split !== item.split && !(allowed?.includes(first.split) && allowed.includes(item.split))) {
      const [a, b] = SPLIT_ORDER.indexOf(first.split) < SPLIT_ORDER.indexOf(item.split) ? [first, item] : [item, first];
      throw new RadprobeError(
        `dataset "${dataset}": ${groupWord} "${key}" appears in splits ${a.split} (${a.source}) and ${b.split} (${b.source}); a ${group} must stay in one split`,
        { file: b.source },
      );
    }
  }
}

/** Patients with items in both splits. */
export function sharedPatients(items: readonly DatasetItem[], a: Split, b: Split): number {
  const inA = new Set<string>();
  const inB = new Set<string>();
  for (const item of items) {
    if (item.patient === undefined) continue;
    if (item.split === a) inA.add(item.patient);
    else if (item.split === b) inB.add(item.patient);
  }
  let shared = 0;
  for (const patient of inA) if (inB.has(patient)) shared++;
  return shared;
}

/** `TRAIN n / VAL n / TEST n` for notes. */
export function splitCounts(items: readonly DatasetItem[]): string {
  const counts: Record<Split, number> = { train: 0, val: 0, test: 0 };
  for (const item of items) counts[item.split]++;
  return SPLIT_ORDER.map((split) => `${split.toUpperCase()} ${counts[split]}`).join(' / ');
}
