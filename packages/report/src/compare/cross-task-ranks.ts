import type { BackboneRow } from './backbone-rows.js';
import type { ComparisonMatrix, MatrixColumn } from './matrix.js';
import { mean, ranksHighestFirst } from './ranks.js';

/** A backbone's mean rank over the segmentation and over the classification columns it has values in. */
export interface CrossTaskRank {
  backbone: BackboneRow;
  /** null where the backbone has no value in any column of that kind. */
  segmentation: number | null;
  classification: number | null;
}

export function isSegmentation(column: MatrixColumn): boolean {
  return column.task === 'segmentation';
}

/**
 * Ranks the backbones within each column by the column's value, highest first (every primary metric radprobe
 * reports, AUROC, accuracy, Dice and IoU, is better when higher), ties sharing the mean of their ranks; a backbone
 * without a value in a column is not ranked there. Each backbone's ranks are then averaged over the segmentation
 * columns and over the other (classification) columns.
 */
export function crossTaskRanks(matrix: ComparisonMatrix): CrossTaskRank[] {
  const ranks = new Map(matrix.backbones.map((backbone) => [backbone.key, { segmentation: [] as number[], classification: [] as number[] }]));
  for (const column of matrix.columns) {
    const ranked = matrix.backbones.flatMap((backbone) => {
      const entry = matrix.entry(backbone, column);
      return entry ? [{ backbone, value: entry.metric.value }] : [];
    });
    const columnRanks = ranksHighestFirst(ranked.map((item) => item.value));
    ranked.forEach((item, index) => ranks.get(item.backbone.key)![isSegmentation(column) ? 'segmentation' : 'classification'].push(columnRanks[index]));
  }
  return matrix.backbones.map((backbone) => {
    const { segmentation, classification } = ranks.get(backbone.key)!;
    return { backbone, segmentation: segmentation.length ? mean(segmentation) : null, classification: classification.length ? mean(classification) : null };
  });
}
