import { parseArgs } from 'node:util';
import { RadprobeError, locateCache, printablePath, resolveModelStore } from '@radprobe/core';
import { cacheListCommand, cachePruneCommand, cacheVerifyCommand } from './commands/cache.js';
import { dataInspectCommand } from './commands/data-inspect.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { listCommand } from './commands/list.js';
import { modelListCommand, modelPullCommand } from './commands/model.js';
import { pcaCommand } from './commands/pca.js';
import { reportCompareCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { schemaCommand, validateCommand } from './commands/validate.js';

const USAGE = `radprobe: how well does a vision foundation model transfer to radiology?

usage:
  radprobe demo [--dir demo] [--reporter pretty|jsonl]    generate the built-in default and evaluate it
  radprobe demo --study [--dir demo-study] [--scale full|smallest]
                                                           the study's grid on generated ViTs and data, and its comparison page
  radprobe run [config.json] [--reporter pretty|jsonl] [--on-bad-item fail|skip] [--device auto|cpu|cuda]
               [--backbone NAME] [--dataset NAME] [--protocol NAME]
  radprobe validate [config.json]                          check a config against the installed plugins
  radprobe schema [config.json] [--out radprobe.schema.json]  write the config's JSON Schema for editors
  radprobe list [--json]                                   installed plugins and what they contribute
  radprobe doctor [--json]                                 runtimes, execution providers, compute backend
  radprobe data inspect CONFIG|FOLDER [--json]            counts per split and class, patients, sizes, skipped files
  radprobe cache ls|verify|prune [--cache DIR] [--all] [--older-than DAYS] [--json]
                                                           feature caches; verify reads every record
  radprobe model pull NAME [--variant fp32|fp16|quantized] [--revision REV] [--store DIR]
  radprobe model ls [--store DIR] [--json]
  radprobe pca CONFIG [--backbone NAME] [--dataset NAME] [--items ID,ID | --count 4] [--split test] [--out pca]
  radprobe pca --run RESULTS_DIR [--count 4] [--split test]    PCA of patch features as RGB images + pca.json
               [--threshold 0] [--foreground auto|positive|negative] [--no-input]
  radprobe report compare DIR… [--out compare] [--title TITLE] [--allow-mixed]
                                                           one page, Markdown and CSV comparing results folders

The config defaults to ./radprobe.json. Models are stored in $RADPROBE_MODEL_STORE or ~/.cache/radprobe/models.
`;

const OPTIONS = {
  reporter: { type: 'string' },
  'on-bad-item': { type: 'string' },
  device: { type: 'string' },
  backbone: { type: 'string' },
  dataset: { type: 'string' },
  protocol: { type: 'string' },
  out: { type: 'string' },
  title: { type: 'string' },
  'allow-mixed': { type: 'boolean' },
  dir: { type: 'string' },
  study: { type: 'boolean' },
  scale: { type: 'string' },
  cache: { type: 'string' },
  all: { type: 'boolean' },
  'older-than': { type: 'string' },
  variant: { type: 'string' },
  revision: { type: 'string' },
  store: { type: 'string' },
  json: { type: 'boolean' },
  run: { type: 'string' },
  items: { type: 'string' },
  count: { type: 'string' },
  split: { type: 'string' },
  threshold: { type: 'string' },
  foreground: { type: 'string' },
  'no-input': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new RadprobeError(`--${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
}

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (Number.isInteger(number) && number > 0) return number;
  throw new RadprobeError(`--${flag} must be a positive integer, not '${value}'`);
}

function shareBelowOne(flag: string, value: string): number {
  const number = Number(value);
  if (value.trim() !== '' && number >= 0 && number < 1) return number;
  throw new RadprobeError(`--${flag} must be a number in [0, 1), not '${value}'`);
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new RadprobeError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const reporter = oneOf('reporter', values.reporter, ['pretty', 'jsonl'] as const, 'pretty');
  const config = rest[0] ?? 'radprobe.json';
  switch (command) {
    case 'demo':
      return demoCommand({ dir: values.dir, reporter, study: Boolean(values.study), scale: oneOf('scale', values.scale, ['full', 'smallest'] as const, 'full') });
    case 'run':
      return runCommand({
        config,
        reporter,
        onBadItem: values['on-bad-item'] === undefined ? undefined : oneOf('on-bad-item', values['on-bad-item'], ['fail', 'skip'] as const, 'fail'),
        device: values.device === undefined ? undefined : oneOf('device', values.device, ['auto', 'cpu', 'cuda'] as const, 'auto'),
        only: values.backbone || values.dataset || values.protocol ? { backbone: values.backbone, dataset: values.dataset, protocol: values.protocol } : undefined,
      });
    case 'validate':
      return validateCommand(config);
    case 'schema':
      return schemaCommand(config, values.out ?? 'radprobe.schema.json');
    case 'list':
      return listCommand({ json: Boolean(values.json) });
    case 'doctor':
      return doctorCommand({ json: Boolean(values.json) });
    case 'data':
      if (rest[0] === 'inspect' && rest[1]) return dataInspectCommand({ target: rest[1], json: Boolean(values.json) });
      throw new RadprobeError(`radprobe data: expected 'inspect CONFIG|FOLDER'`);
    case 'cache': {
      if (!['ls', 'verify', 'prune'].includes(rest[0])) throw new RadprobeError(`radprobe cache: expected 'ls', 'verify' or 'prune', got '${printablePath(rest[0] ?? '')}'`);
      const location = await locateCache(values.cache, process.cwd(), process.env);
      if (rest[0] === 'ls') return cacheListCommand({ location, json: Boolean(values.json) });
      if (rest[0] === 'verify') return cacheVerifyCommand({ location, json: Boolean(values.json) });
      const olderThanDays = values['older-than'] === undefined ? undefined : Number(values['older-than']);
      if (olderThanDays !== undefined && !(olderThanDays >= 0)) throw new RadprobeError(`--older-than must be a number of days, not '${values['older-than']}'`);
      return cachePruneCommand({ location, all: Boolean(values.all), olderThanDays });
    }
    case 'model': {
      const store = resolveModelStore(values.store, process.env);
      if (rest[0] === 'pull' && rest[1]) return modelPullCommand({
          name: rest[1],
          store,
          variant: values.variant === undefined ? undefined : oneOf('variant', values.variant, ['fp32', 'fp16', 'quantized'] as const, 'fp32'),
          revision: values.revision,
        });
      if (rest[0] === 'ls') return modelListCommand({ store, json: Boolean(values.json) });
      throw new RadprobeError(`radprobe model: expected 'pull NAME' or 'ls'`);
    }
    case 'report':
      if (rest[0] === 'compare' && rest.length > 1) {
        return reportCompareCommand({ dirs: rest.slice(1), out: values.out ?? 'compare', title: values.title, allowMixed: Boolean(values['allow-mixed']) });
      }
      throw new RadprobeError(`radprobe report: expected 'compare DIR…' (one or more results folders)`);
    case 'pca':
      return pcaCommand({
        config: values.run ? null : config,
        runDir: values.run,
        backbone: values.backbone,
        dataset: values.dataset,
        out: values.out,
        options: {
          items: values.items?.split(',').filter((id) => id !== ''),
          count: values.count === undefined ? undefined : positiveInteger('count', values.count),
          split: values.split === undefined ? undefined : oneOf('split', values.split, ['train', 'val', 'test'] as const, 'test'),
          threshold: values.threshold === undefined ? undefined : shareBelowOne('threshold', values.threshold),
          foreground: values.foreground === undefined ? undefined : oneOf('foreground', values.foreground, ['auto', 'positive', 'negative'] as const, 'auto'),
          withInput: values['no-input'] ? false : undefined,
        },
      });
    default:
      throw new RadprobeError(`unknown command '${command}'\n\n${USAGE}`);
  }
}
