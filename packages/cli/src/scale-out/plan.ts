import { basename, dirname, resolve } from 'node:path';
import { RadprobeError } from '@radprobe/core';
import { loadConfig, loadRegistryForConfig } from '@radprobe/core/engine';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';

/**
 * One config run on a cluster: `shards` extraction workers fill the shared feature cache, then `cellJobs` workers
 * each run their part of the cells from it, then one merge joins the parts. The SLURM scripts and the Kubernetes
 * Jobs run exactly these commands, in the config's folder (on the shared file system, or the mounted volume).
 */
export interface ScaleOutPlan {
  /** The config's folder, where every command runs. */
  workDir: string;
  /** The config file, relative to `workDir`. */
  config: string;
  shards: number;
  cellJobs: number;
  /** Cells of the config's grid. */
  cells: number;
}

/** Where the parts' runs and the merged results go, relative to the config's folder. */
export const RUNS_DIR = 'scale-out/runs';
export const MERGED_DIR = 'scale-out/merged';

/** Stands for the worker's index in an argument; each engine writes it its own way. */
export const WORKER_INDEX = '{index}';

/** Reads and checks the config (errors name its file and field) and sizes the plan; at most one job per cell. */
export async function planScaleOut(configPath: string, shards: number, cellJobs: number | undefined): Promise<ScaleOutPlan> {
  const registry = await loadRegistryForConfig(configPath, builtinPlugins, cliSearchDirs);
  const { config } = await loadConfig(configPath, registry);
  const cells = config.backbones.length * config.datasets.length * config.protocols.length;
  if (cellJobs !== undefined && cellJobs > cells) {
    throw new RadprobeError(`--cell-jobs ${cellJobs} is more than the ${cells} cells of ${resolve(configPath)}: use at most ${cells}`, { file: configPath });
  }
  return { workDir: dirname(resolve(configPath)), config: basename(configPath), shards, cellJobs: cellJobs ?? Math.min(shards, cells), cells };
}

/** radprobe's arguments for an extraction worker: it takes its shard from the engine's environment. */
export function extractArgs(plan: ScaleOutPlan): string[] {
  return ['extract', plan.config];
}

/** radprobe's arguments for cells worker `WORKER_INDEX`: its part of the cells, into a folder of its own. */
export function cellsArgs(plan: ScaleOutPlan): string[] {
  return ['run', plan.config, '--cells', `${WORKER_INDEX}/${plan.cellJobs}`, '--output', `${RUNS_DIR}/cells-${WORKER_INDEX}`];
}

/**
 * A POSIX shell script that merges the newest finished run of every cells part (a part run again after a failure
 * leaves its earlier run beside the new one; unfinished runs are hidden `.partial` folders, which the glob skips),
 * and fails naming the part that has none.
 */
export function mergeScript(plan: ScaleOutPlan, radprobe: string): string {
  const parts = Array.from({ length: plan.cellJobs }, (_, index) => index).join(' ');
  return [
    'set -eu',
    'set --',
    `for part in ${parts}; do`,
    `  results=$(ls -t ${RUNS_DIR}/cells-$part/*/results.json 2>/dev/null | head -n 1)`,
    `  if [ -z "$results" ]; then echo "radprobe merge: no finished run of cells part $part in ${RUNS_DIR}/cells-$part" >&2; exit 1; fi`,
    '  set -- "$@" "$(dirname "$results")"',
    'done',
    `exec ${radprobe} report merge "$@" --out ${MERGED_DIR}`,
  ].join('\n');
}

/** `word` as one shell word, `WORKER_INDEX` replaced by the expansion of `indexVariable`. */
export function shellWord(word: string, indexVariable?: string): string {
  const quote = (text: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`);
  if (!word.includes(WORKER_INDEX)) return quote(word);
  if (!indexVariable) throw new Error(`${word} needs a worker index`);
  return word
    .split(WORKER_INDEX)
    .map((piece) => (piece === '' ? '' : quote(piece)))
    .join(`"$${indexVariable}"`);
}
