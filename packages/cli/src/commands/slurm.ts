import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RadprobeError, writeFileAtomic } from '@radprobe/core';
import { MERGED_DIR, RUNS_DIR, cellsArgs, extractArgs, mergeScript, planScaleOut, shellWord, type ScaleOutPlan } from '../scale-out/plan.js';

export interface SlurmCommandOptions {
  config: string;
  /** Extraction tasks of the job array. */
  array: number;
  cellJobs?: number;
  /** Where the scripts and the jobs' logs go. */
  out: string;
  /** How the jobs start radprobe, as shell words (default: this node and this radprobe, by absolute path). */
  radprobe: string;
  partition?: string;
  gres?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
}

/**
 * `radprobe slurm`: writes the sbatch scripts of a cluster run (an extraction job array, a cells job array that
 * starts once every extraction task succeeded, and a merge) and `submit.sh`, which submits them in that order with
 * their dependencies. The scripts run in the config's folder, which must be on a file system every node sees.
 */
export async function slurmCommand(options: SlurmCommandOptions): Promise<number> {
  const plan = await planScaleOut(options.config, options.array, options.cellJobs);
  const out = resolve(options.out);
  await mkdir(join(out, 'logs'), { recursive: true });
  const scripts = slurmScripts(plan, { ...options, out });
  for (const [name, text] of Object.entries(scripts)) {
    const file = join(out, name);
    await writeFileAtomic(file, text);
    await chmod(file, 0o755);
  }
  process.stdout.write(
    `wrote ${Object.keys(scripts).map((name) => join(out, name)).join(', ')}\n` +
      `${plan.shards} extraction task(s), then ${plan.cellJobs} cells task(s) for the ${plan.cells} cells, then the merge into ${join(plan.workDir, MERGED_DIR)}\n` +
      `submit them with: bash ${shellWord(join(out, 'submit.sh'))}\n`,
  );
  return 0;
}

/** The scripts by file name. */
export function slurmScripts(plan: ScaleOutPlan, options: Omit<SlurmCommandOptions, 'config' | 'array' | 'cellJobs'>): Record<string, string> {
  const spaced = [plan.workDir, options.out].find((path) => /\s/.test(path));
  if (spaced) throw new RadprobeError(`${spaced}: #SBATCH lines cannot hold a path with white space; move the project, or choose another --out`);
  if (options.gres !== undefined && !/^[A-Za-z0-9_:,.-]+$/.test(options.gres)) throw new RadprobeError(`--gres must look like gpu:1 or gpu:a100:2, not '${options.gres}'`);
  const command = (args: string[]) => [options.radprobe, ...args.map((arg) => shellWord(arg, 'SLURM_ARRAY_TASK_ID'))].join(' ');
  const worker = [
    ...(options.gres ? [`--gres=${options.gres}`] : []),
    ...(options.cpusPerTask ? [`--cpus-per-task=${options.cpusPerTask}`] : []),
    ...(options.mem ? [`--mem=${options.mem}`] : []),
  ];
  const header = (name: string, log: string, extra: string[]) =>
    [
      '#!/bin/bash',
      `#SBATCH --job-name=radprobe-${name}`,
      `#SBATCH --chdir=${plan.workDir}`,
      `#SBATCH --output=${join(options.out, 'logs', log)}`,
      ...(options.partition ? [`#SBATCH --partition=${options.partition}`] : []),
      ...(options.time ? [`#SBATCH --time=${options.time}`] : []),
      ...extra.map((line) => `#SBATCH ${line}`),
    ].join('\n');
  return {
    'extract.sbatch': `${header('extract', 'extract-%A_%a.log', [`--array=0-${plan.shards - 1}`, ...worker])}
# Task I of the array embeds shard I of ${plan.shards} into the feature cache: radprobe reads SLURM_ARRAY_TASK_ID and
# SLURM_ARRAY_TASK_COUNT. The GPU of --gres arrives as CUDA_VISIBLE_DEVICES and is recorded with the shard.
set -euo pipefail
exec ${command(extractArgs(plan))}
`,
    'cells.sbatch': `${header('cells', 'cells-%A_%a.log', [`--array=0-${plan.cellJobs - 1}`, ...worker])}
# Task I runs part I of ${plan.cellJobs} of the ${plan.cells} cells from the filled cache into ${RUNS_DIR}/cells-I.
set -euo pipefail
exec ${command(cellsArgs(plan))}
`,
    'merge.sbatch': `${header('merge', 'merge-%j.log', [])}
# Joins the parts into ${MERGED_DIR}: the results of one run of the whole config.
${mergeScript(plan, options.radprobe)}
`,
    'submit.sh': `#!/bin/bash
# Submits the extraction array, then the cells array once every extraction task succeeded, then the merge once every
# cells task did. A failed task cancels what depends on it (--kill-on-invalid-dep); submitting again resumes: shards
# already in the cache are not embedded again.
set -euo pipefail
cd "$(dirname "$0")"
extract=$(sbatch --parsable extract.sbatch)
extract=\${extract%%;*}
cells=$(sbatch --parsable --kill-on-invalid-dep=yes --dependency=afterok:$extract cells.sbatch)
cells=\${cells%%;*}
merge=$(sbatch --parsable --kill-on-invalid-dep=yes --dependency=afterok:$cells merge.sbatch)
merge=\${merge%%;*}
echo "extract=$extract cells=$cells merge=$merge"
`,
  };
}
