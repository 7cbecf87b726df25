import { relative, resolve, sep } from 'node:path';
import type {
  BackboneInfo,
  ComponentEntry,
  Dataset,
  DatasetSummary,
  FeatureNeeds,
  Protocol,
  RunConfig,
  RunReporter,
  RunResults,
  TrainableBackbone,
} from '../../contracts/index.js';
import { mergeNeeds } from '../cache/layout.js';
import { configHash } from '../config/config-hash.js';
import { loadConfig } from '../config/load.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { cellSummary } from '../results/cell-summary.js';
import { collectProvenance } from '../results/provenance.js';
import { writeRunResults } from '../results/write.js';
import { resolveTrainingWorkers } from '../train/workers.js';
import { RadprobeError } from '../util/errors.js';
import { assertWritableFolder } from '../util/path-problems.js';
import { splitHash } from '../splits/split-hash.js';
import { checkArtifactFolders, checkArtifactNames, writeArtifacts } from './artifacts.js';
import type { OpenedBackbone } from './checked-backbone.js';
import { entryOptions, openBackbone, openDataset } from './components.js';
import { PluginError, callPlugin, entryPlugin, type EntryPlugin } from './entry-plugin.js';
import { embedPart, openPairCache } from './pair-features.js';
import { readItemList } from '../scale/item-list.js';
import { formatPart, type PartRef } from '../scale/partition.js';
import { protocolContext, type CellResources } from './protocol-context.js';
import type { BuiltinPlugin } from '../plugins/registry.js';
import { loadRegistryForConfig } from './registry.js';
import { RunCells, type CellNames } from './run-cells.js';
import { RunFolder } from './run-folder.js';
import { UsedPlugins } from './used-plugins.js';

export interface RunOptions {
  configPath: string;
  /** Plugins that ship with the caller (the CLI): they keep their kinds in a name clash, loudly. */
  builtins: BuiltinPlugin[];
  /** Other folders to search for installed plugins (the CLI's own install location). */
  searchDirs?: string[];
  reporter: RunReporter;
  signal?: AbortSignal;
  /**
   * The folder the run's results folder goes into instead of the config's `output` (the CLI's `--output`: each
   * cells job of a cluster run writes where its merge step finds it). It does not change the config or its hash.
   */
  outputRoot?: string;
  /** Overrides the config's `onBadItem`. */
  onBadItem?: 'fail' | 'skip';
  /** Overrides the config's `device` (the editor's `radprobe.device` setting). */
  device?: RunConfig['device'];
  /** Runs only the cells whose names match. */
  only?: { backbone?: string; dataset?: string; protocol?: string };
  /**
   * Runs only part `index` of `count` of the selected cells: cell `j` of the grid (backbone, then dataset, then
   * protocol, in config order) belongs to part `j mod count`. `radprobe report merge` joins the parts' results.
   */
  cells?: PartRef;
  /**
   * Writes more files into the run's folder before it appears (the CLI's report.html): `dir` already holds
   * results.json and the artifacts.
   */
  addFiles?(dir: string, results: RunResults): Promise<unknown>;
}

export interface RunOutcome {
  results: RunResults;
  outputDir: string;
}

/**
 * Runs every backbone × dataset × protocol cell of a config: datasets are loaded once, each backbone is loaded
 * once and embeds each dataset through the feature cache, then every protocol reads the cached features. A plugin
 * that fails (a dataset or backbone that does not load, an embedding that throws or returns batches of the wrong
 * shape, a protocol that throws) fails its cells and the run goes on with the others; when no cell completes, the
 * run stops with the error and writes nothing. The output and cache folders are checked writable before any work,
 * and the results folder appears whole, at the end, or not at all.
 */
