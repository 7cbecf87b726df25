import { datasetDifferences } from './comparability.js';
import { crossTaskRanking, type CrossTaskRanking } from './cross-task-ranks.js';
import { refuseOrWarn } from './differences.js';
import { fineTuningTables, type FineTuningTable } from './fine-tuning.js';
import { loadRuns, type LoadedRun } from './load-runs.js';
import { buildMatrix, type ComparisonMatrix } from './matrix.js';
import { readPcaFigures, type PcaFigure } from './pca-images.js';

/** Everything the comparison's files show. */
export interface Comparison {
  title: string;
  runs: LoadedRun[];
  matrix: ComparisonMatrix;
  /** The cross-task ranking with every family at its default (each backbone's best setting); the page lets the reader choose. */
  ranking: CrossTaskRanking;
  fineTuning: FineTuningTable[];
  pca: PcaFigure[];
  /** The differences an `allowMixed` comparison went ahead with, one line each. */
  warnings: string[];
}

/**
 * Loads and checks the run folders and lays out their comparison. Runs that differ in a dataset's split, image
 * size or preprocessing, in a column's primary metric, or that both report a backbone × column are refused with
 * every difference listed, unless `allowMixed`, which turns the differences into warnings.
 */
export async function buildComparison(runDirs: readonly string[], options: { title?: string; allowMixed?: boolean }): Promise<Comparison> {
  const runs = await loadRuns(runDirs);
  const { matrix, differences } = buildMatrix(runs);
  const warnings = refuseOrWarn([...datasetDifferences(runs), ...differences], options.allowMixed ?? false);
  const pca = (await Promise.all(runs.map(readPcaFigures))).flat();
  const title = options.title ?? `Comparison of ${runs.length} run${runs.length === 1 ? '' : 's'}`;
  return { title, runs, matrix, ranking: crossTaskRanking(matrix), fineTuning: fineTuningTables(matrix), pca, warnings };
}
