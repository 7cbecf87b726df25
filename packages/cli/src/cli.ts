import { realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RadprobeError, printablePath } from '@radprobe/core';
import { locateCache, parsePart, resolveModelStore, shardFromEnvironment, type PartSource } from '@radprobe/core/engine';
import { cacheListCommand, cachePruneCommand, cacheStatusCommand, cacheVerifyCommand } from './commands/cache.js';
import { dataInspectCommand } from './commands/data-inspect.js';
import { dataPullCommand } from './commands/data-pull.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { extractCommand } from './commands/extract.js';
import { listCommand } from './commands/list.js';
import { modelListCommand, modelPullCommand } from './commands/model.js';
import { pcaCommand } from './commands/pca.js';
import { reportCompareCommand, reportMergeCommand } from './commands/report.js';
import { k8sCommand } from './commands/k8s.js';
import { runCommand } from './commands/run.js';
import { slurmCommand } from './commands/slurm.js';
import { schemaCommand, validateCommand } from './commands/validate.js';
import { shellWord } from './scale-out/plan.js';
import { versionCommand } from './commands/version.js';
import { COMMANDS, GLOBAL_OPTIONS, commandNamed, commandUsage, overallUsage, type CommandSpec } from './usage.js';

/** Every option of every command, for `parseArgs`; which command takes which is checked after parsing. */
const PARSE_OPTIONS = Object.fromEntries(
  [...GLOBAL_OPTIONS, ...COMMANDS.flatMap((command) => command.options)].map((option) => [option.name, { type: option.type, ...(option.short ? { short: option.short } : {}) }]),
) as Record<string, { type: 'string' | 'boolean'; short?: string }>;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  throw new RadprobeError(`--${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
}

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  const number = Number(value);
  if (value === undefined || (Number.isInteger(number) && number > 0)) return value === undefined ? undefined : number;
  throw new RadprobeError(`--${flag} must be a positive integer, not '${value}'`);
}

function shareBelowOne(flag: string, value: string | undefined): number | undefined {
  const number = Number(value);
  if (value === undefined || (value.trim() !== '' && number >= 0 && number < 1)) return value === undefined ? undefined : number;
  throw new RadprobeError(`--${flag} must be a number in [0, 1), not '${value}'`);
}

/** The shard of `--shard I/N`, else the one a job array's environment gives, else null (every item). */
function shardOf(flag: string | undefined): PartSource | null {
  if (flag !== undefined) return { part: parsePart('shard', flag), source: `--shard ${flag}` };
  return shardFromEnvironment(process.env);
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: PARSE_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const named = commandNamed(argv.find((arg) => !arg.startsWith('-')) ?? '');
    throw new RadprobeError(`${(error as Error).message}\n\n${named ? commandUsage(named) : overallUsage()}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const [command, ...rest] = parsed.positionals;
  if (values.version) return versionCommand();
  if (command === 'help' || (!command && values.help)) return helpCommand(rest[0]);
  if (!command) {
    process.stdout.write(overallUsage());
    return 2;
  }
  const spec = commandNamed(command);
  if (!spec) throw new RadprobeError(`unknown command '${command}'\n\n${overallUsage()}`);
  if (values.help) return helpCommand(command);
  const foreign = Object.keys(values).find((name) => values[name] !== undefined && !spec.options.some((option) => option.name === name));
  if (foreign) throw new RadprobeError(`radprobe ${command} takes no option --${foreign}\n\n${commandUsage(spec)}`);
  return runNamedCommand(spec, rest, values);
}

/** `radprobe help [command]`: the overall usage, or one command's. */
function helpCommand(name: string | undefined): number {
  if (name === undefined) {
    process.stdout.write(overallUsage());
    return 0;
  }
  const spec = commandNamed(name);
  if (!spec) throw new RadprobeError(`unknown command '${name}'\n\n${overallUsage()}`);
  process.stdout.write(commandUsage(spec));
  return 0;
}