export async function runEvaluation(options: RunOptions): Promise<RunOutcome> {
  const startedAt = new Date();
  const signal = options.signal ?? new AbortController().signal;
  const { reporter } = options;
  const warn = (message: string) => reporter({ type: 'log', level: 'warn', message });
  const registry = await loadRegistryForConfig(options.configPath, options.builtins, options.searchDirs);
  for (const warning of registry.warnings) warn(warning);
  const { config, baseDir } = await loadConfig(options.configPath, registry);
  if (options.onBadItem) config.onBadItem = options.onBadItem;
  if (options.device) config.device = options.device;
  const hash = configHash(config);
  const requestedRunId = `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${hash.slice(0, 8)}`;

  const selected = <T extends ComponentEntry>(entries: T[], wanted?: string) => entries.filter((entry) => !wanted || entry.name === wanted);
  const grid = cellGrid(selected(config.backbones, options.only?.backbone), selected(config.datasets, options.only?.dataset), selected(config.protocols, options.only?.protocol), options.cells);
  if (grid.size === 0) {
    throw new RadprobeError(`nothing to run: no cell matches ${JSON.stringify(options.only)}`, { file: options.configPath });
  }
  if (grid.selected === 0) {
    throw new RadprobeError(`nothing to run: --cells ${formatPart(options.cells!)} holds no cell of ${grid.size} (use at most ${grid.size} parts)`, { file: options.configPath });
  }
  const names = (entries: ComponentEntry[]) => entries.map((entry) => entry.name!);
  checkArtifactFolders({ backbones: names(grid.backbones), datasets: names(grid.datasets), protocols: names(grid.protocols) });
  const configFile = resolve(options.configPath);
  await assertWritableFolder(resolve(baseDir, config.cache), { key: 'cache', file: configFile });
  const folder = options.outputRoot
    ? await RunFolder.create(resolve(options.outputRoot), requestedRunId, { key: '--output' })
    : await RunFolder.create(resolve(baseDir, config.output), requestedRunId, { key: 'output', file: configFile });
  const { runId } = folder;
  for (const unfinished of await folder.unfinishedNeighbours()) {
    warn(`${unfinished} holds what a run wrote before it stopped (killed, or still running): no complete results; delete it once no run is using it`);
  }
  if (options.cells) reporter({ type: 'log', level: 'info', message: `cells ${formatPart(options.cells)}: ${grid.selected} of the ${grid.size} cells` });
  reporter({ type: 'run-start', runId, outputDir: folder.dir, cells: grid.selected });

  let results: RunResults;
  try {
    const run = await evaluateGrid({ registry, config, baseDir, grid, folder, signal, reporter });
    const failure = run.cells.nothingCompleted();
    if (failure) throw failure;
    results = {
      schemaVersion: 1,
      runId,
      name: config.name ?? runId,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      config: config as unknown as Record<string, unknown>,
      baseDir: relative(folder.dir, baseDir).split(sep).join('/') || '.',
      provenance: await collectProvenance({
        config,
        configHash: hash,
        baseDir,
        seed: config.seed,
        backbones: run.backbones,
        plugins: run.plugins.provenance(),
      }),
      datasets: run.datasets,
      cells: grid.inOrder(run.cells.cells),
      failed: grid.inOrder(run.cells.failed),
      ...(options.cells ? { partition: { cells: options.cells, of: grid.size } } : {}),
    };
    await folder.publish(async (dir) => {
      await writeRunResults(dir, results);
      await options.addFiles?.(dir, results);
    });
  } catch (error) {
    await folder.discard();
    throw error;
  }
  reporter({ type: 'run-end', runId, outputDir: folder.dir, failed: results.failed!.length });
  return { results, outputDir: folder.dir };
}

/** The selected entries: every backbone × dataset × protocol is a cell; `includes` says which cells this run runs. */
interface Grid {
  backbones: ComponentEntry[];
  datasets: ComponentEntry[];
  protocols: ComponentEntry[];
  /** Cells in the grid, and cells this run runs. */
  size: number;
  selected: number;
  includes(backbone: ComponentEntry, dataset: ComponentEntry, protocol: ComponentEntry): boolean;
  /** Cells (or failures) sorted in grid order: backbone, then dataset, then protocol, in config order. */
  inOrder<T extends { backbone: string; dataset: string; protocol: string }>(cells: T[]): T[];
}

function cellGrid(backbones: ComponentEntry[], datasets: ComponentEntry[], protocols: ComponentEntry[], part?: PartRef): Grid {
  const position = (b: number, d: number, p: number) => (b * datasets.length + d) * protocols.length + p;
  const size = backbones.length * datasets.length * protocols.length;
  const inPart = (j: number) => !part || j % part.count === part.index;
  let selected = 0;
  for (let j = 0; j < size; j++) if (inPart(j)) selected++;
  const index = (entries: ComponentEntry[]) => new Map(entries.map((entry, at) => [entry.name!, at]));
  const [b, d, p] = [index(backbones), index(datasets), index(protocols)];
  const positionOf = (cell: { backbone: string; dataset: string; protocol: string }) => position(b.get(cell.backbone)!, d.get(cell.dataset)!, p.get(cell.protocol)!);
  return {
    backbones,
    datasets,
    protocols,
    size,
    selected,
    includes: (backbone, dataset, protocol) => inPart(position(b.get(backbone.name!)!, d.get(dataset.name!)!, p.get(protocol.name!)!)),
    inOrder: (cells) => [...cells].sort((x, y) => positionOf(x) - positionOf(y)),
  };
}

