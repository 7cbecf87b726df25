import type { AxisBounds } from './metric-axis.js';

/**
 * What the page's script needs to draw each chart: plain JSON, computed in Node so that the logic (grouping,
 * averaging, colours) is tested there and the browser side only draws.
 */
export type ChartSpec = (PerClassChart | SeedSpreadChart | FewshotCurveChart | RankScatterChart | MetricBarsChart | ClassCurvesChart | SettingCurveChart) & { /** Id of the canvas element it draws on. */ canvasId: string };

/** Per-class values of one metric in one cell: one bar series per result row that has them. */
export interface PerClassChart {
  kind: 'per-class';
  metric: string;
  classes: string[];
  series: Array<{ label: string; values: Array<number | null> }>;
}

/** One square of the VAL grid: the primary metric averaged over the seeds that trained this head. */
export interface ValGridSquare {
  lr: string;
  combo: string;
  value: number;
  /** How many VAL rows (seeds) were averaged. */
  rows: number;
  colour: string;
  textColour: string;
  /** This head's settings are the ones the TEST row reports. */
  selected: boolean;
}

/** The VAL grid of a cell as a heat map (drawn as a coloured table): lr across, the other varying settings down. */
export interface ValGridChart {
  kind: 'val-grid';
  metric: string;
  lrs: string[];
  combos: string[];
  squares: ValGridSquare[];
  min: number;
  max: number;
}

/** One metric of one row run with several seeds. */
export interface SeedSpreadEntry {
  label: string;
  seeds: number[];
  values: number[];
  mean: number;
  std: number;
}

/** Per-seed values as points with the mean ± std, one column per row × metric of a cell. */
export interface SeedSpreadChart {
  kind: 'seed-spread';
  entries: SeedSpreadEntry[];
}

/** A few-shot point: the metric's mean over tries and its std (0 for one try). */
export interface FewshotPoint {
  mean: number;
  std: number;
  tries: number;
}

/** A few-shot curve of one dataset × few-shot entry: metric against shots, one series per backbone. */
export interface FewshotCurveChart {
  kind: 'fewshot-curve';
  dataset: string;
  protocol: string;
  metric: string;
  /** x axis title: what the shots count, e.g. "shots (images per class)". */
  axis: string;
  /** x axis: shots values, counts ascending, "all" last. */
  shots: string[];
  /** `points[i]` belongs to `shots[i]`; null where that backbone has no such row. */
  series: Array<{ label: string; points: Array<FewshotPoint | null> }>;
  /** The y axis: where the points and their error bars are, within the metric's range. */
  valueAxis: AxisBounds;
}

/**
 * The cross-task ranking: per backbone, its mean rank on segmentation (x) and on classification (y); 1 = best. Every
 * backbone has a point, null where it is not ranked on both kinds of task, so that the comparison page's script can
 * move the points when the reader picks other columns.
 */
export interface RankScatterChart {
  kind: 'rank-scatter';
  points: Array<{ label: string; x: number | null; y: number | null }>;
  /** The largest rank possible (backbones compared): both axes run from 1 to it. */
  worstRank: number;
}

/** A bar: a metric's mean (over seeds), its std (0 for one seed) and the reported interval where there is one. */
export interface MetricBar {
  mean: number;
  std: number;
  low: number | null;
  high: number | null;
  /** The interval came from too few resamples (`ConfidenceInterval.unreliable`): drawn dashed and marked. */
  unreliable?: boolean;
}

/** Bars of one metric across backbones (categories), one series per column compared (e.g. linear and U-Net decoders). */
export interface MetricBarsChart {
  kind: 'metric-bars';
  metric: string;
  categories: string[];
  /** `bars[i]` belongs to `categories[i]`; null where that backbone has no value. */
  series: Array<{ label: string; bars: Array<MetricBar | null> }>;
}

/** One class's curve of a cell's TEST scores. */
export interface ClassCurveLine {
  /** The class with its exact AUROC or AP, e.g. `Effusion (AUROC 0.812)`. */
  label: string;
  /** The class's colour, the same in every chart of the page (`classColour`). */
  colour: string;
  x: number[];
  y: number[];
}

/** ROC (false-positive rate → true-positive rate) or precision–recall curves of a cell's TEST scores, a line per class. */
export interface ClassCurvesChart {
  kind: 'class-curves';
  curve: 'roc' | 'pr';
  lines: ClassCurveLine[];
}

/** A metric against one setting (kNN's k, logistic regression's C), with intervals where the rows have them. */
export interface SettingCurveChart {
  kind: 'setting-curve';
  /** x axis title, e.g. `k (neighbours)`. */
  axis: string;
  /** y axis title, e.g. `VAL auroc`. */
  metric: string;
  /** The setting's values in ascending order (category axis: evenly spaced, as a log axis would space C's grid). */
  labels: string[];
  points: Array<{ value: number; low: number | null; high: number | null; unreliable: boolean; chosen: boolean }>;
}