async function runNamedCommand(spec: CommandSpec, rest: string[], values: Record<string, string | boolean | undefined>): Promise<number> {
  const text = (name: string) => values[name] as string | undefined;
  const flag = (name: string) => Boolean(values[name]);
  const misuse = (expected: string) => new RadprobeError(`radprobe ${spec.name}: expected ${expected}\n\n${commandUsage(spec)}`);
  const missing = (option: string): never => {
    throw new RadprobeError(`radprobe ${spec.name} needs ${option}`);
  };
  const reporter = oneOf('reporter', text('reporter'), ['pretty', 'jsonl'] as const) ?? 'pretty';
  const config = rest[0] ?? 'radprobe.json';
  switch (spec.name) {
    case 'demo':
      return demoCommand({ dir: text('dir'), reporter, study: flag('study'), scale: oneOf('scale', text('scale'), ['full', 'smallest'] as const) ?? 'full' });
    case 'extract':
      return extractCommand({
        config,
        reporter,
        onBadItem: oneOf('on-bad-item', text('on-bad-item'), ['fail', 'skip'] as const),
        device: oneOf('device', text('device'), ['auto', 'cpu', 'cuda'] as const),
        shard: shardOf(text('shard')),
        as: 'extract',
      });
    case 'run': {
      const cells = text('cells') === undefined ? undefined : parsePart('cells', text('cells')!);
      if (cells && text('shard') !== undefined) throw new RadprobeError('radprobe run: --shard embeds a shard into the cache, --cells runs part of the cells: give one of them');
      // Inside a job array, `run` without --cells does what the array is for: its shard of the extraction.
      const shard = cells ? null : shardOf(text('shard'));
      if (shard) {
        return extractCommand({
          config,
          reporter,
          onBadItem: oneOf('on-bad-item', text('on-bad-item'), ['fail', 'skip'] as const),
          device: oneOf('device', text('device'), ['auto', 'cpu', 'cuda'] as const),
          shard,
          as: 'run',
        });
      }
      return runCommand({
        config,
        outputRoot: text('output'),
        reporter,
        onBadItem: oneOf('on-bad-item', text('on-bad-item'), ['fail', 'skip'] as const),
        device: oneOf('device', text('device'), ['auto', 'cpu', 'cuda'] as const),
        only: text('backbone') || text('dataset') || text('protocol') ? { backbone: text('backbone'), dataset: text('dataset'), protocol: text('protocol') } : undefined,
        cells,
      });
    }
    case 'validate':
      return validateCommand(config, { json: flag('json') });
    case 'schema':
      return schemaCommand(config, text('out') ?? 'radprobe.schema.json');
    case 'list':
      return listCommand({ json: flag('json') });
    case 'doctor':
      return doctorCommand({ json: flag('json') });
    case 'data':
      if (rest[0] === 'inspect' && rest[1]) return dataInspectCommand({ target: rest[1], json: flag('json') });
      if (rest[0] === 'pull' && text('out')) return dataPullCommand({ config: rest[1] ?? 'radprobe.json', dataset: text('dataset'), out: text('out')! });
      throw misuse("'inspect CONFIG|FOLDER|FILE' or 'pull [CONFIG] --out DIR'");
    case 'cache': {
      if (!['ls', 'verify', 'prune', 'status'].includes(rest[0])) throw misuse(`'ls', 'verify', 'prune' or 'status', got '${printablePath(rest[0] ?? '')}'`);
      if (rest[0] === 'status') return cacheStatusCommand({ config: rest[1] ?? 'radprobe.json', shards: positiveInteger('shards', text('shards')), json: flag('json') });
      const location = await locateCache(text('cache'), process.cwd(), process.env);
      if (rest[0] === 'ls') return cacheListCommand({ location, json: flag('json') });
      if (rest[0] === 'verify') return cacheVerifyCommand({ location, json: flag('json') });
      const olderThanDays = text('older-than') === undefined ? undefined : Number(text('older-than'));
      if (olderThanDays !== undefined && !(olderThanDays >= 0)) throw new RadprobeError(`--older-than must be a number of days, not '${text('older-than')}'`);
      return cachePruneCommand({ location, all: flag('all'), olderThanDays });
    }
    case 'model': {
      const store = resolveModelStore(text('store'), process.env);
      if (rest[0] === 'pull' && rest[1]) {
        return modelPullCommand({ name: rest[1], store, variant: oneOf('variant', text('variant'), ['fp32', 'fp16', 'quantized'] as const), revision: text('revision') });
      }
      if (rest[0] === 'ls') return modelListCommand({ store, json: flag('json') });
      throw misuse("'pull NAME' or 'ls'");
    }
    case 'report':
      if (rest[0] === 'compare' && rest.length > 1) {
        return reportCompareCommand({ dirs: rest.slice(1), out: text('out') ?? 'compare', title: text('title'), allowMixed: flag('allow-mixed') });
      }
      if (rest[0] === 'merge' && rest.length > 1) return reportMergeCommand({ dirs: rest.slice(1), out: text('out') });
      throw misuse("'compare DIR…' or 'merge RUN_DIR…' (one or more results folders)");
    case 'pca':
      return pcaCommand({
        config: text('run') ? null : config,
        runDir: text('run'),
        backbone: text('backbone'),
        dataset: text('dataset'),
        out: text('out'),
        options: {
          items: text('items')?.split(',').filter((id) => id !== ''),
          count: positiveInteger('count', text('count')),
          split: oneOf('split', text('split'), ['train', 'val', 'test'] as const),
          threshold: shareBelowOne('threshold', text('threshold')),
          foreground: oneOf('foreground', text('foreground'), ['auto', 'positive', 'negative'] as const),
          withInput: flag('no-input') ? false : undefined,
        },
      });
    case 'slurm':
      return slurmCommand({
        config,
        array: positiveInteger('array', text('array')) ?? 4,
        cellJobs: positiveInteger('cell-jobs', text('cell-jobs')),
        out: text('out') ?? 'slurm',
        radprobe: text('radprobe') ?? [process.execPath, realpathSync(process.argv[1])].map((word) => shellWord(word)).join(' '),
        partition: text('partition'),
        gres: text('gres'),
        time: text('time'),
        cpusPerTask: positiveInteger('cpus-per-task', text('cpus-per-task')),
        mem: text('mem'),
      });
    case 'k8s':
      return k8sCommand({
        config,
        completions: positiveInteger('completions', text('completions')) ?? 4,
        parallelism: positiveInteger('parallelism', text('parallelism')),
        cellJobs: positiveInteger('cell-jobs', text('cell-jobs')),
        image: text('image') ?? missing('--image IMAGE (the image built from the Dockerfile, where the cluster pulls from)'),
        pvc: text('pvc') ?? missing("--pvc CLAIM (a ReadWriteMany volume claim holding the config's folder)"),
        namespace: text('namespace'),
        gpus: positiveInteger('gpus', text('gpus')),
        name: text('name') ?? 'radprobe',
        out: text('out') ?? 'k8s',
      });
    default:
      throw new RadprobeError(`radprobe ${spec.name} has no handler`);
  }
}