interface GridRun {
  cells: RunCells;
  datasets: DatasetSummary[];
  backbones: RunResults['provenance']['backbones'];
  plugins: UsedPlugins;
}

/** A dataset entry, loaded or failed to load (its cells fail with every backbone; the other datasets run). */
type LoadedDataset = { entry: ComponentEntry; dataset: Dataset; failure?: never } | { entry: ComponentEntry; dataset?: never; failure: PluginError };

async function evaluateGrid(args: {
  registry: PluginRegistry;
  config: RunConfig;
  baseDir: string;
  grid: Grid;
  folder: RunFolder;
  signal: AbortSignal;
  reporter: RunReporter;
}): Promise<GridRun> {
  const { registry, config, baseDir, grid, signal, reporter } = args;
  const log = (message: string) => reporter({ type: 'log', level: 'info', message });
  const cells = new RunCells(reporter);
  const plugins = new UsedPlugins(registry);
  // A failure of plugin code fails cells; anything else (a bad item under onBadItem "fail", a full disk, Ctrl-C)
  // stops the run.
  const pluginFailure = (error: unknown): PluginError => {
    if (signal.aborted || !(error instanceof PluginError)) throw error;
    return error;
  };

  const datasets: LoadedDataset[] = [];
  const hasCells = (backbones: ComponentEntry[], datasetEntries: ComponentEntry[]) =>
    backbones.some((backbone) => datasetEntries.some((dataset) => grid.protocols.some((protocol) => grid.includes(backbone, dataset, protocol))));
  for (const entry of grid.datasets) {
    plugins.use('datasets', entry.kind);
    if (!hasCells(grid.backbones, [entry])) continue;
    reporter({ type: 'stage', stage: 'dataset', dataset: entry.name, message: `loading dataset ${entry.name} (${entry.kind})` });
    try {
      datasets.push({ entry, dataset: await openDataset(registry, config, entry, baseDir, log) });
    } catch (error) {
      datasets.push({ entry, failure: pluginFailure(error) });
    }
  }
  const skippedByDataset = new Map<string, DatasetSummary['skipped']>(
    datasets.flatMap(({ dataset }) => (dataset ? [[dataset.name, [...dataset.skipped]]] : [])),
  );
  const protocols = grid.protocols.map((entry) => {
    plugins.use('protocols', entry.kind);
    const registration = registry.protocols.get(entry.kind)!;
    return { entry, protocol: registration.protocol, plugin: entryPlugin('protocol', entry, registration), options: entryOptions(entry) };
  });
  const cellNames = (backbone: ComponentEntry, dataset: ComponentEntry, protocol: ComponentEntry): CellNames => ({
    backbone: backbone.name!,
    dataset: dataset.name!,
    protocol: protocol.name!,
    protocolKind: protocol.kind,
  });
  const backbones: GridRun['backbones'] = [];

  for (const backboneEntry of grid.backbones) {
    plugins.use('backbones', backboneEntry.kind);
    if (!hasCells([backboneEntry], grid.datasets)) continue;
    reporter({ type: 'stage', stage: 'backbone', backbone: backboneEntry.name, message: `loading backbone ${backboneEntry.name}` });
    let backbone: OpenedBackbone;
    try {
      backbone = await openBackbone(registry, config, backboneEntry, baseDir, log);
    } catch (error) {
      const failure = pluginFailure(error);
      for (const { entry, failure: datasetFailure } of datasets) {
        for (const protocol of grid.protocols) {
          if (!grid.includes(backboneEntry, entry, protocol)) continue;
          cells.fail(cellNames(backboneEntry, entry, protocol), datasetFailure ?? failure, datasetFailure ? 'dataset' : 'backbone');
        }
      }
      continue;
    }
    // Read once per backbone, and only when a protocol asks: a failure then fails those protocols' cells alone.
    let network: Promise<TrainableBackbone | null> | undefined;
    const openTrainable = () => (network ??= backbone.trainable?.() ?? Promise.resolve(null));
    try {
      const { description, weightsHash, executionProvider } = backbone.info;
      backbones.push({ name: backboneEntry.name!, description, weightsHash, executionProvider });
      log(`${backboneEntry.name}: ${backbone.info.description} on ${backbone.info.executionProvider}`);
      for (const { entry: datasetEntry, dataset, failure: datasetFailure } of datasets) {
        const names = (protocol: ComponentEntry) => cellNames(backboneEntry, datasetEntry, protocol);
        const cellProtocols = protocols.filter(({ entry }) => grid.includes(backboneEntry, datasetEntry, entry));
        if (cellProtocols.length === 0) continue;
        if (datasetFailure) {
          for (const { entry } of cellProtocols) cells.fail(names(entry), datasetFailure, 'dataset');
          continue;
        }
        const runnable: Array<(typeof protocols)[number] & { needs: FeatureNeeds }> = [];
        for (const candidate of cellProtocols) {
          if (!candidate.protocol.tasks.includes(dataset.task)) {
            cells.skipped(names(candidate.entry), `${candidate.protocol.title} does not evaluate ${dataset.task} tasks`);
            continue;
          }
          try {
            const needs = await callPlugin(candidate.plugin, () => candidate.protocol.featureNeeds(candidate.options, backbone.info, plugins.protocolLookup));
            runnable.push({ ...candidate, needs });
          } catch (error) {
            cells.fail(names(candidate.entry), pluginFailure(error), 'protocol');
          }
        }
        if (runnable.length === 0) continue;

        let embedded: Awaited<ReturnType<typeof embedDataset>>;
        try {
          const needs = runnable.map((protocol) => protocol.needs);
          embedded = await embedDataset({ config, baseDir, backboneEntry, backbone, dataset, needs, plugins, signal, reporter, log });
        } catch (error) {
          const failure = pluginFailure(error);
          for (const { entry } of runnable) cells.fail(names(entry), failure, 'extract');
          continue;
        }
        const known = skippedByDataset.get(dataset.name)!;
        for (const item of embedded.skipped) if (!known.some((k) => k.source === item.source)) known.push(item);
        for (const { entry, protocol, plugin, options, needs } of runnable) {
          const { resources } = embedded;
          await runCell({ names: names(entry), protocol, plugin, options, needs, openTrainable, resources, signal, reporter, cells, folder: args.folder });
        }
      }
    } finally {
      await backbone.dispose().catch((error: unknown) => reporter({ type: 'log', level: 'warn', message: `${(error as Error).message} (while disposing)` }));
    }
  }
  const summaries = datasets.flatMap(({ entry, dataset }) => (dataset ? [summariseDataset(entry, dataset, skippedByDataset.get(dataset.name)!)] : []));
  return { cells, datasets: summaries, backbones, plugins };
}

