import { evenlySpaced, type Split } from '@radprobe/core';

// Moved to core (few-shot subsets use it too); re-exported for this package's loaders.
export { evenlySpaced, roundHalfEven } from '@radprobe/core';

/** `arange(0, count, every)`: positions 0, every, 2·every, …. */
export function everyNth(count: number, every: number): number[] {
  return Array.from({ length: Math.ceil(count / every) }, (_, index) => index * every);
}

/**
 * Splits of `count` sorted units by position: TEST at `testAt(count)`, VAL at `valAt(rest)` among the units
 * TEST left (in order), TRAIN the others.
 */
export function positionalSplits(count: number, testAt: (count: number) => number[], valAt: (count: number) => number[]): Split[] {
  const splits = new Array<Split>(count).fill('train');
  for (const position of testAt(count)) splits[position] = 'test';
  const rest = splits.flatMap((split, position) => (split === 'train' ? [position] : []));
  for (const position of valAt(rest.length)) splits[rest[position]] = 'val';
  return splits;
}

/** Splits of `count` sorted units: TEST evenly spaced over all, VAL evenly spaced over the rest, TRAIN the remainder. */
export function evenlySpacedSplits(count: number, counts: { test: number; val: number }): Split[] {
  return positionalSplits(count, (n) => evenlySpaced(n, counts.test), (n) => evenlySpaced(n, counts.val));
}
