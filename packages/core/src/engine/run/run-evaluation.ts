import { relative, resolve, sep } from 'node:path';
import type {
  BackboneInfo,
  CellResult,
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
import { FeatureCache, cacheEntryIdentity } from '../cache/feature-cache.js';
import { groupsFor, mergeNeeds } from '../cache/layout.js';
import { configHash, loadConfig } from '../config/index.js';
import { resolvePreprocessing } from '../image/index.js';
import { cellSummary, collectProvenance, writeRunResults } from '../results/index.js';
import { RadprobeError, errorMessage } from '../util/errors.js';
import { splitHash } from '../splits/split-hash.js';
import { writeArtifacts } from './artifacts.js';
import { entryOptions, openBackbone, openDataset } from './components.js';
import { extractFeatures } from './extract.js';
import { protocolContext, type CellResources } from './protocol-context.js';
import { loadRegistryForConfig, type BuiltinPlugin } from './registry.js';

export interface RunOptions {
  configPath: string;
  /** Plugins that ship with the caller (the CLI): they keep their kinds in a name clash, loudly. */
  builtins: BuiltinPlugin[];
  /** Other folders to search for installed plugins (the CLI's own install location). */
  searchDirs?: string[];
  reporter: RunReporter;
  signal?: AbortSignal;
  /** Overrides the config's `onBadItem`. */
  onBadItem?: 'fail' | 'skip';
  /** Overrides the config's `device` (the editor's `radprobe.device` setting). */
  device?: RunConfig['device'];
  /** Runs only the cells whose names match. */
  only?: { backbone?: string; dataset?: string; protocol?: string };
}

export interface RunOutcome {
  results: RunResults;
  outputDir: string;
}

/**
 * Runs every backbone × dataset × protocol cell of a config: datasets are loaded once, each backbone is loaded
 * once and embeds each dataset through the feature cache, then every protocol reads the cached features.
 * A failing cell is recorded as failed and the run goes on; results are written at the end.
 */
export async function runEvaluation(options: RunOptions): Promise<RunOutcome> {
  const startedAt = new Date();
  const signal = options.signal ?? new AbortController().signal;
  const { reporter } = options;
  const log = (message: string) => reporter({ type: 'log', level: 'info', message });
  const registry = await loadRegistryForConfig(options.configPath, options.builtins, options.searchDirs);
  for (const warning of registry.warnings) reporter({ type: 'log', level: 'warn', message: warning });
  const { config, baseDir } = await loadConfig(options.configPath, registry);
  if (options.onBadItem) config.onBadItem = options.onBadItem;
  if (options.device) config.device = options.device;
  const hash = configHash(config);
  const runId = `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}-${hash.slice(0, 8)}`;
  const outputDir = resolve(baseDir, config.output, runId);

  const selected = <T extends ComponentEntry>(entries: T[], wanted?: string) => entries.filter((entry) => !wanted || entry.name === wanted);
  const backboneEntries = selected(config.backbones, options.only?.backbone);
  const datasetEntries = selected(config.datasets, options.only?.dataset);
  const protocolEntries = selected(config.protocols, options.only?.protocol);
  if (backboneEntries.length * datasetEntries.length * protocolEntries.length === 0) {
    throw new RadprobeError(`nothing to run: no cell matches ${JSON.stringify(options.only)}`, { file: options.configPath });
  }
  reporter({ type: 'run-start', runId, outputDir, cells: backboneEntries.length * datasetEntries.length * protocolEntries.length });

  const datasets: Array<{ entry: ComponentEntry; dataset: Dataset }> = [];
  for (const entry of datasetEntries) {
    reporter({ type: 'stage', stage: 'dataset', dataset: entry.name, message: `loading dataset ${entry.name} (${entry.kind})` });
    datasets.push({ entry, dataset: await openDataset(registry, config, entry, baseDir, log) });
  }

  const cells: CellResult[] = [];
  const skippedByDataset = new Map<string, DatasetSummary['skipped']>(datasets.map(({ dataset }) => [dataset.name, [...dataset.skipped]]));
  const backboneProvenance: Array<{ name: string; description: string; weightsHash: string; executionProvider: string }> = [];

  for (const backboneEntry of backboneEntries) {
    reporter({ type: 'stage', stage: 'backbone', backbone: backboneEntry.name, message: `loading backbone ${backboneEntry.name}` });
    const backbone = await openBackbone(registry, config, backboneEntry, baseDir, log);
    // Read once per backbone, and only when a protocol asks: a failure then fails those protocols' cells alone.
    let network: Promise<TrainableBackbone | null> | undefined;
    const openTrainable = () => (network ??= backbone.trainable?.() ?? Promise.resolve(null));
    try {
      backboneProvenance.push({ name: backboneEntry.name!, description: backbone.info.description, weightsHash: backbone.info.weightsHash, executionProvider: backbone.info.executionProvider });
      log(`${backboneEntry.name}: ${backbone.info.description} on ${backbone.info.executionProvider}`);
      for (const { dataset } of datasets) {
        const cellBase = { backbone: backboneEntry.name!, dataset: dataset.name };
        const protocols = protocolEntries.map((entry) => ({ entry, protocol: registry.protocols.get(entry.kind)!.protocol, options: entryOptions(entry) }));
        const runnable = protocols.filter(({ protocol }) => protocol.tasks.includes(dataset.task));
        for (const { entry, protocol } of protocols.filter((p) => !runnable.includes(p))) {
          const reason = `${protocol.title} does not evaluate ${dataset.task} tasks`;
          cells.push({ ...cellBase, protocol: entry.name!, protocolKind: entry.kind, status: 'skipped', reason, durationMs: 0 });
          reporter({ type: 'cell-end', ...cellBase, protocol: entry.name!, status: 'skipped', summary: reason });
        }
        if (runnable.length === 0) continue;

        const preprocessing = resolvePreprocessing(config.preprocessing, backbone.info);
        for (const note of preprocessing.notes) log(note);
        const lookup = (kind: string) => registry.protocols.get(kind)?.protocol;
        const protocolNeeds = runnable.map(({ protocol, options: protocolOptions }) => protocol.featureNeeds(protocolOptions, backbone.info, lookup));
        const needs = mergeNeeds(protocolNeeds);
        const grid = { rows: preprocessing.outputSize.height / patchSide(backbone.info), cols: preprocessing.outputSize.width / patchSide(backbone.info) };
        const groups = groupsFor(needs, backbone.info, grid.rows * grid.cols);
        const cache = await FeatureCache.open(resolve(baseDir, config.cache), cacheEntryIdentity(backbone.info, preprocessing.description));
        reporter({ type: 'stage', stage: 'extract', ...cellBase, message: `features of ${dataset.name} × ${backboneEntry.name}` });
        const extraction = await extractFeatures({
          dataset,
          backbone,
          preprocessing,
          cache,
          groups,
          batchSize: Number(backboneEntry.batchSize ?? config.batchSize),
          onBadItem: config.onBadItem,
          openEveryItem: Boolean(needs.pixels),
          signal,
          log,
          progress: (done, total) => reporter({ type: 'progress', task: `extract:${backboneEntry.name}:${dataset.name}`, label: 'images embedded', done, total }),
        });
        const known = skippedByDataset.get(dataset.name)!;
        for (const item of extraction.skipped) if (!known.some((k) => k.source === item.source)) known.push(item);

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
          signal,
          protocols: lookup,
        };
        for (const [index, { entry, protocol, options: protocolOptions }] of runnable.entries()) {
          cells.push(await runCell({ cellBase, entry, protocol, protocolOptions, needs: protocolNeeds[index], openTrainable, resources, signal, reporter, outputDir }));
        }
      }
    } finally {
      await backbone.dispose();
    }
  }

  const results: RunResults = {
    schemaVersion: 1,
    runId,
    name: config.name ?? runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    config: config as unknown as Record<string, unknown>,
    baseDir: relative(outputDir, baseDir).split(sep).join('/') || '.',
    provenance: await collectProvenance({ config, configHash: hash, baseDir, seed: config.seed, backbones: backboneProvenance }),
    datasets: datasets.map(({ entry, dataset }) => summariseDataset(entry, dataset, skippedByDataset.get(dataset.name)!)),
    cells,
  };
  await writeRunResults(outputDir, results);
  reporter({ type: 'run-end', runId, outputDir, failed: cells.filter((cell) => cell.status === 'failed').length });
  return { results, outputDir };
}