/** What every protocol of a cell shares; pixels and the trainable network go only to the protocols asking. */
type CellBaseResources = Omit<CellResources, 'log' | 'progress' | 'pixels' | 'trainable'>;

/**
 * Makes sure the cache holds the features the protocols of a (backbone, dataset) pair need, and opens them for
 * the pair's cells; also returns the items left out as bad.
 */
async function embedDataset(args: {
  config: RunConfig;
  baseDir: string;
  backboneEntry: ComponentEntry;
  backbone: OpenedBackbone;
  dataset: Dataset;
  needs: FeatureNeeds[];
  plugins: UsedPlugins;
  signal: AbortSignal;
  reporter: RunReporter;
  log(message: string): void;
}): Promise<{ resources: CellBaseResources; skipped: DatasetSummary['skipped'] }> {
  const { config, backbone, dataset, reporter, log } = args;
  const needs = mergeNeeds(args.needs);
  const pair = await openPairCache({ config, baseDir: args.baseDir, backbone, needs: args.needs, log });
  reporter({ type: 'stage', stage: 'extract', backbone: args.backboneEntry.name!, dataset: dataset.name, message: `features of ${dataset.name} × ${args.backboneEntry.name!}` });
  const extraction = await embedPart({
    pair,
    dataset,
    list: await readItemList(dataset),
    part: { index: 0, count: 1 },
    backbone,
    backboneName: args.backboneEntry.name!,
    batchSize: Number(args.backboneEntry.batchSize ?? config.batchSize),
    onBadItem: config.onBadItem,
    openEveryItem: Boolean(needs.pixels),
    signal: args.signal,
    reporter,
    log,
  });
  const { cache, groups, grid, preprocessing } = pair;
  const kept = dataset.items.flatMap((item, index) => (extraction.keys[index] === null ? [] : [{ item, key: extraction.keys[index]! }]));
  const resources: CellBaseResources = {
    dataset,
    items: kept.map(({ item }) => item),
    keys: kept.map(({ key }) => key),
    stores: await Promise.all(groups.map(async (group) => ({ group, store: await cache.store(group) }))),
    grid,
    preprocessing,
    backbone: backbone.info,
    masks: Boolean(needs.masks),
    seed: config.seed,
    bootstrap: config.bootstrap,
    trainingWorkers: resolveTrainingWorkers(config.trainingWorkers).count,
    signal: args.signal,
    protocols: args.plugins.protocolLookup,
  };
  return { resources, skipped: extraction.skipped };
}

