/** One command-line option as `parseArgs` reads it and as a command's help shows it. */
export interface OptionSpec {
  name: string;
  type: 'string' | 'boolean';
  /** One-letter alias, e.g. `h` for `-h`. */
  short?: string;
  /** What a string option takes, e.g. `pretty|jsonl` or `DIR`. */
  value?: string;
  description: string;
}

/** One command: how it is called, what it does, which options it takes. */
export interface CommandSpec {
  name: string;
  /** Each form, without the leading `radprobe ` (`cache ls`, `cache prune`). */
  synopsis: string[];
  summary: string;
  options: OptionSpec[];
}

const reporter: OptionSpec = {
  name: 'reporter',
  type: 'string',
  value: 'pretty|jsonl',
  description: 'pretty (default): progress on stderr, the results table on stdout; jsonl: one run event per line on stdout',
};
const json: OptionSpec = { name: 'json', type: 'boolean', description: 'print JSON instead of text' };
const backbone = (what: string): OptionSpec => ({ name: 'backbone', type: 'string', value: 'NAME', description: `only the backbone entry of that name${what}` });
const dataset = (what: string): OptionSpec => ({ name: 'dataset', type: 'string', value: 'NAME', description: `only the dataset entry of that name${what}` });
const cellJobs: OptionSpec = { name: 'cell-jobs', type: 'string', value: 'N', description: 'cells jobs after the extraction, each running its part of the cells (default: as many as shards, at most one per cell)' };
const shard: OptionSpec = {
  name: 'shard',
  type: 'string',
  value: 'I/N',
  description:
    'embed only shard I of N (0-based) of every backbone × dataset item list into the cache; without it, the shard of a SLURM array task ' +
    '(SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT, or _MIN/_MAX) or of a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with RADPROBE_SHARD_COUNT); ' +
    'RADPROBE_SHARD_FROM_ENV=0 ignores the environment',
};
const store: OptionSpec = { name: 'store', type: 'string', value: 'DIR', description: 'the model store (default $RADPROBE_MODEL_STORE, else ~/.cache/radprobe/models)' };

