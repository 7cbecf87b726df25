/**
 * A dataset × protocol family of the comparison (e.g. `cxr` × `knn`): its settings (the matrix columns of the
 * family, e.g. k=5 and k=20) with every backbone's TEST primary metric in each. Plain JSON: the page embeds it.
 */
export interface RankingFamily {
  /** Stable key of the family (its dataset and protocol as JSON). */
  id: string;
  dataset: string;
  protocol: string;
  segmentation: boolean;
  /** `values[i]` belongs to backbone `i` of `RankingInput.backbones`; null where it has no value. */
  settings: Array<{ label: string; values: Array<number | null> }>;
}

export interface RankingInput {
  /** Backbone labels, in row order. */
  backbones: string[];
  families: RankingFamily[];
}

/**
 * What the ranking takes of each family, by family id: `best` (each backbone's best value over the family's
 * settings), the index of one setting (the same for every backbone), or `off` (the family is left out). A family
 * missing from the choice counts with `best`.
 */
export type RankingChoice = Record<string, 'best' | 'off' | number>;

/** How a family entered the ranking: the rule it was counted with, or why it was not counted. */
export interface RankingFamilyUse {
  id: string;
  /** `best setting per backbone`, a setting's label, or null when not counted. */
  used: string | null;
  /** Why the family is not counted (left out, or fewer than two backbones with a value); null when counted. */
  skipped: string | null;
}

/** A backbone's mean rank over the counted segmentation families and over the counted classification families. */
export interface BackboneRank {
  segmentation: number | null;
  classification: number | null;
}

export interface RankingOutcome {
  families: RankingFamilyUse[];
  /** `ranks[i]` belongs to backbone `i`. */
  ranks: BackboneRank[];
}

/**
 * The cross-task ranking: each dataset × protocol family counts once, with the value `choice` takes of it, so that a
 * protocol reporting five shot values or three k weighs as much as one reporting a single row. Within a counted
 * family the backbones are ranked highest first (every primary metric radprobe reports is better when higher), tied
 * values sharing the mean of the ranks they span ([0.9, 0.8, 0.8, 0.7] ranks [1, 2.5, 2.5, 4]); a backbone without a
 * value is not ranked there, and a family where fewer than two backbones have a value is not counted (a lone backbone
 * would take rank 1 for free). Each backbone's ranks are averaged over the segmentation and over the classification
 * families.
 *
 * Runs in Node (compare.md, compare.csv, the page as written) and in the page's script (the reader's own choice):
 * the page inlines this function's source, so it must use nothing from outside its own body.
 */
export function rankAcrossTasks(input: RankingInput, choice: RankingChoice): RankingOutcome {
  function ranksHighestFirst(values: readonly number[]): number[] {
    const order = values.map((value, index) => ({ value, index })).sort((a, b) => b.value - a.value);
    const ranks = new Array<number>(values.length);
    for (let start = 0; start < order.length; ) {
      let end = start;
      while (end + 1 < order.length && order[end + 1].value === order[start].value) end += 1;
      const shared = (start + end) / 2 + 1;
      for (let i = start; i <= end; i += 1) ranks[order[i].index] = shared;
      start = end + 1;
    }
    return ranks;
  }
  function familyValues(family: RankingFamily, rule: 'best' | number): Array<number | null> {
    if (rule !== 'best') return family.settings[rule].values;
    return input.backbones.map((_, b) => {
      const present = family.settings.flatMap((setting) => (setting.values[b] === null ? [] : [setting.values[b] as number]));
      return present.length ? Math.max(...present) : null;
    });
  }

  const collected = input.backbones.map(() => ({ segmentation: [] as number[], classification: [] as number[] }));
  const families = input.families.map((family): RankingFamilyUse => {
    const rule = choice[family.id] ?? 'best';
    if (rule === 'off') return { id: family.id, used: null, skipped: 'left out' };
    if (rule !== 'best' && !(Number.isInteger(rule) && rule >= 0 && rule < family.settings.length)) {
      throw new Error(`ranking: family ${family.id} has no setting ${rule}`);
    }
    const values = familyValues(family, rule);
    const ranked = values.flatMap((value, b) => (value === null ? [] : [{ value, b }]));
    if (ranked.length < 2) return { id: family.id, used: null, skipped: 'fewer than two backbones have a value' };
    const ranks = ranksHighestFirst(ranked.map((item) => item.value));
    ranked.forEach((item, index) => collected[item.b][family.segmentation ? 'segmentation' : 'classification'].push(ranks[index]));
    return { id: family.id, used: rule === 'best' ? 'best setting per backbone' : family.settings[rule].label, skipped: null };
  });
  const meanOf = (values: readonly number[]) => (values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null);
  return { families, ranks: collected.map((ranks) => ({ segmentation: meanOf(ranks.segmentation), classification: meanOf(ranks.classification) })) };
}
