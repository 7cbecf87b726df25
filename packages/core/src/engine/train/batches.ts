import { RadprobeError } from '../util/errors.js';
import type { Random } from '../util/random.js';

/**
 * One epoch's mini-batches: a fresh shuffle of `0..samples-1` from `random`, cut into batches of `batchSize`,
 * the last one shorter when `batchSize` does not divide `samples` (PyTorch's DataLoader without drop_last).
 */
export function epochBatches(random: Random, samples: number, batchSize: number): Int32Array[] {
  if (!Number.isInteger(samples) || samples < 1) throw new RadprobeError(`training needs at least one sample, got ${samples}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RadprobeError(`batch size ${batchSize} must be a positive integer`);
  const order = Int32Array.from(random.shuffle(Array.from({ length: samples }, (_, i) => i)));
  const batches: Int32Array[] = [];
  for (let start = 0; start < samples; start += batchSize) batches.push(order.subarray(start, Math.min(samples, start + batchSize)));
  return batches;
}

/** Optimiser steps per epoch. */
export function batchesPerEpoch(samples: number, batchSize: number): number {
  return Math.ceil(samples / batchSize);
}
