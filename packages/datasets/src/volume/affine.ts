import { RadprobeError } from '@radprobe/core';

/** A 4×4 voxel-to-world matrix, rows of columns: world = affine · [i, j, k, 1]. */
export type Affine = number[][];

/** Which header transform the affine came from. */
export type AffineSource = 'sform' | 'qform' | 'pixdim';

/** The transform fields of a NIfTI header that the affine is built from. */
export interface TransformFields {
  qformCode: number;
  sformCode: number;
  /** `pixdim[0..3]`: `pixdim[0]` is qfac (−1 or 1; 0 read as 1). */
  pixdim: [number, number, number, number];
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** `srow_x`, `srow_y`, `srow_z`. */
  srow: [number[], number[], number[]];
}

/**
 * The voxel-to-world affine by nibabel's precedence: the sform when `sform_code > 0`, else the qform when
 * `qform_code > 0`, else the voxel sizes on the diagonal (NIfTI "method 1", no offset).
 */
export function affineFromHeader(fields: TransformFields): { affine: Affine; source: AffineSource } {
  if (fields.sformCode > 0) return { affine: [...fields.srow.map((row) => [...row]), [0, 0, 0, 1]], source: 'sform' };
  if (fields.qformCode > 0) return { affine: qformAffine(fields), source: 'qform' };
  const [, dx, dy, dz] = fields.pixdim;
  return { affine: [[dx, 0, 0, 0], [0, dy, 0, 0], [0, 0, dz, 0], [0, 0, 0, 1]], source: 'pixdim' };
}

/** NIfTI "method 2": rotation from the quaternion (b, c, d; a = √(1 − b² − c² − d²)), scaled by pixdim and qfac. */
function qformAffine(fields: TransformFields): Affine {
  const [b, c, d] = fields.quatern;
  // Rounding in float32 headers can push b² + c² + d² a hair above 1; the quaternion is then a 180° rotation.
  const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
  const rotation = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const qfac = fields.pixdim[0] < 0 ? -1 : 1;
  const scales = [fields.pixdim[1], fields.pixdim[2], fields.pixdim[3] * qfac];
  return [
    ...rotation.map((row, axis) => [...row.map((value, column) => value * scales[column]), fields.qoffset[axis]]),
    [0, 0, 0, 1],
  ];
}

/** Voxel axis `axis` runs along world axis `world` (0 = x: L→R, 1 = y: P→A, 2 = z: I→S), forwards or backwards. */
export interface AxisDirection {
  world: 0 | 1 | 2;
  flip: boolean;
}

/**
 * For each voxel axis, the world axis it runs closest to (nibabel's `io_orientation`, greedy form): repeatedly take
 * the largest |entry| of the direction matrix (the affine's 3×3 columns, each scaled to unit length), pair its
 * voxel axis with its world axis, and drop both.
 */
export function axisDirections(affine: Affine, source: string): [AxisDirection, AxisDirection, AxisDirection] {
  const columns = [0, 1, 2].map((axis) => {
    const column = [affine[0][axis], affine[1][axis], affine[2][axis]];
    const length = Math.hypot(...column);
    return column.map((value) => value / length);
  });
  const directions: AxisDirection[] = [];
  const freeVoxel = new Set([0, 1, 2]);
  const freeWorld = new Set([0, 1, 2]);
  while (freeVoxel.size > 0) {
    let best = { voxel: -1, world: -1, value: 0 };
    for (const voxel of freeVoxel) {
      for (const world of freeWorld) {
        const value = columns[voxel][world];
        if (Math.abs(value) > Math.abs(best.value)) best = { voxel, world, value };
      }
    }
    if (best.voxel < 0) throw new RadprobeError(`${source}: the affine is degenerate (a voxel axis has no direction): ${JSON.stringify(affine)}`, { file: source });
    directions[best.voxel] = { world: best.world as 0 | 1 | 2, flip: best.value < 0 };
    freeVoxel.delete(best.voxel);
    freeWorld.delete(best.world);
  }
  return directions as [AxisDirection, AxisDirection, AxisDirection];
}

const POSITIVE = ['R', 'A', 'S'];
const NEGATIVE = ['L', 'P', 'I'];

/** Orientation code as radiology tools print it: the direction each voxel axis increases towards, e.g. `RAS`, `LPS`. */
export function orientationCode(directions: readonly AxisDirection[]): string {
  return directions.map(({ world, flip }) => (flip ? NEGATIVE : POSITIVE)[world]).join('');
}

export function multiplyAffines(a: Affine, b: Affine): Affine {
  return a.map((row) => b[0].map((_, column) => row.reduce((sum, value, inner) => sum + value * b[inner][column], 0)));
}
