import type { Backbone, ComponentEntry, Dataset, RunConfig } from '../../contracts/index.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { RadprobeError } from '../util/errors.js';

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

/** Loads a config's dataset entry through its plugin, as a run does; the dataset carries the entry's name. */
export async function openDataset(registry: PluginRegistry, config: RunConfig, entry: ComponentEntry, baseDir: string, log: (message: string) => void): Promise<Dataset> {
  const factory = registry.datasets.get(entry.kind)!.factory;
  // The entry's name goes in too, so that the dataset's own messages name it as the config does.
  const dataset = await factory.create({ ...entryOptions(entry), name: entry.name, onBadItem: config.onBadItem }, { baseDir, log, decodeLimits: config.decodeLimits });
  return { ...dataset, name: entry.name! };
}

/** Loads a config's backbone entry through its plugin, as a run does (the entry's `device` overrides the config's). */
export function openBackbone(registry: PluginRegistry, config: RunConfig, entry: ComponentEntry, baseDir: string, log: (message: string) => void): Promise<Backbone> {
  const device = (entry.device as RunConfig['device'] | undefined) ?? config.device;
  return registry.backbones.get(entry.kind)!.factory.create({ ...entryOptions(entry), device }, { baseDir, modelStoreDir: config.modelStore, device, log });
}