async function runCell(args: {
  names: CellNames;
  protocol: Protocol;
  plugin: EntryPlugin;
  options: Record<string, unknown>;
  /** The protocol's own feature needs. */
  needs: FeatureNeeds;
  openTrainable(): Promise<TrainableBackbone | null>;
  resources: CellBaseResources;
  signal: AbortSignal;
  reporter: RunReporter;
  cells: RunCells;
  folder: RunFolder;
}): Promise<void> {
  const { names, protocol, plugin, reporter } = args;
  const where = { backbone: names.backbone, dataset: names.dataset };
  const started = Date.now();
  reporter({ type: 'stage', stage: 'protocol', ...where, protocol: names.protocol, message: `${protocol.titleFor?.(args.options) ?? protocol.title} on ${names.dataset} with ${names.backbone}` });
  let outcome;
  try {
    const trainable = args.needs.trainable ? await args.openTrainable() : null;
    outcome = await callPlugin(plugin, async () => {
      const context = protocolContext({
        ...args.resources,
        pixels: Boolean(args.needs.pixels),
        trainable,
        log: (message) => reporter({ type: 'log', level: 'info', message: `[${names.protocol}] ${message}` }),
        progress: (update) => reporter({ type: 'progress', task: `protocol:${names.backbone}:${names.dataset}:${names.protocol}`, ...update }),
      });
      const returned = await protocol.run(args.options, context);
      checkArtifactNames(returned.artifacts ?? []);
      return returned;
    });
  } catch (error) {
    if (args.signal.aborted) throw error;
    // Whatever fails while a protocol runs is its cell's failure (the backbone's, when it is its network).
    args.cells.fail(names, error instanceof PluginError ? error : new PluginError(plugin, error), 'protocol', Date.now() - started);
    return;
  }
  const { artifacts, ...result } = outcome;
  const folder = args.folder;
  const files = artifacts?.length ? await folder.writing(() => writeArtifacts(folder.staging, names, artifacts)) : null;
  args.cells.completed({ ...names, status: 'completed', result, ...(files ? { artifacts: files } : {}), durationMs: Date.now() - started }, cellSummary(result));
}

function summariseDataset(entry: ComponentEntry, dataset: Dataset, skipped: DatasetSummary['skipped']): DatasetSummary {
  const counts = { train: 0, val: 0, test: 0 };
  for (const item of dataset.items) counts[item.split]++;
  const patients = new Set(dataset.items.flatMap((item) => (item.patient ? [item.patient] : [])));
  const positives = dataset.task === 'segmentation' ? null : classPositives(dataset);
  return {
    name: dataset.name,
    kind: entry.kind,
    task: dataset.task,
    classes: dataset.classes,
    counts,
    patients: patients.size > 0 ? patients.size : null,
    ...(positives ? { positives } : {}),
    splitHash: splitHash(dataset.items),
    skipped,
    notes: dataset.notes,
  };
}

/** Per split, the items positive for each class: of that class (single-label), or marked with it (multi-label). */
function classPositives(dataset: Dataset): NonNullable<DatasetSummary['positives']> {
  const zeros = () => new Array<number>(dataset.classes.length).fill(0);
  const positives = { train: zeros(), val: zeros(), test: zeros() };
  for (const item of dataset.items) {
    if (item.labels) item.labels.forEach((flag, c) => (positives[item.split][c] += flag ? 1 : 0));
    else if (item.label !== undefined) positives[item.split][item.label]++;
  }
  return positives;
}
