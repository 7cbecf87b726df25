import type { DatasetItem, Split } from '../../contracts/dataset.js';
import { RadprobeError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';

export interface CarvedSplits {
  /** The split of each item, in item order: TRAIN items of the carved groups became VAL. */
  splits: Split[];
  /** Items moved to VAL. */
  carved: number;
  /** What moved by: whole patients, whole volumes, or single items. */
  unit: 'patient' | 'volume' | 'item';
  /** For the results, e.g. `VAL carved from TRAIN: 12 of 118 patients (10 %), seed 0`. */
  note: string;
}

/** The carving unit of an item under `unit`, falling back to its volume, then itself, as the bootstrap groups do. */
function groupKey(item: DatasetItem, unit: CarvedSplits['unit']): string {
  if (unit === 'patient' && item.patient !== undefined) return `patient:${item.patient}`;
  if (unit !== 'item' && item.volume !== undefined) return `volume:${item.volume}`;
  return `item:${item.id}`;
}

/**
 * `keys` in a fixed pseudo-random order, sha256 of each key (after `salt` when given): the same on every run and
 * biased by neither the order the keys come in nor how they are named. Every split rule that draws groups uses it.
 */
export function rankByHash(keys: Iterable<string>, salt?: string): string[] {
  return [...new Set(keys)]
    .map((key) => ({ key, rank: sha256(salt === undefined ? key : `${salt}\u0000${key}`) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key }) => key);
}

/**
 * Moves `round(fraction · groups)` whole groups of TRAIN items (patients where any TRAIN item names one, else
 * volumes, else items) to VAL, at least one and never all. Groups are ranked by sha256 of `seed` and their key,
 * so the choice depends on neither the item order nor the naming scheme, and is the same on every run.
 */
export function carveValidation(items: readonly DatasetItem[], fraction = 0.1, seed = 0): CarvedSplits {
  if (!(fraction > 0 && fraction < 1)) throw new RadprobeError(`the VAL fraction ${fraction} must lie strictly between 0 and 1`);
  const train = items.filter((item) => item.split === 'train');
  const unit: CarvedSplits['unit'] = train.some((item) => item.patient !== undefined)
    ? 'patient'
    : train.some((item) => item.volume !== undefined)
      ? 'volume'
      : 'item';
  const groups = [...new Set(train.map((item) => groupKey(item, unit)))];
  if (groups.length < 2) {
    throw new RadprobeError(`cannot carve VAL from TRAIN: TRAIN has ${groups.length} ${unit}(s), and both need at least one`);
  }
  const count = Math.min(groups.length - 1, Math.max(1, Math.round(fraction * groups.length)));
  const chosen = new Set(rankByHash(groups, String(seed)).slice(0, count));
  let carved = 0;
  const splits = items.map((item): Split => {
    if (item.split !== 'train' || !chosen.has(groupKey(item, unit))) return item.split;
    carved++;
    return 'val';
  });
  const note = `VAL carved from TRAIN: ${count} of ${groups.length} ${unit}s (${carved} of ${train.length} items, fraction ${fraction}, seed ${seed}); the dataset has no VAL split.`;
  return { splits, carved, unit, note };
}
