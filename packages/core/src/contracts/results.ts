/** A bootstrap confidence interval. */
export interface ConfidenceInterval {
  low: number;
  high: number;
  /** e.g. 0.95 */
  confidence: number;
  /** Resamples drawn. */
  samples: number;
  /** What was resampled: whole patients, whole volumes, or single items. */
  unit: 'patient' | 'volume' | 'item';
  /**
   * Resamples under which the metric was defined: the interval's quantiles come from these alone (the others lost,
   * say, every positive of a class). Equal to `samples` when absent (results written before it existed).
   */
  defined?: number;
  /**
   * Present when fewer than 90 % of the resamples defined the metric: the interval then describes only the
   * resamples that kept every class, and says little about the metric's uncertainty. Why, for a reader, e.g.
   * `built from 59 of 500 resamples; the others had no positives of Effusion (441)`. Every output shows it in place of
   * an ordinary interval.
   */
  unreliable?: string;
}

/** A metric over several seeds of a whole protocol run (training order, initialisation, draws). */
export interface SeedSpread {
  seeds: number[];
  /** The metric of each seed's run, in the order of `seeds`. */
  values: number[];
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one seed. */
  std: number;
  /** Each seed's bootstrap interval (null where undefined). */
  intervals: Array<ConfidenceInterval | null>;
}

/** One metric's value, with what makes it publishable. */
export interface MetricValue {
  /** The value; with `seeds`, their mean. */
  value: number;
  ci?: ConfidenceInterval;
  /** Per-class values (class name → value, `null` when undefined for that class). */
  perClass?: Record<string, number | null>;
  /** Classes left out of a macro average, with the reason (e.g. `no positives in split`). */
  excludedClasses?: Array<{ name: string; reason: string }>;
  /** Present when the protocol ran with several seeds. */
  seeds?: SeedSpread;
}

/** Metrics of one setting of a protocol (e.g. kNN with k = 20) on one split. */
export interface ResultRow {
  /** Setting that distinguishes this row, e.g. `{ k: 20 }`. Empty for a protocol with one row. */
  setting: Record<string, string | number | boolean>;
  /** The split the metrics were computed on. */
  split: 'val' | 'test';
  /** Metric name (e.g. `auroc`, `top1`) → value. */
  metrics: Record<string, MetricValue>;
  /**
   * Protocols that train the backbone itself: parameters that trained (adapters, biases or the whole network,
   * plus the head) against all parameters of backbone and head.
   */
  parameters?: { trainable: number; total: number };
  /**
   * What a reader must see beside this row's numbers, e.g. `not converged: the fit stopped on its iteration limit
   * (100 Newton steps)`. Outputs show them with the row.
   */
  warnings?: string[];
  /**
   * Classification TEST rows: what the row's scores look like beyond the summary metrics (curves per class,
   * confusion matrix, per-class decision statistics). Absent on VAL rows, segmentation rows and results written
   * before it existed.
   */
  classification?: ClassificationDiagnostics;
}

/** A curve as two equally long coordinate arrays, drawn point to point in order. */
export interface CurvePoints {
  x: number[];
  y: number[];
}

/** One class's TEST curves, one class against the rest. */
export interface ClassCurves {
  className: string;
  /** TEST items positive for the class, and the others. */
  positives: number;
  negatives: number;
  /** Exact AUROC from every score (the curve drawn may be downsampled). */
  auroc: number;
  /** The AUROC's bootstrap interval (the row's resampling: patients together). */
  aurocInterval?: ConfidenceInterval;
  /** Average precision `Σₙ (Rₙ − Rₙ₋₁)·Pₙ` over the score thresholds, exact from every score. */
  averagePrecision: number;
  /** x: false-positive rate, y: true-positive rate, from (0, 0) to (1, 1); at most 200 points. */
  roc: CurvePoints;
  /** x: recall, y: precision, from recall 0 (precision 1) to recall 1, as the steps that AP sums; at most 200 points. */
  pr: CurvePoints;
}

/** One class's statistics of the protocol's decisions (one class against the rest), with bootstrap intervals. */
export interface ClassDecisionStats {
  className: string;
  /** Null where undefined on TEST: no positives (sensitivity), no negatives (specificity), never predicted (PPV). */
  sensitivity: MetricValue | null;
  specificity: MetricValue | null;
  ppv: MetricValue | null;
}

/** How a classification row's TEST scores fall: what a reader draws as ROC/PR curves and a confusion matrix. */
export interface ClassificationDiagnostics {
  /** The seed (few-shot: the try) whose TEST scores these are: the first when several ran. */
  seed: number;
  /** How a single-label item's class is decided from its scores, e.g. `highest score`. */
  decision?: string;
  /** Multi-label: one per class with positives and negatives on TEST; binary: one, for the positive class. */
  curves?: ClassCurves[];
  /** Single-label tasks: `counts[true][predicted]` over TEST, classes in the dataset's order. */
  confusion?: { classes: string[]; counts: number[][] };
  /** Single-label tasks: per class, in the dataset's order. */
  decisions?: ClassDecisionStats[];
}

/** What a protocol returns for one (backbone, dataset) cell. */
export interface ProtocolResult {
  /** The metric that ranks settings and fills summary tables (must be a key of every row's metrics). */
  primaryMetric: string;
  rows: ResultRow[];
  /** Facts a reader must know (deviations from the study, carved splits, …). */
  notes: string[];
  /** Settings that could not run, and why (e.g. `n_last_blocks = 4` on a last-layer-only export). */
  skipped: Array<{ setting: Record<string, string | number | boolean>; reason: string }>;
  /**
   * Files for a reader to look at (e.g. predicted masks as images). The engine writes them next to results.json
   * and records only their file names (`CellResult.artifacts`); the bytes never enter results.json.
   */
  artifacts?: ResultArtifact[];
}

