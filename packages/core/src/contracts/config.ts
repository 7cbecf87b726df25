import type { Normalization } from './backbone.js';

/** How the image becomes the backbone's input (protocols.md, Preprocessing). */
export interface PreprocessingSteps {
  /** `square`: resize to size×size (the study); `shorter-side`: scale so the shorter side is `size` (upstream). */
  resize: { mode: 'square' | 'shorter-side'; size: number };
  /** Side of the centre crop after resizing, or null for none. */
  centerCrop: number | null;
  /**
   * `minmax`: per image and channel to [0, 1] (the study); `range`: divide by the format's nominal maximum
   * (torchvision's ToTensor, upstream).
   */
  scale: 'minmax' | 'range';
  /** `backbone`: the backbone's own normalisation (ImageNet for DINOv2). */
  normalize: 'backbone' | Normalization;
  /**
   * `float`: resize the image's own values in floating point (torchvision on float tensors); `pil-uint8`: bring the
   * image to 8 bits first (by `scale`) and resize as Pillow does on 8-bit images, rounding and clamping after each
   * pass (Meta's DINOv2 evaluation on PIL images).
   */
  resampling: 'float' | 'pil-uint8';
}

export type PreprocessingPresetName = 'study' | 'study-knn' | 'upstream';

/** A preset name, or a preset with steps overridden. */
export type PreprocessingConfig = PreprocessingPresetName | ({ preset?: PreprocessingPresetName } & Partial<PreprocessingSteps>);

/** An entry of `backbones`, `datasets` or `protocols`: a kind, an optional name, and the kind's options. */
export interface ComponentEntry {
  kind: string;
  /** Unique within its list; defaults to the kind (or, for backbones, the model file's name). */
  name?: string;
  [option: string]: unknown;
}

/**
 * Caps on what decoding one file may allocate, checked against the sizes its header declares before anything is
 * inflated or allocated (datasets.md, Decode limits). Megapixels and MiB are 10⁶ pixels and 2²⁰ bytes.
 */
export interface DecodeLimits {
  /** Pixels of one 2D image, frame or slice. */
  maxMegapixels: number;
  /** The file's declared pixel or voxel data uncompressed, at its own sample size (all frames or slices together). */
  maxDecodedMiB: number;
}

/** A run: every backbone × dataset × protocol. */
export interface RunConfig {
  $schema?: string;
  name?: string;
  seed: number;
  /** Results folder root; a run writes `<output>/<run-id>/`. */
  output: string;
  /** Feature cache folder. */
  cache: string;
  /** Local model store for backbones named by store name. */
  modelStore: string;
  /** Plugin packages or module paths to load in addition to those found installed. */
  plugins: string[];
  /** `fail`: the first bad item stops the run with its name; `skip`: it is left out and reported. */
  onBadItem: 'fail' | 'skip';
  device: 'auto' | 'cpu' | 'cuda';
  /** Worker threads that train data-parallel; absent: RADPROBE_TRAINING_WORKERS, else every core. */
  trainingWorkers?: number;
  batchSize: number;
  bootstrap: { samples: number; confidence: number };
  decodeLimits: DecodeLimits;
  preprocessing: PreprocessingConfig;
  backbones: ComponentEntry[];
  datasets: ComponentEntry[];
  protocols: ComponentEntry[];
}
