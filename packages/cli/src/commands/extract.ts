import { formatPart, runExtraction, type PartSource } from '@radprobe/core/engine';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';
import { withCancellation } from './cancellation.js';
import { runReporter } from './run.js';

export interface ExtractCommandOptions {
  config: string;
  reporter: 'pretty' | 'jsonl';
  onBadItem?: 'fail' | 'skip';
  device?: 'auto' | 'cpu' | 'cuda';
  /** The shard and where it came from; null: every item. */
  shard: PartSource | null;
  /** What the command was called as, for its lines (`extract`, or `run` with a shard). */
  as: 'extract' | 'run';
}

/**
 * `radprobe extract` (and `radprobe run --shard`): fills the feature cache for a config, or one shard of it,
 * without running a protocol. Says first which shard and where it came from; exits 0 when the shard is in the
 * cache (at once when it already was), 2 on an error, 130 when cancelled.
 */
export async function extractCommand(options: ExtractCommandOptions): Promise<number> {
  const reporter = runReporter(options.reporter);
  const part = options.shard?.part;
  const shardName = part ? `shard ${formatPart(part)}` : 'every item';
  reporter({
    type: 'log',
    level: 'info',
    message: options.shard
      ? `radprobe ${options.as}: ${shardName} (from ${options.shard.source}); only the feature cache is filled, no protocol runs`
      : `radprobe ${options.as}: every item (no --shard, no SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX); only the feature cache is filled`,
  });
  return withCancellation(async (signal) => {
    const pairs = await runExtraction({
      configPath: options.config,
      builtins: builtinPlugins,
      searchDirs: cliSearchDirs,
      reporter,
      signal,
      onBadItem: options.onBadItem,
      device: options.device,
      part,
    });
    const embedded = pairs.filter((pair) => pair.state === 'embedded');
    const line =
      embedded.length === 0
        ? `${shardName}: already complete in the cache (${pairs.filter((pair) => pair.state === 'complete').length} backbone × dataset pairs); nothing to do`
        : `${shardName}: ${embedded.reduce((sum, pair) => sum + pair.computed, 0)} items embedded, ${embedded.reduce((sum, pair) => sum + pair.reused, 0)} already cached, ` +
          `${pairs.filter((pair) => pair.state === 'complete').length} of ${pairs.length} backbone × dataset pairs complete before`;
    if (options.reporter === 'pretty') process.stdout.write(`${line}\n`);
    else reporter({ type: 'log', level: 'info', message: line });
    return 0;
  });
}