/** A file a protocol produced, in memory. */
export interface ResultArtifact {
  /** File name, unique within the cell: letters, digits, `.`, `_`, `-` only. */
  name: string;
  /** e.g. `image/png`. */
  mediaType: string;
  data: Uint8Array;
}

/** Where the engine wrote a cell's artifact. */
export interface ArtifactFile {
  name: string;
  mediaType: string;
  /** Path relative to the folder of results.json, with `/` separators. */
  file: string;
}

export type CellStatus = 'completed' | 'failed' | 'skipped';

/** One backbone × dataset × protocol evaluation of a run. */
export interface CellResult {
  backbone: string;
  dataset: string;
  /** The protocol entry's name (defaults to its kind). */
  protocol: string;
  protocolKind: string;
  status: CellStatus;
  /** Why it failed or was skipped. */
  reason?: string;
  /** The protocol's result, without artifact bytes. */
  result?: Omit<ProtocolResult, 'artifacts'>;
  /** Files the protocol produced, as written next to results.json. */
  artifacts?: ArtifactFile[];
  durationMs: number;
}

/** Sizes of a dataset as the run saw it. */
export interface DatasetSummary {
  name: string;
  kind: string;
  task: string;
  classes: string[];
  counts: Record<'train' | 'val' | 'test', number>;
  patients: number | null;
  /**
   * Classification datasets: per split, how many items are positive for each class (in `classes` order); the
   * split's other items are its negatives. Absent for segmentation and in results written before it existed.
   */
  positives?: Record<'train' | 'val' | 'test', number[]>;
  /**
   * Fingerprint of the split: sha256 of the sorted `id:split` lines of every item, joined by `\n`. Two runs with
   * equal counts can still split differently; this tells them apart. Absent in results written before it existed.
   */
  splitHash?: string;
  skipped: Array<{ source: string; reason: string }>;
  notes: string[];
}

/** Where a number came from: enough to reproduce it. */
export interface Provenance {
  /** sha256 of the canonical resolved config. */
  configHash: string;
  /** Versions of radprobe packages and the runtimes they used. */
  packages: Record<string, string>;
  gitCommit: string | null;
  seed: number;
  node: string;
  platform: string;
  cpu: string;
  cpus: number;
  memoryBytes: number;
  hostname: string;
  backbones: Array<{ name: string; description: string; weightsHash: string; executionProvider: string }>;
  /** Every plugin package whose kinds the run used. Absent in results written before it existed. */
  plugins?: PluginProvenance[];
  /** Which worker of which job ran it, on which device. Absent in results written before it existed. */
  worker?: WorkerPlacement;
}

/**
 * Where a process ran in a cluster and which accelerator the engine gave it: enough to tell which shard or cells
 * job used which node and GPU.
 */
export interface WorkerPlacement {
  host: string;
  /** The engine that started the process: `slurm` (SLURM_JOB_ID set), `kubernetes` (in a pod), or `none`. */
  engine: 'slurm' | 'kubernetes' | 'none';
  /** The job's scheduler variables that were set (SLURM_JOB_ID, SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX…). */
  scheduler: Record<string, string>;
  /** The GPUs the engine made visible (CUDA device 0 is the first listed); null when unset. */
  cudaVisibleDevices: string | null;
  /** The GPUs the NVIDIA container runtime (Kubernetes' device plugin) gave the container; null when unset. */
  nvidiaVisibleDevices: string | null;
}

/** A plugin package that contributed kinds to a run. */
export interface PluginProvenance {
  name: string;
  version: string;
  /** The package's folder (symlinks resolved); for a plugin named by module path, its file; null when not known. */
  location: string | null;
  /** One of radprobe's own plugin packages. */
  firstParty: boolean;
  /** The kinds of this package the run used, a wrapped protocol's inner kind (few-shot's) included. */
  contributed: { backbones?: string[]; datasets?: string[]; protocols?: string[] };
}

/** Where a run was when a plugin's code failed. */
export type FailureStage = 'dataset' | 'backbone' | 'extract' | 'protocol';

/** A cell that failed: which plugin's code failed, where, and its message. */
export interface FailedCell {
  backbone: string;
  dataset: string;
  protocol: string;
  /** `package@version` of the plugin whose code failed. */
  plugin: string;
  /**
   * `dataset`: loading the dataset; `backbone`: loading the backbone; `extract`: embedding (or a batch that did not
   * match the backbone's BackboneInfo); `protocol`: the protocol's run.
   */
  stage: FailureStage;
  /** One line, prefixed with the entry and its plugin (`backbone "vit" (kind onnx, @acme/x@1.2.0): …`). */
  message: string;
}

/** The content of `results/<run-id>/results.json`. */
export interface RunResults {
  schemaVersion: 1;
  runId: string;
  name: string;
  startedAt: string;
  finishedAt: string;
  /** The config with every default filled in. */
  config: Record<string, unknown>;
  /**
   * The config file's folder, against which the config's relative paths (cache, models, data) resolve: relative to
   * the folder of results.json, with `/` separators (`../..` for the default `output`). Absent in results written
   * before it existed.
   */
  baseDir?: string;
  provenance: Provenance;
  datasets: DatasetSummary[];
  cells: CellResult[];
  /** The cells that failed, with the plugin and stage that failed them. Absent in results written before it existed. */
  failed?: FailedCell[];
  /**
   * Present when the run ran one part of the grid (`radprobe run --cells I/N`): which part, of how many cells in
   * all. `radprobe report merge` joins the parts into one results folder without it.
   */
  partition?: { cells: { index: number; count: number }; of: number };
}