/** What every protocol of a cell shares; pixels and the trainable network go only to the protocols asking. */
type CellBaseResources = Omit<CellResources, 'log' | 'progress' | 'pixels' | 'trainable'>;

async function runCell(args: {
  cellBase: { backbone: string; dataset: string };
  entry: ComponentEntry;
  protocol: Protocol;
  protocolOptions: Record<string, unknown>;
  /** The protocol's own feature needs. */
  needs: FeatureNeeds;
  openTrainable(): Promise<TrainableBackbone | null>;
  resources: CellBaseResources;
  signal: AbortSignal;
  reporter: RunReporter;
  outputDir: string;
}): Promise<CellResult> {
  const { cellBase, entry, protocol, reporter } = args;
  const name = entry.name!;
  const started = Date.now();
  reporter({ type: 'stage', stage: 'protocol', ...cellBase, protocol: name, message: `${protocol.titleFor?.(args.protocolOptions) ?? protocol.title} on ${cellBase.dataset} with ${cellBase.backbone}` });
  try {
    const context = protocolContext({
      ...args.resources,
      pixels: Boolean(args.needs.pixels),
      trainable: args.needs.trainable ? await args.openTrainable() : null,
      log: (message) => reporter({ type: 'log', level: 'info', message: `[${name}] ${message}` }),
      progress: (update) => reporter({ type: 'progress', task: `protocol:${cellBase.backbone}:${cellBase.dataset}:${name}`, ...update }),
    });
    const { artifacts, ...result } = await protocol.run(args.protocolOptions, context);
    const files = artifacts?.length ? await writeArtifacts(args.outputDir, { ...cellBase, protocol: name }, artifacts) : null;
    reporter({ type: 'cell-end', ...cellBase, protocol: name, status: 'completed', ...cellSummary(result) });
    return { ...cellBase, protocol: name, protocolKind: entry.kind, status: 'completed', result, ...(files ? { artifacts: files } : {}), durationMs: Date.now() - started };
  } catch (error) {
    if (args.signal.aborted) throw error;
    const reason = errorMessage(error);
    reporter({ type: 'cell-end', ...cellBase, protocol: name, status: 'failed', summary: reason });
    return { ...cellBase, protocol: name, protocolKind: entry.kind, status: 'failed', reason, durationMs: Date.now() - started };
  }
}

function patchSide(info: BackboneInfo): number {
  return info.patchSize > 0 ? info.patchSize : 1;
}

function summariseDataset(entry: ComponentEntry, dataset: Dataset, skipped: DatasetSummary['skipped']): DatasetSummary {
  const counts = { train: 0, val: 0, test: 0 };
  for (const item of dataset.items) counts[item.split]++;
  const patients = new Set(dataset.items.flatMap((item) => (item.patient ? [item.patient] : [])));
  return {
    name: dataset.name,
    kind: entry.kind,
    task: dataset.task,
    classes: dataset.classes,
    counts,
    patients: patients.size > 0 ? patients.size : null,
    splitHash: splitHash(dataset.items),
    skipped,
    notes: dataset.notes,
  };
}
