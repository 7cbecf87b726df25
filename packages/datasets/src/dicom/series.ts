import { compareStrings } from '../ordering.js';
import type { DicomHeader } from './parse.js';

/** What ordering reads of a slice's header (a parsed file's, or a DICOMweb server's metadata). */
export type SlicePlacement = Pick<DicomHeader, 'position' | 'orientation' | 'instanceNumber'>;

/** The slices of one series in anatomical order, and how that order was found. */
export interface OrderedSeries<T> {
  slices: T[];
  /** `position`: along the slice normal; `instance-number`: positions or orientations were missing. */
  orderedBy: 'position' | 'instance-number';
  /** Unit normal of the slices (row cosines × column cosines), when ordered by position. */
  normal?: [number, number, number];
  /** Each slice's position along the normal, mm, ascending (when ordered by position). */
  positions?: number[];
  /** Mean distance between neighbouring slices along the normal, mm (when ordered by position, ≥ 2 slices). */
  spacing?: number;
}

/**
 * Orders the slices of a series by Image Position (Patient) projected on the normal of Image Orientation
 * (Patient), never by file name: file names of exported series are often unordered or zero-less numbers. When
 * any slice lacks a position or an orientation (or the orientation is degenerate) the order falls back to Instance Number. Ties keep a fixed order
 * by Instance Number, then by `key`.
 */
export function orderSeries<T>(slices: readonly T[], headerOf: (slice: T) => SlicePlacement, key: (slice: T) => string): OrderedSeries<T> {
  const byInstance = (a: T, b: T) => (headerOf(a).instanceNumber ?? Infinity) - (headerOf(b).instanceNumber ?? Infinity) || compareStrings(key(a), key(b));
  const first = slices.length > 0 ? headerOf(slices[0]).orientation : undefined;
  if (!first || slices.some((slice) => !headerOf(slice).position || !headerOf(slice).orientation)) {
    return { slices: [...slices].sort(byInstance), orderedBy: 'instance-number' };
  }
  const normal = unit(cross([first[0], first[1], first[2]], [first[3], first[4], first[5]]));
  if (!normal) return { slices: [...slices].sort(byInstance), orderedBy: 'instance-number' };
  const along = (slice: T) => dot(headerOf(slice).position!, normal);
  const ordered = [...slices].sort((a, b) => along(a) - along(b) || byInstance(a, b));
  const positions = ordered.map(along);
  const result: OrderedSeries<T> = { slices: ordered, orderedBy: 'position', normal, positions };
  if (positions.length > 1) result.spacing = (positions[positions.length - 1] - positions[0]) / (positions.length - 1);
  return result;
}

type Vector = [number, number, number];

function cross(a: Vector, b: Vector): Vector {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function dot(a: readonly number[], b: Vector): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** Orientation cosines are rounded in headers (e.g. to 6 digits), so their cross product is normalised; null if parallel. */
function unit(vector: Vector): Vector | null {
  const length = Math.hypot(...vector);
  return length > 0 ? [vector[0] / length, vector[1] / length, vector[2] / length] : null;
}
