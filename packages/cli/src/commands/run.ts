import { join } from 'node:path';
import { type RunReporter } from '@radprobe/core';
import { formatResultsTable, runEvaluation, type PartRef } from '@radprobe/core/engine';
import { reportFileName, writeReport } from '@radprobe/report';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';
import { jsonlReporter } from '../reporters/jsonl.js';
import { prettyReporter } from '../reporters/pretty.js';
import { withCancellation } from './cancellation.js';

export interface RunCommandOptions {
  config: string;
  /** Overrides the config's `output`. */
  outputRoot?: string;
  reporter: 'pretty' | 'jsonl';
  onBadItem?: 'fail' | 'skip';
  device?: 'auto' | 'cpu' | 'cuda';
  only?: { backbone?: string; dataset?: string; protocol?: string };
  /** `--cells I/N`: part I of N of the grid's cells. */
  cells?: PartRef;
}

export function runReporter(kind: 'pretty' | 'jsonl'): RunReporter {
  return kind === 'jsonl' ? jsonlReporter() : prettyReporter();
}

/**
 * `radprobe run`: evaluates a config into a results folder with report.html, which appears whole or not at all.
 * Ctrl-C (or SIGTERM) stops after the current batch with the cache consistent, so the next run resumes. Exit code
 * 0 when every cell completed, 1 when some failed (the others are in the results), 2 on an error that stopped the
 * run (nothing is written; also when no cell completed), 130 when cancelled.
 */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const reporter = runReporter(options.reporter);
  return withCancellation(async (signal) => {
    const { results, outputDir } = await runEvaluation({
      configPath: options.config,
      outputRoot: options.outputRoot,
      builtins: builtinPlugins,
      searchDirs: cliSearchDirs,
      reporter,
      signal,
      onBadItem: options.onBadItem,
      device: options.device,
      only: options.only,
      cells: options.cells,
      addFiles: writeReport,
    });
    const report = join(outputDir, reportFileName);
    if (options.reporter === 'pretty') process.stdout.write(`\n${formatResultsTable(results)}\n\nreport: ${report}\n`);
    else reporter({ type: 'log', level: 'info', message: `report written to ${report}` });
    return results.cells.some((cell) => cell.status === 'failed') ? 1 : 0;
  });
}
