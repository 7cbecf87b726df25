import type {
  BackboneInfo,
  BootstrapSettings,
  Dataset,
  DatasetItem,
  LabelMap,
  MaskSource,
  Protocol,
  ProtocolContext,
  ProgressUpdate,
  TrainableBackbone,
} from '../../contracts/index.js';
import type { ShardStore } from '../cache/shard-store.js';
import type { FeatureGroup } from '../cache/layout.js';
import { labelMapToSource, resampleLabelMap } from '../image/label-map.js';
import { type ResolvedPreprocessing } from '../image/preprocessing.js';
import { RadprobeError } from '../util/errors.js';
import { cachedFeatureSource, type CachedGroup } from './feature-source.js';
import { pixelSource } from './pixel-source.js';

/** What a (backbone, dataset) cell offers every protocol that runs on it. */
export interface CellResources {
  dataset: Dataset;
  /** Items that have features, and their cache keys (same order). */
  items: readonly DatasetItem[];
  keys: readonly string[];
  stores: Array<{ group: FeatureGroup; store: ShardStore }>;
  grid: { rows: number; cols: number };
  preprocessing: ResolvedPreprocessing;
  backbone: BackboneInfo;
  /** Whether any protocol of the cell asked for label maps. */
  masks: boolean;
  /** Whether the protocol asked for its items' backbone inputs. */
  pixels: boolean;
  /** The backbone's network, when the protocol asked for it and the backbone offers it. */
  trainable: TrainableBackbone | null;
  seed: number;
  bootstrap: BootstrapSettings;
  trainingWorkers: number;
  signal: AbortSignal;
  protocols: (kind: string) => Protocol<any> | undefined;
  log(message: string): void;
  progress(update: ProgressUpdate): void;
}

/**
 * The context a protocol runs in, over `selection` (indices into `resources.items`): features, masks and the
 * dataset view all see those items only, so `restrict` can hand a wrapped protocol a subset (few-shot) without
 * copying any feature.
 */
export function protocolContext(resources: CellResources, selection: readonly number[] = resources.items.map((_, index) => index)): ProtocolContext {
  const items = selection.map((index) => resources.items[index]);
  const keys = selection.map((index) => resources.keys[index]);
  const storeOf = <K extends FeatureGroup['kind']>(kind: K) =>
    (resources.stores.find(({ group }) => group.kind === kind) as CachedGroup<K> | undefined) ?? null;
  const { dataset } = resources;
  return {
    dataset: { name: dataset.name, task: dataset.task, classes: dataset.classes, items, notes: dataset.notes },
    backbone: resources.backbone,
    features: cachedFeatureSource({ items, keys, global: storeOf('global'), patch: storeOf('patch'), grid: resources.grid }),
    seed: resources.seed,
    bootstrap: resources.bootstrap,
    trainingWorkers: resources.trainingWorkers,
    signal: resources.signal,
    log: resources.log,
    progress: resources.progress,
    masks: resources.masks && dataset.openMask ? maskSource(dataset, items, resources.preprocessing) : null,
    pixels: resources.pixels ? pixelSource(dataset, items, resources.preprocessing) : null,
    trainable: resources.trainable,
    protocol: resources.protocols,
    restrict(subset) {
      const chosen = [...new Set(subset)].sort((a, b) => a - b);
      const outside = chosen.find((index) => !Number.isInteger(index) || index < 0 || index >= selection.length);
      if (outside !== undefined) throw new RadprobeError(`restrict: item ${outside} is not one of the ${selection.length} items of this context`);
      return protocolContext(resources, chosen.map((index) => selection[index]));
    },
  };
}

function maskSource(dataset: Dataset, items: readonly DatasetItem[], preprocessing: ResolvedPreprocessing): MaskSource {
  const itemAt = (index: number): DatasetItem => {
    const item = items[index];
    if (!item) throw new RadprobeError(`no item ${index} among the ${items.length} of dataset "${dataset.name}"`);
    return item;
  };
  // The item's own label map gives the size of its image without decoding the image.
  const toSource = async (index: number, labels: LabelMap): Promise<LabelMap> => {
    const item = itemAt(index);
    const { width, height } = await dataset.openMask!(item);
    return labelMapToSource(labels, { width, height }, preprocessing, item.source);
  };
  const source: MaskSource = {
    size: preprocessing.outputSize,
    async mask(index) {
      const item = itemAt(index);
      return resampleLabelMap(await dataset.openMask!(item), preprocessing, item.source);
    },
    toSource,
  };
  const encode = dataset.encodeLabelVolume?.bind(dataset);
  if (encode) {
    source.encodeLabelVolume = async (volume, slices) => {
      const carried = [];
      for (const { index, labels } of slices) carried.push({ item: itemAt(index), labels: await toSource(index, labels) });
      return encode(volume, carried);
    };
  }
  return source;
}