/**
 * Every command, in the order the overall usage lists them: the one table that both `radprobe --help` and
 * `radprobe <command> --help` are written from, and that `parseArgs` takes its options from.
 */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'demo',
    synopsis: ['demo [--dir demo]', 'demo --study [--dir demo-study] [--scale full|smallest]'],
    summary: 'generate the built-in default (small ViTs, synthetic chest X-rays) and evaluate it; --study runs the study\'s grid and its comparison page',
    options: [
      { name: 'dir', type: 'string', value: 'DIR', description: 'where the models, data, config and results go (default demo, or demo-study)' },
      { name: 'study', type: 'boolean', description: "the study's backbones × datasets × protocols on generated ViTs and data" },
      { name: 'scale', type: 'string', value: 'full|smallest', description: 'with --study: every cell (full, default) or the smallest of each kind' },
      reporter,
    ],
  },
  {
    name: 'run',
    synopsis: ['run [CONFIG]', 'run [CONFIG] --shard I/N', 'run [CONFIG] --cells I/N'],
    summary:
      'evaluate every backbone × dataset × protocol of a config. With --shard (or inside a SLURM array task or a Kubernetes Indexed Job, which ' +
      'set the shard; RADPROBE_SHARD_FROM_ENV=0 turns that off) it only embeds that shard into the cache, as radprobe extract does; ' +
      'with --cells I/N it runs cell j of the grid when j mod N = I, into its own results folder (radprobe report merge joins them)',
    options: [
      { name: 'output', type: 'string', value: 'DIR', description: "overrides the config's output: the folder the run's results folder goes into" },
      shard,
      { name: 'cells', type: 'string', value: 'I/N', description: 'run only part I of N (0-based) of the cells; features not in the cache yet are embedded first, as a plain run does' },
      reporter,
      { name: 'on-bad-item', type: 'string', value: 'fail|skip', description: "overrides the config's onBadItem: stop at an unreadable item, or leave it out and list it" },
      { name: 'device', type: 'string', value: 'auto|cpu|cuda', description: "overrides the config's device" },
      backbone(': runs only its cells'),
      dataset(': runs only its cells'),
      { name: 'protocol', type: 'string', value: 'NAME', description: 'only the protocol entry of that name: runs only its cells' },
    ],
  },
  {
    name: 'extract',
    synopsis: ['extract [CONFIG] [--shard I/N]'],
    summary:
      "fill the feature cache without running a protocol: every backbone × dataset the config's protocols need, or one shard of each item list " +
      '(balanced by item count and bytes). Workers on several machines may share one cache folder; a shard already complete exits 0 at once',
    options: [
      shard,
      reporter,
      { name: 'on-bad-item', type: 'string', value: 'fail|skip', description: "overrides the config's onBadItem" },
      { name: 'device', type: 'string', value: 'auto|cpu|cuda', description: "overrides the config's device" },
    ],
  },
  {
    name: 'validate',
    synopsis: ['validate [CONFIG]'],
    summary: 'check a config without running it: the schema of the installed plugins, files and folders it names, model inputs against the preprocessing',
    options: [{ ...json, description: 'print { file, valid, issues } (each issue: line, column, pointer, message, check), exit 1 when there are issues' }],
  },
  {
    name: 'schema',
    synopsis: ['schema [CONFIG]'],
    summary: "write the config's JSON Schema (core's and the installed plugins' options) for editors",
    options: [{ name: 'out', type: 'string', value: 'FILE', description: 'where to write it (default radprobe.schema.json)' }],
  },
  { name: 'list', synopsis: ['list'], summary: 'installed plugins and what they contribute', options: [json] },
  { name: 'doctor', synopsis: ['doctor'], summary: 'Node, onnxruntime execution providers (and how to get a GPU one), the compute backend', options: [json] },
  {
    name: 'data',
    synopsis: ['data inspect CONFIG|FOLDER|FILE', 'data pull [CONFIG] --out DIR [--dataset NAME]'],
    summary:
      'inspect: a config\'s datasets, or a folder\'s guessed layout: counts per split and class, patients, sizes, skipped files; a single image, NIfTI, DICOM file or series folder, or npz: geometry, intensities and what radprobe would slice. pull: download a dicomweb dataset into a folder the "dicom" kind reads',
    options: [
      json,
      { name: 'out', type: 'string', value: 'DIR', description: 'pull: the folder to write (<split>/<class>/…)' },
      { name: 'dataset', type: 'string', value: 'NAME', description: 'pull: which dicomweb dataset of the config (when it has several)' },
    ],
  },
  {
    name: 'cache',
    synopsis: ['cache ls', 'cache verify', 'cache prune [--all] [--older-than DAYS]', 'cache status [CONFIG] [--shards N]'],
    summary:
      'feature-cache entries and their sizes (and the other caches radprobe knows of), with workers that were killed; verify reads every record against its checksum; prune removes leftovers of killed runs, bad shards, and old or all entries, never anything it did not write; ' +
      "status: a config's coverage per backbone × dataset (items cached of all, shards complete and missing, workers running or killed)",
    options: [
      { name: 'shards', type: 'string', value: 'N', description: 'status: which shards of an N-way split are missing (default: the N the cache was filled with)' },
      { name: 'cache', type: 'string', value: 'DIR', description: 'the cache folder (default: the "cache" of ./radprobe.json, else .radprobe/cache)' },
      { name: 'all', type: 'boolean', description: 'prune: every entry' },
      { name: 'older-than', type: 'string', value: 'DAYS', description: 'prune: entries last used more than DAYS days ago' },
      json,
    ],
  },
  {
    name: 'model',
    synopsis: ['model pull NAME', 'model ls'],
    summary: 'the local model store: download an ONNX export from the hub (dinov2-small, owner/repo), or list what is there',
    options: [
      { name: 'variant', type: 'string', value: 'fp32|fp16|quantized', description: 'pull: which export of the repository (default fp32)' },
      { name: 'revision', type: 'string', value: 'REV', description: 'pull: a branch, tag or commit of the repository' },
      store,
      json,
    ],
  },
  {
    name: 'pca',
    synopsis: ['pca CONFIG [--backbone NAME] [--dataset NAME]', 'pca --run RESULTS_DIR'],
    summary: "the study's PCA figure: the first three principal components of patch tokens as RGB images, with pca.json",
    options: [
      { name: 'run', type: 'string', value: 'RESULTS_DIR', description: 'the backbones and datasets of a finished run, written to RESULTS_DIR/pca' },
      backbone(''),
      dataset(''),
      { name: 'items', type: 'string', value: 'ID,ID', description: 'the items to show (default: --count items of --split)' },
      { name: 'count', type: 'string', value: 'N', description: 'how many items (default 4)' },
      { name: 'split', type: 'string', value: 'train|val|test', description: 'where the items come from (default test)' },
      { name: 'threshold', type: 'string', value: 'T', description: 'background threshold on the first component, in [0, 1) (default 0)' },
      { name: 'foreground', type: 'string', value: 'auto|positive|negative', description: 'which side of the threshold is the foreground (default auto)' },
      { name: 'no-input', type: 'boolean', description: 'leave the input image out of each figure' },
      { name: 'out', type: 'string', value: 'DIR', description: 'output folder for a CONFIG (default pca)' },
    ],
  },
  {
    name: 'report',
    synopsis: ['report compare DIR…', 'report merge RUN_DIR… [--out DIR]'],
    summary:
      'compare: one page, Markdown and CSV comparing results folders; refuses runs with different splits, sizes or preprocessing. ' +
      'merge: join the results folders of radprobe run --cells parts into one (results.json, .md, .csv, report.html), as one run of the config writes it; ' +
      'refuses parts of different configs or code, and names cells that are missing or in two parts',
    options: [
      { name: 'out', type: 'string', value: 'DIR', description: 'output folder (compare: default compare; merge: default <run-id>-merged beside the first part)' },
      { name: 'title', type: 'string', value: 'TITLE', description: 'title of the page' },
      { name: 'allow-mixed', type: 'boolean', description: 'compare runs that differ in splits, sizes or preprocessing, with warnings' },
    ],
  },
  {
    name: 'slurm',
    synopsis: ['slurm [CONFIG] [--array N] [--cell-jobs N] [--out slurm]'],
    summary:
      'write sbatch scripts for a SLURM cluster: an extraction job array filling the shared feature cache, a cells job array after it, a merge after that, and submit.sh that submits them with their dependencies',
    options: [
      { name: 'array', type: 'string', value: 'N', description: 'extraction tasks in the job array, one shard each (default 4)' },
      cellJobs,
      { name: 'out', type: 'string', value: 'DIR', description: 'where the scripts and the job logs go (default slurm)' },
      { name: 'partition', type: 'string', value: 'P', description: 'sbatch --partition of every job' },
      { name: 'gres', type: 'string', value: 'GRES', description: 'sbatch --gres of the extraction and cells tasks, e.g. gpu:1' },
      { name: 'time', type: 'string', value: 'LIMIT', description: 'sbatch --time of every job, e.g. 04:00:00' },
      { name: 'cpus-per-task', type: 'string', value: 'N', description: 'sbatch --cpus-per-task of the extraction and cells tasks' },
      { name: 'mem', type: 'string', value: 'SIZE', description: 'sbatch --mem of the extraction and cells tasks, e.g. 32G' },
      { name: 'radprobe', type: 'string', value: 'COMMAND', description: 'how the jobs start radprobe (default: this node and this radprobe, by absolute path)' },
    ],
  },
  {
    name: 'k8s',
    synopsis: ['k8s [CONFIG] --image IMAGE --pvc CLAIM [--completions N] [--out k8s]'],
    summary:
      'write Kubernetes Jobs: an Indexed Job filling the feature cache on a shared volume, one pod per shard, an Indexed Job for the cells, a merge Job, and apply.sh that applies each once the one before completed',
    options: [
      { name: 'image', type: 'string', value: 'IMAGE', description: "the container image, built from radprobe's Dockerfile and pushed where the cluster pulls from" },
      { name: 'pvc', type: 'string', value: 'CLAIM', description: "a ReadWriteMany persistent volume claim holding the config's folder (config, data, cache)" },
      { name: 'completions', type: 'string', value: 'N', description: 'extraction shards, one pod each (default 4)' },
      { name: 'parallelism', type: 'string', value: 'P', description: 'extraction pods at a time (default: all)' },
      cellJobs,
      { name: 'namespace', type: 'string', value: 'NS', description: 'the namespace of the Jobs' },
      { name: 'gpus', type: 'string', value: 'N', description: 'nvidia.com/gpu per extraction and cells pod' },
      { name: 'name', type: 'string', value: 'NAME', description: "prefix of the Jobs' names (default radprobe)" },
      { name: 'out', type: 'string', value: 'DIR', description: 'where the manifests go (default k8s)' },
    ],
  },
];

