import type { DecodeLimits } from './config.js';
import type { JsonSchema } from './json-schema.js';

export type Split = 'train' | 'val' | 'test';

/** Classification tasks share features and heads; segmentation items carry masks. */
export type TaskType = 'multiclass' | 'multilabel' | 'binary' | 'segmentation';

/** One sample of a dataset: an image (a 2D slice of a volume counts as one). */
export interface DatasetItem {
  /** Unique within the dataset, stable across runs (e.g. the relative path). */
  id: string;
  split: Split;
  /** Class index for multiclass / binary tasks (binary: 1 = positive). */
  label?: number;
  /** Multi-hot vector (0/1, one per class) for multilabel tasks. */
  labels?: number[];
  /** Patient the item belongs to: splits, few-shot draws and bootstrap resamples never cut through a patient. */
  patient?: string;
  /** Volume (3D scan) the item is a slice of: kept together like a patient. */
  volume?: string;
  /**
   * Where the item comes from, for messages (a file path, optionally with `#slice`), printable: control characters
   * and bytes that are not UTF-8 are escaped (`printablePath`). Not necessarily a path that opens: a dataset keeps
   * the path it reads itself, as file names are bytes on Linux.
   */
  source: string;
}

/** A decoded image's samples: floats, or the integers a file stores. */
export type ImageSamples = Float32Array | Uint16Array | Uint8Array;

/** Decoded image, before preprocessing. Values are the file's own (e.g. 0..255, 0..65535, or HU). */
export interface RawImage {
  width: number;
  height: number;
  /** 1 (gray) or 3 (RGB). */
  channels: 1 | 3;
  /**
   * Interleaved `[height, width, channels]`. Integer samples may stay in the integer array they were decoded into
   * (8-bit PNG and JPEG as Uint8Array, 16-bit PNG as Uint16Array): a 2048² radiograph then takes 4 MiB instead of
   * 16, and no conversion pass. Whoever reads `data` reads numbers either way; whoever changes it in place must
   * first make floats of integer samples.
   */
  data: ImageSamples;
  /** Nominal range of the values (e.g. 0..255 for 8-bit PNG) when the format defines one. */
  range?: { min: number; max: number };
}

/** A segmentation label map: one class index per pixel (0 = background), the same size as the item's image. */
export interface LabelMap {
  width: number;
  height: number;
  /** Row-major `[height, width]` class indices into `Dataset.classes`. */
  data: Uint8Array | Uint16Array;
}

/** A file's bytes in memory, with a name suggestion and media type. */
export interface EncodedFile {
  /** File name: letters, digits, `.`, `_`, `-` only (e.g. `case_001.nii.gz`). */
  name: string;
  mediaType: string;
  data: Uint8Array;
}

/** An item that a loader left out, and why. */
export interface SkippedItem {
  source: string;
  reason: string;
}

/** A dataset ready for evaluation: items with their splits, and a way to read each item. */
export interface Dataset {
  /** The config's name for it. */
  name: string;
  task: TaskType;
  /** Class names, index = label. */
  classes: string[];
  items: DatasetItem[];
  /** What the loader left out, with reasons. */
  skipped: SkippedItem[];
  /** Facts a reader of the results must know (e.g. "VAL carved from TRAIN, 10 % of patients"). */
  notes: string[];
  /** Decodes an item's image. Throws an error naming the file when it cannot. */
  open(item: DatasetItem): Promise<RawImage>;
  /** Segmentation datasets: the item's label map, the same size as `open(item)`'s image. */
  openMask?(item: DatasetItem): Promise<LabelMap>;
  /**
   * Volumetric segmentation datasets: a label volume file in the source's format and geometry (e.g. a NIfTI with the
   * image's dimensions and qform/sform) holding `slices`, label maps of some slices of `volume` (each the size of
   * `open(item)`'s image); voxels of slices not given are 0.
   */
  encodeLabelVolume?(volume: string, slices: ReadonlyArray<{ item: DatasetItem; labels: LabelMap }>): Promise<EncodedFile>;
  /**
   * Identity of the item's content (e.g. sha256 of its file bytes plus the slice index, plus any intensity step the
   * loader applies in `open`, such as a CT window): together with the backbone and the preprocessing it keys the
   * feature cache, so a changed file or setting is never served stale features.
   */
  contentKey(item: DatasetItem): Promise<string>;
  /**
   * What the item's file weighs and when it last changed, from the file system alone (a `stat`, no read): sharded
   * extraction balances its parts by bytes, and a worker trusts a finished part's record only while every item's
   * size and time are unchanged. Datasets whose items are not files of their own leave it out (their items then
   * weigh the same, and a part is checked by content keys).
   */
  itemSize?(item: DatasetItem): Promise<{ bytes: number; modifiedMs: number }>;
}

/** Context the engine hands to a dataset factory. */
export interface DatasetContext {
  baseDir: string;
  log(message: string): void;
  /** The run's `decodeLimits`, which every decoder checks a file's declared size against; absent means the defaults. */
  decodeLimits?: DecodeLimits;
  /** The run's feature cache folder, where a dataset may keep what it fetched from a server (absent: none given). */
  cacheDir?: string;
}

/** What a dataset plugin contributes: one `kind` of dataset entry in a config. */
export interface DatasetFactory<Options = Record<string, unknown>> {
  kind: string;
  optionsSchema: JsonSchema;
  create(options: Options, context: DatasetContext): Promise<Dataset>;
}
