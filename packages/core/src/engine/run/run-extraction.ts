import { resolve } from 'node:path';
import type { BackboneInfo, ComponentEntry, FeatureNeeds, RunConfig, RunReporter } from '../../contracts/index.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { loadConfig } from '../config/load.js';
import { readItemList } from '../scale/item-list.js';
import { formatPart, type PartRef } from '../scale/partition.js';
import { RadprobeError } from '../util/errors.js';
import { assertWritableFolder } from '../util/path-problems.js';
import { entryOptions, openBackbone, openDataset } from './components.js';
import { callPlugin, entryPlugin } from './entry-plugin.js';
import { embedPart, openPairCache, partComplete } from './pair-features.js';
import type { BuiltinPlugin } from '../plugins/registry.js';
import { loadRegistryForConfig } from './registry.js';

export interface ExtractionRunOptions {
  configPath: string;
  builtins: BuiltinPlugin[];
  searchDirs?: string[];
  reporter: RunReporter;
  signal?: AbortSignal;
  onBadItem?: 'fail' | 'skip';
  device?: RunConfig['device'];
  /** The part of every (backbone, dataset) item list to embed; the whole list when absent. */
  part?: PartRef;
}

/** What became of one (backbone, dataset) pair's part. */
export interface PairExtraction {
  backbone: string;
  dataset: string;
  /** Items in the part. */
  items: number;
  /** `complete`: its finished-part record and shards were there, nothing was read. */
  state: 'complete' | 'embedded' | 'no-protocol';
  computed: number;
  reused: number;
  skipped: number;
}

/**
 * Fills the feature cache for a config without running any protocol: for every backbone × dataset, the feature
 * groups that the config's protocols evaluating that dataset need, for `part` of the item list (a deterministic
 * share, balanced by item count and bytes; see `partitionItems`). Several workers with different parts may run at
 * once on one cache folder, on several machines: each writes only new shard files and its own records. A part
 * whose record says it is finished, with every shard still there, is passed over without reading a file.
 */
export async function runExtraction(options: ExtractionRunOptions): Promise<PairExtraction[]> {
  const part = options.part ?? { index: 0, count: 1 };
  const signal = options.signal ?? new AbortController().signal;
  const { reporter } = options;
  const log = (message: string) => reporter({ type: 'log', level: 'info', message });
  const registry = await loadRegistryForConfig(options.configPath, options.builtins, options.searchDirs);
  for (const warning of registry.warnings) reporter({ type: 'log', level: 'warn', message: warning });
  const { config, baseDir } = await loadConfig(options.configPath, registry);
  if (options.onBadItem) config.onBadItem = options.onBadItem;
  if (options.device) config.device = options.device;
  await assertWritableFolder(resolve(baseDir, config.cache), { key: 'cache', file: resolve(options.configPath) });

  const datasets = [];
  for (const entry of config.datasets) {
    reporter({ type: 'stage', stage: 'dataset', dataset: entry.name, message: `loading dataset ${entry.name} (${entry.kind})` });
    const dataset = await openDataset(registry, config, entry, baseDir, log);
    datasets.push({ entry, dataset, list: await readItemList(dataset) });
  }
  const outcomes: PairExtraction[] = [];
  for (const backboneEntry of config.backbones) {
    reporter({ type: 'stage', stage: 'backbone', backbone: backboneEntry.name, message: `loading backbone ${backboneEntry.name}` });
    const backbone = await openBackbone(registry, config, backboneEntry, baseDir, log);
    try {
      for (const { entry, dataset, list } of datasets) {
        const pair = { backbone: backboneEntry.name!, dataset: entry.name! };
        const needs = await protocolNeeds(config, dataset.task, backbone.info, registry);
        if (needs.length === 0) {
          log(`${pair.dataset} × ${pair.backbone}: no protocol of the config evaluates ${dataset.task} tasks; nothing to embed`);
          outcomes.push({ ...pair, items: 0, state: 'no-protocol', computed: 0, reused: 0, skipped: 0 });
          continue;
        }
        const cache = await openPairCache({ config, baseDir, backbone, needs, log });
        const what = `${pair.dataset} × ${pair.backbone}${part.count > 1 ? `, shard ${formatPart(part)}` : ''}`;
        if (await partComplete(cache, list, part)) {
          log(`${what}: already complete in the cache`);
          outcomes.push({ ...pair, items: -1, state: 'complete', computed: 0, reused: 0, skipped: 0 });
          continue;
        }
        reporter({ type: 'stage', stage: 'extract', ...pair, message: `features of ${what}` });
        const result = await embedPart({
          pair: cache,
          dataset,
          list,
          part,
          backbone,
          backboneName: pair.backbone,
          batchSize: Number(backboneEntry.batchSize ?? config.batchSize),
          onBadItem: config.onBadItem,
          openEveryItem: needs.some((need) => need.pixels),
          signal,
          reporter,
          log,
        });
        outcomes.push({ ...pair, items: result.items.length, state: 'embedded', computed: result.computed, reused: result.reused, skipped: result.skipped.length });
      }
    } finally {
      await backbone.dispose().catch((error: unknown) => reporter({ type: 'log', level: 'warn', message: `${(error as Error).message} (while disposing)` }));
    }
  }
  return outcomes;
}

/** The feature needs of the config's protocols that evaluate `task`; a protocol whose `featureNeeds` throws stops the extraction. */
export async function protocolNeeds(
  config: RunConfig,
  task: string,
  info: BackboneInfo,
  registry: PluginRegistry,
): Promise<FeatureNeeds[]> {
  const needs: FeatureNeeds[] = [];
  for (const entry of config.protocols as ComponentEntry[]) {
    const registration = registry.protocols.get(entry.kind);
    if (!registration) throw new RadprobeError(`no protocol plugin of kind "${entry.kind}"`);
    if (!(registration.protocol.tasks as string[]).includes(task)) continue;
    const lookup = (kind: string) => registry.protocols.get(kind)?.protocol;
    needs.push(await callPlugin(entryPlugin('protocol', entry, registration), () => registration.protocol.featureNeeds(entryOptions(entry), info, lookup)));
  }
  return needs;
}
