import type { ClassCurves, CurvePoints } from '../../contracts/results.js';
import { RadprobeError } from '../util/errors.js';
import { auroc } from './auroc.js';

/** The most points a stored curve keeps (ROC and PR each), so that results.json stays small for large TEST sets. */
export const MAX_CURVE_POINTS = 200;

/** Decimals a stored curve point keeps: well below a pixel of any chart, and a third of the JSON of full doubles. */
const CURVE_DECIMALS = 4;

interface Point {
  x: number;
  y: number;
}

/**
 * The cumulative true and false positives after each group of equal scores, highest scores first: the thresholds
 * of the ROC and precision–recall curves (items with equal scores cross a threshold together).
 */
function thresholdCounts(scores: ArrayLike<number>, positive: ArrayLike<number | boolean>): { truePositives: number[]; falsePositives: number[]; positives: number; negatives: number } {
  const n = scores.length;
  if (positive.length !== n) throw new RadprobeError(`curves: ${n} scores but ${positive.length} labels`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) if (!Number.isFinite(scores[i])) throw new RadprobeError(`curves: score of item ${i} is ${scores[i]}, not a finite number`);
  order.sort((a, b) => scores[b] - scores[a]);
  const truePositives: number[] = [];
  const falsePositives: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < n; r++) {
    if (positive[order[r]]) tp++;
    else fp++;
    if (r + 1 === n || scores[order[r + 1]] !== scores[order[r]]) {
      truePositives.push(tp);
      falsePositives.push(fp);
    }
  }
  return { truePositives, falsePositives, positives: tp, negatives: fp };
}

/** Whether `b` lies on the straight segment from `a` to `c`, going the same way (so it can be left out). */
function between(a: Point, b: Point, c: Point): boolean {
  const cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
  const dot = (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y);
  return Math.abs(cross) <= 1e-12 && dot >= 0;
}

/** The polyline without its repeated points and the interior points of straight runs: the same drawing. */
function withoutStraightRuns(points: readonly Point[]): Point[] {
  const kept: Point[] = [];
  for (const point of points) {
    const last = kept[kept.length - 1];
    if (last && last.x === point.x && last.y === point.y) continue;
    if (kept.length >= 2 && between(kept[kept.length - 2], last, point)) kept.pop();
    kept.push(point);
  }
  return kept;
}

/**
 * A monotone curve drawn with at most `maxPoints` points. Straight runs (a step's rise or run, a diagonal of tied
 * scores) keep only their ends, which loses nothing. A curve that still has too many points keeps
 * `⌊(maxPoints − 1)/2⌋ + 1` of its vertices, evenly spaced along its length and always its first and last, and
 * joins each pair by one step, rising (or falling) first and then running across, the shape of the curve's own
 * steps; so the first and last points are exact, every segment is a step's rise or run, and each step's corner lies
 * within the rectangle of the stretch it replaces.
 */
export function downsampleCurve(points: readonly Point[], maxPoints = MAX_CURVE_POINTS): Point[] {
  if (maxPoints < 3) throw new RadprobeError(`curves: maxPoints ${maxPoints} must be at least 3`);
  const plain = withoutStraightRuns(points);
  if (plain.length <= maxPoints) return plain;
  const steps = Math.floor((maxPoints - 1) / 2);
  const along = [0];
  for (let i = 1; i < plain.length; i++) along.push(along[i - 1] + Math.abs(plain[i].x - plain[i - 1].x) + Math.abs(plain[i].y - plain[i - 1].y));
  const length = along[along.length - 1];
  const kept: Point[] = [plain[0]];
  let next = 1;
  for (let s = 1; s < steps; s++) {
    const target = (s * length) / steps;
    while (next < plain.length - 1 && along[next] < target) next++;
    if (next < plain.length - 1 && kept[kept.length - 1] !== plain[next]) kept.push(plain[next]);
  }
  kept.push(plain[plain.length - 1]);
  const stepped: Point[] = [kept[0]];
  for (let i = 1; i < kept.length; i++) {
    const from = kept[i - 1];
    const to = kept[i];
    if (from.x !== to.x && from.y !== to.y) stepped.push({ x: from.x, y: to.y });
    stepped.push(to);
  }
  return withoutStraightRuns(stepped);
}

const rounded = (value: number) => Number(value.toFixed(CURVE_DECIMALS));

function stored(points: readonly Point[]): CurvePoints {
  return { x: points.map((point) => rounded(point.x)), y: points.map((point) => rounded(point.y)) };
}

/**
 * ROC and precision–recall curves of one class against the rest, with the exact AUROC (`auroc`, ties one half) and
 * average precision from every score; the stored curves keep at most `maxPoints` points each (`downsampleCurve`),
 * rounded to 4 decimals. The ROC curve joins its thresholds by straight lines (tied scores give a diagonal, whose
 * area is the ties' half); the PR curve is the step function AP sums: precision Pₙ over recall (Rₙ₋₁, Rₙ], from
 * (0, 1). Null when the items lack positives or negatives.
 */
export function classCurves(className: string, scores: ArrayLike<number>, positive: ArrayLike<number | boolean>, maxPoints = MAX_CURVE_POINTS): ClassCurves | null {
  const { truePositives, falsePositives, positives, negatives } = thresholdCounts(scores, positive);
  if (positives === 0 || negatives === 0) return null;
  const roc: Point[] = [{ x: 0, y: 0 }];
  const pr: Point[] = [{ x: 0, y: 1 }];
  let averagePrecision = 0;
  let recallBefore = 0;
  truePositives.forEach((tp, t) => {
    const fp = falsePositives[t];
    roc.push({ x: fp / negatives, y: tp / positives });
    const recall = tp / positives;
    const precision = tp / (tp + fp);
    averagePrecision += (recall - recallBefore) * precision;
    pr.push({ x: recallBefore, y: precision }, { x: recall, y: precision });
    recallBefore = recall;
  });
  return {
    className,
    positives,
    negatives,
    auroc: auroc(scores, positive) as number,
    averagePrecision,
    roc: stored(downsampleCurve(roc, maxPoints)),
    pr: stored(downsampleCurve(pr, maxPoints)),
  };
}
