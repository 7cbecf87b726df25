import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  errorMessage,
  evenlySpaced,
  RadprobeError,
  writeFileAtomic,
  type Dataset,
  type DatasetItem,
  type RunConfig,
  type Split,
} from '@radprobe/core';
import {
  assertFinishedRunFolder,
  closestMatch,
  entryNamed,
  itemPatchTokens,
  loadConfig,
  loadRegistry,
  loadRegistryForConfig,
  openBackbone,
  openDataset,
  patchPca,
  pcaImagePng,
  preprocessInto,
  resolvePreprocessing,
  type ForegroundSide,
  type PcaManifest,
  type PluginRegistry,
} from '@radprobe/core/engine';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';

export interface PcaOptions {
  /** Items by id; when absent, `count` items evenly spaced over `split`. */
  items?: string[];
  count: number;
  split: Split;
  threshold: number;
  foreground: ForegroundSide;
  /** Draw the preprocessed input in gray beside the components. */
  withInput: boolean;
  log(message: string): void;
}

export const DEFAULT_PCA_OPTIONS: Readonly<PcaOptions> = {
  count: 4,
  split: 'test',
  threshold: 0,
  foreground: 'auto',
  withInput: true,
  log: (message) => process.stderr.write(`${message}\n`),
};

export const PCA_MANIFEST = 'pca.json';

/** A validated config with the folder its relative paths resolve against, and the plugins it runs with. */
interface ConfiguredRun {
  config: RunConfig;
  baseDir: string;
  registry: PluginRegistry;
}

/**
 * `radprobe pca CONFIG`: the PCA figure of one (backbone, dataset) of a config (either may be left out when the
 * config has only one) into `outDir`: a PNG per image and `pca.json`.
 */
export async function pcaForConfig(configPath: string, names: { backbone?: string; dataset?: string }, outDir: string, options: Partial<PcaOptions> = {}): Promise<PcaManifest> {
  const registry = await loadRegistryForConfig(configPath, builtinPlugins, cliSearchDirs);
  const { config, baseDir } = await loadConfig(configPath, registry);
  const pick = (list: 'backbones' | 'datasets', name: string | undefined) => {
    if (name !== undefined) return entryNamed(config, list, name).name!;
    if (config[list].length === 1) return config[list][0].name!;
    throw new RadprobeError(`${configPath}: name one of the ${list} with --${list.slice(0, -1)} (${config[list].map((entry) => entry.name).join(', ')})`, { file: configPath, pointer: `/${list}` });
  };
  const pair = { backbone: pick('backbones', names.backbone), dataset: pick('datasets', names.dataset) };
  return writeFigures({ config, baseDir, registry }, [pair], resolve(outDir), withDefaults(options));
}

/**
 * `radprobe pca --run DIR`: the PCA figure of every (backbone, dataset) pair of a finished run, with the run's own
 * config, cache and relative paths, into `<run dir>/pca/`. Pairs whose backbone has no patch tokens are listed as
 * skipped.
 */
export async function pcaForRun(runDir: string, options: Partial<PcaOptions> = {}): Promise<PcaManifest> {
  assertFinishedRunFolder(runDir);
  const dir = resolve(runDir);
  const file = join(dir, 'results.json');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new RadprobeError(`${file}: cannot read the run's results (${error.code === 'ENOENT' ? 'no such file' : error.message})`, { file });
  });
  let results: { runId?: unknown; config?: Partial<RunConfig>; baseDir?: unknown; cells?: Array<{ backbone?: unknown; dataset?: unknown }> };
  try {
    results = JSON.parse(text);
  } catch (error) {
    throw new RadprobeError(`${file}: not JSON (${errorMessage(error)})`, { file });
  }
  const config = results.config;
  if (!config || !Array.isArray(config.backbones) || !Array.isArray(config.datasets) || !Array.isArray(results.cells)) {
    throw new RadprobeError(`${file}: expected the results of a radprobe run, with /config/backbones, /config/datasets and /cells`, { file, pointer: '/config' });
  }
  const baseDir = runBaseDir(dir, file, results.baseDir, config.output, results.runId);
  const registry = await loadRegistry({ baseDir, explicit: config.plugins ?? [], builtins: builtinPlugins, searchDirs: cliSearchDirs });
  const pairs: Array<{ backbone: string; dataset: string }> = [];
  for (const backbone of config.backbones) {
    for (const dataset of config.datasets) {
      if (results.cells.some((cell) => cell.backbone === backbone.name && cell.dataset === dataset.name)) pairs.push({ backbone: backbone.name!, dataset: dataset.name! });
    }
  }
  return writeFigures({ config: config as RunConfig, baseDir, registry }, pairs, join(dir, 'pca'), withDefaults(options));
}

/**
 * The config's folder: recorded in results.json (relative to it), or, for results written before that, the folder
 * from which the relative `output` leads to this run folder.
 */
function runBaseDir(dir: string, file: string, recorded: unknown, output: unknown, runId: unknown): string {
  if (typeof recorded === 'string') return resolve(dir, recorded);
  if (typeof output === 'string' && typeof runId === 'string' && basename(dir) === runId && !output.split(/[\\/]/).includes('..')) {
    const candidate = resolve(dirname(dir), relative(resolve(sep, output), sep));
    if (resolve(candidate, output, runId) === dir) return candidate;
  }
  throw new RadprobeError(`${file}: cannot tell which folder the run's config was in (no /baseDir); run radprobe pca with the config instead`, { file, pointer: '/baseDir' });
}

