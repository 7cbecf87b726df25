import { resolve } from 'node:path';
import type { ComponentEntry, Dataset, RunConfig } from '../../contracts/index.js';
import { engineBackboneOptions } from '../config/core-schema.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { canonicalJson, sha256 } from '../util/hash.js';
import { RadprobeError } from '../util/errors.js';
import { checkedBackbone, type OpenedBackbone } from './checked-backbone.js';
import { callPlugin, entryPlugin } from './entry-plugin.js';

/** Splits a config entry into its name and the options its plugin receives. */
export function entryOptions(entry: ComponentEntry): Record<string, unknown> {
  const { kind: _kind, name: _name, ...options } = entry;
  return options;
}

/** The validated config's entry called `name` in `list`, or an error listing the names there are. */
export function entryNamed(config: RunConfig, list: 'backbones' | 'datasets', name: string): ComponentEntry {
  const entry = config[list].find((candidate) => candidate.name === name);
  if (!entry) {
    throw new RadprobeError(`the config has no ${list.slice(0, -1)} named "${name}" (${list}: ${config[list].map((candidate) => candidate.name).join(', ')})`, {
      pointer: `/${list}`,
    });
  }
  return entry;
}

/**
 * Loads a config's dataset entry through its plugin, as a run does; the dataset carries the entry's name. What the
 * plugin throws names the entry and the package (`PluginError`).
 */
export async function openDataset(
  registry: PluginRegistry,
  config: RunConfig,
  entry: ComponentEntry,
  baseDir: string,
  log: (message: string) => void,
): Promise<Dataset> {
  const registration = registry.datasets.get(entry.kind)!;
  // The entry's name goes in too, so that the dataset's own messages name it as the config does.
  const dataset = await callPlugin(entryPlugin('dataset', entry, registration), () =>
    registration.factory.create({ ...entryOptions(entry), name: entry.name, onBadItem: config.onBadItem }, { baseDir, log, decodeLimits: config.decodeLimits, cacheDir: resolve(baseDir, config.cache) }),
  );
  return { ...dataset, name: entry.name! };
}

/**
 * Loads a config's backbone entry through its plugin, as a run does (the entry's `device` overrides the config's):
 * what the plugin throws names the entry and the package (`PluginError`), and every batch it embeds is checked.
 */
export async function openBackbone(
  registry: PluginRegistry,
  config: RunConfig,
  entry: ComponentEntry,
  baseDir: string,
  log: (message: string) => void,
): Promise<OpenedBackbone> {
  const registration = registry.backbones.get(entry.kind)!;
  const plugin = entryPlugin('backbone', entry, registration);
  const device = (entry.device as RunConfig['device'] | undefined) ?? config.device;
  const backbone = await callPlugin(plugin, () =>
    registration.factory.create({ ...entryOptions(entry), device }, { baseDir, modelStoreDir: config.modelStore, device, log }),
  );
  return checkedBackbone(backbone, plugin, backboneOptionsHash(entry));
}

/**
 * Options the engine owns that cannot change features: the name, the batch size, and the device. Execution
 * providers run the same graph on the same weights; their results differ only by floating-point rounding (TF32
 * matrix products on recent GPUs included), far below what any metric resolves, while keying on the device would
 * embed everything again whenever a study moves between a laptop and a GPU machine. Provenance records the
 * provider of every run.
 */
const FEATURE_NEUTRAL_OPTIONS = new Set(['name', ...Object.keys(engineBackboneOptions)]);

/** sha256 of a backbone entry's kind and resolved options (defaults filled in), the feature-neutral ones left out. */
function backboneOptionsHash(entry: ComponentEntry): string {
  return sha256(canonicalJson(Object.fromEntries(Object.entries(entry).filter(([key]) => !FEATURE_NEUTRAL_OPTIONS.has(key)))));
}
