import type { BackboneInfo, TrainableBackbone } from './backbone.js';
import type { DatasetItem, EncodedFile, LabelMap, Split, TaskType } from './dataset.js';
import type { JsonSchema } from './json-schema.js';
import type { ProtocolResult } from './results.js';

/** Which cached features a protocol reads. The engine extracts and caches exactly these, once. */
export interface FeatureNeeds {
  /** CLS tokens of this many last exposed blocks (0: none). Capped by what the backbone exposes. */
  clsBlocks: number;
  /** Mean of the patch tokens of the same last blocks as `clsBlocks` (for `avgpool`). */
  patchMean: boolean;
  /** Full patch tokens of this many last exposed blocks (0: none), e.g. 1 for a linear decoder, 5 for U-Net. */
  patchBlocks: number;
  /** Segmentation label maps of the items (`ProtocolContext.masks`). */
  masks?: boolean;
  /** Preprocessed backbone inputs of the items (`ProtocolContext.pixels`), for protocols that run the network. */
  pixels?: boolean;
  /** The backbone's own weights (`ProtocolContext.trainable`), for protocols that train the network. */
  trainable?: boolean;
}

/** Rows of features for a set of items, row-major `[rows, dim]`. */
export interface FeatureMatrix {
  rows: number;
  dim: number;
  data: Float32Array;
  /** Index into `DatasetView.items` of each row. */
  items: number[];
}

/** Patch tokens of one item: `[grid.rows * grid.cols, dim]`. */
export interface PatchTokens {
  item: number;
  grid: { rows: number; cols: number };
  dim: number;
  data: Float32Array;
}

/** Cached features of the dataset under the run's backbone, as protocols read them. */
export interface FeatureSource {
  /** Exposed blocks available in the cache for CLS / patch mean (≤ the protocol's `clsBlocks`). */
  readonly clsBlocks: number;
  /** Exposed blocks available for full patch tokens. */
  readonly patchBlocks: number;
  /** CLS tokens of the block `fromEnd` blocks before the last (0 = last block) for the items of `splits`. */
  cls(splits: Split | readonly Split[], fromEnd?: number): Promise<FeatureMatrix>;
  /** Mean patch token of the block `fromEnd` before the last. */
  patchMean(splits: Split | readonly Split[], fromEnd?: number): Promise<FeatureMatrix>;
  /** Streams patch tokens of the block `fromEnd` before the last, item by item, in item order. */
  patchTokens(splits: Split | readonly Split[], fromEnd?: number): AsyncIterable<PatchTokens>;
}

/** The dataset as a protocol sees it: no I/O, only labels and grouping. */
export interface DatasetView {
  name: string;
  task: TaskType;
  classes: string[];
  items: readonly DatasetItem[];
  notes: readonly string[];
}

/** Segmentation label maps, in the geometry of the backbone's input. */
export interface MaskSource {
  /** Height and width of every label map: the preprocessing's output size (the backbone input). */
  readonly size: { height: number; width: number };
  /**
   * The label map of `DatasetView.items[index]`, carried through the same resize and centre crop as its image
   * (nearest neighbour, so class indices stay classes).
   */
  mask(index: number): Promise<LabelMap>;
  /**
   * A label map in the backbone's input geometry (`size`, e.g. a prediction) carried back onto the item's own
   * image grid: the inverse of the resize and centre crop (nearest neighbour; pixels cropped away become 0).
   */
  toSource(index: number, labels: LabelMap): Promise<LabelMap>;
  /**
   * Volumetric datasets only (else absent): the label volume, in the source's format and geometry, of `volume`
   * holding the given items' label maps in the backbone's input geometry (carried back with `toSource`).
   */
  encodeLabelVolume?(volume: string, slices: ReadonlyArray<{ index: number; labels: LabelMap }>): Promise<EncodedFile>;
}

/** The items' images exactly as the backbone receives them for feature extraction. */
export interface PixelSource {
  /** Height and width of every image: the preprocessing's output size. */
  readonly size: { height: number; width: number };
  /** `[3, height, width]` float32 of `DatasetView.items[index]`: resized, cropped, scaled and normalised. */
  pixels(index: number): Promise<Float32Array>;
}

/** Progress of a long step, for progress bars and the editor. */
export interface ProgressUpdate {
  /** What is being counted, e.g. `heads trained`, `test queries`. */
  label: string;
  done: number;
  total: number;
}

/** Resampling settings of the 95 % (by default) bootstrap intervals. */
export interface BootstrapSettings {
  samples: number;
  confidence: number;
}

/** Everything a protocol gets to run one (backbone, dataset) cell. */
export interface ProtocolContext {
  dataset: DatasetView;
  backbone: BackboneInfo;
  features: FeatureSource;
  seed: number;
  bootstrap: BootstrapSettings;
  /**
   * Worker threads that train data-parallel on tfjs-wasm (the config's `trainingWorkers`, else
   * RADPROBE_TRAINING_WORKERS, else the cores); training results do not depend on it beyond float rounding.
   */
  trainingWorkers: number;
  progress(update: ProgressUpdate): void;
  log(message: string): void;
  /** Aborted when the user cancels; long loops check it. */
  signal: AbortSignal;
  /** Label maps, when the protocol asked for them (`FeatureNeeds.masks`) and the dataset has them; else null. */
  masks: MaskSource | null;
  /** Backbone inputs, when the protocol asked for them (`FeatureNeeds.pixels`); else null. */
  pixels: PixelSource | null;
  /**
   * The backbone's network for training, when the protocol asked for it (`FeatureNeeds.trainable`) and the
   * backbone offers it; else null.
   */
  trainable: TrainableBackbone | null;
  /** Another installed protocol, for protocols that wrap one (few-shot); undefined when not installed. */
  protocol(kind: string): Protocol<any> | undefined;
  /**
   * This context restricted to some items (indices into `dataset.items`, any order; kept in dataset order): the
   * dataset view, features and masks then see only those items, re-indexed from 0.
   */
  restrict(items: readonly number[]): ProtocolContext;
}

/** What a protocol plugin contributes: one `kind` of protocol entry in a config. */
export interface Protocol<Options = Record<string, unknown>> {
  kind: string;
  /** Short title for tables, e.g. `kNN`. */
  title: string;
  /**
   * The title of an entry with these options (defaults applied), where the options change what the protocol is
   * (`linear` with `method: "logreg"` is logistic regression); `title` otherwise.
   */
  titleFor?(options: Options): string;
  /** JSON Schema of the entry's options (every key but `kind`, `name`), with defaults. */
  optionsSchema: JsonSchema;
  /** Task types the protocol can evaluate; other cells are skipped with a message. */
  tasks: readonly TaskType[];
  /**
   * Features it reads, given its options (defaults applied) and the backbone. A protocol that wraps another looks
   * it up with `protocols` and asks it in turn.
   */
  featureNeeds(options: Options, backbone: BackboneInfo, protocols: (kind: string) => Protocol<any> | undefined): FeatureNeeds;
  run(options: Options, context: ProtocolContext): Promise<ProtocolResult>;
}
