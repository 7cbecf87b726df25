import type { ComparisonMatrix, MatrixColumn } from './matrix.js';
import { rankAcrossTasks, type RankingChoice, type RankingFamilyUse, type RankingInput, type RankingOutcome } from './ranking.js';

export function isSegmentation(column: MatrixColumn): boolean {
  return column.task === 'segmentation';
}

/** How the ranking names the one setting of a family that reports a single TEST row (e.g. a linear probe chosen on VAL). */
export const singleSettingLabel = 'its one reported row';

/** The ranking's families read off the matrix: its columns grouped by dataset × protocol, in column order. */
export function rankingInput(matrix: ComparisonMatrix): RankingInput {
  const families = new Map<string, MatrixColumn[]>();
  for (const column of matrix.columns) families.set(column.family, [...(families.get(column.family) ?? []), column]);
  return {
    backbones: matrix.backbones.map((backbone) => backbone.label),
    families: [...families].map(([id, columns]) => ({
      id,
      dataset: columns[0].dataset,
      protocol: columns[0].protocol,
      segmentation: isSegmentation(columns[0]),
      settings: columns.map((column) => ({
        label: column.settingText || singleSettingLabel,
        values: matrix.backbones.map((backbone) => matrix.entry(backbone, column)?.metric.value ?? null),
      })),
    })),
  };
}

/** The ranking the written files show: its families, the choice made of each and the outcome. */
export interface CrossTaskRanking {
  input: RankingInput;
  choice: RankingChoice;
  outcome: RankingOutcome;
}

/** Ranks the matrix's backbones with `choice` (every family at its best setting per backbone by default); see `rankAcrossTasks`. */
export function crossTaskRanking(matrix: ComparisonMatrix, choice: RankingChoice = {}): CrossTaskRanking {
  const input = rankingInput(matrix);
  return { input, choice, outcome: rankAcrossTasks(input, choice) };
}

/** How the files say what a family counted with (the page's script words it the same way when the reader changes it). */
export function familyUseText(use: RankingFamilyUse): string {
  return use.used === null ? `not counted: ${use.skipped}` : `counted with ${use.used}`;
}
