import { join } from 'node:path';
import { formatResultsTable, runEvaluation, type RunReporter } from '@radprobe/core';
import { reportFileName, writeReport } from '@radprobe/report';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';
import { jsonlReporter } from '../reporters/jsonl.js';
import { prettyReporter } from '../reporters/pretty.js';

export interface RunCommandOptions {
  config: string;
  /** Overrides the config's `output`. */
  outputRoot?: string;
  reporter: 'pretty' | 'jsonl';
  onBadItem?: 'fail' | 'skip';
  device?: 'auto' | 'cpu' | 'cuda';
  only?: { backbone?: string; dataset?: string; protocol?: string };
}

/**
 * `radprobe run`: evaluates a config into a results folder with report.html, which appears whole or not at all.
 * Ctrl-C (or SIGTERM) stops after the current batch with the cache consistent, so the next run resumes. Exit code
 * 0 when every cell completed, 1 when some failed (the others are in the results), 2 on an error that stopped the
 * run (nothing is written; also when no cell completed), 130 when cancelled.
 */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const reporter: RunReporter = options.reporter === 'jsonl' ? jsonlReporter() : prettyReporter();
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const { results, outputDir } = await runEvaluation({
      configPath: options.config,
      outputRoot: options.outputRoot,
      builtins: builtinPlugins,
      searchDirs: cliSearchDirs,
      reporter,
      signal: controller.signal,
      onBadItem: options.onBadItem,
      device: options.device,
      only: options.only,
      addFiles: writeReport,
    });
    const report = join(outputDir, reportFileName);
    if (options.reporter === 'pretty') process.stdout.write(`\n${formatResultsTable(results)}\n\nreport: ${report}\n`);
    else reporter({ type: 'log', level: 'info', message: `report written to ${report}` });
    return results.cells.some((cell) => cell.status === 'failed') ? 1 : 0;
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    process.stderr.write('radprobe: cancelled; the feature cache keeps every finished shard, so running again resumes\n');
    // 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
    return 130;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