/** Options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', type: 'boolean', short: 'h', description: 'this help' },
  { name: 'version', type: 'boolean', description: 'versions of radprobe and of the installed plugins' },
];

const HEADLINE = 'radprobe: how well does a vision foundation model transfer to radiology?';
const FOOTER =
  'The config defaults to ./radprobe.json. Models are stored in $RADPROBE_MODEL_STORE or ~/.cache/radprobe/models.\n' +
  'radprobe <command> --help (or radprobe help <command>) shows the options of a command.\n';

export function commandNamed(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}

/** The overall usage: every command's forms with its summary. */
export function overallUsage(): string {
  const lines = [HEADLINE, '', 'usage:'];
  for (const command of COMMANDS) {
    command.synopsis.forEach((form) => lines.push(`  radprobe ${form}`));
    lines.push(...wrap(command.summary, 6));
  }
  lines.push('', 'options of every command:', ...optionLines(GLOBAL_OPTIONS), '', FOOTER);
  return lines.join('\n');
}

/** One command's usage: its forms, what it does, and each of its options. */
export function commandUsage(command: CommandSpec): string {
  const lines = command.synopsis.map((form, index) => `${index === 0 ? 'usage:' : '      '} radprobe ${form}${command.options.length ? ' [options]' : ''}`);
  lines.push('', ...wrap(command.summary, 0), '', 'options:', ...optionLines([...command.options, ...GLOBAL_OPTIONS]), '');
  return lines.join('\n');
}

function optionLines(options: readonly OptionSpec[]): string[] {
  const flags = options.map((option) => `${option.short ? `-${option.short}, ` : ''}--${option.name}${option.value ? ` ${option.value}` : ''}`);
  const width = Math.max(...flags.map((flag) => flag.length));
  return options.map((option, index) => `  ${flags[index].padEnd(width)}  ${option.description}`);
}

/** `text` in lines of at most ~110 characters, each indented by `indent` spaces. */
function wrap(text: string, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > 110) {
      lines.push(' '.repeat(indent) + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(' '.repeat(indent) + line);
  return lines;
}