/** Computes each pair's figure and writes its PNGs, then `pca.json` listing them. */
async function writeFigures(run: ConfiguredRun, pairs: ReadonlyArray<{ backbone: string; dataset: string }>, outDir: string, options: PcaOptions): Promise<PcaManifest> {
  const manifest: PcaManifest = { components: 3, threshold: options.threshold, foreground: options.foreground, images: [], explainedVariance: [], skipped: [] };
  const datasets = new Map<string, Dataset>();
  const usedFiles = new Set<string>();
  const backboneNames = [...new Set(pairs.map((pair) => pair.backbone))];
  for (const backboneName of backboneNames) {
    const backbone = await openBackbone(run.registry, run.config, entryNamed(run.config, 'backbones', backboneName), run.baseDir, options.log);
    try {
      for (const { dataset: datasetName } of pairs.filter((pair) => pair.backbone === backboneName)) {
        const names = { backbone: backboneName, dataset: datasetName };
        if (!backbone.info.hasPatchTokens) {
          manifest.skipped.push({ ...names, reason: `${backbone.info.description} exposes no patch tokens` });
          continue;
        }
        let dataset = datasets.get(datasetName);
        if (!dataset) {
          dataset = await openDataset(run.registry, run.config, entryNamed(run.config, 'datasets', datasetName), run.baseDir, options.log);
          datasets.set(datasetName, dataset);
        }
        const items = chosenItems(dataset, options);
        const preprocessing = resolvePreprocessing(run.config.preprocessing, backbone.info);
        const tokens = await itemPatchTokens({
          dataset,
          backbone,
          preprocessing,
          cacheDir: resolve(run.baseDir, run.config.cache),
          items,
          batchSize: Number(entryNamed(run.config, 'backbones', backboneName).batchSize ?? run.config.batchSize),
          signal: new AbortController().signal,
          log: options.log,
        });
        const cached = tokens.filter((entry) => entry.source === 'cache').length;
        options.log(`${backboneName} × ${datasetName}: patch tokens of ${items.length} items (${cached} from the cache, ${items.length - cached} embedded)`);
        const figure = patchPca(tokens, options);
        manifest.explainedVariance.push({
          ...names,
          patches: figure.patches,
          foregroundPatches: figure.foregroundPatches,
          side: figure.side,
          cut: figure.cut,
          allPatches: figure.allPatchesExplainedVariance,
          foreground: figure.explainedVariance,
        });
        for (const [index, item] of items.entries()) {
          const input = options.withInput ? { pixels: await preprocessedInput(dataset, item, preprocessing), normalization: preprocessing.normalize } : undefined;
          const png = pcaImagePng(figure.images[index], { size: preprocessing.outputSize, input });
          const file = uniqueFileName(`${backboneName}__${datasetName}__${item.id}`, usedFiles);
          await writeFileAtomic(join(outDir, file), png);
          manifest.images.push({ ...names, item: item.id, file, source: item.source });
        }
      }
    } finally {
      await backbone.dispose();
    }
  }
  await writeFileAtomic(join(outDir, PCA_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** `options` over the defaults; a key given as undefined keeps its default. */
function withDefaults(options: Partial<PcaOptions>): PcaOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_PCA_OPTIONS, ...given };
}

/** The items named by id, or `count` evenly spaced over the split (all of them when it has fewer). */
function chosenItems(dataset: Dataset, options: PcaOptions): DatasetItem[] {
  if (options.items) {
    return options.items.map((id) => {
      const item = dataset.items.find((candidate) => candidate.id === id);
      if (item) return item;
      const suggestion = closestMatch(id, dataset.items.map((candidate) => candidate.id));
      throw new RadprobeError(`dataset "${dataset.name}" has no item "${id}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
    });
  }
  const inSplit = dataset.items.filter((item) => item.split === options.split);
  if (inSplit.length === 0) throw new RadprobeError(`dataset "${dataset.name}" has no ${options.split} items to draw`);
  return evenlySpaced(inSplit.length, Math.min(options.count, inSplit.length)).map((index) => inSplit[index]);
}

async function preprocessedInput(dataset: Dataset, item: DatasetItem, preprocessing: ReturnType<typeof resolvePreprocessing>): Promise<Float32Array> {
  const { height, width } = preprocessing.outputSize;
  const pixels = new Float32Array(3 * height * width);
  preprocessInto(await dataset.open(item), preprocessing, pixels, 0);
  return pixels;
}

/**
 * A PNG name of letters, digits, `.`, `_`, `-` from `stem` (without an image extension of its own), numbered when
 * another image took it already.
 */
function uniqueFileName(stem: string, used: Set<string>): string {
  const safe = stem.replace(/\.(png|jpe?g|dcm|nii(\.gz)?)$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_');
  let name = `${safe}.png`;
  for (let copy = 2; used.has(name); copy++) name = `${safe}-${copy}.png`;
  used.add(name);
  return name;
}

export interface PcaCommandOptions {
  /** A config file, or null with `runDir`. */
  config: string | null;
  runDir?: string;
  backbone?: string;
  dataset?: string;
  out?: string;
  options: Partial<PcaOptions>;
}

/** `radprobe pca`: writes the figure and says where. */
export async function pcaCommand(command: PcaCommandOptions): Promise<number> {
  const outDir = command.runDir ? join(resolve(command.runDir), 'pca') : resolve(command.out ?? 'pca');
  const manifest = command.runDir
    ? await pcaForRun(command.runDir, command.options)
    : await pcaForConfig(command.config!, { backbone: command.backbone, dataset: command.dataset }, outDir, command.options);
  for (const { backbone, dataset, reason } of manifest.skipped) process.stderr.write(`skipped ${backbone} × ${dataset}: ${reason}\n`);
  process.stdout.write(`${manifest.images.length} PCA images and ${PCA_MANIFEST} written to ${outDir}\n`);
  return 0;
}
